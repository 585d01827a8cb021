package engine

import (
	"context"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/metrics"
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// Why a session ended, as reported by its reader goroutine.
const (
	reasonDropped  = "connection dropped"
	reasonIdle     = "idle timeout"
	reasonFlood    = "input flood"
	reasonShutdown = "shutdown"
)

// event is something for the game loop to do. Network and worker goroutines post events;
// only the loop runs them.
type event interface{ run(e *Engine) }

// loginEvent: a session finished logging in as acct.
type loginEvent struct {
	s     *session
	acct  store.Account
	early []telnet.Message // GMCP/MSDP received during the login dialogue
}

// loadedEvent: a character was read for a session that logged in.
type loadedEvent struct {
	s    *session
	acct store.Account
	char state.Character
	err  error
}

// lineEvent: a session sent a line.
type lineEvent struct {
	s    *session
	line string
	at   time.Time
}

// closeEvent: a session's connection ended.
type closeEvent struct {
	s      *session
	reason string
}

// funcEvent runs a function on the loop: how worker goroutines hand back results.
type funcEvent func(e *Engine)

func (f funcEvent) run(e *Engine) { f(e) }

// loopStats are the loop's measurements, shown by the stats command.
type loopStats struct {
	pulse    metrics.Histogram
	command  metrics.Histogram
	commands uint64
	pulses   uint64
}

// post hands ev to the loop. It reports false once the loop has stopped.
func (e *Engine) post(ev event) bool {
	select {
	case <-e.stopped():
		return false
	default:
	}
	select {
	case e.inbox <- ev:
		return true
	case <-e.stopped():
		return false
	}
}

// loop is the game loop: the only goroutine that touches the world, players and Lua.
func (e *Engine) loop(ctx context.Context) {
	defer close(e.loopDone)
	pulse := time.NewTicker(e.cfg.Pulse)
	defer pulse.Stop()
	e.lastSave = e.now()
	e.runCommands(ctx, pulse.C) // lines carried across a copyover reboot
	for ctx.Err() == nil && !e.reboot.handedOver {
		select {
		case <-ctx.Done():
		case ev := <-e.inbox:
			e.runEvent(ev)
			e.runCommands(ctx, pulse.C)
		case <-pulse.C:
			e.pulse()
			e.runCommands(ctx, pulse.C) // lines left queued by a failed reboot
		}
		e.flushOutput()
	}
	if e.reboot.handedOver {
		e.leaveAfterHandover()
		return
	}
	e.shutdown()
}

// runCommands takes one queued line from each player in turn until no line is left, so one
// player's burst never delays another's commands. New events are taken between rounds, and a
// due pulse runs between rounds too. While a reboot hands sessions over, the lines of players
// whose sessions are held stay queued: the process that serves them next runs them.
func (e *Engine) runCommands(ctx context.Context, pulse <-chan time.Time) {
	for len(e.runq) > 0 && ctx.Err() == nil && !e.reboot.handedOver {
		round := e.runq
		e.runq = nil
		for _, p := range round {
			p.inRunq = false
			if len(p.lines) == 0 || p.sess == nil || e.reboot.held[p.sess] {
				continue
			}
			l := p.lines[0]
			p.lines[0] = queuedLine{}
			p.lines = p.lines[1:]
			p.sess.queued.Add(-1)
			e.runLine(p, l)
			if len(p.lines) > 0 {
				e.schedule(p)
			} else if p.sess != nil {
				p.sess.warned.Store(false)
			}
		}
		e.flushOutput()
		e.drainInbox()
		select {
		case <-pulse:
			e.pulse()
		default:
		}
	}
}

// drainInbox runs every event already waiting, without blocking.
func (e *Engine) drainInbox() {
	for {
		select {
		case ev := <-e.inbox:
			e.runEvent(ev)
		default:
			return
		}
	}
}

func (ev lineEvent) run(e *Engine) {
	p := e.bySess[ev.s]
	if p == nil {
		if early, ok := e.loading[ev.s]; ok {
			e.loading[ev.s] = append(early, queuedLine{text: ev.line, at: ev.at})
		} else if ev.s.handedOff {
			ev.s.held = append(ev.s.held, ev.line)
			ev.s.queued.Add(-1)
		} else {
			ev.s.queued.Add(-1)
		}
		return
	}
	p.lines = append(p.lines, queuedLine{text: ev.line, at: ev.at})
	e.schedule(p)
}

// runEvent runs ev as a unit of work of its own.
func (e *Engine) runEvent(ev event) {
	e.beginUnit()
	ev.run(e)
}

// runLine runs one line for p, as a unit of work of its own, and records its latency
// (queue wait plus execution).
func (e *Engine) runLine(p *Player, l queuedLine) {
	e.beginUnit()
	p.atPrompt = false
	p.idleSince = e.now()
	if p.snoopedBy != nil && !p.hideInput {
		p.snoopedBy.Send(snooped(p.Name, "% "+markup.Escape(l.text)))
	}
	if in := p.takeAnswer(); in != nil {
		in(strings.TrimSpace(l.text)) // answers are trimmed, as at login
	} else {
		e.execute(p, l.text)
	}
	p.needPrompt = true
	p.markFlush()
	e.stats.commands++
	e.stats.command.Observe(time.Since(l.at))
}

// pulse runs timed work: due timers, link-dead expiry, and periodic saves.
func (e *Engine) pulse() {
	if e.reboot.handing {
		return // the world stands still while it is handed over
	}
	start := time.Now()
	e.stats.pulses++
	now := e.now()
	e.rebootCountdown(now)
	e.timers.runDue(now, e.beginUnit)
	e.expireLinkDead(now)
	e.saveDue(now, time.Since(start))
	e.watchSaves(now)
	e.stats.pulse.Observe(time.Since(start))
}

// expireLinkDead saves and removes characters whose connection dropped too long ago. It
// looks at every player, so it does so at most every tenth of the grace and every second.
func (e *Engine) expireLinkDead(now time.Time) {
	if now.Sub(e.lastExpiry) < min(time.Second, e.cfg.LinkDeadGrace/10) {
		return
	}
	e.lastExpiry = now
	for _, p := range e.players {
		if p.sess == nil && now.Sub(p.linkDeadAt) >= e.cfg.LinkDeadGrace {
			e.log.Info("link-dead character removed", "name", p.Name)
			e.removePlayer(p, "")
		}
	}
}

// saveDue hands snapshots of changed players to the writer goroutine, spread over pulses
// so that no pulse pays for all of them: every half SaveInterval a round begins with the
// players changed since the last round began, and each pulse of the round owes its share of
// them. A pulse that was busy (past a hundredth of the pulse before saving) leaves what it
// owes to the next ones, up to maxOwedShares. A player is saved at most one SaveInterval
// after it changed (half waiting for a round, half in it), and at once when it leaves the game.
func (e *Engine) saveDue(now time.Time, busy time.Duration) {
	if round := e.cfg.SaveInterval / 2; now.Sub(e.lastSave) >= round {
		e.lastSave = now
		e.saveSome(len(e.saving)) // what a late round did not reach
		e.saving, e.changed = e.changed, e.saving[:0]
		pulses := max(int(round/e.cfg.Pulse), 1)
		e.saveShare, e.saveOwed = (len(e.saving)+pulses-1)/pulses, 0
	}
	e.saveOwed += e.saveShare
	if busy < e.cfg.Pulse/100 || e.saveOwed >= maxOwedShares*e.saveShare {
		e.saveSome(e.saveOwed)
		e.saveOwed = 0
	}
}

// maxOwedShares bounds the shares of a save round that busy pulses leave to later ones.
const maxOwedShares = 4

// saveSome saves the next n players of the round that are still changed and here.
func (e *Engine) saveSome(n int) {
	n = min(n, len(e.saving))
	if n == 0 {
		return
	}
	batch := make([]state.Character, 0, n)
	for _, p := range e.saving[:n] {
		p.listed = false
		if p.dirty && !p.gone {
			batch = e.snapshotLinked(batch, p)
		}
	}
	clear(e.saving[:n])
	e.saving = e.saving[n:]
	if len(batch) > 0 {
		e.save(batch...)
	}
}

// shutdown tells every player, saves everyone, and closes every session.
func (e *Engine) shutdown() {
	e.log.Info("shutting down", "players", len(e.players))
	for s := range e.reboot.held { // a shutdown during a reboot: the goodbyes must be written
		s.resumeIO()
	}
	e.closeUnattached()
	for _, p := range e.players {
		p.Send("The game is shutting down. Your character has been saved. Goodbye!")
		e.removePlayer(p, "")
	}
	e.flushOutput()
}

// stopped is closed when the loop has returned.
func (e *Engine) stopped() <-chan struct{} { return e.loopDone }

// save hands snapshots to the writer goroutine. A Sim has none: its characters are not saved.
func (e *Engine) save(batch ...state.Character) {
	if e.saver != nil {
		e.saver.Save(batch...)
	}
}
