package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mudd/mudd/engine/state"
)

func TestClaim(t *testing.T) { forEachBackend(t, testClaim) }

// testClaim: a claim raises the epoch, and only the latest claim's saves are written.
func testClaim(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	at := func(room string, v uint64) state.Character {
		return state.Character{Name: "Alice", Room: room, Version: v}
	}

	c, a1, err := s.Claim(ctx, "alice", "forest")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "alice" || c.Version != 0 || a1 != (Lease{"forest", 1}) {
		t.Fatalf("first claim = %+v, %+v; want a new character under forest/1", c, a1)
	}
	if refused, err := s.SaveOwned(ctx, a1, []state.Character{at("a:1", 1)}); err != nil || len(refused) != 0 {
		t.Fatalf("save by the owner: refused %v, err %v", refused, err)
	}

	// The same scene id, another process: a new epoch.
	c, a2, err := s.Claim(ctx, "ALICE", "forest")
	if err != nil {
		t.Fatal(err)
	}
	if c.Room != "a:1" || a2 != (Lease{"forest", 2}) {
		t.Fatalf("second claim = %+v, %+v; want room a:1 under forest/2", c, a2)
	}
	_, b3, err := s.Claim(ctx, "alice", "village")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		lease   Lease
		save    state.Character
		refused bool
		room    string
	}{
		{"earlier epoch of the same owner", a2, at("a:stale", 9), true, "a:1"},
		{"first epoch", a1, at("a:older", 10), true, "a:1"},
		{"the owner", b3, at("b:1", 2), false, "b:1"},
		{"the owner, older version", b3, at("b:0", 1), false, "b:1"},
		{"another owner with the right epoch", Lease{"forest", 3}, at("a:x", 11), true, "b:1"},
	} {
		refused, err := s.SaveOwned(ctx, tc.lease, []state.Character{tc.save})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := len(refused) == 1; got != tc.refused {
			t.Errorf("%s: refused = %v, want refused %v", tc.name, refused, tc.refused)
		}
		got, err := s.Character(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if got.Room != tc.room {
			t.Errorf("%s: room = %q, want %q", tc.name, got.Room, tc.room)
		}
	}
	if l, err := s.Owner(ctx, "alice"); err != nil || l != b3 {
		t.Errorf("Owner = %+v, %v; want %+v", l, err, b3)
	}
	if _, err := s.Owner(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Owner of nobody: err = %v, want ErrNotFound", err)
	}

	// A batch: only the refused names come back; the rest are saved.
	if _, _, err := s.Claim(ctx, "bob", "forest"); err != nil {
		t.Fatal(err)
	}
	bobLease, _ := s.Owner(ctx, "bob")
	refused, err := s.SaveOwned(ctx, bobLease, []state.Character{
		{Name: "Bob", Room: "a:2", Version: 1}, at("a:3", 20), {Name: "Carol", Room: "a:4", Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refused, []string{"Alice"}) {
		t.Errorf("batch refused %v, want [Alice]", refused)
	}
	for name, room := range map[string]string{"bob": "a:2", "carol": "a:4", "alice": "b:1"} {
		if got, err := s.Character(ctx, name); err != nil || got.Room != room {
			t.Errorf("%s: room %q, err %v; want %q", name, got.Room, err, room)
		}
	}
}

func TestWriterOwned(t *testing.T) { forEachBackend(t, testWriterOwned) }

// testWriterOwned: a Writer whose character another process claimed drops its snapshots,
// reports the character lost, and the other process's save stands.
func testWriterOwned(t *testing.T, db testDB) {
	ctx := t.Context()
	dsn := db.new(t)
	old, replacement := NewWriter(openAt(t, dsn), nil), NewWriter(openAt(t, dsn), nil)
	lost := make(chan []string, 1)
	old.Own("forest", func(names []string) { lost <- names })
	replacement.Own("forest", func(names []string) { t.Errorf("replacement lost %v", names) })
	for _, w := range []*Writer{old, replacement} {
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(runCtx); close(done) }()
		t.Cleanup(func() { stop(); <-done })
	}

	if _, err := old.Claim(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	old.Save(state.Character{Name: "Alice", Room: "a:1", Version: 1})
	if err := old.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := replacement.Claim(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if c.Room != "a:1" {
		t.Fatalf("replacement loaded room %q, want a:1", c.Room)
	}
	replacement.Save(state.Character{Name: "Alice", Room: "b:1", Version: 2})
	if err := replacement.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	old.Save(state.Character{Name: "Alice", Room: "a:stale", Version: 5})
	if err := old.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if names := <-lost; !slices.Equal(names, []string{"Alice"}) {
		t.Errorf("lost %v, want [Alice]", names)
	}
	if st := old.Stats(); st.Lost != 1 || st.Pending != 0 {
		t.Errorf("old writer stats %+v, want Lost 1 and nothing pending", st)
	}
	got, err := replacement.Load(ctx, "alice")
	if err != nil || got.Room != "b:1" || got.Version != 2 {
		t.Errorf("saved character %+v, %v; want the replacement's (b:1, version 2)", got, err)
	}
}

// TestWriterClaimedAgain: a character this Writer claims again (it quit and came back) is
// saved under the new claim, snapshots queued before included.
func TestWriterClaimedAgain(t *testing.T) {
	ctx := t.Context()
	w := NewWriter(openTest(t, testDBs[0]), nil)
	w.Own("forest", func(names []string) { t.Errorf("lost %v", names) })
	if _, err := w.Claim(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	w.Save(state.Character{Name: "Alice", Room: "a:1", Version: 1})
	c, err := w.Claim(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if c.Room != "a:1" {
		t.Errorf("claimed again: room %q, want the queued a:1", c.Room)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := w.store.Character(ctx, "alice"); err != nil || got.Room != "a:1" {
		t.Errorf("saved %+v, %v; want room a:1", got, err)
	}
	if l, err := w.store.Owner(ctx, "alice"); err != nil || l != (Lease{"forest", 2}) {
		t.Errorf("lease %+v, %v; want forest/2", l, err)
	}
}
