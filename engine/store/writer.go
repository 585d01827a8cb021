package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// Retry delays after a failed batch, and how many times the final batch is tried when Run
// is stopping.
const (
	minBackoff    = time.Second
	maxBackoff    = 30 * time.Second
	drainAttempts = 3
)

// errStopped is returned by Flush when Run has returned with snapshots unsaved.
var errStopped = errors.New("writer stopped")

// Writer saves character snapshots on its own goroutine so that the game loop never waits
// for the database. The loop calls Save; Run writes whatever is pending in batches, each in
// one transaction. Snapshots of the same character are coalesced: only the highest Version
// is kept. The snapshots of one Save call are always written in the same transaction (but for
// one that can never be saved, which is dropped alone), so the caller can save characters
// that must not be persisted apart: both sides of a transfer.
//
// A snapshot stays visible to Load from the moment it is saved until a newer one replaces
// it or its batch has committed, so a reader never sees older data than was saved. A batch
// that fails is kept and retried with backoff; a snapshot that can never be saved (see
// state.Character.Validate) is logged and dropped.
//
// All methods are safe for concurrent use.
type Writer struct {
	store *Store
	log   *slog.Logger
	write func(ctx context.Context, rows []characterRow) error // store.writeRows; tests replace it
	wake  chan struct{}                                        // buffered 1: there may be work

	minBackoff, maxBackoff time.Duration

	owner string         // DefaultOwner, or the process set by Own
	lost  func([]string) // set by Own: saves are conditional on the leases

	mu       sync.Mutex
	leases   map[string]int64           // by key: the epoch of this process's claim
	claiming map[string]int             // by key: claims under way
	pending  map[string]state.Character // by key: saved, not yet taken for writing
	inflight map[string]state.Character // by key: the batch being written
	seq      uint64                     // number of Save calls so far
	done     uint64                     // every Save call up to this one is written or dropped
	changed  chan struct{}              // closed and replaced when done advances or Run stops
	stopped  bool                       // Run has returned
	stats    WriterStats
}

// WriterStats describes the work of a Writer.
type WriterStats struct {
	Pending   int           // snapshots waiting to be written
	InFlight  int           // snapshots in the batch being written
	Batches   uint64        // batches committed
	Saved     uint64        // snapshots committed
	Stale     uint64        // snapshots ignored because a higher Version was already saved
	Rejected  uint64        // invalid snapshots dropped
	Lost      uint64        // snapshots refused because another process claimed the character
	Errors    uint64        // failed batch writes
	LastBatch time.Duration // how long the last committed batch took
	LastError error         // error of the last batch; nil once a batch commits
	Failures  int           // failed batch writes since the last commit: saving is failing
	FailedAt  time.Time     // when the first of those Failures happened
}

// NewWriter returns a Writer that saves to s. Start it with Run.
func NewWriter(s *Store, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Writer{
		store:      s,
		log:        log,
		write:      s.writeRows,
		wake:       make(chan struct{}, 1),
		minBackoff: minBackoff,
		maxBackoff: maxBackoff,
		owner:      DefaultOwner,
		leases:     make(map[string]int64),
		claiming:   make(map[string]int),
		pending:    make(map[string]state.Character),
		changed:    make(chan struct{}),
	}
}

// Own makes the Writer save as owner, one of several processes sharing the database: each
// character is claimed for owner when it is loaded (Claim), and a snapshot is written only
// while that claim holds (Store.SaveOwned). The names of characters whose snapshots were
// refused, since another process claimed them, are passed to lost, on the Writer's goroutine;
// they are not saved again until claimed again. Without Own the Writer saves as
// DefaultOwner, whatever the claims: the process owns every character. Call Own before Run.
func (w *Writer) Own(owner string, lost func(names []string)) {
	w.owner, w.lost = owner, lost
}

// Claim claims the character called name for this Writer's owner (see Store.Claim) and
// returns its latest snapshot: a queued or in-flight one if there is one, else the one in
// the database (a new character, Version 0, when there is none). The result is the
// caller's to modify.
func (w *Writer) Claim(ctx context.Context, name string) (state.Character, error) {
	k := state.Key(name)
	w.mu.Lock()
	w.claiming[k]++ // a save refused meanwhile is this claim's doing: see forget
	w.mu.Unlock()
	c, lease, err := w.store.Claim(ctx, name, w.owner)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.claiming[k]--; w.claiming[k] == 0 {
		delete(w.claiming, k)
	}
	if _, ok := w.pending[k]; ok {
		defer w.poke() // a snapshot refused during the claim
	}
	if err != nil {
		return state.Character{}, err
	}
	w.leases[k] = lease.Epoch
	if q, ok := w.latestLocked(k); ok {
		return q.Clone(), nil
	}
	return c, nil
}

