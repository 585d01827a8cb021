package engine

import (
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// linkGame is a one-room game with a loaf on the floor, a bag, a shopkeeper-like NPC that
// keeps what it is given, a `pay` command that moves gold between two players' data the
// ordinary way, a timer that does the same, and `regen` visiting players with mud.separately.
var linkGame = fstest.MapFS{
	"scripts/init.lua": {Data: []byte(`
game { name = "Links", start = "z:r" }
local function pay(from, to, n)
  from.data.gold = (from.data.gold or 0) - n
  to.data.gold = (to.data.gold or 0) + n
end
command { name = "pay", run = function(actor, args)
  local who, n = args:match("^(%a+) (%d+)$")
  local to = mud.player(who)
  if to then pay(actor, to, tonumber(n)) end
end }
command { name = "later", run = function(actor, args)
  local to = mud.player(args)
  after(1, function() pay(actor, to, 1) end)
end }
command { name = "regen", run = function(actor)
  mud.separately(mud.players(), function(p) p.data.hp = 10 end)
end }
command { name = "everyone", run = function(actor)
  for _, p in ipairs(mud.players()) do p.data.hp = 10 end
end }`)},
	"world/z/zone.lua": {Data: []byte(`zone { key = "z", name = "Z" }`)},
	"world/z/rooms.lua": {Data: []byte(`
room { key = "r", name = "A Room", desc = "Plain." }
item { key = "loaf", name = "a loaf", keywords = { "loaf" } }
item { key = "bag", name = "a bag", keywords = { "bag" }, container = true, capacity = 5 }
npc { key = "keeper", name = "a keeper", keywords = { "keeper" } }
reset { room = "r", item = "loaf", max = 1 }
reset { room = "r", item = "bag", max = 1 }
reset { room = "r", npc = "keeper", max = 1 }`)},
}

// TestTransfersLinkCharacters checks which players are saved together: those a transfer
// passed something between, and no others.
func TestTransfersLinkCharacters(t *testing.T) {
	tests := []struct {
		name  string
		lines [][2]string // player ("ann", "bob", "cid"), line
		pulse bool        // advance the clock past due timers afterwards
		want  []string    // the players saved with ann, sorted; ann alone if none
	}{
		{"unrelated commands", [][2]string{{"ann", "get loaf"}, {"bob", "look"}, {"cid", "say hi"}}, false, nil},
		{"give", [][2]string{{"ann", "get loaf"}, {"ann", "give loaf to bob"}}, false, []string{"Bob"}},
		{"dropped and picked up", [][2]string{{"ann", "get loaf"}, {"ann", "drop loaf"}, {"cid", "get loaf"}}, false, []string{"Cid"}},
		{"in a bag on the floor", [][2]string{{"ann", "get loaf"}, {"ann", "put loaf in bag"}, {"bob", "get bag"}}, false, []string{"Bob"}},
		{"passed on through a third", [][2]string{{"ann", "get loaf"}, {"ann", "give loaf to bob"}, {"bob", "give loaf to cid"}}, false, []string{"Bob", "Cid"}},
		{"through an NPC's hands", [][2]string{{"ann", "get loaf"}, {"ann", "give loaf to keeper"}}, false, nil},
		{"a script's gold", [][2]string{{"ann", "pay cid 5"}}, false, []string{"Cid"}},
		{"a timer's gold", [][2]string{{"ann", "later bob"}}, true, []string{"Bob"}},
		{"a visit of each apart", [][2]string{{"bob", "regen"}}, false, nil},
		{"a visit of all together", [][2]string{{"bob", "everyone"}}, false, []string{"Bob", "Cid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Unix(1_700_000_000, 0)
			e := testEngine(t, Config{Game: linkGame, SaveInterval: time.Hour, LinkDeadGrace: time.Hour,
				Clock: func() time.Time { return clock }})
			e.lastSave = clock // no save round in the test's pulse
			players := map[string]*Player{}
			for _, name := range []string{"Ann", "Bob", "Cid"} {
				e.beginUnit()
				p := e.restore(state.Character{Name: name}, RolePlayer)
				p.linkDeadAt = clock // no connection, and not expired in the test's pulse
				e.addPlayer(p)
				players[state.Key(name)] = p
			}
			for _, l := range tt.lines {
				e.runLine(players[l[0]], queuedLine{text: l[1], at: clock})
			}
			if tt.pulse {
				clock = clock.Add(2 * time.Second)
				e.pulse()
			}
			var got []string
			for _, c := range e.snapshotLinked(nil, players["ann"]) {
				if c.Name != "Ann" {
					got = append(got, c.Name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("saved with Ann: %v, want %v", got, tt.want)
			}
			if players["ann"].group != nil {
				t.Fatal("Ann is still linked after the group was saved")
			}
		})
	}
}
