package engine

import (
	"fmt"
	"strings"

	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// Text the engine sends is markup (package markup). Each session renders it in its writer
// goroutine for what its client shows: the colour level the player chose with the color
// command, else the one its client reports, and UTF-8 or ASCII as CHARSET (or MTTS) says.
// Players may use colour tags in what they type (say, tell, emote...): the renderer drops
// every control character, so typed text can colour itself but never send escape
// sequences, and a colour ends with its line.

// renderer returns how s's client gets text: info is what the client reported.
func (s *session) renderer(info telnet.Info) markup.Renderer {
	pref := s.color.Load()
	lvl := markup.Level(pref - 1)
	if pref == 0 {
		lvl = clientLevel(info, s.tcp)
	}
	return markup.Renderer{Level: lvl, ASCII: !s.utf8(info)}
}

// utf8 reports whether s's client gets UTF-8: the player's choice, else UTF-8 for plain TCP
// and what CHARSET (or MTTS) said for telnet.
func (s *session) utf8(info telnet.Info) bool {
	switch s.charset.Load() {
	case charsetUTF8:
		return true
	case charsetASCII:
		return false
	}
	return s.tcp || info.UTF8()
}

// Values of session.charset: the player's choice of character set.
const (
	charsetAuto int32 = iota
	charsetUTF8
	charsetASCII
)

// setCharset records a player's character set choice for the writer: "utf-8", "ascii" or
// "" (automatic).
func (s *session) setCharset(pref string) {
	v := charsetAuto
	switch pref {
	case "utf-8":
		v = charsetUTF8
	case "ascii":
		v = charsetASCII
	}
	s.charset.Store(v)
}

// setColor records a player's colour preference for the writer: "" is automatic.
func (s *session) setColor(pref string) {
	v := int32(0)
	if lvl, ok := markup.ParseLevel(pref); ok {
		v = int32(lvl) + 1
	}
	s.color.Store(v)
}

// clientLevel is the colour level of a client. Plain TCP clients get no colour. Telnet
// clients are judged by their MTTS bits (256 truecolor, 8 xterm-256, 1 ANSI) or, lacking
// MTTS, by the best of their terminal type names; a client that reports neither gets 16
// colours, which every telnet MUD client shows. The session writer asks for every batch, so
// it builds no text.
func clientLevel(info telnet.Info, tcp bool) markup.Level {
	switch {
	case tcp:
		return markup.None
	case info.MTTS >= 0:
		return mttsLevel(info.MTTS)
	}
	if lvl, from := typeLevel(info.TerminalTypes); from != "" {
		return lvl
	}
	return markup.ANSI16
}

func mttsLevel(mtts int) markup.Level {
	switch {
	case mtts&256 != 0:
		return markup.TrueColor
	case mtts&8 != 0:
		return markup.Xterm256
	case mtts&1 != 0:
		return markup.ANSI16
	}
	return markup.None
}

// detectLevel is clientLevel with the reason, for the player who asks.
func detectLevel(info telnet.Info, tcp bool) (markup.Level, string) {
	lvl := clientLevel(info, tcp)
	switch {
	case tcp:
		return lvl, "plain TCP connection"
	case info.MTTS >= 0:
		return lvl, fmt.Sprintf("your client reports MTTS %d", info.MTTS)
	}
	if _, from := typeLevel(info.TerminalTypes); from != "" {
		return lvl, "your terminal type is " + from
	}
	return lvl, "the telnet default"
}

// typeLevel is the best colour level that terminal type names imply, and the name that
// implies it ("" if none is known).
func typeLevel(names []string) (best markup.Level, from string) {
	for _, name := range names {
		if lvl, ok := nameLevel(name); ok && (from == "" || lvl > best) {
			best, from = lvl, name
		}
	}
	return best, from
}

// nameLevel gives the colour level a terminal type name implies, if it is a known one.
// (Clients send their names in upper case, which ToUpper returns without copying.)
func nameLevel(name string) (markup.Level, bool) {
	n := strings.ToUpper(name)
	switch {
	case strings.Contains(n, "TRUECOLOR"), strings.HasSuffix(n, "-DIRECT"), n == "MUDLET":
		return markup.TrueColor, true
	case strings.Contains(n, "256COLOR"), strings.HasPrefix(n, "XTERM"), n == "TINTIN++", n == "MUSHCLIENT":
		return markup.Xterm256, true
	case strings.HasPrefix(n, "ANSI"), strings.HasPrefix(n, "VT1"), strings.HasPrefix(n, "VT2"),
		strings.HasPrefix(n, "KBTIN"), strings.HasPrefix(n, "SCREEN"), strings.HasPrefix(n, "TMUX"),
		strings.HasPrefix(n, "RXVT"), n == "LINUX", n == "TINYFUGUE", n == "CMUD", n == "ZMUD":
		return markup.ANSI16, true
	case n == "DUMB", n == "UNKNOWN", n == "HARDCOPY":
		return markup.None, true
	}
	return 0, false
}

// cmdColor shows the colour level and why it was picked, or sets the player's choice.
func cmdColor(c *Context) {
	p, s := c.Player, c.Player.sess
	if s == nil {
		return
	}
	arg := strings.ToLower(strings.TrimSpace(c.Args))
	switch lvl, ok := markup.ParseLevel(arg); {
	case arg == "auto":
		p.color = ""
	case ok:
		p.color = lvl.String()
	case arg != "":
		c.Send("Usage: color off|16|256|true|auto")
		return
	}
	if arg != "" {
		p.touch()
		s.setColor(p.color)
	}
	info := s.info()
	lvl, why := detectLevel(info, s.tcp)
	how := "automatic: " + markup.Escape(why) // it may quote the client's terminal type
	if p.color != "" {
		lvl, _ = markup.ParseLevel(p.color)
		how = "your choice; 'color auto' goes back to what your client reports"
	}
	c.Sendf("Colour: %s (%s).\nText: %s.", levelName(lvl), how, charsetLine(p, info))
	if lvl != markup.None {
		c.Send("{r}red {g}green {y}yellow {b}blue {m}magenta {c}cyan {w}white{x} " +
			"{R}red {G}green {Y}yellow {B}blue {M}magenta {C}cyan {W}white{x}\n" +
			"{#ff8800}orange {#8a2be2}violet {bg:#203050}{W} dusk {x} {bold}bold{x} {u}underline{x}")
	}
}

func levelName(l markup.Level) string {
	switch l {
	case markup.ANSI16:
		return "16 colours"
	case markup.Xterm256:
		return "256 colours"
	case markup.TrueColor:
		return "24-bit colour"
	}
	return "off"
}

// cmdCharset shows whether the player gets UTF-8 or ASCII and why, or sets the choice.
func cmdCharset(c *Context) {
	p, s := c.Player, c.Player.sess
	if s == nil {
		return
	}
	switch arg := strings.ToLower(strings.TrimSpace(c.Args)); arg {
	case "":
	case "utf-8", "utf8", "unicode":
		p.charset = "utf-8"
	case "ascii":
		p.charset = "ascii"
	case "auto":
		p.charset = ""
	default:
		c.Send("Usage: charset utf-8|ascii|auto")
		return
	}
	if c.Args != "" {
		p.touch()
		s.setCharset(p.charset)
	}
	c.Sendf("Text: %s.", charsetLine(p, s.info()))
	if s.utf8(s.info()) {
		c.Send("If these look wrong, type 'charset ascii': “quotes” — café ┌─┐")
	}
}

// charsetLine says which character set p gets and why.
func charsetLine(p *Player, info telnet.Info) string {
	s := p.sess
	switch {
	case p.charset != "" && s.utf8(info):
		return "UTF-8 (your choice; 'charset auto' goes back to what your client reports)"
	case p.charset != "":
		return "ASCII (your choice; 'charset auto' goes back to what your client reports)"
	case s.tcp:
		return "UTF-8 (plain TCP connection)"
	case info.Charset == telnet.UTF8:
		return "UTF-8 (your client agreed to it with CHARSET)"
	case info.UTF8():
		return "UTF-8 (your client reports it in MTTS)"
	}
	return "ASCII (your client did not agree to UTF-8; 'charset utf-8' if it shows UTF-8)"
}
