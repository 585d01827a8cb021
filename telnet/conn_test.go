package telnet

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestClients replays each captured client, cut at every point, and checks
// the server's answers byte for byte and what it learnt.
func TestClients(t *testing.T) {
	tests := []struct {
		capture string
		replies string // after the offers
		lines   []string
		info    Info
		prompt  string // AppendPromptEnd
	}{
		{"tintin",
			// SEND for WILL TTYPE; WILL SGA for DO SGA; refusal of MSSP; DO CHARSET
			// and our request; refusal of NEW-ENVIRON; the MCCP2 start; SEND after
			// each new terminal type.
			send + h("ff fb 03 ff fc 46 ff fd 2a") + charsetReq + h("ff fe 27") + string(mccp2Start) + send + send + send,
			[]string{"line hello"},
			Info{Width: 120, Height: 40, TerminalTypes: []string{"TINTIN++", "xterm-256color", "MTTS 271"},
				MTTS: 271, EOR: true, SGA: true, ClientName: "TINTIN++", Charset: "UTF-8", MCCP2: true},
			h("ff ef")},
		{"tf5",
			send + string(mccp2Start) + send + send + send + send,
			[]string{"line look"},
			Info{Width: 119, Height: 36, TerminalTypes: []string{"TINYFUGUE", "ANSI-ATTR", "ANSI", "UNKNOWN"},
				MTTS: -1, EOR: true, ClientName: "TINYFUGUE", MCCP2: true},
			h("ff ef")},
		{"netkit",
			send + h("ff fb 03 ff fe 27") + send,
			[]string{"line hell"},
			Info{Width: 120, Height: 40, TerminalTypes: []string{"XTERM-256COLOR"}, MTTS: -1, SGA: true,
				ClientName: "XTERM-256COLOR"},
			""},
		{"kbtin",
			send + string(mccp2Start) + send + send + send + send,
			[]string{"line look"},
			Info{Width: 120, Height: 39, TerminalTypes: []string{"KBtin", "hardcopy", "unknown", "KBtin-2.1"},
				MTTS: -1, EOR: true, ClientName: "KBtin", MCCP2: true},
			h("ff ef")},
		{"mudlet", // repeated WILL TTYPE, DO EOR, WILL NAWS get no answer
			send + send + send + send,
			[]string{"line say \ufffd!"},
			Info{Width: 100, Height: 50, TerminalTypes: []string{"MUDLET", "ANSI-TRUECOLOR", "MTTS 2349"},
				MTTS: 2349, EOR: true, ClientName: "MUDLET"},
			h("ff ef")},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			i := slices.IndexFunc(captures, func(c struct{ name, in string }) bool { return c.name == tt.capture })
			in := captures[i].in
			for _, chunks := range append(splits(in), [][]byte{[]byte(in)}) {
				lines, out, info := replay(t, Config{}, chunks)
				if out != offers+tt.replies {
					t.Fatalf("split %q: wrote\n% x\nwant\n% x", chunks, out, offers+tt.replies)
				}
				if !slices.Equal(lines, tt.lines) || !reflect.DeepEqual(info, tt.info) {
					t.Fatalf("split %q: lines %q, info %+v", chunks, lines, info)
				}
			}
			c := NewConn(&scriptConn{chunks: [][]byte{[]byte(in)}}, Config{})
			for _, err := c.ReadLine(); err == nil; _, err = c.ReadLine() {
			}
			if got := string(c.AppendPromptEnd(nil)); got != tt.prompt {
				t.Fatalf("prompt end % x, want % x", got, tt.prompt)
			}
		})
	}
}

