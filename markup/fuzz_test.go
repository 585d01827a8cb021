package markup

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMarkup checks that rendering arbitrary text never panics, emits no escape sequence
// but the renderer's own SGR sequences, closes every colour, and that Strip is idempotent
// and keeps the visible text.
func FuzzMarkup(f *testing.F) {
	for _, s := range []string{"{r}red{x}", "{{", "{bg:#abc}{208}{B}x\ny", "\x1b[2J{", "{#12345", "{x{r}}",
		"Caf\xc3\xa9 \xe2\x80\x94 \xc2\x9b", "{bold}{u}{bg:R}{#fff}z", "{", "}", "\xc8{0}\xb4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := Plain(s)
		if strings.ContainsAny(plain, "\x1b\r\x00\x7f") || !utf8.ValidString(plain) {
			t.Fatalf("Plain(%q) = %q", s, plain)
		}
		for _, lvl := range []Level{None, ANSI16, Xterm256, TrueColor} {
			for _, asc := range []bool{false, true} {
				out := Renderer{Level: lvl, ASCII: asc}.Render(s)
				checkSGR(t, s, out, lvl)
				if asc && strings.IndexFunc(out, func(r rune) bool { return r >= 0x80 }) >= 0 {
					t.Fatalf("ASCII rendering of %q has non-ASCII: %q", s, out)
				}
			}
		}
		st := Strip(s)
		if Strip(st) != st {
			t.Fatalf("Strip not idempotent on %q: %q then %q", s, st, Strip(st))
		}
		if Plain(st) != plain {
			t.Fatalf("Strip(%q) shows %q, want %q", s, Plain(st), plain)
		}
		if (Renderer{Level: TrueColor}).Render(st) != plain {
			t.Fatalf("stripped %q still has colour", s)
		}
		if Plain(Escape(s)) != Plain(strings.ReplaceAll(s, "{", "{{")) || RenderedWidth(plain) != Width(s) {
			t.Fatalf("Escape or Width inconsistent on %q", s)
		}
	})
}

// checkSGR fails unless every ESC in out starts an SGR sequence "ESC [ params m", every line
// that changed colour ends with a reset, and no control byte other than "\n" is left.
func checkSGR(t *testing.T, in, out string, lvl Level) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		coloured := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != 0x1b {
				if c < 0x20 || c == 0x7f {
					t.Fatalf("rendering %q at %v left control byte %#x: %q", in, lvl, c, out)
				}
				continue
			}
			j := i + 2
			for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
				j++
			}
			if lvl == None || i+1 >= len(line) || line[i+1] != '[' || j >= len(line) || line[j] != 'm' {
				t.Fatalf("rendering %q at %v has a foreign escape at %d: %q", in, lvl, i, out)
			}
			coloured = line[i:j+1] != "\x1b[0m"
			i = j
		}
		if coloured {
			t.Fatalf("rendering %q at %v leaves a line coloured: %q", in, lvl, out)
		}
	}
}
