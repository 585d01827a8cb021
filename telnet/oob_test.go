package telnet

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseGMCP(t *testing.T) {
	tests := []struct {
		in      string
		pkg     string
		data    string
		wantErr bool
	}{
		{`Core.Hello {"client":"Mudlet","version":"4.18"}`, "Core.Hello", `{"client":"Mudlet","version":"4.18"}`, false},
		{"Core.Ping", "Core.Ping", "", false},
		{"Core.Ping 120", "Core.Ping", "120", false},
		{"char.vitals\n{\"hp\":1}", "char.vitals", `{"hp":1}`, false},
		{`Char.Vitals {'hp':1}`, "", "", true},
		{`Char.Vitals {"hp":1,}`, "", "", true},
		{"", "", "", true},
		{" Core.Ping", "", "", true},
		{"Bad\x00Name 1", "", "", true},
		{"X " + strings.Repeat("[", MaxOOBDepth+1) + strings.Repeat("]", MaxOOBDepth+1), "", "", true},
		{"X " + strings.Repeat("[", MaxOOBDepth) + strings.Repeat("]", MaxOOBDepth), "X", strings.Repeat("[", MaxOOBDepth) + strings.Repeat("]", MaxOOBDepth), false},
		{`X "[[[[[[[[[[[[[[[[[[[[[[\"["`, "X", `"[[[[[[[[[[[[[[[[[[[[[[\"["`, false},
	}
	for _, tt := range tests {
		m, err := ParseGMCP([]byte(tt.in))
		if (err != nil) != tt.wantErr || err == nil && (m.Package != tt.pkg || string(m.Data) != tt.data) {
			t.Errorf("ParseGMCP(%q) = %q %q, %v", tt.in, m.Package, m.Data, err)
		}
	}
}

func TestAppendGMCPEscapes(t *testing.T) {
	got := AppendGMCP(nil, "A.B", []byte("\"\xff\""))
	want := "\xff\xfa\xc9A.B \"\xff\xff\"\xff\xf0"
	if string(got) != want {
		t.Fatalf("% x, want % x", got, want)
	}
	if got := AppendGMCP(nil, "Core.Ping", nil); string(got) != "\xff\xfa\xc9Core.Ping\xff\xf0" {
		t.Fatalf("no data: %q", got)
	}
}

