// Package markup is mudd's colour markup: text written by builders, scripts and the engine
// carries tags such as "{r}red{x}", and each client receives it rendered for what its
// terminal shows (truecolor, xterm-256, 16-colour ANSI or no colour), in UTF-8 or ASCII.
//
// # Tags
//
//	{r} {g} {y} {b} {m} {c} {w} {k}   red, green, yellow, blue, magenta, cyan, white, black
//	{R} {G} {Y} {B} {M} {C} {W} {K}   the bright variants
//	{0} ... {255}                     an xterm-256 colour by index
//	{#f80} {#ff8800}                  a 24-bit colour
//	{bg:r} {bg:R} {bg:17} {bg:#203040} the same colours as a background
//	{bold} {u}                        bold, underline ({underline} also works)
//	{x}                               back to the default colours ({reset} also works)
//	{{                                a literal "{"
//
// A colour lasts until {x} or the end of the line. Anything else in braces ("{foo}", "{ }",
// a lone "{") is shown as typed, so text that merely contains braces needs no escaping; use
// [Escape] for text that must never be read as markup.
//
// Rendering never passes control characters through: ESC, other C0 and C1 controls and
// DEL are dropped from the text (a tab becomes a space), so the only escape sequences in
// rendered output are the ones the renderer writes.
package markup

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Level is how much colour a client shows.
type Level uint8

// Colour levels, from none to 24-bit.
const (
	None      Level = iota // no escape sequences at all
	ANSI16                 // the 8 colours and their bright variants, bold and underline
	Xterm256               // the xterm-256 palette
	TrueColor              // 24-bit colour
)

// String returns the level's name as the color command takes it: "off", "16", "256" or "true".
func (l Level) String() string {
	switch l {
	case ANSI16:
		return "16"
	case Xterm256:
		return "256"
	case TrueColor:
		return "true"
	}
	return "off"
}

// ParseLevel parses a level name: "off" (or "none"), "16" ("ansi"), "256", "true"
// ("truecolor", "24bit"). Case does not matter.
func ParseLevel(s string) (Level, bool) {
	switch strings.ToLower(s) {
	case "off", "none", "0":
		return None, true
	case "16", "ansi":
		return ANSI16, true
	case "256":
		return Xterm256, true
	case "true", "truecolor", "truecolour", "24bit":
		return TrueColor, true
	}
	return None, false
}

// colorKind says how a colour was written.
type colorKind uint8

const (
	colorDefault colorKind = iota // the terminal's own colour
	colorBasic                    // one of the 16 named colours, v 0-15
	colorIndex                    // an xterm-256 index, v 0-255
	colorRGB                      // 24-bit, v = 0xRRGGBB
)

type color struct {
	kind colorKind
	v    uint32
}

// style is the colour state at a point of the text.
type style struct {
	fg, bg    color
	bold, und bool
}

// opKind is what a tag does.
type opKind uint8

const (
	opReset opKind = iota
	opFG
	opBG
	opBold
	opUnderline
)

type op struct {
	kind opKind
	c    color
}

func (o op) apply(st style) style {
	switch o.kind {
	case opFG:
		st.fg = o.c
	case opBG:
		st.bg = o.c
	case opBold:
		st.bold = true
	case opUnderline:
		st.und = true
	default:
		st = style{}
	}
	return st
}

// maxTag is the longest tag, braces included: "{bg:#rrggbb}".
const maxTag = 12

// Token kinds returned by scan.
const (
	tokTag   = iota // a tag; n bytes
	tokBrace        // "{{": a literal "{"
	tokText         // a "{" that starts no tag: shown as it is
)

// scan reads what starts at s[0] == '{': a tag, an escaped brace or a literal brace.
func scan(s string) (kind, n int, o op) {
	if len(s) > 1 && s[1] == '{' {
		return tokBrace, 2, op{}
	}
	end := strings.IndexByte(s[1:min(len(s), maxTag)], '}')
	if end < 0 {
		return tokText, 1, op{}
	}
	o, ok := parseTag(s[1 : 1+end])
	if !ok {
		return tokText, 1, op{}
	}
	return tokTag, end + 2, o
}

// parseTag parses the inside of a tag.
func parseTag(t string) (op, bool) {
	switch t {
	case "x", "reset":
		return op{kind: opReset}, true
	case "bold":
		return op{kind: opBold}, true
	case "u", "underline":
		return op{kind: opUnderline}, true
	}
	kind := opFG
	if strings.HasPrefix(t, "bg:") {
		kind, t = opBG, t[3:]
	}
	c, ok := parseColor(t)
	return op{kind: kind, c: c}, ok
}

const colorLetters = "krgybmcw"

// parseColor parses a colour: a letter, an index 0-255, or #rgb / #rrggbb.
func parseColor(t string) (color, bool) {
	switch {
	case len(t) == 1 && strings.IndexByte(colorLetters, t[0]) >= 0:
		return color{colorBasic, uint32(strings.IndexByte(colorLetters, t[0]))}, true
	case len(t) == 1 && strings.IndexByte(colorLetters, t[0]+'a'-'A') >= 0 && t[0] < 'a':
		return color{colorBasic, uint32(8 + strings.IndexByte(colorLetters, t[0]+'a'-'A'))}, true
	case len(t) >= 1 && len(t) <= 3 && allDigits(t):
		n, _ := strconv.Atoi(t)
		return color{colorIndex, uint32(n)}, n <= 255
	case len(t) == 4 && t[0] == '#':
		v, err := strconv.ParseUint(t[1:], 16, 16)
		r, g, b := v>>8&0xf, v>>4&0xf, v&0xf
		return color{colorRGB, uint32(r*0x11<<16 | g*0x11<<8 | b*0x11)}, err == nil && hexDigits(t[1:])
	case len(t) == 7 && t[0] == '#':
		v, err := strconv.ParseUint(t[1:], 16, 32)
		return color{colorRGB, uint32(v)}, err == nil && hexDigits(t[1:])
	}
	return color{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hexDigits rejects the signs and underscores strconv would accept.
func hexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (s[i] < '0' || s[i] > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Escape returns s with every "{" doubled, so that it renders exactly as s (minus control
// characters) and no part of it is read as a tag. Use it for text from players that must
// not carry colour.
func Escape(s string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "{", "{{")
}

// Strip returns s without its tags: markup that shows the same text with no colour. Every
// literal "{" comes out as "{{", so the result never contains a tag and Strip(Strip(s)) ==
// Strip(s). Invalid UTF-8 becomes U+FFFD, byte by byte, as the renderer shows it: bytes on
// either side of a removed tag never join into a character.
func Strip(s string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			writeValid(&b, s)
			break
		}
		writeValid(&b, s[:i])
		kind, n, _ := scan(s[i:])
		if kind != tokTag {
			b.WriteString("{{")
		}
		s = s[i+n:]
	}
	return b.String()
}

// writeValid writes s with each byte of invalid UTF-8 replaced by U+FFFD.
func writeValid(b *strings.Builder, s string) {
	if utf8.ValidString(s) {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		b.WriteRune(r) // ranging over a string yields U+FFFD for each invalid byte
	}
}

// Plain returns the text s shows, without tags or control characters: s rendered with no
// colour, in UTF-8.
func Plain(s string) string { return Renderer{}.Render(s) }

// Width returns the number of columns the markup s takes on screen in UTF-8: its
// characters, not counting tags, with "{{" counting one. Line breaks count nothing.
func Width(s string) int { return RenderedWidth(Plain(s)) }
