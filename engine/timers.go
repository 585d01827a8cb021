package engine

import (
	"container/heap"
	"time"

	"github.com/mudd/mudd/engine/world"
)

// timer is one scheduled piece of work. Timers fire on pulses, so their resolution is one pulse.
type timer struct {
	due       time.Time
	every     time.Duration // 0 for a one-shot timer
	owner     *world.Thing  // nil for timers of rooms and the game
	fire      func()
	cancelled bool
	index     int
}

// timerQueue is a min-heap of timers by due time: a pulse costs O(due timers · log n), not a
// call per NPC.
type timerQueue []*timer

func (q timerQueue) Len() int           { return len(q) }
func (q timerQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *timerQueue) Push(x any) { t := x.(*timer); t.index = len(*q); *q = append(*q, t) }
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}

// schedule adds t to the queue.
func (q *timerQueue) schedule(t *timer) { heap.Push(q, t) }

// runDue fires every timer due at now. A timer whose owner left the world is dropped:
// timers are cancelled with their owner.
func (q *timerQueue) runDue(e *Engine, now time.Time) {
	for q.Len() > 0 && !(*q)[0].due.After(now) {
		t := heap.Pop(q).(*timer)
		if t.cancelled || (t.owner != nil && !e.world.Alive(t.owner)) {
			continue
		}
		t.fire()
		if t.every > 0 && !t.cancelled {
			t.due = t.due.Add(t.every)
			if t.due.Before(now) {
				t.due = now.Add(t.every)
			}
			q.schedule(t)
		}
	}
}
