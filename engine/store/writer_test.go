package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// runWriter runs w until the returned stop function is called (or the test ends); stop
// returns after Run has.
func runWriter(t *testing.T, w *Writer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func flush(t *testing.T, w *Writer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// wantStored checks the version stored for each name.
func wantStored(t *testing.T, s *Store, want map[string]uint64) {
	t.Helper()
	for name, v := range want {
		c, err := s.Character(t.Context(), name)
		if err != nil {
			t.Fatalf("stored %s: %v", name, err)
		}
		if c.Version != v {
			t.Errorf("stored %s at version %d, want %d", name, c.Version, v)
		}
	}
}

func TestWriterSaveFlush(t *testing.T) { forEachBackend(t, testWriterSaveFlush) }

func testWriterSaveFlush(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	runWriter(t, w)
	want := make(map[string]uint64)
	for round := range 5 {
		cs := make([]state.Character, 300)
		for i := range cs {
			cs[i] = character(fmt.Sprintf("P%03d", i+round*100), uint64(round+1))
			want[cs[i].Name] = cs[i].Version
		}
		w.Save(cs...)
	}
	flush(t, w)
	wantStored(t, s, want)
	var count int64
	if err := s.db.Model(&characterRow{}).Count(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != int64(len(want)) {
		t.Errorf("%d rows stored, want %d", count, len(want))
	}
	if st := w.Stats(); st.Pending != 0 || st.InFlight != 0 || st.Batches == 0 || st.Errors != 0 {
		t.Errorf("Stats() = %+v", st)
	}
	flush(t, w) // nothing new: returns at once
}

// blockingWrite replaces w's write with one that announces each batch on calls and waits
// for the result to return on results; nil means write to the database.
func blockingWrite(w *Writer) (calls chan []characterRow, results chan error) {
	calls, results = make(chan []characterRow), make(chan error)
	w.write = func(ctx context.Context, rows []characterRow) error {
		calls <- rows
		if err := <-results; err != nil {
			return err
		}
		return w.store.writeRows(ctx, rows)
	}
	return calls, results
}

func TestWriterLoadInFlight(t *testing.T) { forEachBackend(t, testWriterLoadInFlight) }

func testWriterLoadInFlight(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	calls, results := blockingWrite(w)
	runWriter(t, w)

	w.Save(character("Alice", 1))
	<-calls // the batch is being written
	if st := w.Stats(); st.InFlight != 1 || st.Pending != 0 {
		t.Fatalf("Stats() = %+v, want 1 in flight", st)
	}
	if c, err := w.Load(ctx, "ALICE"); err != nil || !reflect.DeepEqual(c, character("Alice", 1)) {
		t.Fatalf("Load in flight = %+v, %v", c, err)
	}
	if _, err := s.Character(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("database has Alice before the commit: err = %v", err)
	}

	w.Save(character("Alice", 2))
	if c, _ := w.Load(ctx, "alice"); c.Version != 2 {
		t.Errorf("Load = version %d, want the newer pending 2", c.Version)
	}
	results <- nil
	rows := <-calls // the second batch holds version 2
	if len(rows) != 1 || rows[0].Version != 2 {
		t.Errorf("second batch = %+v", rows)
	}
	results <- nil
	flush(t, w)
	wantStored(t, s, map[string]uint64{"alice": 2})
}

// TestWriterLoadWhileLocked keeps the writer from committing until the test lets it: another
// connection inserts Alice's row and holds its transaction open. In SQLite that transaction
// holds the database's write lock; in PostgreSQL the writer's upsert of the same key waits
// for it.
func TestWriterLoadWhileLocked(t *testing.T) { forEachBackend(t, testWriterLoadWhileLocked) }

func testWriterLoadWhileLocked(t *testing.T, db testDB) {
	ctx := t.Context()
	dsn := db.new(t)
	s := openAt(t, dsn)
	other := openAt(t, dsn)
	tx := other.db.Begin()
	t.Cleanup(func() { tx.Rollback() })
	if err := tx.Create(&characterRow{Key: "alice", Name: "Alice", State: "{}"}).Error; err != nil {
		t.Fatal(err)
	}

	w := NewWriter(s, testLogger(t))
	runWriter(t, w)
	w.Save(character("Alice", 4))
	c, err := w.Load(ctx, "alice")
	if err != nil || c.Version != 4 {
		t.Fatalf("Load while locked = version %d, %v; want 4", c.Version, err)
	}
	if _, err := s.Character(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("database has Alice while locked: err = %v", err)
	}
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	flush(t, w)
	wantStored(t, s, map[string]uint64{"alice": 4})
}

func TestWriterCoalesce(t *testing.T) { forEachBackend(t, testWriterCoalesce) }

func testWriterCoalesce(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	for v := range uint64(100) {
		w.Save(state.Character{Name: "Alice", Room: fmt.Sprint("z:", v+1), Version: v + 1})
	}
	w.Save(state.Character{Name: "ALICE", Version: 50}) // stale
	if st := w.Stats(); st.Pending != 1 || st.Stale != 1 {
		t.Errorf("Stats() before Run = %+v, want 1 pending, 1 stale", st)
	}
	runWriter(t, w)
	flush(t, w)
	wantStored(t, s, map[string]uint64{"alice": 100})
	if st := w.Stats(); st.Saved != 1 || st.Batches != 1 {
		t.Errorf("Stats() = %+v, want 1 snapshot in 1 batch", st)
	}
}

func TestWriterRetry(t *testing.T) { forEachBackend(t, testWriterRetry) }

func testWriterRetry(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	w.minBackoff, w.maxBackoff = time.Millisecond, 2*time.Millisecond
	calls, results := blockingWrite(w)
	runWriter(t, w)

	w.Save(character("Alice", 1), character("Bob", 1))
	<-calls
	w.Save(character("Alice", 2)) // replaces the failed Alice 1
	results <- errors.New("disk on fire")
	rows := <-calls
	if len(rows) != 2 {
		t.Fatalf("retried batch has %d rows, want 2", len(rows))
	}
	if c, err := w.Load(t.Context(), "bob"); err != nil || c.Version != 1 {
		t.Errorf("Load(bob) during retry = %+v, %v", c, err)
	}
	results <- errors.New("disk still on fire")
	<-calls
	if st := w.Stats(); st.Failures != 2 || st.FailedAt.IsZero() || st.LastError == nil {
		t.Errorf("Stats() while failing = %+v, want 2 failures in a row since FailedAt", st)
	}
	results <- nil
	flush(t, w)
	wantStored(t, s, map[string]uint64{"alice": 2, "bob": 1})
	if st := w.Stats(); st.Errors != 2 || st.LastError != nil || st.Pending != 0 ||
		st.Failures != 0 || !st.FailedAt.IsZero() {
		t.Errorf("Stats() = %+v, want 2 errors, none pending, not failing", st)
	}
}

func TestWriterRejectsInvalid(t *testing.T) { forEachBackend(t, testWriterRejectsInvalid) }

func testWriterRejectsInvalid(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	runWriter(t, w)
	w.Save(state.Character{Name: "Bob", Data: map[string]any{"x": math.NaN()}}, character("Alice", 1))
	flush(t, w)
	wantStored(t, s, map[string]uint64{"alice": 1})
	if _, err := w.Load(t.Context(), "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(bob) err = %v, want ErrNotFound", err)
	}
	if st := w.Stats(); st.Rejected != 1 || st.Saved != 1 {
		t.Errorf("Stats() = %+v, want 1 rejected, 1 saved", st)
	}
}

func TestWriterRunWritesOnCancel(t *testing.T) { forEachBackend(t, testWriterRunWritesOnCancel) }

func testWriterRunWritesOnCancel(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	want := make(map[string]uint64)
	for i := range 1000 {
		c := state.Character{Name: fmt.Sprint("P", i), Version: uint64(i)}
		w.Save(c)
		want[c.Name] = c.Version
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w.Run(ctx) // returns only after writing
	wantStored(t, s, want)
	if err := w.Flush(t.Context()); err != nil {
		t.Errorf("Flush after Run: %v", err)
	}

	w.Save(character("Late", 1))
	if err := w.Flush(t.Context()); !errors.Is(err, errStopped) {
		t.Errorf("Flush of a save after Run: err = %v, want errStopped", err)
	}
}

func TestWriterStopWhileFailing(t *testing.T) { forEachBackend(t, testWriterStopWhileFailing) }

func testWriterStopWhileFailing(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	w.minBackoff, w.maxBackoff = time.Millisecond, time.Millisecond
	var calls int
	w.write = func(context.Context, []characterRow) error { calls++; return errors.New("read-only disk") }
	w.Save(character("Alice", 3))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w.Run(ctx)
	if calls != drainAttempts {
		t.Errorf("%d attempts at shutdown, want %d", calls, drainAttempts)
	}
	if err := w.Flush(t.Context()); !errors.Is(err, errStopped) {
		t.Errorf("Flush: err = %v, want errStopped", err)
	}
	if c, err := w.Load(t.Context(), "alice"); err != nil || c.Version != 3 {
		t.Errorf("Load after failed shutdown = %+v, %v; want the unsaved snapshot", c, err)
	}
}

func TestFlushContext(t *testing.T) { forEachBackend(t, testFlushContext) }

func testFlushContext(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t)) // never runs
	w.Save(character("Alice", 1))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := w.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Flush: err = %v, want context.Canceled", err)
	}
}

// TestWriterConcurrent saves from one goroutine, as the game loop does, and loads from
// another while Run writes.
func TestWriterConcurrent(t *testing.T) { forEachBackend(t, testWriterConcurrent) }

func testWriterConcurrent(t *testing.T, db testDB) {
	s := openTest(t, db)
	w := NewWriter(s, testLogger(t))
	runWriter(t, w)
	const rounds, players = 200, 25
	var wg sync.WaitGroup
	wg.Go(func() {
		for v := range uint64(rounds) {
			cs := make([]state.Character, players)
			for i := range cs {
				cs[i] = character(fmt.Sprint("P", i), v+1)
			}
			w.Save(cs...)
		}
	})
	wg.Go(func() {
		last := uint64(0)
		for range rounds {
			c, err := w.Load(t.Context(), "p7")
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				t.Error(err)
				return
			}
			if c.Version < last {
				t.Errorf("Load went back from version %d to %d", last, c.Version)
			}
			last = c.Version
			c.Data["title"] = "changed" // the copy is ours
		}
	})
	wg.Wait()
	flush(t, w)
	want := make(map[string]uint64)
	for i := range players {
		want[fmt.Sprint("P", i)] = rounds
	}
	wantStored(t, s, want)
}