func TestMSDP(t *testing.T) {
	// From the MSDP specification: a table and an array.
	in := "\x01ROOM\x02\x03\x01VNUM\x026008\x01NAME\x02The forest clearing\x01EXITS\x02\x03\x01n\x026011\x01e\x026007\x04\x04" +
		"\x01REPORTABLE_VARIABLES\x02\x05\x02HEALTH\x02MANA\x06" +
		"\x01REPORT\x02HEALTH\x02HEALTH_MAX" +
		"\x01EMPTY"
	vars, err := ParseMSDP([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Var{
		{"ROOM", map[string]any{"VNUM": "6008", "NAME": "The forest clearing", "EXITS": map[string]any{"n": "6011", "e": "6007"}}},
		{"REPORTABLE_VARIABLES", []any{"HEALTH", "MANA"}},
		{"REPORT", []any{"HEALTH", "HEALTH_MAX"}},
		{"EMPTY", ""},
	}
	if !reflect.DeepEqual(vars, want) {
		t.Fatalf("got %#v", vars)
	}
	frame := AppendMSDP(nil, want[0], want[1], Var{"HEALTH", 100.0}, Var{"BAD", "a\x01b\x02c\xffd"})
	if !bytes.HasPrefix(frame, []byte{IAC, SB, OptMSDP}) || !bytes.HasSuffix(frame, []byte{IAC, SE}) {
		t.Fatalf("frame % x", frame)
	}
	back, err := ParseMSDP(frame[3 : len(frame)-2])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back[:2], want[:2]) || back[2].Value != "100" || back[3].Value != "abc\ufffdd" {
		t.Fatalf("round trip: %#v", back)
	}
	for _, bad := range []string{"HEALTH", "\x01A\x02\x03\x01B\x02C", "\x01A\x02\x05\x02B", "\x01A\x02\x04",
		"\x01A\x02" + strings.Repeat("\x05\x02", MaxOOBDepth+1)} {
		if _, err := ParseMSDP([]byte(bad)); err == nil {
			t.Errorf("ParseMSDP(%q) accepted", bad)
		}
	}
}

func TestAppendMSSP(t *testing.T) {
	got := AppendMSSP(nil, []Var{{"NAME", "Test\x01Land\xff"}, {"PORT", []string{"4000", "23"}}})
	want := "\xff\xfa\x46\x01NAME\x02TestLand\x01PORT\x024000\x0223\xff\xf0"
	if string(got) != want {
		t.Fatalf("% x, want % x", got, want)
	}
}

// TestGMCPConn checks what a Conn does with GMCP itself: subscriptions (Set replaces, Add
// adds, Remove removes, sub-packages covered by their package), Core.Ping answered only after
// DO, and messages handed to OnMessage in order.
func TestGMCPConn(t *testing.T) {
	gm := func(s string) string { return string(append(append([]byte{IAC, SB, OptGMCP}, s...), IAC, SE)) }
	in := gm("Core.Ping") + h("ff fd c9") + gm(`Core.Hello {"Client":"Mudlet","Version":"4.18"}`) +
		gm(`Core.Supports.Set ["Char 1","Room 1"]`) + gm(`Core.Supports.Set ["Char 2","Comm.Channel 1"]`) +
		gm(`Core.Supports.Add ["Room 1"]`) + gm(`Core.Supports.Remove ["Comm.Channel"]`) + gm("Core.Ping 5") +
		gm("Bad {") + "hi\r\n"
	var got []string
	cfg := Config{OnMessage: func(m Message) { got = append(got, m.Package+" "+string(m.Data)) }}
	sc := &scriptConn{chunks: [][]byte{[]byte(in)}}
	c := NewConn(sc, cfg)
	c.Start()
	if line, err := c.ReadLine(); line != "hi" || err != nil {
		t.Fatalf("ReadLine: %q %v", line, err)
	}
	if out := sc.written(); out != offers+gm("Core.Ping") {
		t.Fatalf("wrote % x", out)
	}
	if len(got) != 7 || got[0] != "Core.Ping " || got[6] != "Core.Ping 5" {
		t.Fatalf("messages: %q", got)
	}
	i := c.Info()
	if !i.GMCP || i.GMCPClient != "Mudlet 4.18" || !reflect.DeepEqual(i.GMCPSupports, []string{"char 2", "room 1"}) {
		t.Fatalf("info %+v", i)
	}
	for pkg, want := range map[string]bool{"Char.Vitals": true, "char.items.list": true, "Room.Info": true,
		"Comm.Channel.Text": false, "Core.Goodbye": true, "Charm": false} {
		if c.WantsGMCP(pkg) != want {
			t.Errorf("WantsGMCP(%q) = %v", pkg, !want)
		}
	}
	if got := c.AppendGMCP(nil, "Comm.Channel.Text", []byte("{}")); got != nil {
		t.Errorf("unsubscribed package appended: %q", got)
	}
}

// TestMCCP2Conn checks the write side: the start marker in a write of its own after the
// plain bytes, one sync flush per Write, the stream finished on DONT with the WONT after it
// in plain text.
func TestMCCP2Conn(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{Deflaters: &DeflaterPool{}})
	go func() {
		defer c.Close()
		c.Start()
		for {
			if _, err := c.ReadLine(); err != nil {
				return
			}
		}
	}()
	expect(t, client, offers)
	client.Write([]byte(h("ff fd 56")))
	expect(t, client, string(mccp2Start))
	zr := newStreamReader(t, client)
	c.Write([]byte("one\r\n"))
	zr.expect("one\r\n") // readable at once: flushed
	client.Write([]byte(h("ff fe 56")))
	zr.expectEnd()
	expect(t, client, h("ff fc 56"))
	c.Write([]byte("two\r\n"))
	expect(t, client, "two\r\n")
}

type streamReader struct {
	t  *testing.T
	zr io.Reader
}

func newStreamReader(t *testing.T, r io.Reader) *streamReader {
	zr, err := zlib.NewReader(&oneByte{r})
	if err != nil {
		t.Fatal(err)
	}
	return &streamReader{t, zr}
}

// oneByte reads one byte at a time, so the zlib reader never reads past its stream.
type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }
func (o *oneByte) ReadByte() (byte, error) {
	var b [1]byte
	_, err := io.ReadFull(o.r, b[:])
	return b[0], err
}

func (s *streamReader) expect(want string) {
	s.t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(s.zr, got); err != nil || string(got) != want {
		s.t.Fatalf("inflated %q, %v; want %q", got, err, want)
	}
}

func (s *streamReader) expectEnd() {
	s.t.Helper()
	if n, err := s.zr.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		s.t.Fatalf("stream did not end: %d, %v", n, err)
	}
}

