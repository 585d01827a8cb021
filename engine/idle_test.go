package engine

import (
	"testing"
	"time"
)

// TestIdleTimer steps a reader's idle deadline through lines, expiries and a pause.
func TestIdleTimer(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type step struct {
		line, expire, resume int // ms of a line, an expiry or a resumed pause; -1 for none
		deadline             int // ms of the deadline due sets next; -1 if it does not move
		idle                 bool
	}
	none := -1
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"lines far apart move the deadline each time", []step{
			{none, none, none, 1000, false},
			{200, none, none, 1200, false},
			{500, none, none, 1500, false},
		}},
		{"a line soon after the last move waits; its expiry gives the rest", []step{
			{none, none, none, 1000, false},
			{50, none, none, none, false},
			{none, 1000, none, 1050, false},
			{none, 1050, none, none, true},
		}},
		{"no line: idle at the deadline", []step{
			{none, none, none, 1000, false},
			{none, 1000, none, none, true},
		}},
		{"a pause restarts the count", []step{
			{none, none, none, 1000, false},
			{100, none, none, none, false},
			{none, none, 900, 1900, false},
			{none, 1900, none, none, true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idle := idleTimer{timeout: time.Second, last: t0}
			for i, s := range tc.steps {
				switch {
				case s.line >= 0:
					idle.last = at(s.line)
				case s.resume >= 0:
					idle.resumed(at(s.resume))
				case s.expire >= 0:
					if got := idle.expired(at(s.expire)); got != s.idle {
						t.Fatalf("step %d: expired at %d ms = %v, want %v", i, s.expire, got, s.idle)
					}
					if s.idle {
						return
					}
				}
				deadline, move := idle.due()
				if want := s.deadline >= 0; move != want || (move && !deadline.Equal(at(s.deadline))) {
					t.Fatalf("step %d: due = %v, %v; want deadline at %d ms", i, deadline.Sub(t0), move, s.deadline)
				}
			}
		})
	}
}
