package engine

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// TestSavesSpreadOverTheInterval checks that the periodic save takes each changed character
// once per round, a share of them each pulse rather than all in one, and that what changes
// during a round is saved in the next.
func TestSavesSpreadOverTheInterval(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	game := fstest.MapFS{ // no Lua that changes players on its own
		"scripts/init.lua":  {Data: []byte(`game { name = "Saves", start = "z:r" }`)},
		"world/z/zone.lua":  {Data: []byte(`zone { key = "z", name = "Z" }`)},
		"world/z/rooms.lua": {Data: []byte(`room { key = "r", name = "A Room", desc = "Plain." }`)},
	}
	e := testEngine(t, Config{Game: game, SaveInterval: time.Second, LinkDeadGrace: time.Hour,
		Clock: func() time.Time { return clock }})
	const n, pulses = 95, 10 // 10 pulses a round: 10 characters a pulse, the last one 5
	var players []*Player
	for i := range n {
		p := e.restore(state.Character{Name: fmt.Sprintf("Saver%c%c", 'a'+i%26, 'a'+i/26)}, RolePlayer)
		p.linkDeadAt = clock
		e.addPlayer(p)
		p.touch()
		players = append(players, p)
	}
	changed := func() (k int) {
		for _, p := range players {
			if p.dirty {
				k++
			}
		}
		return k
	}
	pulse := func() { clock = clock.Add(e.cfg.Pulse); e.pulse() }
	late := players[0]
	for i := range pulses {
		before := changed()
		pulse()
		if saved := before - changed(); saved > (n+pulses-1)/pulses {
			t.Fatalf("pulse %d saved %d characters, want a share of at most %d", i, saved, (n+pulses-1)/pulses)
		}
		if i == 0 {
			late.touch() // a change after the round took its list
		}
	}
	if k := changed(); k != 1 || !late.dirty {
		t.Fatalf("after one round %d characters unsaved, want only the one changed during it", k)
	}
	for range pulses {
		pulse()
	}
	if late.dirty {
		t.Fatal("a character changed during a round was not saved in the next")
	}
	for range 3 { // saved at once (a save command), changed again: listed once
		e.save(e.snapshot(late))
		late.touch()
	}
	if len(e.changed) != 1 {
		t.Fatalf("%d entries in the list of changed players, want 1", len(e.changed))
	}
	for _, p := range players {
		c, err := e.saver.Load(context.Background(), p.Name)
		if err != nil || c.Version != p.version {
			t.Fatalf("%s: saved version %d (%v), want %d", p.Name, c.Version, err, p.version)
		}
	}
}