// latestLocked returns the queued snapshot of the character with key k, else the one being
// written, if either. w.mu is held.
func (w *Writer) latestLocked(k string) (state.Character, bool) {
	if c, ok := w.pending[k]; ok {
		return c, true
	}
	c, ok := w.inflight[k]
	return c, ok
}

// poke wakes Run: there is work.
func (w *Writer) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Save queues snapshots for writing and returns at once; it never waits for I/O. The Writer
// owns the snapshots from then on: the caller must not modify them (Clone first if needed).
// A snapshot older than one already queued for the same character is ignored.
func (w *Writer) Save(cs ...state.Character) {
	if len(cs) == 0 {
		return
	}
	w.mu.Lock()
	w.seq++
	for _, c := range cs {
		k := state.Key(c.Name)
		if old, ok := w.pending[k]; ok && old.Version > c.Version {
			w.stats.Stale++
			continue
		}
		if old, ok := w.inflight[k]; ok && old.Version > c.Version {
			w.stats.Stale++
			continue
		}
		w.pending[k] = c
	}
	w.mu.Unlock()
	w.poke()
}

// Load returns the latest snapshot of the character called name: a queued or in-flight one
// if there is one, else the one in the database. The result is the caller's to modify.
func (w *Writer) Load(ctx context.Context, name string) (state.Character, error) {
	k := state.Key(name)
	w.mu.Lock()
	c, ok := w.latestLocked(k)
	w.mu.Unlock()
	if ok {
		return c.Clone(), nil // snapshots are never modified once saved
	}
	return w.store.Character(ctx, name)
}

// Flush waits until every snapshot saved before the call is written (or dropped as
// invalid). It fails if ctx ends first or Run has returned without writing them.
func (w *Writer) Flush(ctx context.Context) error {
	w.mu.Lock()
	target := w.seq
	for w.done < target {
		if w.stopped {
			n := len(w.pending)
			w.mu.Unlock()
			return fmt.Errorf("store: flush: %w with %d snapshots unsaved", errStopped, n)
		}
		changed, lastErr := w.changed, w.stats.LastError
		w.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("store: flush: %w (last write error: %v)", ctx.Err(), lastErr)
			}
			return fmt.Errorf("store: flush: %w", ctx.Err())
		}
		w.mu.Lock()
	}
	w.mu.Unlock()
	return nil
}

// Stats returns the Writer's counters.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.stats
	st.Pending, st.InFlight = len(w.pending), len(w.inflight)
	return st
}

// Run writes saved snapshots until ctx is done, then writes everything still pending and
// returns. If that final write keeps failing, Run logs how many snapshots are unsaved and
// returns after a few attempts. Call Run once, on its own goroutine.
func (w *Writer) Run(ctx context.Context) {
	defer w.stop()
	var backoff time.Duration
	for {
		if !w.wait(ctx, backoff) {
			w.drain(context.WithoutCancel(ctx))
			return
		}
		// A write is never cancelled half-way: stopping waits for it instead.
		if err := w.writeBatch(context.WithoutCancel(ctx)); err != nil {
			backoff = min(max(2*backoff, w.minBackoff), w.maxBackoff)
			w.log.Error("saving characters failed", "err", err, "retry_in", backoff)
			continue
		}
		backoff = 0
	}
}