func TestNegotiation(t *testing.T) {
	tests := []struct {
		name, in string
		replies  string
		check    func(Info) bool
	}{
		{"NAWS 0xFFF0 clamped, parser in sync", h("ff fa 1f ff ff f0 00 18 ff f0") + "hi\r\n", "",
			func(i Info) bool { return i.Width == 500 && i.Height == 24 }},
		{"NAWS 255x30", h("ff fb 1f ff fa 1f 00 ff ff 00 1e ff f0"), "",
			func(i Info) bool { return i.Width == 255 && i.Height == 30 }},
		{"NAWS clamped up", h("ff fa 1f 00 01 00 01 ff f0"), "",
			func(i Info) bool { return i.Width == 20 && i.Height == 5 }},
		{"NAWS zero keeps last", h("ff fa 1f 00 64 00 32 ff f0 ff fa 1f 00 00 00 00 ff f0"), "",
			func(i Info) bool { return i.Width == 100 && i.Height == 50 }},
		{"NAWS wrong length ignored", h("ff fa 1f 00 64 00 ff f0 ff fa 1f 00 64 00 32 00 ff f0"), "",
			func(i Info) bool { return i.Width == 0 && i.Height == 0 }},
		{"NAWS with SE missing", h("ff fa 1f 00 50 00 18 ff fb 18"), send,
			func(i Info) bool { return i.Width == 80 && i.Height == 24 }},
		{"refused TTYPE gets no SEND", h("ff fc 18") + is("X"), "",
			func(i Info) bool { return i.ClientName == "X" }},
		{"IS before WILL gets no SEND", is("X") + h("ff fb 18"), "",
			func(i Info) bool { return slices.Equal(i.TerminalTypes, []string{"X"}) }},
		{"TTYPE wraps to the first value", h("ff fb 18") + is("A") + is("B") + is("a"), send + send + send,
			func(i Info) bool { return slices.Equal(i.TerminalTypes, []string{"A", "B"}) }},
		{"TTYPE case-insensitive repeat", h("ff fb 18") + is("xterm") + is("XTERM"), send + send,
			func(i Info) bool { return slices.Equal(i.TerminalTypes, []string{"xterm"}) }},
		{"TTYPE at most 6 requests", h("ff fb 18") + is("1") + is("2") + is("3") + is("4") + is("5") + is("6") + is("7") + is("8"),
			strings.Repeat(send, 6),
			func(i Info) bool { return len(i.TerminalTypes) == 6 }},
		{"TTYPE name capped", h("ff fb 18") + is(strings.Repeat("n", 100)+"\x1b"), send + send,
			func(i Info) bool { return i.ClientName == strings.Repeat("n", 40) }},
		{"MTTS overflow", h("ff fb 18") + is("X") + is("MTTS 99999999999") + is("MTTS 18446744073709551617"), strings.Repeat(send, 4),
			func(i Info) bool { return i.MTTS == -1 }},
		{"MTTS not a number", h("ff fb 18") + is("MTTS 12a") + is("MTTS -1") + is("MTTS +5"), strings.Repeat(send, 4),
			func(i Info) bool { return i.MTTS == -1 }},
		{"MTTS largest", h("ff fb 18") + is("MTTS 2147483647"), send + send,
			func(i Info) bool { return i.MTTS == 2147483647 }},
		{"unsupported options refused", h("ff fd 50 ff fb 50 ff fd 01"), h("ff fc 50 ff fe 50 ff fc 01"),
			func(i Info) bool { return !i.Echoing }},
		{"refusals are bounded", strings.Repeat(h("ff fd 50"), 1000), strings.Repeat(h("ff fc 50"), maxUnsolicited),
			func(Info) bool { return true }},
		{"DO SGA accepted once", h("ff fd 03 ff fd 03 ff fe 03 ff fe 03"), h("ff fb 03 ff fc 03"),
			func(i Info) bool { return !i.SGA }},
		{"DONT EOR", h("ff fe 19 ff fd 19"), h("ff fb 19"),
			func(i Info) bool { return i.EOR }},
		{"CHARSET accepted", h("ff fd 2a ff fa 2a 02") + "UTF-8" + h("ff f0"), charsetReq,
			func(i Info) bool { return i.Charset == UTF8 && i.UTF8() }},
		{"CHARSET accepted as ;utf8", h("ff fd 2a ff fa 2a 02") + ";utf8" + h("ff f0"), charsetReq,
			func(i Info) bool { return i.Charset == UTF8 && i.UTF8() }},
		{"CHARSET accepted another set", h("ff fd 2a ff fa 2a 02") + "iso-8859-1" + h("ff f0"), charsetReq,
			func(i Info) bool { return i.Charset == "ISO-8859-1" && !i.UTF8() }},
		{"CHARSET rejected beats MTTS UTF-8", h("ff fd 2a ff fa 2a 03 ff f0 ff fb 18") + is("MTTS 271"), charsetReq + send + send,
			func(i Info) bool { return i.CharsetRejected && !i.UTF8() }},
		{"CHARSET refused, MTTS UTF-8", h("ff fe 2a ff fb 18") + is("MTTS 271"), send + send,
			func(i Info) bool { return i.Charset == "" && i.UTF8() }},
		{"CHARSET refused, MTTS without UTF-8", h("ff fe 2a ff fb 18") + is("MTTS 265"), send + send,
			func(i Info) bool { return !i.UTF8() }},
		{"CHARSET never answered", "hi\r\n", "",
			func(i Info) bool { return !i.UTF8() }},
		{"CHARSET answer before negotiation ignored", h("ff fa 2a 02") + "UTF-8" + h("ff f0"), "",
			func(i Info) bool { return i.Charset == "" }},
		{"CHARSET requested once", h("ff fd 2a ff fb 2a ff fd 2a"), charsetReq + h("ff fd 2a"),
			func(Info) bool { return true }},
		{"client CHARSET request with TTABLE", h("ff fb 2a ff fa 2a 01") + "[TTABLE]\x01 ISO-8859-1 utf-8" + h("ff f0"),
			h("ff fd 2a") + charsetReq + h("ff fa 2a 02") + "UTF-8" + h("ff f0"),
			func(i Info) bool { return i.Charset == UTF8 }},
		{"client CHARSET request without UTF-8", h("ff fb 2a ff fa 2a 01") + ";CP437;ISO-8859-1" + h("ff f0"),
			h("ff fd 2a") + charsetReq + h("ff fa 2a 03 ff f0"),
			func(i Info) bool { return i.Charset == "" }},
		{"CHARSET TTABLE-IS rejected", h("ff fd 2a ff fa 2a 04 01 ff f0"), charsetReq + h("ff fa 2a 05 ff f0"),
			func(Info) bool { return true }},
		{"AYT", "a" + h("ff f6") + "b\r\n", "[Yes]\r\n",
			func(Info) bool { return true }},
		{"ignored commands", h("ff f1 ff f2 ff f9 ff ef ff f0 ff 10 ff f5 ff fa 2a 01 3b ff f0"), "",
			func(Info) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunks := range append(splits(tt.in), [][]byte{[]byte(tt.in)}) {
				_, out, info := replay(t, Config{}, chunks)
				if out != offers+tt.replies || !tt.check(info) {
					t.Fatalf("split %q: wrote\n% x\nwant\n% x\ninfo %+v", chunks, out, offers+tt.replies, info)
				}
			}
		})
	}
}

