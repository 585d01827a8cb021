package telnet

import (
	"strconv"
	"strings"
)

const (
	maxUnsolicited = 64 // refusals and AYT answers per connection
	maxTTypes      = 6  // terminal types recorded, and TTYPE SEND requests
	maxTTypeLen    = 40 // bytes of one terminal type (RFC 1091)
)

// options is the RFC 1143 state of every option on both sides.
type options struct {
	us, him [256]qopt
}

// The methods below run with c.mu held. They queue what they send in
// c.pending; the caller flushes.

// askUs asks to enable (WILL) or disable (WONT) one of our options.
func (c *Conn) askUs(opt byte, enable bool) {
	q := &c.opts.us[opt]
	switch {
	case enable && q.askEnable():
		c.pending = append(c.pending, IAC, WILL, opt)
	case !enable && q.askDisable():
		c.pending = append(c.pending, IAC, WONT, opt)
	}
}

// askHim asks the client to enable one of its options (DO).
func (c *Conn) askHim(opt byte) {
	if c.opts.him[opt].askEnable() {
		c.pending = append(c.pending, IAC, DO, opt)
	}
}

// negotiate handles a received WILL, WONT, DO or DONT. We accept EOR and SGA
// for us (ECHO and CHARSET only when we asked), TTYPE, NAWS and CHARSET for the client.
func (c *Conn) negotiate(cmd, opt byte) {
	q, yes, no := &c.opts.him[opt], DO, DONT
	if cmd == DO || cmd == DONT {
		q, yes, no = &c.opts.us[opt], WILL, WONT
	}
	wasOn := q.enabled()
	var a answer
	if cmd == WILL || cmd == DO {
		a = q.recvEnable(c.supported(cmd, opt))
	} else {
		a = q.recvDisable()
	}
	if cmd == DONT && wasOn && !q.enabled() {
		c.usDisabled(opt) // before the WONT: MCCP2 ends before it
	}
	switch a {
	case answerEnable:
		c.pending = append(c.pending, IAC, yes, opt)
	case answerDisable:
		c.pending = append(c.pending, IAC, no, opt)
	case answerRefuse:
		c.unsolicited([]byte{IAC, no, opt})
	}
	if cmd == WILL && opt == OptTType && !wasOn && q.enabled() && len(c.types) == 0 {
		c.requestTType()
	}
	if cmd == DO && !wasOn && q.enabled() {
		c.usEnabled(opt)
	}
	if opt == OptCharset && !wasOn && q.enabled() {
		c.requestCharset()
	}
}

// supported reports whether an unsolicited WILL or DO for opt is accepted.
func (c *Conn) supported(cmd, opt byte) bool {
	if cmd == DO {
		return opt == OptEOR || opt == OptSGA || c.oobSupported(opt)
	}
	return opt == OptTType || opt == OptNAWS || opt == OptCharset
}

// unsolicited queues a reply that the client can provoke at will (a refusal,
// an AYT answer), up to a budget per connection.
func (c *Conn) unsolicited(p []byte) {
	if c.budget == 0 {
		return
	}
	c.budget--
	if c.budget == 0 {
		c.warn("telnet: too many requests to refuse, ignoring them from now on")
	}
	c.pending = append(c.pending, p...)
}

// subnegotiation handles a received subnegotiation. NAWS is accepted even
// before or without WILL NAWS. GMCP and MSDP messages are returned for
// Config.OnMessage.
func (c *Conn) subnegotiation(opt byte, p []byte) (msg Message, ok bool) {
	switch {
	case opt == OptGMCP || opt == OptMSDP:
		return c.oobMessage(opt, p)
	case opt == OptMCCP3 && len(p) == 0:
		c.startInflate()
	case opt == OptNAWS && len(p) == 4:
		c.windowSize(int(p[0])<<8|int(p[1]), int(p[2])<<8|int(p[3]))
	case opt == OptTType && len(p) > 0 && p[0] == ttypeIs:
		c.terminalType(p[1:])
	case opt == OptCharset:
		c.charsetSub(p)
	}
	return Message{}, false
}

// windowSize records a NAWS report; 0 means unknown and keeps the last value.
func (c *Conn) windowSize(w, h int) {
	if w != 0 {
		c.width = min(max(w, 20), 500)
	}
	if h != 0 {
		c.height = min(max(h, 5), 500)
	}
}

// requestTType sends TTYPE SEND, only while the client's TTYPE is enabled.
func (c *Conn) requestTType() {
	if c.opts.him[OptTType].enabled() {
		c.pending = append(c.pending, IAC, SB, OptTType, ttypeSend, IAC, SE)
	}
}

// terminalType records a TTYPE IS reply and asks for the next one, until a
// value repeats the previous one or the first, or maxTTypes were recorded.
func (c *Conn) terminalType(raw []byte) {
	if c.ttDone {
		return
	}
	name, n := termName(raw), len(c.types)
	if name == "" || n > 0 && (strings.EqualFold(name, c.types[n-1]) || strings.EqualFold(name, c.types[0])) {
		c.ttDone = true
		return
	}
	c.types = append(c.types, name)
	if bits, ok := parseMTTS(name); ok {
		c.mtts = bits
	}
	c.ttDone = len(c.types) == maxTTypes
	if !c.ttDone {
		c.requestTType()
	}
}

// termName turns a TTYPE IS value into a terminal type name: printable ASCII,
// at most maxTTypeLen bytes.
func termName(p []byte) string {
	var buf [maxTTypeLen]byte
	name := buf[:0]
	for _, b := range p[:min(len(p), maxTTypeLen)] {
		if b >= 0x20 && b < 0x7f {
			name = append(name, b)
		}
	}
	return strings.TrimSpace(string(name))
}

// parseMTTS parses "MTTS <bits>". Values that do not fit in 31 bits are
// rejected.
func parseMTTS(s string) (int, bool) {
	if len(s) < 6 || !strings.EqualFold(s[:5], "MTTS ") {
		return 0, false
	}
	for _, r := range s[5:] {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	bits, err := strconv.ParseInt(s[5:], 10, 32)
	return int(bits), err == nil
}
