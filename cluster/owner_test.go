package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// stats reads an engine's Stats on its loop.
func stats(t *testing.T, eng *engine.Engine) engine.Stats {
	t.Helper()
	ch := make(chan engine.Stats, 1)
	if !eng.Call(func(e *engine.Engine) { ch <- e.Stats() }) {
		t.Fatal("engine stopped")
	}
	return <-ch
}

// await polls cond (for state another process changes) until it holds.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// TestStaleSceneCannotSave: a scene cut off from NATS while still running is declared dead
// and replaced; the replacement claims the character. The stale scene's player goes
// link-dead there and its save is refused: the character is dropped there, and what the
// player does on the replacement is what the database keeps.
func TestStaleSceneCannotSave(t *testing.T) {
	c := startInProcess(t)
	st := c.gw.Eng.Store()
	room := func() string {
		ch, err := st.Character(context.Background(), "wanda")
		if err != nil {
			t.Fatal(err)
		}
		return ch.Room
	}
	staleNC := c.conn()
	_, stale := c.sceneOn(staleNC, "village", "millbrook", "riverside")
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	w.Send("save")
	w.Hear("Saved.") // once the scene's saver has written it
	await(t, "Wanda saved", func() bool { return room() != "" })
	start := room()
	w.Do("north")
	w.Send("save")
	w.Hear("Saved.")
	await(t, "Wanda saved north", func() bool { return room() != start })
	north := room()
	staleNC.Close() // cut off, still running, Wanda in it

	w.Hear("stopped unexpectedly")
	_, fresh := c.sceneOn(c.conn(), "village", "millbrook", "riverside")
	w.Expect("The world is back")
	w.Expect("> ")
	lease, err := st.Owner(context.Background(), "wanda")
	if err != nil {
		t.Fatal(err)
	}
	if lease.Owner != "village" || lease.Epoch < 2 {
		t.Fatalf("lease after the replacement's claim = %+v, want village at epoch 2 or more", lease)
	}
	w.Do("south")
	w.Send("save")
	w.Hear("Saved.")
	await(t, "Wanda saved south by the replacement", func() bool { return room() == start })

	// The stale scene hears no gateway for DeadAfter: Wanda goes link-dead there, changed,
	// and its save (in the north room) is refused.
	await(t, "the stale scene's save refused", func() bool { return stats(t, stale).Saves.Lost == 1 })
	await(t, "the stale scene dropped Wanda", func() bool {
		s := stats(t, stale)
		return s.Online+s.LinkDead == 0
	})
	if s := stats(t, fresh); s.Online != 1 {
		t.Errorf("the replacement has %d players online, want 1", s.Online)
	}
	if got := room(); got != start {
		t.Errorf("saved room %s, want %s (the replacement's), not %s", got, start, north)
	}
	if got, _ := st.Owner(context.Background(), "wanda"); got != lease {
		t.Errorf("lease = %+v, want %+v still", got, lease)
	}
}

// TestLostCharacterFollowed: when a scene's save is refused because another process claimed
// the character, the scene drops the player and the gateway attaches it where the database
// says it is, without disconnecting.
func TestLostCharacterFollowed(t *testing.T) {
	c := startInProcess(t)
	_, village := c.sceneOn(c.conn(), "village", "millbrook", "riverside")
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	if _, _, err := c.gw.Eng.Store().Claim(context.Background(), "wanda", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	w.Send("north") // changed: saved within the save interval, and refused
	w.Expect("taken up elsewhere")
	w.Expect("> ")
	await(t, "the scene claimed Wanda again", func() bool {
		l, err := c.gw.Eng.Store().Owner(context.Background(), "wanda")
		return err == nil && l.Owner == "village"
	})
	if out := w.Do("look"); strings.Contains(out, "Please wait") {
		t.Fatalf("look after following the character:\n%s", out)
	}
	if st := stats(t, village); st.Online != 1 || st.Saves.Lost != 1 {
		t.Errorf("village: %d online, %d lost; want 1 and 1", st.Online, st.Saves.Lost)
	}
}
