package telnet

import "strings"

// CHARSET subnegotiation codes (RFC 2066).
const (
	charsetRequest  byte = 1
	charsetAccepted byte = 2
	charsetRejected byte = 3
	charsetTTableIs byte = 4
	charsetTTableNo byte = 5 // TTABLE-REJECTED
)

// UTF8 is the name of UTF-8 in Info.Charset.
const UTF8 = "UTF-8"

// charsetState is what CHARSET negotiation has settled.
type charsetState struct {
	asked    bool   // we sent our REQUEST
	name     string // the accepted character set, normalised
	rejected bool   // the client rejected our request
}

// UTF8 reports whether the client takes UTF-8 text: it accepted UTF-8 through CHARSET, or
// it did not settle CHARSET (refused the option or never answered) and its MTTS bits say
// UTF-8 (bit 4). A client that rejected the request, or accepted another character set,
// does not take UTF-8 whatever its MTTS says.
func (i Info) UTF8() bool {
	if i.Charset != "" || i.CharsetRejected {
		return i.Charset == UTF8
	}
	return i.MTTS > 0 && i.MTTS&4 != 0
}

// requestCharset sends our REQUEST for UTF-8 once CHARSET is enabled in either direction:
// RFC 2066 gives the request to the side that sent WILL, but TinTin++, Mudlet and
// MUSHclient answer a server's request either way. The list has a leading separator, as
// the RFC requires (a client takes the first byte as the separator).
func (c *Conn) requestCharset() {
	if c.charset.asked {
		return
	}
	c.charset.asked = true
	c.pending = append(c.pending, IAC, SB, OptCharset, charsetRequest)
	c.pending = append(c.pending, ";"+UTF8...)
	c.pending = append(c.pending, IAC, SE)
}

// charsetSub handles a CHARSET subnegotiation: the answer to our request, or a request of
// the client's own, which gets UTF-8 if it lists it.
func (c *Conn) charsetSub(p []byte) {
	if len(p) == 0 || !c.opts.us[OptCharset].enabled() && !c.opts.him[OptCharset].enabled() {
		return
	}
	switch p[0] {
	case charsetAccepted:
		c.charset.name, c.charset.rejected = charsetName(string(p[1:])), false
	case charsetRejected:
		c.charset.name, c.charset.rejected = "", true
	case charsetRequest:
		reply := []byte{IAC, SB, OptCharset, charsetRejected, IAC, SE}
		if offersUTF8(string(p[1:])) {
			c.charset.name, c.charset.rejected = UTF8, false
			reply = append([]byte{IAC, SB, OptCharset, charsetAccepted}, UTF8+"\xff\xf0"...)
		}
		c.unsolicited(reply)
	case charsetTTableIs:
		c.unsolicited([]byte{IAC, SB, OptCharset, charsetTTableNo, IAC, SE})
	}
}

// charsetName normalises the name in an ACCEPTED reply. Clients differ in case, in
// "UTF8" for "UTF-8", and some repeat the separator of the request.
func charsetName(s string) string {
	name := strings.Trim(termName([]byte(s)), ";,: ")
	if strings.EqualFold(name, "UTF-8") || strings.EqualFold(name, "UTF8") {
		return UTF8
	}
	return strings.ToUpper(name)
}

// offersUTF8 reports whether a REQUEST payload lists UTF-8. The list starts with its
// separator, after an optional "[TTABLE]" and version byte.
func offersUTF8(s string) bool {
	if rest, ok := strings.CutPrefix(s, "[TTABLE]"); ok && len(rest) > 0 {
		s = rest[1:]
	}
	if len(s) < 2 {
		return false
	}
	for name := range strings.SplitSeq(s[1:], s[:1]) {
		if charsetName(name) == UTF8 {
			return true
		}
	}
	return false
}
