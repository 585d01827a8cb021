package markup

import (
	"strings"
	"testing"
)

func TestRenderLevels(t *testing.T) {
	tests := []struct {
		in                     string
		none, c16, c256, ctrue string
	}{
		{"plain text", "plain text", "plain text", "plain text", "plain text"},
		{"{r}red{x} back",
			"red back", "\x1b[0;31mred\x1b[0m back", "\x1b[0;31mred\x1b[0m back", "\x1b[0;31mred\x1b[0m back"},
		{"{R}bright",
			"bright", "\x1b[0;1;31mbright\x1b[0m", "\x1b[0;91mbright\x1b[0m", "\x1b[0;91mbright\x1b[0m"},
		{"{bg:b}{w}sky",
			"sky", "\x1b[0;37;44msky\x1b[0m", "\x1b[0;37;44msky\x1b[0m", "\x1b[0;37;44msky\x1b[0m"},
		{"{bg:B}x",
			"x", "\x1b[0;44mx\x1b[0m", "\x1b[0;104mx\x1b[0m", "\x1b[0;104mx\x1b[0m"},
		{"{bold}{u}{g}ok",
			"ok", "\x1b[0;1;4;32mok\x1b[0m", "\x1b[0;1;4;32mok\x1b[0m", "\x1b[0;1;4;32mok\x1b[0m"},
		{"{208}orange",
			"orange", "\x1b[0;33morange\x1b[0m", "\x1b[0;38;5;208morange\x1b[0m", "\x1b[0;38;5;208morange\x1b[0m"},
		{"{#ff8700}orange",
			"orange", "\x1b[0;33morange\x1b[0m", "\x1b[0;38;5;208morange\x1b[0m", "\x1b[0;38;2;255;135;0morange\x1b[0m"},
		{"{#f00}red",
			"red", "\x1b[0;1;31mred\x1b[0m", "\x1b[0;38;5;196mred\x1b[0m", "\x1b[0;38;2;255;0;0mred\x1b[0m"},
		{"{bg:#303030}dark",
			"dark", "\x1b[0;40mdark\x1b[0m", "\x1b[0;48;5;236mdark\x1b[0m", "\x1b[0;48;2;48;48;48mdark\x1b[0m"},
		{"{{r} is a tag",
			"{r} is a tag", "{r} is a tag", "{r} is a tag", "{r} is a tag"},
		{"{foo} {} { } {r", "{foo} {} { } {r", "{foo} {} { } {r", "{foo} {} { } {r", "{foo} {} { } {r"},
		{"{r}{x}nothing", "nothing", "nothing", "nothing", "nothing"},
		{"{r}two\nlines", "two\nlines", "\x1b[0;31mtwo\x1b[0m\nlines", "\x1b[0;31mtwo\x1b[0m\nlines",
			"\x1b[0;31mtwo\x1b[0m\nlines"},
		{"{g}a{r}{g}b", "ab", "\x1b[0;32mab\x1b[0m", "\x1b[0;32mab\x1b[0m", "\x1b[0;32mab\x1b[0m"},
		{"esc\x1b[31mape\x07\r\u009b2J\tz", "esc[31mape2J z", "esc[31mape2J z", "esc[31mape2J z", "esc[31mape2J z"},
		{"{256}{#12345g}{bg:}{bg:x}", "{256}{#12345g}{bg:}{bg:x}", "{256}{#12345g}{bg:}{bg:x}",
			"{256}{#12345g}{bg:}{bg:x}", "{256}{#12345g}{bg:}{bg:x}"},
	}
	for _, tt := range tests {
		for lvl, want := range map[Level]string{None: tt.none, ANSI16: tt.c16, Xterm256: tt.c256, TrueColor: tt.ctrue} {
			if got := (Renderer{Level: lvl}).Render(tt.in); got != want {
				t.Errorf("Render(%q) at %v = %q, want %q", tt.in, lvl, got, want)
			}
		}
	}
}

func TestRenderASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"“Café” — naïve… ‘ok’", `"Cafe" -- naive... 'ok'`},
		{"Łódź, Ærøskøbing, Straße, œuvre", "Lodz, AEroskobing, Strasse, oeuvre"},
		{"┌──┐\n│hi│\n└──┘", "+--+\n|hi|\n+--+"},
		{"e\u0301 日本 \xff", "e ?? ?"},
		{"{c}Ça va{x}", "\x1b[0;36mCa va\x1b[0m"},
	}
	for _, tt := range tests {
		if got := (Renderer{Level: ANSI16, ASCII: true}).Render(tt.in); got != tt.want {
			t.Errorf("ASCII Render(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := (Renderer{}).Render("Café \xff"); got != "Café \uFFFD" {
		t.Errorf("UTF-8 Render kept invalid bytes: %q", got)
	}
}

func TestRenderPlainDoesNotAllocate(t *testing.T) {
	s := "A quiet street. Exits: north, south."
	if n := testing.AllocsPerRun(100, func() { _ = (Renderer{Level: TrueColor}).Render(s) }); n != 0 {
		t.Errorf("Render of plain text allocates %v times", n)
	}
}

func TestStripEscapePlainWidth(t *testing.T) {
	tests := []struct{ in, strip, plain string }{
		{"{r}red{x} {{r}", "red {{r}", "red {r}"},
		{"{x{r}}", "{{x}", "{x}"},
		{"{foo}{bg:#fff}", "{{foo}", "{foo}"},
		{"no tags", "no tags", "no tags"},
	}
	for _, tt := range tests {
		if got := Strip(tt.in); got != tt.strip {
			t.Errorf("Strip(%q) = %q, want %q", tt.in, got, tt.strip)
		}
		if got := Plain(tt.in); got != tt.plain {
			t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.plain)
		}
		if got := Width(tt.in); got != len([]rune(tt.plain)) {
			t.Errorf("Width(%q) = %d, want %d", tt.in, got, len([]rune(tt.plain)))
		}
	}
	if got := Plain(Escape("{r}say {{x}")); got != "{r}say {{x}" {
		t.Errorf("escaped text renders as %q", got)
	}
	if w := RenderedWidth((Renderer{Level: TrueColor}).Render("{#102030}Café{x} ok")); w != 7 {
		t.Errorf("RenderedWidth = %d, want 7", w)
	}
}

func TestNearest(t *testing.T) {
	for n := 16; n < 256; n++ {
		if got := nearest256(rgbOf(n)); rgbOf(got) != rgbOf(n) {
			t.Errorf("nearest256 of index %d's own colour = %d", n, got)
		}
	}
	for i, p := range palette16 {
		if got := nearest16(p); got != i {
			t.Errorf("nearest16(%06x) = %d, want %d", p, got, i)
		}
	}
	if got := nearest16(0x1010a0); got != 4 {
		t.Errorf("dark blue downsampled to %d, want 4 (blue)", got)
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range []Level{None, ANSI16, Xterm256, TrueColor} {
		if got, ok := ParseLevel(strings.ToUpper(l.String())); !ok || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l, got, ok)
		}
	}
	if _, ok := ParseLevel("lots"); ok {
		t.Error("ParseLevel accepted lots")
	}
}

// Rendering the plain lines of a text apart from the rest gives the text rendered whole.
func TestAppendPlainLinesSplitRender(t *testing.T) {
	texts := []string{
		"", "plain\n", "plain", "{C}Title{x}\nplain\nmore\n", "plain\n{r}red\nplain\n",
		"caf\u00e9\nna\u00efve {g}green\n", "bad \xff utf-8\nok\n", "tab\there\n", "\u0085c1\nx\n",
		"a\nb\n{", "unclosed {r red\nnext\n", "short\nthis line is long\nshort\n", "0123456789\n",
	}
	for _, r := range []Renderer{{}, {Level: ANSI16}, {Level: TrueColor, ASCII: true}} {
		for _, s := range texts {
			out, n := r.AppendPlainLines([]byte(">"), s, 10, "\r\n")
			if want := ">" + strings.ReplaceAll(s[:n], "\n", "\r\n"); string(out) != want {
				t.Errorf("%+v AppendPlainLines(%q) appended %q, want %q", r, s, out, want)
			}
			for _, line := range strings.SplitAfter(s[:n], "\n") {
				if len(strings.TrimSuffix(line, "\n")) > 10 {
					t.Errorf("%+v AppendPlainLines(%q, 10) = %d, with line %q longer than 10", r, s, n, line)
				}
			}
			if r.Render(s[:n]) != s[:n] {
				t.Errorf("%+v AppendPlainLines(%q) = %d, but %q is not plain", r, s, n, s[:n])
			}
			if n < len(s) && n > 0 && s[n-1] != '\n' {
				t.Errorf("%+v AppendPlainLines(%q) = %d: not at a line end", r, s, n)
			}
			if got, want := s[:n]+r.Render(s[n:]), r.Render(s); got != want {
				t.Errorf("%+v %q: split render %q, whole %q", r, s, got, want)
			}
		}
	}
}