func TestPromptEnd(t *testing.T) {
	tests := []struct {
		name, in string
		cfg      Config
		want     string
	}{
		{"no answer yet: GA", "", Config{}, h("ff f9")},
		{"EOR agreed", h("ff fd 19"), Config{}, h("ff ef")},
		{"EOR and SGA: EOR only", h("ff fd 19 ff fd 03"), Config{}, h("ff ef")},
		{"SGA agreed: nothing", h("ff fe 19 ff fd 03"), Config{}, ""},
		{"EOR refused: GA", h("ff fe 19"), Config{}, h("ff f9")},
		{"raw: nothing", "", Config{Raw: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConn(&scriptConn{chunks: [][]byte{[]byte(tt.in)}}, tt.cfg)
			c.Start()
			c.ReadLine()
			if got := string(c.AppendPromptEnd([]byte("> "))); got != "> "+tt.want {
				t.Fatalf("got % x", got)
			}
		})
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct {
		in, telnet, raw string
	}{
		{"", "", ""},
		{"plain", "plain", "plain"},
		{"a\nb", "a\r\nb", "a\r\nb"},
		{"a\r\nb\r\n", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\rb\r", "a\r\x00b\r\x00", "a\rb\r"},
		{"\n\r", "\r\n\r\x00", "\r\n\r"},
		{"\r\r\n", "\r\x00\r\n", "\r\r\n"},
		{"ÿ\xff", "ÿ\xff\xff", "ÿ\xff"},
	}
	tel, raw := NewConn(&scriptConn{}, Config{}), NewConn(&scriptConn{}, Config{Raw: true})
	for _, tt := range tests {
		if got := string(tel.AppendText([]byte(">"), tt.in)); got != ">"+tt.telnet {
			t.Errorf("telnet %q: got %q, want %q", tt.in, got, tt.telnet)
		}
		if got := string(raw.AppendText(nil, tt.in)); got != tt.raw {
			t.Errorf("raw %q: got %q, want %q", tt.in, got, tt.raw)
		}
	}
}

func TestRaw(t *testing.T) {
	in := h("ff fd 18 ff fb 01") + "hi\r\nb\x7fok\n"
	for _, chunks := range append(splits(in), [][]byte{[]byte(in)}) {
		sc := &scriptConn{chunks: slices.Clone(chunks)}
		c := NewConn(sc, Config{Raw: true})
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if err := c.HideInput(true); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for {
			line, err := c.ReadLine()
			if err != nil {
				break
			}
			lines = append(lines, line)
		}
		if want := []string{"\ufffd\ufffd\ufffd\ufffdhi", "ok"}; !slices.Equal(lines, want) {
			t.Fatalf("split %q: lines %q", chunks, lines)
		}
		if out := sc.written(); out != "" {
			t.Fatalf("raw mode wrote % x", out)
		}
		if info := c.Info(); info.MTTS != -1 || info.ClientName != "" {
			t.Fatalf("info %+v", info)
		}
	}
}

// TestEchoKBtinRace: WONT ECHO and then WILL ECHO go out before KBtin's
// DONT ECHO (its acknowledgement of the WONT) and DO ECHO come back.
func TestEchoKBtinRace(t *testing.T) {
	sc := &scriptConn{chunks: [][]byte{[]byte(h("ff fd 01") + "\n")}}
	c := NewConn(sc, Config{})
	c.HideInput(true)
	c.ReadLine() // DO ECHO
	c.HideInput(false)
	c.HideInput(true)
	sc.chunks = [][]byte{[]byte(h("ff fe 01 ff fd 01") + "\n")}
	c.ReadLine()
	if got := sc.written(); got != h("ff fb 01 ff fc 01 ff fb 01") || !c.Info().Echoing {
		t.Fatalf("wrote % x, info %+v", got, c.Info())
	}
}
