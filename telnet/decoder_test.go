package telnet

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Client to server bytes captured from real clients (reference §2.5). Each
// answered a server that offered more than Conn does, so they also carry
// answers to options Conn never offered.
var captures = []struct {
	name, in string
}{
	{"tintin", h("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fd 19 ff fe c9 ff fe 45 "+
		"ff fd 46 ff fe 5b ff fb 2a ff fb 27 ff fd 56") + is("TINTIN++") + h("ff fa 2a 02") + "UTF-8" + h("ff f0") +
		is("xterm-256color") + is("MTTS 271") + is("MTTS 271") + "hello\r\n"},
	{"tf5", h("ff fb 1f ff fb 18 ff fa 1f 00 77 00 24 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46 "+
		"ff fe 5b ff fc 2a ff fc 27 ff fd 56") + is("TINYFUGUE") + is("ANSI-ATTR") + is("ANSI") +
		is("UNKNOWN") + is("UNKNOWN") + "look\r\n"},
	{"netkit", h("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fe 19 ff fe c9 ff fe 45 ff fe 46 "+
		"ff fe 5b ff fc 2a ff fb 27 ff fe 56") + is("XTERM-256COLOR") + is("XTERM-256COLOR") +
		h("ff fa 27 00 ff f0 ff fa 27 00 ff f0 ff fa 27 00 03") + "CLIENT_NAME" + h("03") + "CLIENT_VERSION" +
		h("03") + "MTTS" + h("ff f0") + h("68 65 6c 6c 6f 7f 0d 00")},
	{"kbtin", h("ff fb 18 ff fb 1f ff fa 1f 00 78 00 27 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46 "+
		"ff fe 5b ff fc 2a ff fc 27 ff fd 56 ff fe 57") + is("KBtin") + is("hardcopy") + is("unknown") +
		is("KBtin-2.1") + is("KBtin-2.1") + "look\r\n"},
	{"mudlet", h("ff fb 18 ff fb 1f ff fa 1f 00 64 00 32 ff f0 ff fd 19 ff fb 18 ff fd 19 ff fb 1f") +
		is("MUDLET") + is("ANSI-TRUECOLOR") + is("MTTS 2349") + is("MTTS 2349") + "say \xff\xff!\n"},
}

func TestDecoderCapturesAnySplit(t *testing.T) {
	for _, c := range captures {
		t.Run(c.name, func(t *testing.T) {
			want := transcript(t, [][]byte{[]byte(c.in)}, 0, DefaultMaxLine)
			for _, chunks := range splits(c.in) {
				if got := transcript(t, chunks, 0, DefaultMaxLine); !slices.Equal(got, want) {
					t.Fatalf("split %q:\n got %q\nwant %q", chunks, got, want)
				}
			}
		})
	}
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name, in string
		maxSub   int
		want     []string
	}{
		{"NAWS width 0xFFF0 escaped", h("ff fa 1f ff ff f0 00 18 ff f0") + "hi\r\n", 0,
			[]string{"sub 31 ff f0 00 18", "line hi"}},
		{"NAWS 255x30", h("ff fa 1f 00 ff ff 00 1e ff f0"), 0, []string{"sub 31 00 ff 00 1e"}},
		{"empty SB", h("ff fa 1f ff f0"), 0, []string{"sub 31 "}},
		{"SE missing before a command", h("ff fa 1f 00 50 00 18 ff fb 18"), 0,
			[]string{"sub 31 00 50 00 18", "opt 251 24"}},
		{"SE missing before SB", h("ff fa 18 00 41 ff fa 1f 00 50 00 18 ff f0"), 0,
			[]string{"sub 24 00 41", "sub 31 00 50 00 18"}},
		{"commands", h("ff f1 ff f2 ff f9 ff ef ff f0 ff 10 ff f4 ff f6"), 0,
			[]string{"cmd 241", "cmd 242", "cmd 249", "cmd 239", "cmd 240", "cmd 16", "cmd 244", "cmd 246"}},
		{"TinTin unescaped FF", "a\xffb\r\n", 0, []string{"cmd 98", "line a"}},
		{"IAC WILL CR", "a\xff\xfb\r\nb\r\n", 0, []string{"opt 251 13", "line a", "line b"}},
		{"SB too long", h("ff fa 18 00") + "0123456789" + h("ff f0") + "ok\r\n", 8,
			[]string{"sub too long 24", "line ok"}},
		{"SB too long by IAC IAC", h("ff fa 18 00") + "123456" + h("ff ff ff f0") + "ok\r\n", 7,
			[]string{"sub too long 24", "line ok"}},
		{"SB at the limit", h("ff fa 18 00") + "123456" + h("ff ff ff f0"), 8,
			[]string{"sub 24 00 31 32 33 34 35 36 ff"}},
		{"unterminated SB ends at a command", h("ff fa 18") + strings.Repeat("x\r\n", 100) + h("ff fb 1f") + "ok\n", 64,
			[]string{"sub too long 24", "opt 251 31", "line ok"}},
		{"WILL/WONT/DO/DONT", h("ff fb 01 ff fc 01 ff fd 01 ff fe 01"), 0,
			[]string{"opt 251 1", "opt 252 1", "opt 253 1", "opt 254 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxSub := tt.maxSub
			if maxSub == 0 {
				maxSub = DefaultMaxSub
			}
			got := transcript(t, [][]byte{[]byte(tt.in)}, maxSub, DefaultMaxLine)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for _, chunks := range splits(tt.in) {
				if got := transcript(t, chunks, maxSub, DefaultMaxLine); !slices.Equal(got, tt.want) {
					t.Fatalf("split %q: got %q", chunks, got)
				}
			}
		})
	}
}

