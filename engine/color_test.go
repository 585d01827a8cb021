package engine_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mudd/mudd/internal/mudtest"
)

// hx decodes space-separated hex bytes.
func hx(s string) string {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ttype is a TTYPE IS subnegotiation.
func ttype(name string) string { return hx("ff fa 18 00") + name + hx("ff f0") }

// telnetCreate connects to the telnet port, sends opening (what the client answers to the
// server's offers) and creates a character. The client inflates MCCP2 if opening agreed to it.
func telnetCreate(t *testing.T, s *mudtest.Server, name, opening string) *mudtest.TelnetClient {
	t.Helper()
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Write(opening)
	c.Expect("name")
	c.Send(name)
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("password1")
	c.Expect("again")
	c.Send("password1")
	c.Expect("\n> ")
	return c
}

// TestColorLevelFromClients replays over the telnet port what real clients answer to the
// server's offers (captured bytes from docs of the telnet reference: TinTin++, tf5, netkit
// telnet, KBtin; Mudlet and MUSHclient from their sources) and checks the colour level and
// character set each gets.
func TestColorLevelFromClients(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	tests := []struct {
		client, opening string
		level, text     string // as the color command reports them
		room            string // how the room name arrives
	}{
		{"tintin", hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fd 19 ff fe c9 ff fe 45 "+
			"ff fd 46 ff fe 5b ff fb 2a ff fb 27 ff fd 56") + ttype("TINTIN++") + hx("ff fa 2a 02") + "UTF-8" + hx("ff f0") +
			ttype("xterm-256color") + ttype("MTTS 271") + ttype("MTTS 271"),
			"24-bit colour (automatic: your client reports MTTS 271)", "UTF-8", "\x1b[0;96mTown Square\x1b[0m"},
		{"tf5", hx("ff fb 1f ff fb 18 ff fa 1f 00 77 00 24 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46 "+
			"ff fe 5b ff fc 2a ff fc 27 ff fd 56") + ttype("TINYFUGUE") + ttype("ANSI-ATTR") + ttype("ANSI") +
			ttype("UNKNOWN") + ttype("UNKNOWN"),
			"16 colours (automatic: your terminal type is TINYFUGUE)", "ASCII", "\x1b[0;1;36mTown Square\x1b[0m"},
		{"netkit", hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fe 19 ff fe c9 ff fe 45 ff fe 46 "+
			"ff fe 5b ff fc 2a ff fb 27 ff fe 56") + ttype("XTERM-256COLOR") + ttype("XTERM-256COLOR"),
			"256 colours (automatic: your terminal type is XTERM-256COLOR)", "ASCII", "\x1b[0;96mTown Square\x1b[0m"},
		{"kbtin", hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 27 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46 "+
			"ff fe 5b ff fc 2a ff fc 27 ff fd 56 ff fe 57") + ttype("KBtin") + ttype("hardcopy") + ttype("unknown") +
			ttype("KBtin-2.1") + ttype("KBtin-2.1"),
			"16 colours (automatic: your terminal type is KBtin)", "ASCII", "\x1b[0;1;36mTown Square\x1b[0m"},
		{"mudlet", hx("ff fb 18 ff fb 1f ff fa 1f 00 64 00 32 ff f0 ff fd 19 ff fd 2a") +
			ttype("MUDLET") + ttype("ANSI-TRUECOLOR") + ttype("MTTS 2349") + ttype("MTTS 2349"),
			"24-bit colour (automatic: your client reports MTTS 2349)", "UTF-8", "\x1b[0;96mTown Square\x1b[0m"},
		{"mushclient", hx("ff fb 18 ff fd 03 ff fd 2a") + ttype("mushclient") + ttype("ANSI") + ttype("MTTS 265"),
			"24-bit colour (automatic: your client reports MTTS 265)", "ASCII", "\x1b[0;96mTown Square\x1b[0m"},
		{"silent", "", "16 colours (automatic: the telnet default)", "ASCII", "\x1b[0;1;36mTown Square\x1b[0m"},
		{"dumb", hx("ff fb 18") + ttype("DUMB") + ttype("DUMB"),
			"off (automatic: your terminal type is DUMB)", "ASCII", "Town Square\r\n"},
	}
	for i, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			c := telnetCreate(t, s, "Client"+string(rune('a'+i)), tt.opening)
			out := c.Do("color")
			if !strings.Contains(out, "Colour: "+tt.level+".") || !strings.Contains(out, "Text: "+tt.text) {
				t.Errorf("color reports:\n%q\nwant level %q, text %q", out, tt.level, tt.text)
			}
			if out := c.Do("look"); !strings.Contains(out, tt.room) || tt.level[:3] == "off" && strings.Contains(out, "\x1b") {
				t.Errorf("look:\n%q\nwant the room name as %q", out, tt.room)
			}
		})
	}
}

