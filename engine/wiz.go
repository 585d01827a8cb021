package engine

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/metrics"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/telnet"
)

// applyAction carries out a staff action on p, a player of this process. It is the local half of
// Router.Act: whatever the action changes is p's own state.
func (e *Engine) applyAction(p *Player, a Action) error {
	if a.Kind != ActSetRole && p.Role >= a.ByRole {
		return ErrNotPermitted
	}
	switch a.Kind {
	case ActForce:
		if !p.Online() {
			return ErrLinkDead
		}
		p.Sendf("%s forces you to: %s", mudCap(a.By), a.Line)
		c := &Context{Engine: e, Player: p, Role: p.Role, Line: a.Line, depth: a.Depth, by: a.By}
		if c.depth > maxDepth {
			return fmt.Errorf("commands nested too deeply")
		}
		e.dispatch(c)
		return c.err
	case ActKick:
		msg := fmt.Sprintf("You have been kicked out of the game by %s.", mudCap(a.By))
		if a.Reason != "" {
			msg += " Reason: " + a.Reason
		}
		e.log.Info("kicked", "name", p.Name, "by", a.By, "reason", a.Reason)
		e.removePlayer(p, msg)
	case ActFreeze, ActThaw:
		p.frozen = a.Kind == ActFreeze
		p.touch()
		if p.frozen {
			p.Send("You are frozen solid! You can do nothing but quit until a wizard thaws you.")
		} else {
			p.Send("You thaw out. You can move again.")
		}
	case ActTransfer:
		to := e.world.Rooms[a.Room]
		if to == nil {
			return fmt.Errorf("no room %q", a.Room)
		}
		e.teleport(p, to, fmt.Sprintf("%s is summoned away.", mudCap(p.Name)))
		p.Sendf("%s has summoned you.", mudCap(a.By))
		e.look(p)
	case ActSetRole:
		if p.Role != a.Role {
			p.Role = a.Role
			e.checkSnoops(p)
			p.Sendf("%s made you %s %s.", mudCap(a.By), article(a.Role.String()), a.Role)
		}
	default:
		return fmt.Errorf("unknown action %d", a.Kind)
	}
	return nil
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// teleport moves p to room to through the router, telling the room left and the room entered.
func (e *Engine) teleport(p *Player, to *world.Room, leaving string) {
	if from := p.Thing.Room; from != nil {
		e.tellRoom(from, p.Thing, leaving)
	}
	if err := e.router.Enter(p.Thing, to); err != nil {
		p.Sendf("You could not get there: %v.", err)
		return
	}
	e.tellRoom(to, p.Thing, mudCap(p.Name)+" appears in a flash.")
}

// whoEntry describes p as Router.Who and Locate report it.
func (p *Player) whoEntry(now time.Time) WhoEntry {
	w := WhoEntry{Name: p.Name, Role: p.Role, Idle: p.Idle(now), LinkDead: !p.Online(), Frozen: p.frozen}
	if r := p.Thing.OuterRoom(); r != nil {
		w.Room = r.Key
		w.Zone = r.Zone.Name
	}
	if s := p.sess; s != nil {
		w.Addr = s.addr
		if s.conn != nil { // a headless game's sessions have no connection
			info := s.conn.Info()
			w.Client = info.ClientName
			w.Protocols = protocols(s.tcp, info)
		}
	}
	return w
}

// protocols lists what a connection speaks: plain TCP lines, or telnet and the options
// the client agreed to.
func protocols(raw bool, info telnet.Info) []string {
	if raw {
		return []string{"tcp"}
	}
	out := []string{"telnet"}
	if info.Width > 0 {
		out = append(out, "NAWS")
	}
	if len(info.TerminalTypes) > 0 {
		out = append(out, "TTYPE")
	}
	if info.MTTS >= 0 {
		out = append(out, "MTTS")
	}
	if info.EOR {
		out = append(out, "EOR")
	}
	if info.SGA {
		out = append(out, "SGA")
	}
	if info.Echoing {
		out = append(out, "ECHO")
	}
	return out
}

// snooped prefixes every line of a snooped player's text for the admin who watches.
func snooped(name, text string) string {
	text = strings.TrimRight(text, "\n")
	return "[" + name + "] " + strings.ReplaceAll(text, "\n", "\n["+name+"] ")
}

// endSnoops ends the snoop p makes and the one made on p.
func (e *Engine) endSnoops(p *Player) {
	if t := p.snooping; t != nil {
		t.snoopedBy, p.snooping = nil, nil
	}
	if s := p.snoopedBy; s != nil {
		s.snooping, p.snoopedBy = nil, nil
		s.Sendf("Your snoop on %s ends: they left.", p.Name)
	}
}

// checkSnoops ends the snoops that p's new role no longer allows: p's own, unless p is still
// an admin above the snooped player, and the one on p, unless p is still below the snooper.
func (e *Engine) checkSnoops(p *Player) {
	if t := p.snooping; t != nil && (p.Role < RoleAdmin || p.Role <= t.Role) {
		t.snoopedBy, p.snooping = nil, nil
		p.Sendf("Your snoop on %s ends: your role no longer allows it.", t.Name)
	}
	if s := p.snoopedBy; s != nil && p.Role >= s.Role {
		s.snooping, p.snoopedBy = nil, nil
		s.Sendf("Your snoop on %s ends: their role is now as high as yours.", p.Name)
	}
}

// Stats is a snapshot of the engine's measurements, as the stats command shows them.
type Stats struct {
	Started    time.Time
	Uptime     time.Duration
	Pulses     uint64
	Commands   uint64
	Pulse      metrics.Histogram // duration of each pulse
	Command    metrics.Histogram // latency of each command: queue wait plus execution
	Online     int
	LinkDead   int
	Sessions   int // open connections, including those still logging in
	Things     int
	Timers     int
	HeapBytes  uint64
	SysBytes   uint64
	NumGC      uint32
	Goroutines int
	Saves      store.WriterStats
	Bans       int
}

// Stats measures the engine. It must be called on the game loop (from a command, say).
func (e *Engine) Stats() Stats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	st := Stats{Started: e.started, Uptime: time.Since(e.started), Pulses: e.stats.pulses,
		Commands: e.stats.commands, Pulse: e.stats.pulse, Command: e.stats.command,
		Things: e.world.Count(), Timers: e.timers.Len(), HeapBytes: m.HeapAlloc, SysBytes: m.Sys,
		NumGC: m.NumGC, Goroutines: runtime.NumGoroutine(), Bans: len(e.bans.Load().active(e.now()))}
	if e.saver != nil {
		st.Saves = e.saver.Stats()
	}
	for _, p := range e.players {
		if p.Online() {
			st.Online++
		} else {
			st.LinkDead++
		}
	}
	e.live.mu.Lock()
	st.Sessions = len(e.live.m)
	e.live.mu.Unlock()
	return st
}
