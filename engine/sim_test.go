package engine_test

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

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

// passScenario runs the scenario tests/t.lua of game and wants it to pass with checks
// expectations held.
func passScenario(t *testing.T, game fs.FS, checks int) {
	t.Helper()
	r := engine.RunScenario(game, "tests/t.lua", engine.Config{})
	if r.Err != nil || r.Checks != checks {
		t.Fatalf("checks %d (want %d), err %v", r.Checks, checks, r.Err)
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
	passScenario(t, game, 4)
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

// TestScenarioPlayerOutput: scenario players see text as a client without colour does, and
// commands that ask the connection what the client negotiated work for them, which have none.
func TestScenarioPlayerOutput(t *testing.T) {
	for name, tt := range map[string]struct {
		steps  string
		checks int
	}{
		"plain text": {`p:cmd("look")
p:expect("Room A\n")
p:expect("There are no obvious exits.")
p:expect_not("{")`, 3},
		"color and charset": {`p:cmd("color")
p:expect("Colour: off")
p:cmd("charset")
p:expect("Text: ASCII")`, 2},
	} {
		t.Run(name, func(t *testing.T) {
			passScenario(t, simGame("local p = player(\"Alice\")\n"+tt.steps), tt.checks)
		})
	}
}

// editedFS serves files, but for name, which holds edited from its second read on: a game
// directory a builder edits after the game has loaded.
type editedFS struct {
	fstest.MapFS
	name, edited string
	reads        int
}

func (f *editedFS) Open(name string) (fs.File, error) {
	if name == f.name {
		if f.reads++; f.reads > 1 {
			return fstest.MapFS{name: {Data: []byte(f.edited)}}.Open(name)
		}
	}
	return f.MapFS.Open(name)
}

func (f *editedFS) ReadFile(name string) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(file)
}

// TestScenarioReload: a command that finishes on a worker goroutine (reload reads files off
// the loop) finishes before the scenario's next step.
func TestScenarioReload(t *testing.T) {
	game := &editedFS{MapFS: simGame(`
local p = player("Bob", "builder")
p:cmd("reload")
p:expect("Reloaded the game")
p:cmd("look")
p:expect("A room with a new floor.")
p:cmd("reload z")
p:expect("Nothing changed in zone z")
`), name: "world/z/rooms.lua", edited: `room { key = "a", name = "Room A", desc = "A room with a new floor." }`}
	passScenario(t, game, 3)
}

// TestScenarioHooksRunUnderGameBudget: a command that runs past the game's time budget fails
// in a scenario as it does in a served game, though the scenario itself has more time.
func TestScenarioHooksRunUnderGameBudget(t *testing.T) {
	game := simGame(`local p = player("Alice"); p:cmd("spin")`)
	game["scripts/init.lua"] = &fstest.MapFile{Data: []byte(string(game["scripts/init.lua"].Data) + `
command { name = "spin", run = function()
  local t = os.clock() while os.clock() - t < 0.3 do end
end }`)}
	cfg := engine.Config{LuaBudget: 50 * time.Millisecond}
	r := engine.RunScenario(game, "tests/t.lua", cfg)
	if r.Err == nil {
		t.Fatal("a command running 300ms under a 50ms budget passed the scenario")
	}
	// the same game driven from Go calls Lua as the served loop does: one top-level call a hook
	cfg.Game = game
	sim, err := engine.NewSim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	p, err := sim.Player("Alice", engine.RolePlayer)
	if err != nil {
		t.Fatal(err)
	}
	p.Do("spin")
	errs := sim.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "scripts/init.lua:6: time budget of 50ms exceeded") {
		t.Fatalf("served game's errors: %q", errs)
	}
	if !strings.Contains(r.Err.Error(), errs[0]) {
		t.Errorf("scenario error %q does not report %q", r.Err, errs[0])
	}
}

// TestReloadKeepsResetTimers: a reload that leaves a zone's reset rules as they were neither
// resets the zone nor restarts the time to its next reset.
func TestReloadKeepsResetTimers(t *testing.T) {
	game := &editedFS{MapFS: simGame(`
local p = player("Bob", "builder")
p:cmd("get coin")
advance(6)
p:cmd("reload z")
p:expect("Reloaded zone z")
p:cmd("look")
p:expect("A room with a new floor.")
p:expect_not("A coin lies here.")
advance(4)
p:cmd("look")
p:expect("A coin lies here.")
`), name: "world/z/rooms.lua", edited: `room { key = "a", name = "Room A", desc = "A room with a new floor." }`}
	passScenario(t, game, 4)
}

// TestScenarioSeesSaveFailures: a building command whose file cannot be written reports it
// within the step that made the change (and the logged error fails the scenario).
func TestScenarioSeesSaveFailures(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	game := simGame(`
local p = player("Wes", "wizard")
p:cmd("dig north Shed")
p:expect("You dig north")
p:expect("Could not save world/z/built.lua")
`)
	r := engine.RunScenario(game, "tests/t.lua", engine.Config{GameDir: filepath.Join(blocker, "game")})
	if r.Checks != 2 || r.Err == nil || !strings.Contains(r.Err.Error(), "not a directory") {
		t.Fatalf("checks %d, err %v", r.Checks, r.Err)
	}
}
