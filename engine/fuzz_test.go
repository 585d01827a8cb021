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
	e, err := New(Config{Game: fuzzGame, DataDir: f.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	var p *Player
	var s *session
	f.Fuzz(func(t *testing.T, line string) {
		if p == nil || e.players[state.Key(p.Name)] != p { // first run, or the last line was quit
			server, client := net.Pipe()
			t.Cleanup(func() { client.Close() })
			s = e.newSession(server, true)
			p = e.restore(state.Character{Name: "Fuzz"}, RolePlayer)
			e.players[state.Key(p.Name)] = p
			e.attach(p, s)
		}
		e.runLine(p, queuedLine{text: line})
		e.flushOutput()
		for len(s.out) > 0 {
			<-s.out
		}
		if e.players[state.Key(p.Name)] == p && p.Thing.OuterRoom() == nil {
			t.Fatalf("after %q the player is in no room", line)
		}
	})
}
