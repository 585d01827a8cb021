package telnet

// ReadLine returns the next input line, without its line end, as valid UTF-8
// with control characters removed. It handles the telnet negotiation that
// arrives before the line and writes the replies.
//
// For a line longer than Config.MaxLine it returns ErrLineTooLong; the
// connection stays usable. At the end of the input it returns an unfinished
// last line, if any, and then io.EOF or the read error. When a read deadline
// passes it returns an error matching os.ErrDeadlineExceeded and keeps the
// unfinished line: a later call goes on where this one stopped.
func (c *Conn) ReadLine() (string, error) {
	for {
		if len(c.data) > 0 {
			n, done := c.line.add(c.data)
			c.data = c.data[n:]
			if done {
				return c.finishLine()
			}
			continue
		}
		if len(c.in) == 0 {
			if err := c.fill(); err != nil {
				if c.line.pending() && !isTimeout(err) {
					return c.line.take()
				}
				return "", err
			}
			continue
		}
		if c.cfg.Raw {
			c.data, c.in = c.in, nil
			continue
		}
		n, ev := c.dec.Next(c.in)
		c.in = c.in[n:]
		c.handle(ev)
	}
}

// finishLine takes the line and writes any pending negotiation replies.
func (c *Conn) finishLine() (string, error) {
	line, err := c.line.take()
	if ferr := c.flushReplies(); ferr != nil {
		return "", ferr
	}
	return line, err
}

// fill writes pending replies and then reads more input. A read error is kept
// and returned again by later calls, except a passed read deadline: after one,
// the connection is still usable and the line being typed is kept.
func (c *Conn) fill() error {
	if c.rerr != nil {
		return c.rerr
	}
	if err := c.flushReplies(); err != nil {
		return err
	}
	var n int
	var err error
	if c.inz.src != nil {
		n, err = c.inflateRead(c.rbuf)
	} else {
		n, err = c.nc.Read(c.rbuf)
	}
	c.in = c.rbuf[:n]
	if err != nil && !isTimeout(err) {
		c.rerr = err
	}
	if n > 0 {
		return nil
	}
	return err
}

// handle acts on one decoded event.
func (c *Conn) handle(ev Event) {
	switch ev.Kind {
	case EventData:
		c.data = ev.Data
	case EventCommand:
		c.command(ev.Cmd)
	case EventOption:
		c.mu.Lock()
		c.negotiate(ev.Cmd, ev.Option)
		c.mu.Unlock()
	case EventSub:
		c.mu.Lock()
		msg, ok := c.subnegotiation(ev.Option, ev.Data)
		inflate := c.inflate
		c.mu.Unlock()
		if inflate && !c.inz.on {
			c.inz.start(c.in, c.nc)
			c.in = nil
		}
		if ok && c.cfg.OnMessage != nil {
			c.cfg.OnMessage(msg)
		}
	case EventSubTooLong:
		c.warn("telnet: subnegotiation too long, dropped", "option", ev.Option, "limit", c.cfg.MaxSub)
	}
}

// command acts on a command other than negotiation: IP, BRK and EL discard
// the line being typed, EC erases a character, AYT gets an answer. Others
// (NOP, DM, GA, EOR, a stray SE, unknown bytes) are ignored.
func (c *Conn) command(cmd byte) {
	switch cmd {
	case IP, BRK, EL:
		c.line.discard()
	case EC:
		c.line.erase()
	case AYT:
		c.mu.Lock()
		c.unsolicited([]byte("[Yes]\r\n"))
		c.mu.Unlock()
	}
}

// warn logs to Config.Logger, if set.
func (c *Conn) warn(msg string, args ...any) {
	if c.cfg.Logger != nil {
		c.cfg.Logger.Warn(msg, args...)
	}
}
