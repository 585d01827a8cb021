package script

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// budget is the context.Context installed on the Lua state. Its Done channel
// is closed once the current top-level call has run for longer than limit.
//
// One budget serves every call of a VM: arming it resets a timer instead of
// allocating a context, a timer and a cancel function per call. gopher-lua
// polls Done before each instruction and then raises Err as a Lua error.
//
// Only the goroutine that owns the VM arms and disarms the budget. The timer
// goroutine only closes the current channel, and a closed channel is replaced
// (by disarm) only after the close has happened, so Done never races with fire.
type budget struct {
	limit time.Duration
	err   error // returned by Err once Done is closed
	timer *time.Timer
	done  atomic.Pointer[chan struct{}]
	armed bool
	start time.Time // when the current call was armed, for pause
}

func newBudget(limit time.Duration) *budget {
	b := &budget{limit: limit, err: budgetError{limit}}
	b.renew()
	b.timer = time.AfterFunc(time.Hour, b.fire)
	b.timer.Stop()
	return b
}

// fire runs on the timer's goroutine when the budget runs out.
func (b *budget) fire() { close(*b.done.Load()) }

func (b *budget) renew() {
	ch := make(chan struct{})
	b.done.Store(&ch)
}

// arm starts the budget for a top-level call.
func (b *budget) arm() {
	b.armed = true
	b.start = time.Now()
	b.timer.Reset(b.limit)
}

// pause stops the clock of the armed call and returns the time it has left, or false if
// it has run out already (its Done channel is then closed and stays so).
func (b *budget) pause() (time.Duration, bool) {
	if !b.timer.Stop() {
		<-b.Done()
		return 0, false
	}
	b.armed = false
	return b.limit - time.Since(b.start), true
}

// resume restarts the clock of a paused call with left to run, under the given limit.
func (b *budget) resume(limit time.Duration, left time.Duration) {
	b.limit, b.err = limit, budgetError{limit}
	b.armed = true
	b.start = time.Now().Add(left - limit)
	b.timer.Reset(max(left, 0))
}

// disarm ends the budget of a top-level call and, if it ran out, makes a new
// open Done channel for the next call.
func (b *budget) disarm() {
	if !b.armed {
		return
	}
	b.armed = false
	if b.timer.Stop() {
		return
	}
	// Stop reports false for an armed AfterFunc timer only when fire has
	// been started: wait for it to close the channel before replacing it.
	<-b.Done()
	b.renew()
}

// expired reports whether the current call has run out of time.
func (b *budget) expired() bool {
	select {
	case <-b.Done():
		return true
	default:
		return false
	}
}

func (b *budget) stop() { b.timer.Stop() }

// Deadline reports no deadline: gopher-lua uses only Done and Err, and
// keeping a deadline would cost a clock read per call.
func (b *budget) Deadline() (time.Time, bool) { return time.Time{}, false }

func (b *budget) Done() <-chan struct{} { return *b.done.Load() }

func (b *budget) Err() error {
	if b.expired() {
		return b.err
	}
	return nil
}

func (b *budget) Value(any) any { return nil }

// budgetError is the error of a call that ran out of time. It matches
// context.DeadlineExceeded with errors.Is.
type budgetError struct{ limit time.Duration }

func (e budgetError) Error() string {
	return fmt.Sprintf("time budget of %v exceeded", e.limit)
}

func (e budgetError) Is(target error) bool { return target == context.DeadlineExceeded }