// wait waits for work, or for backoff to pass after a failure. It reports false when ctx is
// done.
func (w *Writer) wait(ctx context.Context, backoff time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	if backoff == 0 {
		select {
		case <-w.wake:
			return true
		case <-ctx.Done():
			return false
		}
	}
	t := time.NewTimer(backoff)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drain writes everything pending before Run returns, retrying a few times on errors.
func (w *Writer) drain(ctx context.Context) {
	backoff := w.minBackoff
	for failures := 0; ; {
		err := w.writeBatch(ctx)
		if err == nil {
			if w.Stats().Pending == 0 {
				return
			}
			continue
		}
		if failures++; failures == drainAttempts {
			w.log.Error("characters left unsaved at shutdown", "err", err,
				"count", w.Stats().Pending)
			return
		}
		w.log.Error("saving characters failed", "err", err, "retry_in", backoff)
		time.Sleep(backoff)
		backoff = min(2*backoff, w.maxBackoff)
	}
}

// stop marks the Writer stopped and wakes Flush callers.
func (w *Writer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 && len(w.inflight) == 0 {
		w.advance(w.seq)
	}
	w.stopped = true
	close(w.changed)
	w.changed = make(chan struct{})
}

// writeBatch writes everything pending in one transaction. On failure the snapshots are
// pending again.
func (w *Writer) writeBatch(ctx context.Context) error {
	batch, upto := w.take()
	if len(batch) == 0 {
		return nil
	}
	rows := make([]characterRow, 0, len(batch))
	var rejected []string
	now := dbTime(time.Now())
	for _, c := range batch { // encoded without the lock Save (on the game loop) takes
		row, err := encode(c, now)
		if err != nil {
			w.log.Error("dropped a character snapshot that cannot be saved",
				"name", c.Name, "version", c.Version, "err", err)
			rejected = append(rejected, state.Key(c.Name))
			continue
		}
		row.Owner = w.owner
		rows = append(rows, row)
	}
	if w.lost != nil {
		w.mu.Lock()
		for i := range rows {
			rows[i].Epoch = w.leases[rows[i].Key]
		}
		w.mu.Unlock()
	}
	w.reject(rejected)
	start := time.Now()
	var (
		err  error
		lost []string
	)
	switch {
	case len(rows) == 0:
	case w.lost != nil:
		lost, err = w.store.writeOwned(ctx, rows)
	default:
		err = w.write(ctx, rows)
	}
	w.forget(lost, rows)
	w.finish(upto, len(rows)-len(lost), time.Since(start), err)
	if err != nil {
		return fmt.Errorf("store: save %d characters: %w", len(rows), err)
	}
	return nil
}

// take moves the pending snapshots in flight and returns them, with the number of the last
// Save call they cover.
func (w *Writer) take() ([]state.Character, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		w.advance(w.seq) // nothing in memory: every Save so far is done
		return nil, w.seq
	}
	batch := make([]state.Character, 0, len(w.pending))
	for _, c := range w.pending {
		batch = append(batch, c)
	}
	w.inflight, w.pending = w.pending, make(map[string]state.Character, len(w.pending))
	return batch, w.seq
}

// reject forgets in-flight snapshots that cannot be encoded.
func (w *Writer) reject(keys []string) {
	if len(keys) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		delete(w.inflight, k)
	}
	w.stats.Rejected += uint64(len(keys))
}

// forget drops the in-flight snapshots of characters another process claimed, and tells
// the owner. A snapshot written under an earlier claim of this Writer's own (the character
// was claimed again meanwhile, or is being claimed) is pending again, to be written under
// the new claim.
func (w *Writer) forget(keys []string, rows []characterRow) {
	if len(keys) == 0 {
		return
	}
	epoch := make(map[string]int64, len(rows))
	for _, r := range rows {
		epoch[r.Key] = r.Epoch
	}
	var names []string
	requeued := false
	w.mu.Lock()
	for _, k := range keys {
		c := w.inflight[k]
		delete(w.inflight, k)
		if w.claiming[k] > 0 { // written once the claim is done (Claim pokes)
			if _, ok := w.pending[k]; !ok {
				w.pending[k] = c
			}
			continue
		}
		if w.leases[k] != epoch[k] {
			if _, ok := w.pending[k]; !ok {
				w.pending[k], requeued = c, true
			}
			continue
		}
		names = append(names, c.Name)
		delete(w.leases, k)
		delete(w.pending, k) // a later snapshot would be refused as well
	}
	w.stats.Lost += uint64(len(names))
	w.mu.Unlock()
	if requeued {
		w.poke()
	}
	if len(names) > 0 {
		w.log.Warn("saves refused: the characters were claimed by another process", "owner", w.owner, "names", names)
		w.lost(names)
	}
}

// finish ends the in-flight batch covering Save calls up to upto: on success the snapshots
// are done, on failure they are pending again unless a newer one was saved meanwhile.
func (w *Writer) finish(upto uint64, n int, took time.Duration, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		for k, c := range w.inflight {
			if _, ok := w.pending[k]; !ok {
				w.pending[k] = c
			}
		}
		w.inflight = nil
		w.stats.Errors++
		w.stats.LastError = err
		if w.stats.Failures++; w.stats.Failures == 1 {
			w.stats.FailedAt = time.Now()
		}
		return
	}
	w.inflight = nil
	w.stats.Batches++
	w.stats.Saved += uint64(n)
	w.stats.LastBatch = took
	w.stats.LastError = nil
	w.stats.Failures, w.stats.FailedAt = 0, time.Time{}
	w.advance(upto)
}

// advance records that every Save call up to seq is done and wakes Flush callers.
// w.mu must be held.
func (w *Writer) advance(seq uint64) {
	if seq <= w.done {
		return
	}
	w.done = seq
	close(w.changed)
	w.changed = make(chan struct{})
}
