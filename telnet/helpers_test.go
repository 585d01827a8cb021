package telnet

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// h decodes space-separated hex bytes.
func h(s string) string {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// is is a TTYPE IS subnegotiation.
func is(name string) string { return h("ff fa 18 00") + name + h("ff f0") }

var (
	offers = h("ff fd 18 ff fd 1f ff fb 19 ff fb c9 ff fb 45 ff fb 56 ff fb 57 ff fb 2a") // what Start sends
	// charsetReq is our CHARSET REQUEST for UTF-8.
	charsetReq = h("ff fa 2a 01") + ";UTF-8" + h("ff f0")
	send       = h("ff fa 18 01 ff f0") // TTYPE SEND
)

// transcript decodes chunks with a Decoder and a lineBuf and returns one
// entry per line and per event. It fails t if a buffer passes its limit or
// the decoder stops making progress.
func transcript(t testing.TB, chunks [][]byte, maxSub, maxLine int) []string {
	if maxSub == 0 {
		maxSub = DefaultMaxSub
	}
	d := Decoder{MaxSub: maxSub, MaxOOB: maxSub}
	l := lineBuf{max: maxLine}
	var out []string
	for _, p := range chunks {
		stalled := 0
		for len(p) > 0 {
			n, ev := d.Next(p)
			p = p[n:]
			if stalled = stalled + 1; n > 0 {
				stalled = 0
			}
			if stalled > 1 || n == 0 && ev.Kind == EventNone {
				t.Fatalf("decoder made no progress on % x", p)
			}
			if len(d.sub) > d.MaxSub || len(l.buf) > l.max {
				t.Fatalf("buffers past limits: sub %d, line %d", len(d.sub), len(l.buf))
			}
			out = append(out, record(&l, ev)...)
		}
	}
	return out
}

// record returns the transcript entries for one event.
func record(l *lineBuf, ev Event) []string {
	switch ev.Kind {
	case EventNone:
		return nil
	case EventData:
		var lines []string
		for data := ev.Data; len(data) > 0; {
			n, done := l.add(data)
			data = data[n:]
			if done {
				lines = append(lines, lineEntry(l.take()))
			}
		}
		return lines
	case EventOption:
		return []string{fmt.Sprintf("opt %d %d", ev.Cmd, ev.Option)}
	case EventSub:
		return []string{fmt.Sprintf("sub %d % x", ev.Option, ev.Data)}
	case EventSubTooLong:
		return []string{fmt.Sprintf("sub too long %d", ev.Option)}
	}
	return []string{fmt.Sprintf("cmd %d", ev.Cmd)}
}

func lineEntry(s string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "line " + s
}

// splits returns every way to cut in into two reads, and in read one byte at
// a time.
func splits(in string) [][][]byte {
	var all [][][]byte
	for k := 1; k < len(in); k++ {
		all = append(all, [][]byte{[]byte(in[:k]), []byte(in[k:])})
	}
	var bytewise [][]byte
	for i := range len(in) {
		bytewise = append(bytewise, []byte{in[i]})
	}
	return append(all, bytewise)
}

// scriptConn is a net.Conn whose reads return the given chunks, one per
// read, then io.EOF, and which records what is written.
type scriptConn struct {
	chunks [][]byte
	mu     sync.Mutex
	out    []byte
}

func (s *scriptConn) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.chunks[0])
	if s.chunks[0] = s.chunks[0][n:]; len(s.chunks[0]) == 0 {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

func (s *scriptConn) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = append(s.out, p...)
	return len(p), nil
}

// written returns and clears what was written so far.
func (s *scriptConn) written() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := string(s.out)
	s.out = s.out[:0]
	return out
}

func (s *scriptConn) Close() error                     { return nil }
func (s *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (s *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (s *scriptConn) SetDeadline(time.Time) error      { return nil }
func (s *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (s *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// replay runs a Conn on chunks until EOF and returns its lines, everything
// it wrote and its Info.
func replay(t testing.TB, cfg Config, chunks [][]byte) (lines []string, out string, info Info) {
	sc := &scriptConn{chunks: slices.Clone(chunks)}
	c := NewConn(sc, cfg)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for {
		line, err := c.ReadLine()
		if errors.Is(err, io.EOF) {
			return lines, inflateOut(t, sc.written()), c.Info()
		}
		lines = append(lines, lineEntry(line, err))
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			t.Fatal(err)
		}
	}
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-accepted
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.c.Close(); client.Close() })
	return r.c, client
}

// expect reads exactly len(want) bytes from c and compares them.
func expect(t *testing.T, c net.Conn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("reading % x: %v (got % x)", want, err, got)
	}
	if string(got) != want {
		t.Fatalf("got % x, want % x", got, want)
	}
}

// inflateOut returns out with every MCCP2 stream after a start marker
// inflated: the marker stays, the zlib bytes are replaced by what they carry,
// and plain output after a finished stream follows as it is.
func inflateOut(t testing.TB, out string) string {
	t.Helper()
	i := strings.Index(out, string(mccp2Start))
	if i < 0 {
		return out
	}
	i += len(mccp2Start)
	rest := bytes.NewReader([]byte(out[i:]))
	zr, err := zlib.NewReader(rest)
	if err != nil {
		if rest.Len() == 0 || errors.Is(err, io.ErrUnexpectedEOF) {
			return out[:i]
		}
		t.Fatalf("MCCP2 stream: %v", err)
	}
	plain, err := io.ReadAll(zr)
	switch {
	case err == nil: // Z_FINISH: plain bytes follow
		tail, _ := io.ReadAll(rest)
		return out[:i] + string(plain) + inflateOut(t, string(tail))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return out[:i] + string(plain)
	}
	t.Fatalf("MCCP2 stream: %v", err)
	return ""
}
