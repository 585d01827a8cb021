package engine

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

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
		files, err := readGameFiles(tickGame, "")
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