// TestMCCP3Conn checks the read side: input is inflated from the byte right after IAC SE in
// the same read, a stream that ends (Z_FINISH) returns to plain input, and garbage is an
// error wrapping ErrInflate.
func TestMCCP3Conn(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("zipped\r\n" + h("ff fa 1f 00 50 00 18 ff f0")))
	zw.Close()
	in := h("ff fd 57 ff fa 57 ff f0") + z.String() + "plain\r\n"
	for _, chunks := range append(splits(in), [][]byte{[]byte(in)}) {
		lines, _, info := replay(t, Config{}, chunks)
		if !reflect.DeepEqual(lines, []string{"line zipped", "line plain"}) || info.Width != 80 || info.MCCP3 {
			t.Fatalf("split %q: %q %+v", chunks, lines, info)
		}
	}
	c := NewConn(&scriptConn{chunks: [][]byte{[]byte(h("ff fd 57 ff fa 57 ff f0") + "not zlib\r\n")}}, Config{})
	if _, err := c.ReadLine(); !errors.Is(err, ErrInflate) {
		t.Fatalf("garbage: %v", err)
	}
	// Without DO MCCP3 the start is ignored.
	lines, _, _ := replay(t, Config{NoCompress: true}, [][]byte{[]byte(h("ff fa 57 ff f0") + "plain\r\n")})
	if !reflect.DeepEqual(lines, []string{"line plain"}) {
		t.Fatalf("MCCP3 off: %q", lines)
	}
}

// FuzzGMCP checks that no payload panics and that what is accepted is valid JSON that
// frames and parses back the same.
func FuzzGMCP(f *testing.F) {
	for _, s := range []string{`Core.Hello {"client":"Mudlet","version":"4.18"}`, "Core.Ping", `Core.Supports.Set ["Char 1"]`,
		"char.vitals\n{\"hp\":\"1\"}", `X [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]`, "A \xff\xfe", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		m, err := ParseGMCP(p)
		if err != nil {
			return
		}
		if len(m.Data) > 0 && !json.Valid(m.Data) {
			t.Fatalf("invalid JSON accepted: %q", m.Data)
		}
		frame := AppendGMCP(nil, m.Package, m.Data)
		var d Decoder
		_, ev := d.Next(frame)
		if ev.Kind != EventSub {
			t.Fatalf("frame % x decodes as %+v", frame, ev)
		}
		back, err := ParseGMCP(ev.Data)
		if err != nil || back.Package != m.Package || !bytes.Equal(back.Data, m.Data) {
			t.Fatalf("round trip of %q: %+v, %v", p, back, err)
		}
		// The Conn's own handling of a message never panics.
		in := append([]byte(h("ff fd c9")), frame...)
		NewConn(&scriptConn{chunks: [][]byte{in}}, Config{}).ReadLine()
	})
}

// FuzzMSDP checks that no payload panics, nesting stays bounded, and what is accepted frames
// and parses back the same.
func FuzzMSDP(f *testing.F) {
	f.Add([]byte("\x01ROOM\x02\x03\x01VNUM\x026008\x01EXITS\x02\x03\x01n\x026011\x04\x04"))
	f.Add([]byte("\x01REPORT\x02HEALTH\x02MANA"))
	f.Add([]byte("\x01A\x02\x05\x02B\x02\x05\x06\x06"))
	f.Add([]byte("\x01A\x02\x03\x04\x01B"))
	f.Add([]byte("\x02\x03\x04"))
	f.Fuzz(func(t *testing.T, p []byte) {
		vars, err := ParseMSDP(p)
		if err != nil {
			return
		}
		frame := AppendMSDP(nil, vars...)
		back, err := ParseMSDP(frame[3 : len(frame)-2])
		if err != nil {
			t.Fatalf("%q: re-parse of % x: %v", p, frame, err)
		}
		if len(back) != len(vars) {
			t.Fatalf("%q: %d vars, then %d", p, len(vars), len(back))
		}
	})
}

// FuzzMCCP3 feeds arbitrary bytes after an MCCP3 start, raw and as a zlib stream: reading
// must end with lines or an error, never a panic or a hang.
func FuzzMCCP3(f *testing.F) {
	f.Add([]byte("look\r\n"), false)
	f.Add([]byte("\x78\x9c\x00"), false)
	f.Add([]byte("say hi\r\n\xff\xfb\x18"), true)
	f.Fuzz(func(t *testing.T, p []byte, zip bool) {
		if zip {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(p)
			zw.Flush()
			p = z.Bytes()
		}
		in := append([]byte(h("ff fd 57 ff fa 57 ff f0")), p...)
		c := NewConn(&scriptConn{chunks: [][]byte{in}}, Config{MaxLine: 64})
		for range 1000 {
			if _, err := c.ReadLine(); err != nil && !errors.Is(err, ErrLineTooLong) {
				return
			}
		}
		t.Fatal("more than 1000 lines from a short input")
	})
}
