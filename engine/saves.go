package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/markup"
)

// How the loop follows the store Writer: it looks at the Writer's counters every
// saveCheckEvery, and saving is failing once saveFailuresAlarm batch writes in a row have
// failed (with the Writer's backoff, about three seconds after the first).
const (
	saveCheckEvery    = time.Second
	saveFailuresAlarm = 3
	// saveAckWait bounds how long the save command waits for its commit before telling the
	// player it is not done yet.
	saveAckWait = 10 * time.Second
)

// What players are told when saving fails and works again.
const (
	msgNotSaving = "{R}Your progress is not being saved at the moment:{x} the game cannot write to its " +
		"database. Staff have been told; you will hear when it works again."
	msgSavingAgain = "{G}Your progress is being saved again.{x}"
	msgSaveLate    = "Your character is not saved yet: the game cannot write to its database right now. " +
		"It will be saved as soon as it can."
)

// saveWatch is the loop's view of the store Writer: whether saving is failing, who was told,
// and the players waiting for the answer to their save command. Owned by the loop.
type saveWatch struct {
	checked  time.Time          // when the loop last looked at the Writer's counters
	failing  bool               // saving is failing: staff and players were told
	told     map[string]bool    // keys of players told their progress is not being saved
	awaiting map[*Player]uint64 // typed save, not answered yet: the flush that answers them, 0 the next
	flushes  uint64             // flushes started for save commands
	flushing bool               // a worker waits for the Writer to write what was saved
}

// watchSaves looks at the Writer's counters every saveCheckEvery. When saving starts failing
// it tells staff (wiznet and the log) and every player once; when a batch commits again it
// tells them that too. Reading the counters takes the Writer's lock only for a copy, so the
// loop learns of failures without waiting for the database.
func (e *Engine) watchSaves(now time.Time) {
	if e.saver == nil || now.Sub(e.saves.checked) < saveCheckEvery {
		return
	}
	e.saves.checked = now
	st := e.saver.Stats()
	switch {
	case st.Failures >= saveFailuresAlarm && !e.saves.failing:
		e.saves.failing = true
		e.savesFailing(st)
	case st.Failures == 0 && e.saves.failing:
		e.saves.failing = false
		e.savesWorking(st)
	}
	if e.saves.failing {
		e.tellNotSaving() // players who came in since
	}
}

// savesFailing tells staff and the log that saves keep failing, and answers the save
// commands still waiting.
func (e *Engine) savesFailing(st store.WriterStats) {
	since := time.Since(st.FailedAt).Round(time.Second)
	e.log.Error("saves keep failing: players' progress is not being saved",
		"failures", st.Failures, "since", st.FailedAt, "unsaved", st.Pending+st.InFlight, "err", st.LastError)
	e.router.Broadcast(RoleBuilder, "wiznet", "", fmt.Sprintf(
		"[wiznet] {R}Saving characters is failing{x} (%d attempts in %s, %d unsaved): %v",
		st.Failures, since, st.Pending+st.InFlight, markup.Escape(fmt.Sprint(st.LastError))))
	for p := range e.saves.awaiting {
		p.Send(msgSaveLate)
	}
	clear(e.saves.awaiting)
}

// savesWorking tells staff, the log and the players who were told of the failure that
// saving works again.
func (e *Engine) savesWorking(st store.WriterStats) {
	e.log.Info("saving characters works again", "pending", st.Pending+st.InFlight)
	e.router.Broadcast(RoleBuilder, "wiznet", "", "[wiznet] {G}Saving characters works again.{x}")
	for k := range e.saves.told {
		if p := e.players[k]; p != nil {
			p.Send(msgSavingAgain)
		}
	}
	clear(e.saves.told)
}

// tellNotSaving tells each player here who has not been told yet that their progress is
// not being saved.
func (e *Engine) tellNotSaving() {
	if e.saves.told == nil {
		e.saves.told = make(map[string]bool)
	}
	for k, p := range e.players {
		if !e.saves.told[k] && p.Online() {
			e.saves.told[k] = true
			p.Send(msgNotSaving)
		}
	}
}

// ackSave answers p's save command once its snapshot, already handed to the Writer, is
// committed: a worker waits for the Writer (Flush) and posts the answer back, so the loop
// never waits. One worker waits at a time; players who ask meanwhile are answered by the
// next one. While saving is failing the answer comes at once.
func (e *Engine) ackSave(p *Player) {
	switch {
	case e.saver == nil: // a Sim saves nothing: there is nothing to wait for
		p.Send("Saved.")
		return
	case e.saves.failing:
		p.Send(msgSaveLate)
		return
	}
	if e.saves.awaiting == nil {
		e.saves.awaiting = make(map[*Player]uint64)
	}
	e.saves.awaiting[p] = 0 // the running flush may not cover this snapshot: the next one does
	if !e.saves.flushing {
		e.flushForAcks()
	}
}

// flushForAcks starts a worker that waits until everything saved so far is written, then
// answers the players who asked before it started.
func (e *Engine) flushForAcks() {
	e.saves.flushes++
	n := e.saves.flushes
	e.saves.flushing = true
	for p, f := range e.saves.awaiting {
		if f == 0 {
			e.saves.awaiting[p] = n
		}
	}
	e.work(func() {
		ctx, cancel := context.WithTimeout(context.Background(), saveAckWait)
		defer cancel()
		go func() { // the loop stopping ends the wait: nobody is left to answer
			select {
			case <-e.stopped():
				cancel()
			case <-ctx.Done():
			}
		}()
		err := e.saver.Flush(ctx)
		e.post(funcEvent(func(e *Engine) { e.answerSaves(n, err) }))
	})
}

// answerSaves tells the players that flush n answers whether their save is committed, and
// starts the next flush if more players asked meanwhile.
func (e *Engine) answerSaves(n uint64, err error) {
	e.saves.flushing = false
	next := false
	for p, f := range e.saves.awaiting {
		if f != n {
			next = next || f == 0
			continue
		}
		delete(e.saves.awaiting, p)
		switch {
		case e.players[state.Key(p.Name)] != p: // gone: leaving saved them
		case err != nil:
			e.log.Warn("save command not confirmed", "name", p.Name, "err", err)
			p.Send(msgSaveLate)
		default:
			p.Send("Saved.")
		}
	}
	if next {
		e.flushForAcks()
	}
}
