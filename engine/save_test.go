package engine

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// saveGame is a one-room game with n players, all changed, on a clock the test steps one
// pulse at a time; busy adds Lua that keeps every pulse busy. A save round is ten pulses (half
// the SaveInterval of twenty).
func saveGame(t *testing.T, n int, pulse time.Duration, busy bool) (e *Engine, players []*Player, step func()) {
	clock := time.Unix(1_700_000_000, 0)
	init := `game { name = "Saves", start = "z:r" }`
	if busy {
		init += "\nevery(0.001, function() local x = 0; for i = 1, 100000 do x = x + i end end)"
	}
	game := fstest.MapFS{ // no Lua that changes players on its own
		"scripts/init.lua":  {Data: []byte(init)},
		"world/z/zone.lua":  {Data: []byte(`zone { key = "z", name = "Z" }`)},
		"world/z/rooms.lua": {Data: []byte(`room { key = "r", name = "A Room", desc = "Plain." }`)},
	}
	e = testEngine(t, Config{Game: game, Pulse: pulse, SaveInterval: 20 * pulse, LinkDeadGrace: time.Hour,
		LuaBudget: time.Second, Clock: func() time.Time { return clock }})
	for i := range n {
		p := e.restore(state.Character{Name: fmt.Sprintf("Saver%c%c", 'a'+i%26, 'a'+i/26)}, RolePlayer)
		p.linkDeadAt = clock
		e.addPlayer(p)
		e.beginUnit() // each a change of its own: not linked
		p.touch()
		players = append(players, p)
	}
	return e, players, func() { clock = clock.Add(pulse); e.pulse() }
}

func unsaved(players []*Player) (k int) {
	for _, p := range players {
		if p.dirty {
			k++
		}
	}
	return k
}

// TestSavesSpreadOverTheInterval checks that the periodic save takes each changed character
// once per round, a share of them each pulse rather than all in one, and that what changes
// during a round is saved in the next.
func TestSavesSpreadOverTheInterval(t *testing.T) {
	// Pulses of 10 s are never busy (past 100 ms) in this game.
	const n, pulses, share = 95, 10, 10 // 10 characters a pulse, the last one 5
	e, players, step := saveGame(t, n, 10*time.Second, false)
	late := players[0]
	for i := range pulses {
		before := unsaved(players)
		step()
		if saved := before - unsaved(players); saved > share {
			t.Fatalf("pulse %d saved %d characters, want a share of at most %d", i, saved, share)
		}
		if i == 0 {
			e.beginUnit()
			late.touch() // a change after the round took its list
		}
	}
	if k := unsaved(players); k != 1 || !late.dirty {
		t.Fatalf("after one round %d characters unsaved, want only the one changed during it", k)
	}
	for range pulses {
		step()
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

// TestBusyPulsesLeaveTheirSaves checks that pulses already busy with game code leave their
// share of a save round to later pulses, up to maxOwedShares of it, and that the round is
// still saved in full by the start of the next.
func TestBusyPulsesLeaveTheirSaves(t *testing.T) {
	const n, pulses, share = 95, 10, 10
	_, players, step := saveGame(t, n, 100*time.Millisecond, true) // busy: past 1 ms
	idle := 0
	for i := range pulses {
		before := unsaved(players)
		step()
		saved := before - unsaved(players)
		if saved > maxOwedShares*share {
			t.Fatalf("pulse %d saved %d characters, more than %d shares", i, saved, maxOwedShares)
		}
		if saved == 0 {
			idle++
		}
	}
	if idle == 0 {
		t.Fatal("every busy pulse saved its share")
	}
	step() // the next round begins with what this one did not reach
	if k := unsaved(players); k != 0 {
		t.Fatalf("%d characters unsaved after the round", k)
	}
}
