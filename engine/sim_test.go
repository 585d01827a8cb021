package engine_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mudd/mudd/engine"
)

// simGame has a zone that puts its coin back every 10 seconds and a command that rolls dice.
func simGame(scenario string) fstest.MapFS {
	return fstest.MapFS{
		"scripts/init.lua": {Data: []byte(`game { start = "z:a" }
command { name = "roll", run = function(actor)
  actor:send("rolled " .. math.random(1000) .. " " .. math.random(1000) .. " " .. math.random(1000))
end }`)},
		"world/z/zone.lua":  {Data: []byte(`zone { key = "z", reset_every = 10, resets = { { item = "coin", room = "a" } } }`)},
		"world/z/rooms.lua": {Data: []byte(`room { key = "a", name = "Room A", desc = "Room a." }`)},
		"world/z/items.lua": {Data: []byte(`item { key = "coin", name = "a coin", ground = "A coin lies here." }`)},
		"tests/t.lua":       {Data: []byte(scenario)},
	}
}

func TestScenarioAdvanceRunsResets(t *testing.T) {
	game := simGame(`
local p = player("Alice")
p:cmd("get coin")
p:expect("You pick up a coin")
p:cmd("look")
p:expect_not("A coin lies here.")
advance(5)
expect(mud.room("z:a"):find("coin") == nil, "no reset yet after 5 s")
advance(5)
p:cmd("look")
p:expect("A coin lies here.")
`)
	r := engine.RunScenario(game, "tests/t.lua", engine.Config{})
	if r.Err != nil || r.Checks != 4 {
		t.Fatalf("checks %d, err %v", r.Checks, r.Err)
	}
}

func TestScenarioRandomnessIsSeeded(t *testing.T) {
	roll := func(seed uint64) string {
		game := simGame(`local p = player("Alice"); p:cmd("roll"); expect(false, p:output())`)
		r := engine.RunScenario(game, "tests/t.lua", engine.Config{Seed: seed})
		if r.Err == nil || !strings.Contains(r.Err.Error(), "rolled") {
			t.Fatalf("roll: %v", r.Err)
		}
		return r.Err.Error()
	}
	if a, b := roll(0), roll(0); a != b {
		t.Errorf("two runs with the default seed differ:\n%s\n%s", a, b)
	}
	if a, b := roll(7), roll(8); a == b {
		t.Errorf("different seeds rolled the same: %s", a)
	}
}

func TestScenarioFailsOnLuaErrorAndBadLoad(t *testing.T) {
	game := simGame(`local p = player("Alice"); p:cmd("boom")`)
	game["scripts/init.lua"] = &fstest.MapFile{Data: []byte(string(game["scripts/init.lua"].Data) +
		"\ncommand { name = \"boom\", run = function() error(\"kaboom\") end }")}
	r := engine.RunScenario(game, "tests/t.lua", engine.Config{})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "scripts/init.lua:5: kaboom") {
		t.Fatalf("a Lua error in a hook: %v", r.Err)
	}
	game["world/z/rooms.lua"] = &fstest.MapFile{Data: []byte(`room { key = "a", exits = { north = "nowhere" } }`)}
	r = engine.RunScenario(game, "tests/t.lua", engine.Config{})
	if r.Err == nil || !strings.Contains(r.Err.Error(), `leads to missing room "z:nowhere"`) {
		t.Fatalf("a game that does not load: %v", r.Err)
	}
}

// TestScenarioSeesPlainText: scenario players see text as a client without colour does.
func TestScenarioSeesPlainText(t *testing.T) {
	game := simGame(`
local p = player("Alice")
p:cmd("look")
p:expect("Room A\n")
p:expect("There are no obvious exits.")
p:expect_not("{")
`)
	r := engine.RunScenario(game, "tests/t.lua", engine.Config{})
	if r.Err != nil || r.Checks != 3 {
		t.Fatalf("checks %d, err %v", r.Checks, r.Err)
	}
}
