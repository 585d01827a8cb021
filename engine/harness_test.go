package engine_test

import (
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// fixture is a small game whose layout the tests rely on.
func fixture() fstest.MapFS {
	return fstest.MapFS{
		"scripts/init.lua": {Data: []byte(`
game { name = "Testland", start = "town:square", greeting = "Welcome to Testland." }
topic { name = "newbie", text = "Walk around and look at things." }
local pulses = 0
every(0.02, function() pulses = pulses + 1 end)
command { name = "odd", help = "odd\nStores values a careless script might.",
  run = function(actor)
    actor.data.ratio = 0/0
    actor.data.list = { [5] = "five" }
    actor.data.name = "kept"
    local coin = actor:has("town:coin")
    if coin then coin.data.minted = "Millbrook" end
    actor:send("odd data stored")
  end }
command { name = "showdata", help = "showdata\nShows stored values.",
  run = function(actor)
    actor:send("list5=" .. tostring(actor.data.list and actor.data.list[5]) ..
      " name=" .. tostring(actor.data.name) .. " ratio=" .. tostring(actor.data.ratio) ..
      " minted=" .. tostring(actor:has("town:coin") and actor:has("town:coin").data.minted))
  end }
command { name = "don", help = "don <thing>\nWears a carried thing on the hand.",
  run = function(actor, args)
    for _, x in ipairs(actor:contents()) do
      if x.name:find(args, 1, true) then
        actor:send(x:wear("hand") and ("You wear " .. x.name .. ".") or "You can't.")
        return
      end
    end
    actor:send("You have no " .. args .. ".")
  end }
command { name = "slots", run = function(actor)
    local out = {}
    for slot, x in pairs(actor:worn()) do out[#out + 1] = slot .. "=" .. x.name end
    actor:send("worn: " .. table.concat(out, ","))
  end }
command { name = "pulses", help = "pulses\nHow many timer pulses ran.",
  run = function(actor) actor:send("pulses: " .. pulses) end }
`)},
		"world/town/zone.lua": {Data: []byte(`
zone {
  key = "town", name = "The Town",
  resets = {
    { item = "coin", room = "square" },
    { item = "chest", room = "hall" },
    { item = "gem", into = "chest" },
    { item = "key", room = "square" },
    { npc = "parrot", room = "square" },
  },
}`)},
		"world/town/rooms.lua": {Data: []byte(`
room { key = "square", name = "Town Square", desc = "A dusty square.",
  exits = { north = "hall", east = "field:meadow" } }
room { key = "hall", name = "Great Hall", desc = "A hall with a trapdoor in the floor.",
  on_command = function(room, who, verb, args)
    if verb == "pull" then who:send("You pull the lever; far below, something clanks.") return true end
    if verb == "get" and args == "lever" then who:send("The lever is fixed to the wall.") return true end
  end,
  exits = { south = "square",
    down = { to = "cellar", door = { name = "trapdoor", closed = true, locked = true, key = "key" } } } }
room { key = "cellar", name = "Damp Cellar", desc = "It smells of old apples.", exits = { up = "hall" } }
`)},
		"world/town/things.lua": {Data: []byte(`
item { key = "coin", name = "a gold coin", keywords = {"coin", "gold"}, ground = "A gold coin glints here." }
item { key = "chest", name = "an oak chest", keywords = {"chest"}, ground = "An oak chest stands here.",
  container = true, fixed = true }
item { key = "gem", name = "a red gem", keywords = {"gem"}, ground = "A red gem sparkles." }
item { key = "key", name = "an iron key", keywords = {"key", "iron"}, ground = "An iron key lies here." }
npc { key = "parrot", name = "a green parrot", keywords = {"parrot"}, ground = "A green parrot watches you.",
  on_say = function(self, who, text) self:say("Squawk! " .. text) end,
  on_ask = function(self, who, topic) self:say("Polly knows all about " .. topic .. "!") end }
`)},
		"world/field/zone.lua": {Data: []byte(`zone { key = "field", name = "The Fields" }`)},
		"world/field/rooms.lua": {Data: []byte(`
room { key = "meadow", name = "A Meadow", desc = "Grass as far as you can see.",
  exits = { west = "town:square", north = "broken", south = "spin" } }
room { key = "broken", name = "A Broken Place", desc = "Something is wrong here.",
  exits = { south = "meadow" },
  on_enter = function(room, who) local x = nil; return x.field end }
room { key = "spin", name = "A Spinning Place", desc = "Round and round.",
  exits = { north = "meadow" },
  on_enter = function(room, who) while true do end end }
`)},
	}
}

// startServer runs an engine with the fixture-style settings tests rely on.
func startServer(t *testing.T, game fs.FS, dataDir string, tweak ...func(*engine.Config)) *mudtest.Server {
	t.Helper()
	return startServerWith(t, game, dataDir, nil, tweak...)
}

// startServerWith is startServer with a setup function run before the engine serves, for
// registering test commands.
func startServerWith(t *testing.T, game fs.FS, dataDir string, setup func(*engine.Engine), tweak ...func(*engine.Config)) *mudtest.Server {
	t.Helper()
	cfg := engine.Config{Game: game, DataDir: dataDir, LuaBudget: 50 * time.Millisecond}
	for _, f := range tweak {
		f(&cfg)
	}
	return mudtest.Start(t, cfg, setup)
}
