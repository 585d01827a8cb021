package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Every write of the store is a function of a transaction, run by write. With SQLite the
// process has one connection that writes, and a committer goroutine that owns it: writes
// queue, and the committer runs every write queued meanwhile in one transaction (group
// commit); if one of them fails, they run again one by one, so that a write that fails
// changes nothing and takes no other write with it. Nothing then waits for SQLite's write
// lock but another process, and one commit (one sync of the WAL) serves a whole group.
// PostgreSQL runs each write in its own transaction on the connection pool.
//
// Either way a write that fails for a reason that may pass (the database locked by another
// process, a serialization failure or a deadlock: see backend.retryable) is run again, a
// bounded number of times, so that contention is never an error a caller sees.

// Bounds of group commit and of retries.
const (
	groupQueue    = 1024        // writes waiting for the committer before callers wait to queue
	maxGroup      = 256         // writes in one transaction
	groupTimeout  = time.Minute // longest a group's transaction may take
	writeAttempts = 8           // tries of a write that keeps failing for a retryable reason
	retryBackoff  = 10 * time.Millisecond
	maxRetryWait  = time.Second
)

// errClosed is returned by writes made after Close.
var errClosed = errors.New("store closed")

// write runs fn in a transaction, committed when write returns nil. fn may run more than
// once (after a retryable failure, or alone after its group failed): it must set whatever it
// returns to its caller afresh each time. It must not call the Store.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	return retry(ctx, s.backend.retryable, func() error {
		return s.db.WithContext(ctx).Transaction(fn)
	})
}

// writeStatement is write for a function that makes one statement, atomic by itself:
// PostgreSQL runs it without a transaction around it, saving two round trips.
func (s *Store) writeStatement(ctx context.Context, fn func(db *gorm.DB) error) error {
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	return retry(ctx, s.backend.retryable, func() error { return fn(s.db.WithContext(ctx)) })
}

// retry calls f until it succeeds, fails for a reason that is not retryable, or has been
// tried writeAttempts times, waiting longer after each failure.
func retry(ctx context.Context, retryable func(error) bool, f func() error) error {
	wait := retryBackoff
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt == writeAttempts || !retryable(err) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after %v)", ctx.Err(), err)
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// A writeOp is a write waiting for the committer, then its result.
type writeOp struct {
	fn       func(tx *gorm.DB) error
	state    atomic.Int32 // opQueued, then opTaken by the committer or opDropped by the caller
	err      error        // the write's result
	panicked any          // what fn panicked with, passed on to the caller
	done     chan struct{}
}

const (
	opQueued = iota
	opTaken
	opDropped // the caller's context ended before the committer took it
)

// committer runs the writes of a SQLite store on its one writing connection, in groups.
type committer struct {
	db        *gorm.DB
	log       *slog.Logger
	retryable func(error) bool
	queue     chan *writeOp
	stopped   chan struct{} // closed when run returns

	mu     sync.RWMutex // held for reading while queueing, for writing by close
	closed bool
}

func newCommitter(db *gorm.DB, log *slog.Logger, retryable func(error) bool) *committer {
	c := &committer{db: db, log: log, retryable: retryable,
		queue: make(chan *writeOp, groupQueue), stopped: make(chan struct{})}
	go c.run()
	return c
}

// do queues fn and waits for its result. If ctx ends before the committer takes fn, fn is
// never run; once taken, do waits for the transaction to end.
func (c *committer) do(ctx context.Context, fn func(tx *gorm.DB) error) error {
	op := &writeOp{fn: fn, done: make(chan struct{})}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errClosed
	}
	select {
	case c.queue <- op:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	select {
	case <-op.done:
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opDropped) {
			return ctx.Err()
		}
		<-op.done
	}
	if op.panicked != nil {
		panic(op.panicked)
	}
	return op.err
}

// close runs the writes already queued and stops the committer.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	<-c.stopped
}

// run takes every write queued, up to maxGroup, and commits them together, until close.
func (c *committer) run() {
	defer close(c.stopped)
	for op := range c.queue {
		group := []*writeOp{op}
	more:
		for len(group) < maxGroup {
			select {
			case op, ok := <-c.queue:
				if !ok {
					break more
				}
				group = append(group, op)
			default:
				break more
			}
		}
		c.commit(group)
	}
}

// commit runs group in one transaction, again after a retryable failure. If it fails for
// another reason, each write runs again alone, so that one cannot fail the others.
func (c *committer) commit(group []*writeOp) {
	live := group[:0]
	for _, op := range group {
		if op.state.CompareAndSwap(opQueued, opTaken) {
			live = append(live, op)
		}
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	err := retry(ctx, c.retryable, func() error { return c.tx(live) })
	switch {
	case err == nil:
		for _, op := range live {
			close(op.done)
		}
	case len(live) == 1:
		live[0].err = err
		close(live[0].done)
	default:
		c.log.Debug("group commit failed; committing its writes one by one", "writes", len(live), "err", err)
		for _, op := range live {
			c.alone(op)
		}
	}
}

// alone commits op in a transaction of its own, retrying while it fails for a retryable
// reason, and ends it.
func (c *committer) alone(op *writeOp) {
	defer close(op.done)
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	op.err = retry(ctx, c.retryable, func() error { return c.tx([]*writeOp{op}) })
}

// tx runs the writes in one transaction. If one fails, tx returns its error and nothing of
// the transaction is committed. (A savepoint per write would keep the others, but costs
// more than the write itself in this driver: the rare group that fails is run again one
// write at a time instead.)
func (c *committer) tx(ops []*writeOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, op := range ops {
			op.panicked = nil
			if err := op.call(tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// call runs op's function, turning a panic into an error (the caller panics with it).
func (op *writeOp) call(tx *gorm.DB) (err error) {
	defer func() {
		if v := recover(); v != nil {
			op.panicked = v
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return op.fn(tx)
}
