package engine

import (
	"io"
	"log/slog"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine/world"
)

// TestKeptLookFollowsTheRoom checks that a look in a crowded room, reused from the room's
// kept text, is what rendering the room again gives, for every viewer, after each kind of
// change a look shows.
func TestKeptLookFollowsTheRoom(t *testing.T) {
	e, err := New(Config{Game: mudd.DefaultGame(), DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	var players []*Player
	for _, name := range []string{"Ann", "Bob", "Cid", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon"} {
		p, _ := benchPlayer(e, name)
		players = append(players, p)
	}
	r := players[0].Thing.Room
	var other *world.Room
	for _, room := range e.world.Rooms {
		if room != r {
			other = room
			break
		}
	}
	coin := &world.Proto{Key: "test:coin", Kind: world.Item, Name: "a coin", Ground: "A coin lies here."}
	door := &world.Door{Name: "gate"}
	steps := []struct {
		name   string
		change func()
	}{
		{"unchanged", func() {}},
		{"unchanged again", func() {}},
		{"a player leaves", func() { world.MoveTo(players[3].Thing, other) }},
		{"a player comes back", func() { world.MoveTo(players[3].Thing, r) }},
		{"an item is dropped", func() { world.MoveTo(e.world.Spawn(coin), r) }},
		{"a second item", func() { world.MoveTo(e.world.Spawn(coin), r) }},
		{"an item's ground line", func() { r.Things[len(r.Things)-1].Ground = "A shiny coin lies here." }},
		{"a thing renamed", func() { players[5].Thing.Name = "Fey" }},
		{"a player link-dead", func() { e.detach(players[6]) }},
		{"the order", func() { r.Things[0], r.Things[1] = r.Things[1], r.Things[0] }},
		{"the description", func() { r.Desc = "A new   description." }},
		{"the name", func() { r.Name = "A new name" }},
		{"an exit added", func() { r.Exits = append(r.Exits, &world.Exit{Dir: "down", To: other.Key, Door: door}) }},
		{"a door closed", func() { door.Closed = true }},
		{"a door renamed", func() { door.Name = "grate" }},
		{"an exit's direction", func() { r.Exits[len(r.Exits)-1].Dir = "up" }},
	}
	for _, step := range steps {
		step.change()
		for _, p := range players {
			if p.Thing.Room != r {
				continue
			}
			text, cut0, cut1 := e.roomText(r, p.Thing)
			got := text[:cut0] + text[cut1:]
			if want := e.describeRoom(r, p.Thing); got != want {
				t.Fatalf("%s: %s sees\n%s\nwant\n%s", step.name, p.Name, got, want)
			}
		}
		if e.looks[r] == nil {
			t.Fatalf("%s: no look kept for a room of %d things", step.name, len(r.Things))
		}
	}
}
