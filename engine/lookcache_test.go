package engine

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// TestKeptLookFollowsTheRoom checks that a look in a crowded room, reused from the room's
// kept text, is what rendering the room again gives, for every viewer, after each kind of
// change a look shows.
func TestKeptLookFollowsTheRoom(t *testing.T) {
	e := testEngine(t, Config{Game: mudd.DefaultGame()})
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
		{"a player leaves", func() { e.world.MoveTo(players[3].Thing, other) }},
		{"a player comes back", func() { e.world.MoveTo(players[3].Thing, r) }},
		{"an item is dropped", func() { e.world.MoveTo(e.world.Spawn(coin), r) }},
		{"a second item", func() { e.world.MoveTo(e.world.Spawn(coin), r) }},
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
			text, cut0, cut1, _ := e.roomText(r, p.Thing)
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

// TestKeptLookRenderedOnce checks that a session writer copying a kept look's shared
// rendering writes exactly the bytes it would have rendered itself, for every kind of
// client (colour level, character set, width, telnet or raw TCP) and every viewer (each
// with its own line cut out), with writers of many sessions rendering at once, and that a
// look keeps one rendering per kind, up to maxRenders.
func TestKeptLookRenderedOnce(t *testing.T) {
	e := testEngine(t, Config{Game: mudd.DefaultGame()})
	var players []*Player
	for i := range 12 {
		p, _ := benchPlayer(e, fmt.Sprintf("Viewer%c", 'a'+i))
		players = append(players, p)
	}
	e.flushOutput()
	r := players[0].Thing.Room
	r.Desc += " Ümlauts, “quotes” and {#f80}colour{x} make every kind of client render differently," +
		" and this sentence makes the description long enough to wrap at any width."
	kinds := []struct {
		raw     bool
		level   markup.Level
		charset int32
		width   int
	}{
		{true, markup.None, charsetUTF8, 0},
		{false, markup.ANSI16, charsetASCII, 0},
		{false, markup.Xterm256, charsetUTF8, 40},
		{false, markup.TrueColor, charsetASCII, 132},
		{false, markup.TrueColor, charsetUTF8, 23},
	}
	for w := range maxRenders { // more kinds than a look keeps renderings for
		kinds = append(kinds, struct {
			raw     bool
			level   markup.Level
			charset int32
			width   int
		}{false, markup.ANSI16, charsetUTF8, 60 + w})
	}
	var wg sync.WaitGroup
	for _, p := range players {
		// Output of one look, with another message before it in the same batch.
		p.Send("{y}Something happens.{x}")
		e.look(p)
		o := Output{Text: p.out.String(), Prompt: "> ", kept: p.kept}
		p.out.Reset()
		p.kept = keptSpan{}
		if o.kept.look == nil {
			t.Fatalf("%s: the look in a room of %d things is not kept", p.Name, len(r.Things))
		}
		// The same batch merged behind another in a backlog.
		var s session
		s.addBacklog(Output{Text: "{r}Before.{x}\n"})
		s.addBacklog(o)
		if len(s.backlog) != 1 || s.backlog[0].kept.look == nil {
			t.Fatalf("backlog of %d batches, want the look merged into one keeping its span", len(s.backlog))
		}
		batches := []Output{o, s.backlog[0]}
		for _, k := range kinds {
			for _, o := range batches {
				s := &session{tcp: k.raw, conn: telnet.NewConn(nil, telnet.Config{Raw: k.raw})} // a writer each
				if err := s.conn.Restore(telnet.State{Raw: k.raw, Width: k.width}); err != nil {
					t.Fatal(err)
				}
				s.color.Store(int32(k.level) + 1)
				s.charset.Store(k.charset)
				fresh := o
				fresh.kept = keptSpan{}
				want := e.render(s, nil, fresh)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if got := e.render(s, nil, o); !bytes.Equal(got, want) {
						t.Errorf("%s, %+v: copied look\n%q\nwant\n%q", p.Name, k, got, want)
					}
				}()
			}
		}
	}
	wg.Wait()
	c := e.looks[r]
	if c == nil || c.renders.Load() == nil {
		t.Fatal("the kept look has no renderings")
	}
	seen := make(map[renderKey]bool)
	for _, lr := range *c.renders.Load() {
		if seen[lr.key] {
			t.Errorf("two renderings for %+v", lr.key)
		}
		seen[lr.key] = true
	}
	if len(seen) != maxRenders {
		t.Errorf("the kept look keeps %d renderings for %d kinds of client, want %d", len(seen), len(kinds), maxRenders)
	}
}
