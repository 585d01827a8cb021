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
	zone      string        // key of the zone this timer resets, if it is a zone's reset timer
	fire      func()
	cancelled bool
	index     int // position in the heap, -1 when not scheduled
}

// timerQueue holds timers in a min-heap by due time, so a pulse costs O(due timers · log n)
// rather than a call per NPC, and indexes them by owner so that destroying a thing cancels
// its timers at once.
type timerQueue struct {
	heap    timerHeap
	byOwner map[*world.Thing][]*timer
}

// Len is the number of scheduled timers.
func (q *timerQueue) Len() int { return len(q.heap) }

// schedule adds t to the queue.
func (q *timerQueue) schedule(t *timer) {
	heap.Push(&q.heap, t)
	if t.owner != nil {
		if q.byOwner == nil {
			q.byOwner = make(map[*world.Thing][]*timer)
		}
		q.byOwner[t.owner] = append(q.byOwner[t.owner], t)
	}
}

// dropOwner cancels and removes every timer owned by owner.
func (q *timerQueue) dropOwner(owner *world.Thing) {
	for _, t := range q.byOwner[owner] {
		t.cancelled = true
		if t.index >= 0 {
			heap.Remove(&q.heap, t.index)
		}
	}
	delete(q.byOwner, owner)
}

// forget removes a finished timer from its owner's list.
func (q *timerQueue) forget(t *timer) {
	list := q.byOwner[t.owner]
	for i, x := range list {
		if x == t {
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(q.byOwner, t.owner)
	} else {
		q.byOwner[t.owner] = list
	}
}

// runDue fires every timer due at now, rescheduling repeating ones; begin is called before
// each fires.
func (q *timerQueue) runDue(now time.Time, begin func()) {
	for len(q.heap) > 0 && !q.heap[0].due.After(now) {
		t := heap.Pop(&q.heap).(*timer)
		if !t.cancelled {
			begin()
			t.fire()
		}
		if t.every > 0 && !t.cancelled {
			t.due = t.due.Add(t.every)
			if t.due.Before(now) {
				t.due = now.Add(t.every)
			}
			heap.Push(&q.heap, t)
		} else if t.owner != nil {
			q.forget(t)
		}
	}
}

// timerHeap implements heap.Interface by due time.
type timerHeap []*timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
