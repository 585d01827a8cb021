package engine

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"testing/fstest"

	"github.com/mudd/mudd/engine/state"
)

// fuzzGame is a small world with a container, a door and an NPC for commands to act on.
var fuzzGame = fstest.MapFS{
	"scripts/init.lua":   {Data: []byte(`game { name = "Fuzz", start = "z:a" }`)},
	"world/z/zone.lua":   {Data: []byte(`zone { key = "z", resets = { { item = "box", room = "a" }, { item = "gem", into = "box" }, { npc = "cat", room = "a" } } }`)},
	"world/z/rooms.lua":  {Data: []byte(`room { key = "a", name = "A", exits = { north = { to = "b", door = { name = "door", closed = true, key = "gem" } } } } room { key = "b", name = "B", exits = { south = "a" } }`)},
	"world/z/things.lua": {Data: []byte(`item { key = "box", name = "a box", container = true } item { key = "gem", name = "a gem" } npc { key = "cat", name = "a cat", on_say = function(self, who, text) self:say(text) end }`)},
}

// FuzzCommandLine runs arbitrary lines through the command parser and every command they
// reach, for a player standing in a small world: no input may panic the game loop.
func FuzzCommandLine(f *testing.F) {
	for _, seed := range []string{"look", "get gem from box", "put gem in box", "give gem to cat",
		"open door", "unlock north", "say hi", "'hi", "tell fuzz hi", "get all", "drop all",
		"l 2.box", "examine 0.box", "emote \x1b[2J", "go", "n", "help help", "password"} {
		f.Add(seed)
	}
	e := fuzzEngine(f, Config{Game: fuzzGame})
	fp := &fuzzPlayer{e: e, role: RolePlayer}
	f.Fuzz(func(t *testing.T, line string) {
		p := fp.run(t, line)
		if e.players[state.Key(p.Name)] == p && p.Thing.OuterRoom() == nil {
			t.Fatalf("after %q the player is in no room", line)
		}
	})
}

// fuzzEngine starts an engine for a fuzz test, with a data directory of its own and no log.
// It is closed, once its workers are done, when the test ends.
func fuzzEngine(f *testing.F, cfg Config) *Engine {
	cfg.DataDir = f.TempDir()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.workers.Wait(); e.Close() })
	return e
}

// fuzzPlayer is the character "Fuzz" with role, playing in e on a piped session: fuzz
// tests run their inputs as lines it types.
type fuzzPlayer struct {
	e    *Engine
	role Role
	p    *Player
	s    *session
}

// run runs line as if the player typed it, on the calling goroutine as the loop would, and
// drops the output. A player that quit with the last line comes back first.
func (fp *fuzzPlayer) run(t *testing.T, line string) *Player {
	e := fp.e
	if fp.p == nil || e.players[state.Key(fp.p.Name)] != fp.p {
		server, client := net.Pipe()
		t.Cleanup(func() { client.Close() })
		fp.s = e.newSession(server, true)
		fp.p = e.restore(state.Character{Name: "Fuzz"}, fp.role)
		e.addPlayer(fp.p)
		e.attach(fp.p, fp.s)
	}
	e.runLine(fp.p, queuedLine{text: line})
	e.flushOutput()
	for len(fp.s.out) > 0 {
		<-fp.s.out
	}
	return fp.p
}
