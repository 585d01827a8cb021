package engine

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// pauseState lets a copyover stop a session's reader at a line boundary and its writer after
// everything queued so far is written, and let them go on if the new process fails.
type pauseState struct {
	poke chan struct{} // wakes the writer to look at hold; buffered 1

	mu      sync.Mutex
	hold    *hold
	readEnd bool // the reader goroutine has returned
}

// hold is one pause of one session.
type hold struct {
	reader, writer chan struct{} // closed when that goroutine has stopped (or ended)
	resume         chan struct{} // closed to let them go on
	rOnce, wOnce   sync.Once
}

func (h *hold) readerStopped() { h.rOnce.Do(func() { close(h.reader) }) }
func (h *hold) writerStopped() { h.wOnce.Do(func() { close(h.writer) }) }

// pause asks s's reader and writer to stop. The reader stops at once if it is waiting for
// input (its read deadline is moved to now), keeping what was typed of the next line.
func (s *session) pauseIO() *hold {
	h := &hold{reader: make(chan struct{}), writer: make(chan struct{}), resume: make(chan struct{})}
	s.pause.mu.Lock()
	s.pause.hold = h
	if s.pause.readEnd {
		h.readerStopped()
	}
	s.pause.mu.Unlock()
	s.raw.SetReadDeadline(time.Now())
	select {
	case s.pause.poke <- struct{}{}:
	default:
	}
	return h
}

// resumeIO lets a paused session go on.
func (s *session) resumeIO() {
	s.pause.mu.Lock()
	h := s.pause.hold
	s.pause.hold = nil
	s.pause.mu.Unlock()
	if h != nil {
		close(h.resume)
	}
}

func (s *session) currentHold() *hold {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	return s.pause.hold
}

// paused reports whether both goroutines of s have stopped for the current hold and the
// connection is still open.
func (s *session) paused() bool {
	h := s.currentHold()
	if h == nil || s.closed() {
		return false
	}
	select {
	case <-h.reader:
	default:
		return false
	}
	select {
	case <-h.writer:
		return true
	default:
		return false
	}
}

// parkReader stops the reader while s is paused. It reports whether the session was paused
// and resumed: the caller then starts its read again. If the connection closes meanwhile it
// reports false, and the next read fails.
func (s *session) parkReader() bool {
	h := s.currentHold()
	if h == nil {
		return false
	}
	h.readerStopped()
	select {
	case <-h.resume:
		return true
	case <-s.done:
		return false
	}
}

// readerDone records that the reader goroutine has returned, so that a pause does not wait
// for it.
func (s *session) readerDone() {
	s.pause.mu.Lock()
	defer s.pause.mu.Unlock()
	s.pause.readEnd = true
	if s.pause.hold != nil {
		s.pause.hold.readerStopped()
	}
}

// parkWriter writes what is queued, including what waits in the session's backlog on the
// loop, and stops the writer while s is paused. It returns buf, or nil when the writer
// should end.
func (e *Engine) parkWriter(s *session, buf []byte) []byte {
	closing := false
	for buf != nil && !closing {
		waiting := s.backlogLen.Load() > 0 // read first: the loop counts a batch out once it is in s.out
		for more := true; more && buf != nil; {
			select {
			case o := <-s.out:
				closing = closing || o.Close
				buf = e.apply(s, buf, o)
			default:
				more = false
			}
		}
		if !waiting || buf == nil || closing {
			break
		}
		if buf = e.flushTo(s, buf); buf == nil {
			return nil
		}
		select { // the loop moves the backlog on at its next flush
		case o := <-s.out:
			closing = closing || o.Close
			buf = e.apply(s, buf, o)
		case <-s.done:
			return nil
		}
	}
	if buf = e.flushTo(s, buf); buf == nil || closing {
		return nil
	}
	h := s.currentHold()
	if h == nil {
		return buf
	}
	if err := s.conn.PauseCompression(); err != nil { // the new process starts its own stream
		return nil
	}
	h.writerStopped()
	select {
	case <-h.resume:
		if s.conn.ResumeCompression() != nil {
			return nil
		}
		return buf
	case <-s.done:
		return nil
	}
}

// waitPaused waits until every session in list has stopped reading and writing, or closed.
func waitPaused(list []*session, holds []*hold, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for i, s := range list {
		for j, ch := range []chan struct{}{holds[i].reader, holds[i].writer} {
			select {
			case <-ch:
			case <-s.done:
			case <-deadline.C:
				return fmt.Errorf("session %d did not pause within %s (its %s goes on): %w",
					s.id, timeout, [2]string{"reader", "writer"}[j], errPauseTimeout)
			}
		}
	}
	return nil
}

var errPauseTimeout = errors.New("pause timed out")
