package engine_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// gameOnDisk writes the fixture game into a directory, as 'mudd init' would.
func gameOnDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, fixture()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBuildServer serves the game in dir with building enabled.
func startBuildServer(t *testing.T, dir, data string) *mudtest.Server {
	t.Helper()
	return startServer(t, os.DirFS(dir), data, func(c *engine.Config) { c.GameDir = dir })
}

// buildOnDisk serves the fixture game from a directory of its own, with building enabled
// and Wendy online with role; it returns the directory and Wendy.
func buildOnDisk(t *testing.T, role string) (string, *mudtest.Client) {
	t.Helper()
	dir := gameOnDisk(t)
	s := startBuildServer(t, dir, t.TempDir())
	return dir, withRole(t, s, "Wendy", role)
}

// withRole creates a character and logs it in again with role.
func withRole(t *testing.T, s *mudtest.Server, name, role string) *mudtest.Client {
	t.Helper()
	mudtest.Create(t, s, name, "password1")
	if err := s.Eng.Store().SetRole(context.Background(), name, role); err != nil {
		t.Fatal(err)
	}
	return mudtest.Login(t, s, name, "password1")
}

// expectAll checks that out has each of wants, whatever the word wrap.
func expectAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range wants {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

// builtGolden is the generated file after TestDigSurvivesRestart's edits.
const builtGolden = `-- world/town/built.lua: written by the game's building commands (dig, redit, zcreate).
-- The game rewrites this whole file after every change made in game: don't edit it while
-- the game runs. Hand-written definitions belong in the zone's other files.

room {
  key = "old_mill",
  name = "The Old Water Mill",
  desc = [[
Flour dust hangs in the air.
Sacks lean against the wall.]],
  exits = {
    east = { to = "square", door = { name = "gate", closed = true, locked = true, key = "key" } },
  },
}

amend("town:square", {
  name = "Market Square",
  exits = {
    west = "old_mill",
    east = false,
  },
})

reset { npc = "parrot", room = "old_mill", max = 2 }
`

func TestDigSurvivesRestart(t *testing.T) {
	dir, data := gameOnDisk(t), t.TempDir()
	s := startBuildServer(t, dir, data)
	w := withRole(t, s, "Wendy", "wizard")

	expectAll(t, "dig", w.Do("dig west The Old Mill"),
		"new room town:old_mill", "exit east back to town:square", "The Old Mill", "Exits: east")
	w.Send("redit desc")
	w.Expect("desc> ")
	w.Send("Flour dust hangs in the air.")
	w.Expect("desc> ")
	w.Send("Sacks lean against the wall.")
	w.Expect("desc> ")
	expectAll(t, "redit desc", w.Do("."), "Description of town:old_mill set (2 line(s))")
	expectAll(t, "redit name", w.Do("redit name The Old Water Mill"), `is now called "The Old Water Mill"`)
	expectAll(t, "redit door", w.Do("redit door add east gate locked key key"),
		`Door "gate" on the exit east added, locked with key town:key`)
	expectAll(t, "redit reset", w.Do("redit reset add parrot 2"), "town:parrot here, up to 2 (2 placed now)")
	expectAll(t, "second rule", w.Do("redit reset add coin"), "town:coin here, up to 1 (1 placed now)")
	expectAll(t, "rules", w.Do("redit reset list"), "1. town:parrot, max 2", "2. town:coin, max 1")
	expectAll(t, "remove rule", w.Do("redit reset remove 2"), "Placement rule removed: town:coin, max 1.")
	expectAll(t, "look", w.Do("look"), "The Old Water Mill", "Flour dust", "[2] A green parrot")
	expectAll(t, "redit", w.Do("redit"), "created in game", `east -> town:square (door "gate", locked, key town:key)`,
		"1. town:parrot, max 2")
	// the way back runs through the same gate
	expectAll(t, "unlock", w.Do("unlock east"), "You don't have the key to the gate.")
	expectAll(t, "east", w.Do("east"), "The gate is closed.")
	w.Send("quit")
	w.Expect("Goodbye")

	// an edit of a hand-written room: made from the square, by a second wizard
	v := withRole(t, s, "Vera", "wizard")
	expectAll(t, "look west", v.Do("look west"), "The gate is closed.")
	expectAll(t, "rename square", v.Do("redit name Market Square"), `now called "Market Square"`)
	expectAll(t, "remove exit", v.Do("redit exit remove east"), "Exit east to field:meadow removed")
	s.Stop()

	got, err := os.ReadFile(filepath.Join(dir, "world/town/built.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != builtGolden {
		t.Errorf("built.lua:\n%s\nwant:\n%s", got, builtGolden)
	}

	s = startBuildServer(t, dir, data)
	w = mudtest.Login(t, s, "Wendy", "password1")
	expectAll(t, "look after restart", w.Do("look"), "The Old Water Mill", "Flour dust hangs in the air.",
		"Sacks lean against the wall.", "[2] A green parrot", "Exits: east")
	expectAll(t, "redit after restart", w.Do("redit reset list"), "1. town:parrot, max 2")
	p := mudtest.Create(t, s, "Pat", "password2") // new characters start in the square
	expectAll(t, "square", p.Do("look"), "Market Square", "Exits: north, west")
	p.Do("get key")
	expectAll(t, "unlock", p.Do("unlock west"), "You unlock the gate.")
	p.Do("open west")
	expectAll(t, "west", p.Do("west"), "The Old Water Mill", "Wendy")
}

func TestBuilderNeedsZoneAssignment(t *testing.T) {
	dir, data := gameOnDisk(t), t.TempDir()
	s := startBuildServer(t, dir, data)
	b := withRole(t, s, "Bob", "builder")
	w := withRole(t, s, "Wendy", "wizard")
	b.Hear("Wendy has reconnected.")
	p := mudtest.Create(t, s, "Pat", "password2")
	b.Hear("Pat has entered the game.")
	w.Hear("Pat has entered the game.")

	expectAll(t, "unassigned dig", b.Do("dig west Shed"), "You may not build in zone town", "zones assign town Bob")
	expectAll(t, "unassigned redit", b.Do("redit name Shed"), "You may not build in zone town")
	expectAll(t, "builder assigns", b.Do("zones assign town Bob"), "Only wizards assign zones.")
	expectAll(t, "zones", b.Do("zones"), "town", "The Town", "3 rooms", "builders: none")
	for _, cmd := range []string{"dig west Shed", "redit", "zones"} {
		expectAll(t, "player "+cmd, p.Do(cmd), "Huh?")
	}

	w.Send("zones assign town bob") // answered once the database has it
	w.Hear("Bob may now build in zone town.")
	b.Hear("Wendy assigned zone town to you")
	expectAll(t, "assigned dig", b.Do("dig west Shed"), "new room town:shed")
	expectAll(t, "zones", b.Do("zones"), "4 rooms  builders: Bob *")
	w.Send("zones assign town nobody")
	w.Hear(`There is no character called "nobody".`)
	w.Do("zones assign nowhere bob")
	w.Send("zones assign town Bob")
	w.Hear("Bob is already assigned to zone town.")
	expectAll(t, "other zone", b.Do("east"), "Town Square")
	b.Do("east")
	expectAll(t, "field", b.Do("redit name Meadow"), "You may not build in zone field")
	s.Stop()

	// the assignment survives a restart
	s = startBuildServer(t, dir, data)
	b = mudtest.Login(t, s, "Bob", "password1")
	expectAll(t, "after restart", b.Do("zones"), "builders: Bob *")
	b.Do("west")
	b.Do("west")
	expectAll(t, "dig after restart", b.Do("dig north Hut"), "new room town:hut")
	w = mudtest.Login(t, s, "Wendy", "password1")
	w.Send("zones unassign town Bob")
	w.Hear("Bob may no longer build in zone town.")
	expectAll(t, "unassigned again", b.Do("redit name Hut"), "You may not build in zone town")
}

func TestBuildingBadInput(t *testing.T) {
	s := startBuildServer(t, gameOnDisk(t), t.TempDir())
	w := withRole(t, s, "Wendy", "wizard")
	for _, tc := range []struct{ cmd, want string }{
		{"dig", "Usage: dig <direction> <room name>"},
		{"dig sideways Attic", `Unknown direction "sideways": use one of north, east`},
		{"dig north Attic", "There is already an exit north here, to town:hall. Remove it first: redit exit remove north"},
		{"redit exit add north hall", "There is already an exit north here, to town:hall"},
		{"redit exit add west nowhere", `There is no room "town:nowhere"`},
		{"redit exit add west field:nowhere", `There is no room "field:nowhere"`},
		{"redit exit add west", "Usage: redit exit add <direction> <room key>"},
		{"redit exit remove west", "There is no exit west here."},
		{"redit exit add up2 hall", `Unknown direction "up2"`},
		{"redit door add west", "There is no exit west defined here to put a door on."},
		{"redit door add north gate key ghost", `There is no item "town:ghost" to be the door's key.`},
		{"redit door add north gate portal", `a door has a one-word name: "gate" or "portal"?`},
		{"redit door remove north", "There is no door on the exit north."},
		{"redit reset add ghost", `There is no NPC or item "town:ghost".`},
		{"redit reset add parrot many", `Max "many": give a number from 1 to 100.`},
		{"redit reset remove 1", `No rule "1" here`},
		{"redit name", "Name it what?"},
		{"redit frobnicate", `Unknown redit subcommand "frobnicate"`},
		{"zones assign nowhere bob", `There is no zone "nowhere"`},
		{"zones frob", "Usage: zones"},
	} {
		expectAll(t, tc.cmd, w.Do(tc.cmd), tc.want)
	}
	// the door on the other side of a passage is edited there
	w.Do("north")
	expectAll(t, "shared door", w.Do("redit door add down hatch"), `Door "hatch" on the exit down replaced.`)
	w.Do("down")
	expectAll(t, "other side", w.Do("redit door remove up"), "is defined on the other side (in town:hall)")
	// the reset list shows hand-written rules, which are not removable in game
	w.Do("up")
	w.Do("south")
	expectAll(t, "hand rules", w.Do("redit reset list"), "town:parrot, max 1 (hand-written)")
}

func TestBuildingRefusedWithoutGameDir(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	w := withRole(t, s, "Wendy", "wizard")
	for _, cmd := range []string{"dig west Shed", "redit name X"} {
		expectAll(t, cmd, w.Do(cmd), "embedded default game", "mudd init DIR", "mudd serve --game DIR")
	}
}

func TestBuildingReportsWriteErrors(t *testing.T) {
	dir := gameOnDisk(t)
	// a directory where the generated file should go: the rename onto it fails
	if err := os.MkdirAll(filepath.Join(dir, "world/town/built.lua/x"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := startBuildServer(t, dir, t.TempDir())
	w := withRole(t, s, "Wendy", "wizard")
	expectAll(t, "rename", w.Do("redit name Square"), "now called")
	w.Hear("Could not save world/town/built.lua")
	expectAll(t, "still live", w.Do("look"), "Square")
}

func TestAmendAndResetDefinitions(t *testing.T) {
	game := fixture()
	game["world/town/extra.lua"] = &fstest.MapFile{Data: []byte(`
amend("square", { name = "Old Square", exits = { east = false, west = "cellar" } })
reset { item = "gem", room = "cellar", max = 2 }
`)}
	s := startServer(t, game, t.TempDir())
	c := mudtest.Create(t, s, "Alice", "password1")
	expectAll(t, "amended", c.Do("look"), "Old Square", "Exits: north, west")
	expectAll(t, "reset", c.Do("west"), "Damp Cellar", "[2] A red gem sparkles.")

	for _, tc := range []struct{ file, want string }{
		{`amend("nowhere", { name = "X" })`, `world/town/extra.lua:1: amend: no room "town:nowhere"`},
		{`amend("square", { smell = "bad" })`, `world/town/extra.lua:1: amend square: unknown field "smell"`},
		{`amend("square", { exits = { north = "attic" } })`, `exit north leads to missing room "town:attic"`},
		{`reset { item = "ghost", room = "square" }`, `world/town/extra.lua:1: zone town: reset names missing prototype "town:ghost"`},
	} {
		game := fixture()
		game["world/town/extra.lua"] = &fstest.MapFile{Data: []byte(tc.file)}
		_, err := engine.New(engine.Config{Game: game, DataDir: t.TempDir()})
		var le *engine.LoadError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a LoadError with %q", tc.file, err, tc.want)
		}
	}
}

func TestZcreateSurvivesRestart(t *testing.T) {
	dir, data := gameOnDisk(t), t.TempDir()
	s := startBuildServer(t, dir, data)
	b := withRole(t, s, "Bob", "builder")
	w := withRole(t, s, "Wendy", "wizard")
	b.Hear("Wendy has reconnected.")
	expectAll(t, "builder zcreate", b.Do("zcreate docks The Docks"), "Huh?")
	for _, tc := range []struct{ cmd, want string }{
		{"zcreate town Another Town", "There is already a zone town."},
		{"zcreate bad-key Bad", `Zone key "bad-key": use letters, digits and _ only.`},
		{"zcreate docks", "Usage: zcreate <zone key> <zone name>"},
	} {
		expectAll(t, tc.cmd, w.Do(tc.cmd), tc.want)
	}
	expectAll(t, "zcreate", w.Do("zcreate docks The Docks"),
		`Zone docks ("The Docks") created in world/docks/, with its first room docks:docks`, "The Docks")
	expectAll(t, "connect", w.Do("redit exit add west town:square"), "Exit west to town:square added")
	expectAll(t, "dig", w.Do("dig east The Pier"), "new room docks:pier")
	s.Stop()

	zone, err := os.ReadFile(filepath.Join(dir, "world/docks/zone.lua"))
	if err != nil || !strings.Contains(string(zone), "zone {\n  key = \"docks\",\n  name = \"The Docks\",\n}") {
		t.Errorf("zone.lua: %v\n%s", err, zone)
	}
	s = startBuildServer(t, dir, data)
	w = mudtest.Login(t, s, "Wendy", "password1")
	expectAll(t, "after restart", w.Do("look"), "The Pier", "Exits: west")
	w.Do("west")
	expectAll(t, "zones", w.Do("zones"), "docks", "The Docks", "2 rooms")
	expectAll(t, "back to town", w.Do("west"), "Town Square")
}

func TestBuildingSurvivesReloads(t *testing.T) {
	dir, w := buildOnDisk(t, "wizard")
	w.Do("dig west Shed")
	w.Do("redit desc A lean-to of planks.")
	writeFile(t, dir, "world/field/notes.lua", "-- what to build next\n") // a change to reload
	// another zone's reload rebuilds the world from the files in memory: they have the edits
	expectAll(t, "reload field", w.Do("reload field"), "Reloading zone field")
	w.Hear("Reloaded zone field")
	expectAll(t, "after zone reload", w.Do("look"), "Shed", "A lean-to of planks.", "Exits: east")
	// a whole reload reads the disk once the generated file is written
	writeFile(t, dir, "world/field/notes.lua", "-- what to build next: a barn\n")
	expectAll(t, "reload", w.Do("reload"), "Reloading the game")
	w.Hear("Reloaded the game")
	expectAll(t, "after reload", w.Do("look"), "Shed", "A lean-to of planks.", "Exits: east")
	expectAll(t, "way back", w.Do("east"), "Town Square", "Exits: north, east, west")
	// and building goes on from what was reloaded
	expectAll(t, "rename", w.Do("redit name The Square"), `now called "The Square"`)
	expectAll(t, "definition", w.Do("redit"), "west -> town:shed")
}

// slowZoneFS is a game directory whose first read of a file under world/<zone>/, once armed,
// takes what the file holds then and waits for release before returning it: a reload reading
// while a builder edits.
type slowZoneFS struct {
	fs.FS
	prefix  string
	armed   atomic.Bool
	once    sync.Once
	reading chan struct{} // closed when the read has started
	release chan struct{} // closed by the test to let it finish
}

func (f *slowZoneFS) Open(name string) (fs.File, error) {
	if !f.armed.Load() || !strings.HasPrefix(name, f.prefix) || !strings.HasSuffix(name, ".lua") {
		return f.FS.Open(name)
	}
	data, err := fs.ReadFile(f.FS, name)
	if err != nil {
		return nil, err
	}
	f.once.Do(func() {
		close(f.reading)
		<-f.release
	})
	return fstest.MapFS{name: {Data: data}}.Open(name)
}

// TestEditDuringReloadIsKept: a room dug while a reload reads the zone's files stays in the
// reloaded world and in the next version of the generated file.
func TestEditDuringReloadIsKept(t *testing.T) {
	dir := gameOnDisk(t)
	fsys := &slowZoneFS{FS: os.DirFS(dir), prefix: "world/town/", reading: make(chan struct{}), release: make(chan struct{})}
	s := startServer(t, fsys, t.TempDir(), func(c *engine.Config) { c.GameDir = dir })
	w := withRole(t, s, "Wendy", "wizard")
	w.Do("redit desc The first edit.") // built.lua exists before the reload reads the zone
	editFile(t, dir, "world/town/rooms.lua", "A hall with", "A long hall with")

	fsys.armed.Store(true)
	expectAll(t, "reload", w.Do("reload town"), "Reloading zone town")
	select {
	case <-fsys.reading:
	case <-time.After(10 * time.Second):
		t.Fatal("the reload did not read the zone")
	}
	expectAll(t, "dig", w.Do("dig west Shed"), "You dig west")
	close(fsys.release)
	w.Hear("Reloaded zone town")
	out := w.Do("look")
	expectAll(t, "after reload", out, "Shed", "Exits: east")
	if strings.Contains(out, "vanished") {
		t.Fatalf("the dug room was lost: %s", out)
	}
	w.Do("east")
	expectAll(t, "hand edit", w.Do("north"), "A long hall with a trapdoor")
	expectAll(t, "next edit", w.Do("redit name The Hall"), "now called")
	// a reload waits for the generated file to be written: then it is what the game runs
	expectAll(t, "reload", w.Do("reload town"), "Reloading zone town")
	w.Hear("Nothing changed in zone town")
	data, err := os.ReadFile(filepath.Join(dir, "world", "town", "built.lua"))
	if err != nil {
		t.Fatal(err)
	}
	expectAll(t, "built.lua", string(data), `key = "shed"`, "The first edit.", `name = "The Hall"`)
}

// TestBuildingFailuresAreAudited: building commands that do nothing record why in the audit
// log, not "ok".
func TestBuildingFailuresAreAudited(t *testing.T) {
	s := startBuildServer(t, gameOnDisk(t), t.TempDir())
	ada := withRole(t, s, "Ada", "admin")
	for _, c := range []struct{ line, result string }{
		{"dig sideways Shed", `error: Unknown direction "sideways"`},
		{"dig north Shed", "error: There is already an exit north here"},
		{"redit exit add", "error: Usage: redit exit add"},
		{"redit door add south", "error: There is no exit south defined here to put a door on."},
		{"redit frobnicate", `error: Unknown redit subcommand "frobnicate"`},
		{"zcreate town Again", "error: There is already a zone town."},
		{"zones assign nowhere Ada", `error: There is no zone "nowhere"`},
		{"zones assign town Nobody", `error: store: assign zone "town" to "Nobody": not found`},
		{"dig west Shed", "ok"},
	} {
		ada.Do(c.line)
		expectAll(t, c.line, ada.Do("audit 2"), c.line+" => "+c.result)
	}
}