// TestDecoderData checks IAC unescaping of text, including a lone IAC at the
// end of a read.
func TestDecoderData(t *testing.T) {
	in := "a\xff\xffb" + h("ff f1") + "c\xff\xff"
	for _, chunks := range append(splits(in), [][]byte{[]byte(in)}) {
		var d Decoder
		var data []byte
		for _, p := range chunks {
			for len(p) > 0 {
				n, ev := d.Next(p)
				p = p[n:]
				if ev.Kind == EventData {
					data = append(data, ev.Data...)
				}
			}
		}
		if string(data) != "a\xffbc\xff" {
			t.Fatalf("split %q: data %q", chunks, data)
		}
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"each line end", "a\r\nb\r\x00c\nd\re\r\n", []string{"a", "b", "c", "d", "e"}},
		{"CR CR LF", "x\r\r\n", []string{"x", ""}},
		{"empty lines", "\n\r\n\r\x00", []string{"", "", ""}},
		{"CR then text", "a\rb\n", []string{"a", "b"}},
		{"NUL dropped", "a\x00b\r\n", []string{"ab"}},
		{"DEL and BS erase", "hel\x7flo\x08p\r\n", []string{"help"}},
		{"erase a whole rune", "café\x7f!\r\n", []string{"caf!"}},
		{"erase past the start", "\x7f\x08a\r\n", []string{"a"}},
		{"ESC and controls dropped", "\x1b[31mred\x07\x01\r\n", []string{"[31mred"}},
		{"tab to space", "a\tb\r\n", []string{"a b"}},
		{"C1 control dropped", "\xc2\x9b31m\xc2\xa0\r\n", []string{"31m\u00a0"}},
		{"invalid UTF-8", "a\xfe\xc3b\xed\xa0\x80\r\n", []string{"a\ufffd\ufffdb\ufffd\ufffd\ufffd"}},
		{"escaped FF is invalid UTF-8", "a\xff\xffb\r\n", []string{"a\ufffdb"}},
		{"valid UTF-8 kept", "日本 ☕ ok\r\n", []string{"日本 ☕ ok"}},
		{"IP discards the line", "abc" + h("ff f4") + "def\r\n", []string{"def"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunks := range append(splits(tt.in), [][]byte{[]byte(tt.in)}) {
				lines, _, _ := replay(t, Config{}, chunks)
				want := make([]string, len(tt.want))
				for i, l := range tt.want {
					want[i] = "line " + l
				}
				if !slices.Equal(lines, want) {
					t.Fatalf("split %q: got %q, want %q", chunks, lines, want)
				}
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	in := strings.Repeat("x", 20) + "\r\nok\r\n" + strings.Repeat("é", 9) + "\r\n" + "tiny\r\n"
	want := []string{"error: " + ErrLineTooLong.Error(), "line ok", "error: " + ErrLineTooLong.Error(), "line tiny"}
	for _, chunks := range append(splits(in), [][]byte{[]byte(in)}) {
		got := transcript(t, chunks, DefaultMaxSub, 16)
		if !slices.Equal(got, want) {
			t.Fatalf("split %q: got %q", chunks, got)
		}
	}
}

// TestHugeLine feeds an 8 MB line; a quadratic buffer would not finish.
func TestHugeLine(t *testing.T) {
	in := append(bytes.Repeat([]byte("a\xff\xff"), 8<<20/3), "\r\nnext\r\n"...)
	var chunks [][]byte
	for p := in; len(p) > 0; p = p[min(len(p), 4096):] {
		chunks = append(chunks, p[:min(len(p), 4096)])
	}
	got := transcript(t, chunks, DefaultMaxSub, DefaultMaxLine)
	want := []string{"error: " + ErrLineTooLong.Error(), "line next"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
}