// TestCharsetOverSocket: a client that accepts UTF-8 with CHARSET gets UTF-8 text, one that
// rejects it gets the same text transliterated to ASCII, unless the player chooses otherwise.
func TestCharsetOverSocket(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	request := hx("ff fa 2a 01") + ";UTF-8" + hx("ff f0")
	clients := map[string]*mudtest.Client{}
	for name, answer := range map[string]string{
		"Uma": hx("ff fa 2a 02") + "UTF-8" + hx("ff f0"),
		"Ada": hx("ff fa 2a 03 ff f0"),
	} {
		c := mudtest.Dial(t, s.Eng.TelnetAddr())
		c.Conn.Write([]byte(hx("ff fd 2a"))) // DO CHARSET, to the server's WILL
		// The request and the greeting are written by different goroutines: either may be first.
		_, first := c.ExpectAny(request, "name")
		c.Conn.Write([]byte(answer))
		if first == request {
			c.Expect("name")
		} else {
			c.Expect(request)
		}
		c.Send(name)
		c.Expect("(yes/no)")
		c.Send("yes")
		c.Expect("password")
		c.Send("password1")
		c.Expect("again")
		c.Send("password1")
		c.Expect("\n> ")
		clients[name] = c
	}
	speaker := mudtest.Create(t, s, "Zed", "password1")
	speaker.Do("say Café — “naïve” Ærø… ┌─┐ 日本")
	if got := heard(clients["Uma"], "says"); !strings.Contains(got, "Zed says, \"Café — “naïve” Ærø… ┌─┐ 日本\"") {
		t.Errorf("UTF-8 client got %q", got)
	}
	if got := heard(clients["Ada"], "says"); !strings.Contains(got, "Zed says, \"Cafe -- \"naive\" AEro... +-+ ??\"") {
		t.Errorf("ASCII client got %q", got)
	}
	// The player can overrule the negotiation.
	if out := clients["Ada"].Do("charset utf-8"); !strings.Contains(out, "Text: UTF-8 (your choice") ||
		!strings.Contains(out, "“quotes” — café ┌─┐") {
		t.Errorf("charset utf-8: %q", out)
	}
	if out := clients["Uma"].Do("charset ascii"); !strings.Contains(out, "Text: ASCII (your choice") {
		t.Errorf("charset ascii: %q", out)
	}
	speaker.Do("say “naïve”")
	if got := heard(clients["Ada"], "says"); !strings.Contains(got, "Zed says, \"“naïve”\"") {
		t.Errorf("client that chose UTF-8 got %q", got)
	}
	if got := heard(clients["Uma"], "says"); !strings.Contains(got, "Zed says, \"\"naive\"\"") {
		t.Errorf("client that chose ASCII got %q", got)
	}
}

// TestNoEscapeInjection: escape sequences a player types never reach other players; colour
// markup does, as colour.
func TestNoEscapeInjection(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	tcp := mudtest.Create(t, s, "Bob", "password1")
	ansi := telnetCreate(t, s, "Cleo", "")
	evil := telnetCreate(t, s, "Eve", "")
	evil.Send("say \x1b[31mred\x1b]0;title\x07\x1b[2J \xc2\x9b2J {r}tagged")
	evil.Expect("You say")
	plain := heard(tcp, "says")
	if strings.ContainsRune(plain, 0x1b) || strings.Contains(plain, "\u009b") ||
		!strings.Contains(plain, "Eve says, \"[31mred]0;title[2J 2J tagged\"") {
		t.Errorf("plain TCP player got %q", plain)
	}
	coloured := heard(ansi, "says")
	want := "Eve says, \"[31mred]0;title[2J 2J \x1b[0;31mtagged\"\x1b[0m"
	if !strings.Contains(coloured, want) || strings.Count(coloured, "\x1b") != strings.Count(coloured, "\x1b[0;31m")+strings.Count(coloured, "\x1b[0m") {
		t.Errorf("16-colour player got %q, want %q and no other escape", coloured, want)
	}
	// The same from the plain TCP port.
	tcp.Send("say \x1b[5mblink\x1b[0m \u009b31m")
	tcp.Expect("You say")
	coloured = heard(ansi, "Bob says")
	if want := "Bob says, \"[5mblink[0m 31m\""; !strings.Contains(coloured, want) || strings.Contains(coloured, "\x1b") {
		t.Errorf("16-colour player got %q from plain TCP, want %q and no escape", coloured, want)
	}
}

// TestColorOverrideSaved: the color and charset commands override what the client reports,
// and the choices are saved with the character (through SQLite: the server restarts).
func TestColorOverrideSaved(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := mudtest.Create(t, s, "Alice", "password1")
	if out := c.Do("look"); strings.Contains(out, "\x1b") {
		t.Fatalf("plain TCP got colour: %q", out)
	}
	if out := c.Do("color lots"); !strings.Contains(out, "Usage: color off|16|256|true|auto") {
		t.Fatalf("bad level: %q", out)
	}
	if out := c.Do("color 256"); !strings.Contains(out, "Colour: 256 colours (your choice") ||
		!strings.Contains(out, "\x1b[0;38;5;208morange") {
		t.Fatalf("color 256: %q", out)
	}
	if out := c.Do("charset ascii"); !strings.Contains(out, "Text: ASCII (your choice") {
		t.Fatalf("charset ascii: %q", out)
	}
	c.Send("quit")
	c.Expect("Goodbye")
	s.Stop()

	s = startServer(t, fixture(), data)
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("look"); !strings.Contains(out, "\x1b[0;96mTown Square\x1b[0m") {
		t.Fatalf("the colour choice was not kept: %q", out)
	}
	if out := c.Do("say Café"); !strings.Contains(out, "You say, \"Cafe\"") {
		t.Fatalf("the character set choice was not kept: %q", out)
	}
	if out := c.Do("charset auto"); !strings.Contains(out, "Text: UTF-8 (plain TCP connection)") {
		t.Fatalf("charset auto: %q", out)
	}
	c.Do("colour truecolor")
	if out := c.Do("color"); !strings.Contains(out, "\x1b[0;38;2;255;136;0morange") {
		t.Fatalf("color true: %q", out)
	}
	c.Do("color off")
	if out := c.Do("look"); strings.Contains(out, "\x1b") {
		t.Fatalf("color off: %q", out)
	}
	if out := c.Do("color auto"); !strings.Contains(out, "off (automatic: plain TCP connection)") {
		t.Fatalf("color auto: %q", out)
	}
}

// heard waits for a message containing marker and returns everything received up to the
// prompt after it.
func heard(c interface{ Expect(string) string }, marker string) string {
	return c.Expect(marker) + c.Expect("\n> ")
}
