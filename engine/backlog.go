package engine

import "time"

// outputOverhead is what a batch in a backlog counts for besides its text: the Output itself
// and its share of the slice.
const outputOverhead = 96

// deliver queues o for s from the loop. When s's queue is full, o waits in the session's
// backlog, behind what waits there already, until drainBacklogs moves it on. It reports
// false when s is closed or its backlog is over Config.OutputBacklog or has not moved for
// Config.OutputStall: the caller then cuts the client off.
func (e *Engine) deliver(s *session, o Output) bool {
	if s.closed() {
		return false
	}
	if len(s.backlog) == 0 {
		if s.trySend(o) {
			return true
		}
		s.movedAt = e.now()
		if e.backlogged == nil {
			e.backlogged = make(map[*session]struct{})
		}
		e.backlogged[s] = struct{}{}
	}
	s.addBacklog(o)
	return !e.overBacklog(s, e.now())
}

func (e *Engine) overBacklog(s *session, now time.Time) bool {
	return s.backlogBytes > e.cfg.OutputBacklog || now.Sub(s.movedAt) > e.cfg.OutputStall
}

// addBacklog appends o to s's backlog, merged into the last batch when that loses nothing:
// the last batch ends with no prompt, echo change or close, and both are rendered alike.
func (s *session) addBacklog(o Output) {
	s.backlogBytes += len(o.Text) + len(o.Prompt) + outputOverhead
	if n := len(s.backlog); n > 0 {
		last := &s.backlog[n-1]
		if last.Prompt == "" && !last.Hide && !last.Close && !o.Show && last.Verbatim == o.Verbatim &&
			last.after == nil && o.after == nil {
			for _, m := range o.OOB {
				m.At = min(max(m.At, 0), len(o.Text)) + len(last.Text)
				last.OOB = append(last.OOB, m)
			}
			if o.kept.look != nil && last.kept.look == nil {
				last.kept = o.kept
				last.kept.at += len(last.Text)
			}
			last.Text += o.Text
			last.Prompt, last.Hide, last.Close = o.Prompt, o.Hide, o.Close
			s.backlogBytes -= outputOverhead
			return
		}
	}
	s.backlog = append(s.backlog, o)
	s.backlogLen.Store(int32(len(s.backlog)))
}

// drainBacklogs moves waiting output into the queues that have room, and cuts off the
// clients whose backlog has not moved for Config.OutputStall. It runs on the loop before
// every flush.
func (e *Engine) drainBacklogs() {
	now := e.now()
	for s := range e.backlogged {
		moved := 0
		for moved < len(s.backlog) && s.trySend(s.backlog[moved]) {
			o := &s.backlog[moved]
			s.backlogBytes -= len(o.Text) + len(o.Prompt) + outputOverhead
			moved++
		}
		if moved > 0 {
			clear(s.backlog[:moved])
			s.backlog = s.backlog[moved:]
			s.backlogLen.Store(int32(len(s.backlog)))
			s.movedAt = now
		}
		switch {
		case len(s.backlog) == 0 || s.closed():
			s.dropBacklog()
			delete(e.backlogged, s)
		case e.overBacklog(s, now):
			e.cutOff(s)
		}
	}
}

// cutOff disconnects a client that cannot keep up with its output. The character stays in
// the world, link-dead; a console is detached.
func (e *Engine) cutOff(s *session) {
	if s.console { // not a character: nothing to leave link-dead
		s.dropBacklog()
		delete(e.backlogged, s)
		e.dropConsole(s)
		return
	}
	p := e.bySess[s]
	name := ""
	if p != nil {
		name = p.Name
	}
	e.log.Warn("output backlog over its limit; disconnecting slow client", "name", name,
		"session", s.id, "addr", s.addr, "bytes", s.backlogBytes, "stalled", e.now().Sub(s.movedAt))
	s.dropBacklog()
	delete(e.backlogged, s)
	if p != nil {
		e.linkDead(p)
	}
	s.close()
}

// tell queues o for s from the loop, behind any backlog; a client over its backlog's bounds
// is cut off.
func (e *Engine) tell(s *session, o Output) {
	if !e.deliver(s, o) && !s.closed() {
		e.cutOff(s)
	}
}

func (s *session) dropBacklog() {
	s.backlog, s.backlogBytes = nil, 0
	s.backlogLen.Store(0)
}
