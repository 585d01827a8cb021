package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// sgr matches the escape sequences the renderer writes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestWrapWithMarkup: rendered colour does not count towards the width, and a break never
// falls inside an escape sequence.
func TestWrapWithMarkup(t *testing.T) {
	text := "{C}Millbrook Square{x}\n  Grey cobbles slope toward a {#5f9e80}green copper dome{x}, and the {r}smithy{x} rings; " +
		"{bg:b}{W}Café{x} awnings flap over “Market Row” in the {208}autumn{x} wind.\n{g}Exits: north, east{x}"
	for _, lvl := range []markup.Level{markup.None, markup.ANSI16, markup.Xterm256, markup.TrueColor} {
		r := markup.Renderer{Level: lvl}
		got := wrap(r.Render(text), 30)
		for _, line := range strings.Split(got, "\n") {
			if w := markup.RenderedWidth(line); w > 30 {
				t.Errorf("level %v: line of %d columns: %q", lvl, w, line)
			}
			if i := strings.LastIndexByte(line, 0x1b); i >= 0 && !strings.Contains(line[i:], "m") {
				t.Errorf("level %v: a break splits an escape sequence: %q", lvl, line)
			}
		}
		if plain := markup.Plain(text); strings.Join(strings.Fields(sgr.ReplaceAllString(got, "")), " ") != strings.Join(strings.Fields(plain), " ") {
			t.Errorf("level %v: wrap changed the words: %q", lvl, got)
		}
		if lvl == markup.None && strings.Contains(got, "\x1b") {
			t.Errorf("escape sequences without colour: %q", got)
		}
	}
	// Coloured text that fits is returned as it is.
	short := (markup.Renderer{Level: markup.TrueColor}).Render("{#102030}" + strings.Repeat("x", 30))
	if got := wrap(short, 30); got != short {
		t.Errorf("a line of 30 visible columns was wrapped: %q", got)
	}
}

func TestDetectLevel(t *testing.T) {
	tests := []struct {
		mtts  int
		types []string
		want  markup.Level
	}{
		{271, []string{"TINTIN++", "xterm-256color", "MTTS 271"}, markup.TrueColor},
		{9, nil, markup.Xterm256},
		{1, nil, markup.ANSI16},
		{0, []string{"XTERM-256COLOR"}, markup.None},
		{-1, []string{"TINYFUGUE", "ANSI-ATTR", "ANSI", "UNKNOWN"}, markup.ANSI16},
		{-1, []string{"KBtin", "hardcopy", "unknown", "KBtin-2.1"}, markup.ANSI16},
		{-1, []string{"XTERM-256COLOR"}, markup.Xterm256},
		{-1, []string{"xterm"}, markup.Xterm256},
		{-1, []string{"foo", "ANSI-TRUECOLOR"}, markup.TrueColor},
		{-1, []string{"vt100"}, markup.ANSI16},
		{-1, []string{"dumb"}, markup.None},
		{-1, []string{"somethingelse"}, markup.ANSI16},
		{-1, nil, markup.ANSI16},
	}
	for _, tt := range tests {
		if got, why := detectLevel(telnet.Info{MTTS: tt.mtts, TerminalTypes: tt.types}, false); got != tt.want {
			t.Errorf("detectLevel(MTTS %d, %q) = %v (%s), want %v", tt.mtts, tt.types, got, why, tt.want)
		}
	}
	if got, _ := detectLevel(telnet.Info{MTTS: 271}, true); got != markup.None {
		t.Errorf("plain TCP gets %v", got)
	}
}

// BenchmarkRenderLook is the writer's cost of a typical look (the default game's start room
// with its colour markup, 10 other players) at each colour level, in UTF-8 and ASCII: render,
// then wrap to 80 columns.
func BenchmarkRenderLook(b *testing.B) {
	e, p, sessions := roomOf(b, 11)
	e.runLine(p, queuedLine{text: "look"})
	e.flushOutput()
	text := (<-sessions[0].out).Text
	drain(sessions)
	for _, lvl := range []markup.Level{markup.None, markup.ANSI16, markup.Xterm256, markup.TrueColor} {
		for _, ascii := range []bool{false, true} {
			name := lvl.String()
			if ascii {
				name += "/ascii"
			}
			r := markup.Renderer{Level: lvl, ASCII: ascii}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					_ = wrap(r.Render(text), 80)
				}
			})
		}
	}
}
