package engine

import (
	"errors"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	lua "github.com/yuin/gopher-lua"
)

var tickGame = fstest.MapFS{
	"scripts/counter.lua": {Data: []byte(`
local c = mud.keep("state", { loads = 0 })  -- same name as init.lua's, another file: its own
c.loads = c.loads + 10
return c
`)},
	"scripts/init.lua": {Data: []byte(`
game { start = "z:a" }
local s = mud.keep("state", { loads = 0 })
s.loads = s.loads + 1
LOADS = s.loads
COUNTER = require("counter").loads
every(1, function() end)
mud.on("reload", function() RELOADED = true end)
`)},
	"world/z/zone.lua":  {Data: []byte(`zone { key = "z", reset_every = 60, resets = { { npc = "bird", room = "a" } } }`)},
	"world/z/rooms.lua": {Data: []byte(`room { key = "a", name = "A", desc = "A room.", on_tick = function() end }`)},
	"world/z/npcs.lua":  {Data: []byte(`npc { key = "bird", name = "a bird", on_tick = function() end }`)},
}

func TestReloadRecreatesTimersWithoutDuplicates(t *testing.T) {
	e, err := New(Config{Game: tickGame, DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// every(1), the room's tick, the zone's reset and the bird's tick.
	if n := e.timers.Len(); n != 4 {
		t.Fatalf("timers after load = %d, want 4", n)
	}
	for i := 0; i < 3; i++ {
		edited := withFile(tickGame, "scripts/init.lua", string(tickGame["scripts/init.lua"].Data)+strings.Repeat("-- edited\n", i+1))
		files, err := readGameFiles(edited, "")
		if r := e.reload("", files, err); r.Err != nil {
			t.Fatal(r.Err)
		}
		if n := e.timers.Len(); n != 4 {
			t.Fatalf("timers after reload %d = %d, want 4", i+1, n)
		}
	}
	if n := e.world.Count(); n != 1 {
		t.Fatalf("things after reloads = %d, want the one bird", n)
	}
	if got := e.vm.L.GetGlobal("LOADS"); got != lua.LNumber(4) {
		t.Fatalf("mud.keep state after three reloads: loads = %v, want 4", got)
	}
	if got := e.vm.L.GetGlobal("COUNTER"); got != lua.LNumber(40) {
		t.Fatalf("mud.keep state of a required module after three reloads: %v, want 40", got)
	}
	if e.vm.L.GetGlobal("RELOADED") != lua.LTrue {
		t.Fatal("the reload event did not reach the new code")
	}

	broken := fstest.MapFS{}
	for k, v := range tickGame {
		broken[k] = v
	}
	broken["world/z/npcs.lua"] = &fstest.MapFile{Data: []byte("npc { key = \"bird\", name = \"a bird\" }\nerror(\"boom\")\n")}
	before, vm := e.world, e.vm
	files, err := readGameFiles(broken, "")
	r := e.reload("", files, err)
	var le *LoadError
	if !errors.As(r.Err, &le) || !strings.Contains(r.String(), "world/z/npcs.lua:2: boom") {
		t.Fatalf("broken reload: %v", r)
	}
	if e.world != before || e.vm != vm || e.timers.Len() != 4 || e.vm.L.GetGlobal("LOADS") != lua.LNumber(4) {
		t.Fatal("a failed reload changed the running game")
	}
}

func TestRegistryWithoutLuaRestoresShadowedCommands(t *testing.T) {
	r := NewRegistry()
	registerBuiltins(r)
	nop := func(*Context) {}
	r.Add(Command{Name: "xyzzy", Run: nop})                // a Go program's command
	r.Add(Command{Name: "look", Run: nop, fromLua: true})  // the game redefines a built-in
	r.Add(Command{Name: "pray", Run: nop, fromLua: true})  // and adds its own
	r.Add(Command{Name: "xyzzy", Run: nop, fromLua: true}) // and shadows the program's
	out := r.withoutLua()
	if c := out.Lookup("look", RolePlayer); c == nil || c.fromLua {
		t.Errorf("look after withoutLua: %+v, want the built-in", c)
	}
	if c := out.Lookup("xyzzy", RolePlayer); c == nil || c.fromLua {
		t.Errorf("xyzzy after withoutLua: %+v, want the program's", c)
	}
	if c := out.Lookup("pray", RolePlayer); c != nil {
		t.Errorf("pray survived withoutLua")
	}
	if c := out.Lookup("l", RolePlayer); c == nil || c.Name != "look" {
		t.Errorf("l no longer finds look: %+v", c)
	}
}

// TestFailedReloadsChangeNoState: code that runs in a load that then fails changes neither
// what mud.keep keeps nor the engine's random source.
func TestFailedReloadsChangeNoState(t *testing.T) {
	init := `
game { start = "z:a" }
local s = mud.keep("state", { loads = 0, log = {} })
s.loads = s.loads + 1
table.insert(s.log, s.loads)
LOADS, LOGGED = s.loads, #s.log
`
	game := fstest.MapFS{
		"scripts/init.lua":  {Data: []byte(init)},
		"world/z/zone.lua":  {Data: []byte(`zone { key = "z" }`)},
		"world/z/rooms.lua": {Data: []byte(`room { key = "a", name = "A", desc = "A room." }`)},
	}
	e, err := New(Config{Game: game, DataDir: t.TempDir(), Seed: 7, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rng, _ := e.pcg.MarshalBinary()
	for i := range 3 {
		bad := withFile(game, "scripts/init.lua", init+"math.randomseed(42)\nerror(\"boom "+string(rune('a'+i))+"\")")
		if r := e.reload("", bad, nil); r.Err == nil {
			t.Fatal("a load with an error succeeded")
		}
	}
	if now, _ := e.pcg.MarshalBinary(); string(now) != string(rng) {
		t.Error("math.randomseed in failed loads reseeded the engine's random source")
	}
	if r := e.reload("", withFile(game, "scripts/init.lua", init+"-- edited\n"), nil); r.Err != nil {
		t.Fatal(r.Err)
	}
	if got, logged := e.vm.L.GetGlobal("LOADS"), e.vm.L.GetGlobal("LOGGED"); got != lua.LNumber(2) || logged != lua.LNumber(2) {
		t.Fatalf("after 3 failed reloads and a good one: loads = %v, log of %v, want 2 and 2", got, logged)
	}
}

// withFile is a copy of files with the file name holding text.
func withFile(files fstest.MapFS, name, text string) fstest.MapFS {
	out := maps.Clone(files)
	out[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
	return out
}

// TestReloadKeepsTheShutdownCountdown checks that a reload during a shutdown countdown does
// not drop it with the game's timers: the game still shuts down when it is due.
func TestReloadKeepsTheShutdownCountdown(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	e := testEngine(t, Config{Game: tickGame, Clock: func() time.Time { return clock }})
	stopped := false
	e.stopLoop = func() { stopped = true }
	e.shutdownStep(30*time.Second, "test")
	edited := withFile(tickGame, "scripts/init.lua", string(tickGame["scripts/init.lua"].Data)+"-- edited\n")
	files, err := readGameFiles(edited, "")
	if r := e.reload("", files, err); r.Err != nil {
		t.Fatal(r.Err)
	}
	for range 40 {
		clock = clock.Add(time.Second)
		e.pulse()
	}
	if !stopped || e.countdown != nil {
		t.Fatal("the shutdown countdown was lost in the reload")
	}
}
