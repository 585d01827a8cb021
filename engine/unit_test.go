package engine

import (
	"strings"
	"testing"
	"time"
)

func TestRegistryLookup(t *testing.T) {
	r := NewRegistry()
	registerBuiltins(r)
	tests := []struct {
		word string
		role Role
		want string
	}{
		{"l", RolePlayer, "look"},
		{"lo", RolePlayer, "look"},
		{"loc", RolePlayer, "lock"},
		{"inv", RolePlayer, "inventory"},
		{"i", RolePlayer, "inventory"},
		{"s", RolePlayer, "south"},
		{"take", RolePlayer, "get"},
		{"stats", RolePlayer, ""},
		{"sta", RolePlayer, ""},
		{"stats", RoleWizard, "stats"},
		{"nosuch", RoleAdmin, ""},
		{"q", RolePlayer, ""},
		{"qui", RolePlayer, ""},
		{"quit", RolePlayer, "quit"},
	}
	for _, tt := range tests {
		got := ""
		if c := r.Lookup(tt.word, tt.role); c != nil {
			got = c.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%q, %v) = %q, want %q", tt.word, tt.role, got, tt.want)
		}
	}
}

func TestRegistryReplace(t *testing.T) {
	r := NewRegistry()
	registerBuiltins(r)
	ran := ""
	if err := r.Add(Command{Name: "look", Aliases: []string{"peer"}, Run: func(*Context) { ran = "new" }}); err != nil {
		t.Fatal(err)
	}
	r.Lookup("look", RolePlayer).Run(nil)
	if ran != "new" || r.Lookup("l", RolePlayer) != nil && r.Lookup("l", RolePlayer).Name != "look" {
		t.Fatalf("replacement not used")
	}
	if r.Lookup("peer", RolePlayer) == nil {
		t.Fatal("alias of the replacement missing")
	}
	if err := r.Add(Command{Name: "two words", Run: func(*Context) {}}); err == nil {
		t.Fatal("a name with a space was accepted")
	}
}

func TestValidName(t *testing.T) {
	for name, ok := range map[string]bool{"Alice": true, "al": false, "Bob3": false, "admin": false,
		"Ädam": false, "abcdefghijklmnop": true, "abcdefghijklmnopq": false} {
		if err := ValidName(name); (err == nil) != ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestWrap(t *testing.T) {
	text := strings.Repeat("word ", 30)
	for _, line := range strings.Split(wrap(text, 40), "\n") {
		if len(line) > 40 {
			t.Errorf("line longer than 40: %q", line)
		}
	}
	if got := wrap("short\nlines", 40); got != "short\nlines" {
		t.Errorf("wrap changed short lines: %q", got)
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct{ line, word, args string }{
		{"look", "look", ""},
		{"  get   the coin ", "get", "the coin"},
		{"'hello there", "say", "hello there"},
		{"", "", ""},
	}
	for _, tt := range tests {
		w, a := splitCommand(tt.line)
		if w != tt.word || a != tt.args {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", tt.line, w, a, tt.word, tt.args)
		}
	}
}

func TestWriteFields(t *testing.T) {
	for _, in := range []string{"", "one", "  lead and trail  ", "a\n   b\tc\r\nd", "mañana  über\n\nalles"} {
		var b strings.Builder
		writeFields(&b, in)
		if want := strings.Join(strings.Fields(in), " "); b.String() != want {
			t.Errorf("writeFields(%q) = %q, want %q", in, b.String(), want)
		}
	}
}

func TestWrapKeepsWordsAndWidth(t *testing.T) {
	text := "Grey cobbles, worn smooth and hollowed by generations of feet, slope gently toward a stone fountain.\nShort.\n"
	got := wrap(text, 30)
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(text), " ") {
		t.Fatalf("wrap changed the words:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if len([]rune(line)) > 30 {
			t.Errorf("line over 30: %q", line)
		}
	}
	if !strings.HasSuffix(got, "Short.\n") {
		t.Errorf("trailing newline lost: %q", got)
	}
}

func TestOOBBudget(t *testing.T) {
	var b oobBudget
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range oobBurst {
		if !b.take(now) {
			t.Fatalf("message %d of a burst refused", i+1)
		}
	}
	if b.take(now) {
		t.Fatal("a message past the burst taken")
	}
	now = now.Add(time.Second)
	for i := range oobRate {
		if !b.take(now) {
			t.Fatalf("message %d after a second refused", i+1)
		}
	}
	if b.take(now) {
		t.Fatal("more than the rate taken after a second")
	}
	if !b.take(now.Add(time.Hour)) || b.tokens != oobBurst-1 {
		t.Fatalf("after an hour: %v tokens left, want the burst less one", b.tokens)
	}
}

// wrap breaks lines longer than width at spaces, as the writer does (see appendWrapped).
// Text with no line over width is returned as it is, without allocating.
func wrap(text string, width int) string {
	if start, _ := nextLongLine(text, max(width, 20)); start < 0 {
		return text
	}
	dst := make([]byte, 0, len(text)+len(text)/20+1)
	return string(appendWrapped(func(dst []byte, s string) []byte { return append(dst, s...) }, dst, text, width))
}
