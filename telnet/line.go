package telnet

import (
	"strings"
	"unicode/utf8"
)

// DefaultMaxLine is the input line limit when Config.MaxLine is 0.
const DefaultMaxLine = 4096

// lineBuf assembles input lines from text bytes. CR LF, CR NUL, LF and CR
// each end one line: a CR ends the line at once and the LF or NUL right after
// it, even in a later call, is dropped. DEL and BS erase the last character,
// tab becomes a space, NUL, ESC and other C0 controls are dropped.
type lineBuf struct {
	buf     []byte
	max     int
	tooLong bool // the current line passed max and is being discarded
	afterCR bool // the previous byte was a CR that ended a line
}

// add consumes p up to and including the first line end and reports whether
// a line ended.
func (l *lineBuf) add(p []byte) (n int, done bool) {
	if l.afterCR && len(p) > 0 {
		l.afterCR = false
		if p[0] == '\n' || p[0] == 0 {
			n = 1
		}
	}
	for n < len(p) {
		if plain := plainLen(p[n:]); plain > 0 {
			l.put(p[n : n+plain])
			n += plain
			continue
		}
		b := p[n]
		n++
		switch b {
		case '\r':
			l.afterCR = true
			return n, true
		case '\n':
			return n, true
		case 0x7f, '\b':
			l.erase()
		case '\t':
			l.put([]byte{' '})
		}
	}
	return n, false
}

// plainLen returns the length of the leading run of p that is stored as is:
// every byte but C0 controls and DEL.
func plainLen(p []byte) int {
	for i, b := range p {
		if b < 0x20 || b == 0x7f {
			return i
		}
	}
	return len(p)
}

// put appends text to the line, or starts discarding the line once it
// passes max.
func (l *lineBuf) put(p []byte) {
	switch {
	case l.tooLong:
	case len(l.buf)+len(p) > l.max:
		l.tooLong, l.buf = true, l.buf[:0]
	default:
		l.buf = append(l.buf, p...)
	}
}

// erase removes the last character (UTF-8 sequence, or byte) of the line.
func (l *lineBuf) erase() {
	_, size := utf8.DecodeLastRune(l.buf)
	l.buf = l.buf[:len(l.buf)-size]
}

// discard drops the current line.
func (l *lineBuf) discard() {
	l.buf, l.tooLong = l.buf[:0], false
}

// pending reports whether a line has been started.
func (l *lineBuf) pending() bool {
	return len(l.buf) > 0 || l.tooLong
}

// take returns the finished line and starts a new one.
func (l *lineBuf) take() (string, error) {
	defer l.discard()
	if l.tooLong {
		return "", ErrLineTooLong
	}
	return cleanText(l.buf), nil
}

// cleanText returns p as valid UTF-8: each invalid byte becomes U+FFFD and
// C1 control characters (U+0080 to U+009F, which terminals may take as the
// start of an escape sequence) are dropped.
func cleanText(p []byte) string {
	i := 0
	for i < len(p) && p[i] < utf8.RuneSelf {
		i++
	}
	if i == len(p) {
		return string(p)
	}
	var sb strings.Builder
	sb.Grow(len(p) + 8)
	sb.Write(p[:i])
	for i < len(p) {
		r, size := utf8.DecodeRune(p[i:])
		if r < 0x80 || r > 0x9f {
			sb.WriteRune(r) // an invalid byte decodes as U+FFFD
		}
		i += size
	}
	return sb.String()
}
