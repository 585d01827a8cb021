package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
)

// cmdPassword changes the player's password. The checks and the hashing run on a worker
// goroutine; the loop only asks the questions and reports the result.
func cmdPassword(c *Context) {
	p, e := c.Player, c.Engine
	p.ask("Current password: ", true, func(old string) {
		e.work(func() {
			acct, err := e.store.Account(context.Background(), p.Name)
			ok := err == nil && e.checkPassword(acct.PasswordHash, old)
			e.post(funcEvent(func(e *Engine) { passwordChecked(e, p, ok) }))
		})
	})
}

// passwordChecked goes on once the current password was checked. Wrong guesses count as
// failed logins: past the limit the name is locked and the player disconnected.
func passwordChecked(e *Engine, p *Player, ok bool) {
	if e.players[state.Key(p.Name)] != p || !p.Online() {
		return
	}
	if ok {
		p.pwFailures = 0
		askNewPassword(e, p)
		return
	}
	if p.pwFailures++; p.pwFailures >= e.cfg.MaxLoginFailures {
		e.log.Warn("name locked after wrong passwords in game", "name", p.Name, "addr", p.Addr())
		e.lockout.lock(state.Key(p.Name), time.Now().Add(e.cfg.LockoutDuration))
		e.removePlayer(p, "Too many wrong passwords. Goodbye.")
		return
	}
	p.Send("That is not your password.")
}

func askNewPassword(e *Engine, p *Player) {
	p.ask("New password: ", true, func(pw string) {
		if msg := passwordProblem(pw); msg != "" {
			p.Send(msg + " Password not changed.")
			return
		}
		p.ask("Type it again: ", true, func(again string) {
			if again != pw {
				p.Send("The passwords don't match. Password not changed.")
				return
			}
			e.work(func() {
				hash, err := e.hashPassword(pw)
				if err == nil {
					err = e.store.SetPassword(context.Background(), p.Name, hash)
				}
				e.post(funcEvent(func(e *Engine) {
					if err != nil {
						e.log.Error("password change failed", "name", p.Name, "err", err)
						p.Send("Your password could not be changed. Please try again later.")
						return
					}
					e.log.Info("password changed", "name", p.Name)
					p.Send("Password changed.")
				}))
			})
		})
	})
}

func cmdStats(c *Context) {
	e := c.Engine
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	online, linkDead := 0, 0
	for _, p := range e.players {
		if p.Online() {
			online++
		} else {
			linkDead++
		}
	}
	var ws store.WriterStats
	if e.saver != nil {
		ws = e.saver.Stats()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Uptime %s, %d pulses, %d commands.\n", time.Since(e.started).Round(time.Second), e.stats.pulses, e.stats.commands)
	fmt.Fprintf(&b, "Pulse:   %s\n", e.stats.pulse.Summary())
	fmt.Fprintf(&b, "Command: %s\n", e.stats.command.Summary())
	fmt.Fprintf(&b, "Players: %d online, %d link-dead. Things: %d. Timers: %d.\n", online, linkDead, e.world.Count(), e.timers.Len())
	fmt.Fprintf(&b, "Memory: %d MiB heap, %d MiB from the OS, %d GCs. Goroutines: %d.\n",
		m.HeapAlloc>>20, m.Sys>>20, m.NumGC, runtime.NumGoroutine())
	fmt.Fprintf(&b, "Saves: %d pending, %d batches written, last took %s, %d errors.",
		ws.Pending+ws.InFlight, ws.Batches, ws.LastBatch.Round(time.Microsecond), ws.Errors)
	c.Send(b.String())
}
