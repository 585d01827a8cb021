package telnet

import (
	"strings"
	"time"
)

// Write writes p, which must already be encoded (see [Conn.AppendText]),
// after any pending negotiation replies. Each socket write has the
// Config.WriteTimeout deadline. After a failed write, every later write
// returns the same error: the client may have been left inside a command.
func (c *Conn) Write(p []byte) (int, error) {
	return c.flush(p)
}

// flush writes the pending negotiation bytes, then p, under the write lock,
// and returns how much of p it wrote. MCCP2 starts and stops where the
// negotiation put its marks; compressed output is flushed (Z_SYNC_FLUSH) once
// at the end, so one call is one burst for the client.
func (c *Conn) flush(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	c.wbuf, c.pending = c.pending, c.wbuf[:0]
	c.wmarks, c.marks = append(c.wmarks[:0], c.marks...), c.marks[:0]
	c.mu.Unlock()
	prev := 0
	for _, m := range c.wmarks {
		c.send(c.wbuf[prev:m.at])
		prev = m.at
		c.switchCompress(m.start)
	}
	c.send(c.wbuf[prev:])
	c.send(p)
	if err := c.sync(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flushReplies writes pending negotiation replies, if there are any. Reading never waits for
// the write lock otherwise: a writer blocked on a client that does not read must not stop
// that client's input from being read.
func (c *Conn) flushReplies() error {
	c.mu.Lock()
	idle := len(c.pending) == 0 && len(c.marks) == 0
	c.mu.Unlock()
	if idle {
		return nil
	}
	_, err := c.flush(nil)
	return err
}

// write writes p to the socket with the write deadline. The caller holds wmu.
// After a failed write the stream may end inside a command, so every later
// write fails with the same error.
func (c *Conn) write(p []byte) (int, error) {
	if c.werr != nil || len(p) == 0 {
		return 0, c.werr
	}
	var n int
	c.werr = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
	if c.werr == nil {
		n, c.werr = c.nc.Write(p)
	}
	return n, c.werr
}

// AppendText appends s encoded for the wire to dst and returns the result.
// Line ends become CR LF: "\n" and "\r\n" give "\r\n". In telnet mode a lone
// "\r" gives "\r\x00" and 0xFF is doubled. In raw mode a lone "\r" is kept.
// Each call encodes a whole string: a "\r" at the end of s is a lone CR.
func (c *Conn) AppendText(dst []byte, s string) []byte {
	// Find each byte to escape with IndexByte, which is much faster than a loop over
	// the bytes: text has a "\n" every line, and rarely a CR or an IAC (never in UTF-8).
	cr, iac := strings.IndexByte(s, '\r'), strings.IndexByte(s, IAC)
	for {
		i := strings.IndexByte(s, '\n')
		if cr >= 0 && (i < 0 || cr < i) {
			i = cr
		}
		if iac >= 0 && (i < 0 || iac < i) {
			i = iac
		}
		if i < 0 {
			return append(dst, s...)
		}
		esc := c.escape(s[i:])
		dst = append(dst, s[:i]...)
		dst = append(dst, esc...)
		n := i + 1
		if esc == "\r\n" && s[i] == '\r' {
			n++
		}
		s = s[n:]
		cr, iac = nextIndex(s, '\r', cr, n), nextIndex(s, IAC, iac, n)
	}
}

// nextIndex returns the index of the next b in s, which was advanced by n bytes: at was the
// index of the next b before (-1 for none).
func nextIndex(s string, b byte, at, n int) int {
	switch {
	case at < 0:
		return -1
	case at >= n:
		return at - n
	}
	return strings.IndexByte(s, b)
}

// escape returns the wire form of the LF, CR or IAC that starts s.
func (c *Conn) escape(s string) string {
	switch {
	case s[0] == '\n', len(s) > 1 && s[1] == '\n' && s[0] == '\r':
		return "\r\n"
	case c.cfg.Raw:
		return s[:1]
	case s[0] == '\r':
		return "\r\x00"
	}
	return "\xff\xff"
}

// AppendPromptEnd appends the mark that ends a prompt: IAC EOR if the client
// agreed to EOR, else IAC GA unless it asked to suppress go ahead. It appends
// nothing in raw mode.
func (c *Conn) AppendPromptEnd(dst []byte) []byte {
	if c.cfg.Raw {
		return dst
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.opts.us[OptEOR].enabled():
		return append(dst, IAC, EOR)
	case !c.opts.us[OptSGA].enabled():
		return append(dst, IAC, GA)
	}
	return dst
}
