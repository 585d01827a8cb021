package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/metrics"
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/markup"
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
	st := c.Engine.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "Uptime %s (since %s), %d pulses, %d commands.\n", st.Uptime.Round(time.Second),
		st.Started.UTC().Format("2006-01-02 15:04:05 UTC"), st.Pulses, st.Commands)
	fmt.Fprintf(&b, "Pulse:   %s\n", st.Pulse.Summary())
	writeHistogram(&b, &st.Pulse)
	fmt.Fprintf(&b, "Command: %s\n", st.Command.Summary())
	writeHistogram(&b, &st.Command)
	fmt.Fprintf(&b, "Players: %d online, %d link-dead; %d connection(s). Things: %d. Timers: %d. Bans: %d.\n",
		st.Online, st.LinkDead, st.Sessions, st.Things, st.Timers, st.Bans)
	fmt.Fprintf(&b, "Memory: %d MiB heap, %d MiB from the OS, %d GCs. Goroutines: %d.\n",
		st.HeapBytes>>20, st.SysBytes>>20, st.NumGC, st.Goroutines)
	ws := st.Saves
	fmt.Fprintf(&b, "Saves: %d pending, %d batches written, last took %s, %d errors.",
		ws.Pending+ws.InFlight, ws.Batches, ws.LastBatch.Round(time.Microsecond), ws.Errors)
	if ws.Failures > 0 {
		fmt.Fprintf(&b, "\nSaving is failing: %d attempts in a row since %s: %v", ws.Failures,
			ws.FailedAt.UTC().Format("15:04:05 UTC"), markup.Escape(fmt.Sprint(ws.LastError)))
	}
	c.Send(b.String())
}

// writeHistogram draws a histogram's buckets as bars, 30 characters for the fullest.
func writeHistogram(b *strings.Builder, h *metrics.Histogram) {
	buckets := h.Buckets()
	var most uint64
	for _, k := range buckets {
		most = max(most, k.Count)
	}
	for _, k := range buckets {
		le := "  > 50s"
		if k.Le > 0 {
			le = fmt.Sprintf("≤%6s", k.Le)
		}
		bar := int(k.Count * 30 / most)
		fmt.Fprintf(b, "  %s %-30s %d\n", le, strings.Repeat("#", max(bar, 1)), k.Count)
	}
}
