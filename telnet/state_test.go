package telnet

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"testing"
	"time"
)

// TestSnapshotRestore stops a connection at a read deadline with part of a line typed,
// moves its state through JSON to a new Conn on the same socket, and goes on: the window
// size and agreed options are kept, nothing is renegotiated, and the line completes.
func TestSnapshotRestore(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, client, offers)
	io.WriteString(client, h("ff fb 1f ff fa 1f 00 64 00 1e ff f0 ff fd 19 ff fd 2a ff fa 2a 02")+"UTF-8"+
		h("ff f0")+"hello\r\nwor")
	if line, err := c.ReadLine(); line != "hello" || err != nil {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	expect(t, client, h("ff fa 2a 01")+";UTF-8"+h("ff f0")) // the CHARSET request, answered above
	server.SetReadDeadline(time.Now())
	if line, err := c.ReadLine(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadLine at the deadline = %q, %v; want a deadline error", line, err)
	}
	snap, err := c.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	c2 := NewConn(server, Config{})
	if err := c2.Restore(st); err != nil {
		t.Fatal(err)
	}
	server.SetReadDeadline(time.Time{})
	io.WriteString(client, "ld\r\n")
	if line, err := c2.ReadLine(); line != "world" || err != nil {
		t.Fatalf("ReadLine after Restore = %q, %v; want \"world\"", line, err)
	}
	if info := c2.Info(); info.Width != 100 || info.Height != 30 || !info.EOR || info.Charset != UTF8 {
		t.Fatalf("Info after Restore = %+v; want 100x30 with EOR and UTF-8", info)
	}
	c2.Write(c2.AppendPromptEnd(c2.AppendText(nil, "> ")))
	expect(t, client, "> "+h("ff ef")) // EOR still agreed, and no new offers
}

func TestRestoreRejects(t *testing.T) {
	tests := []struct {
		name string
		st   State
	}{
		{"raw mismatch", State{Raw: true}},
		{"bad option state", State{Us: []OptionState{{Option: OptEOR, State: "maybe"}}}},
		{"bad decoder state", State{Decoder: DecoderState{State: 99}}},
		{"line too long", State{Line: make([]byte, DefaultMaxLine+1)}},
	}
	for _, tt := range tests {
		server, _ := tcpPair(t)
		if err := NewConn(server, Config{}).Restore(tt.st); err == nil {
			t.Errorf("%s: Restore succeeded", tt.name)
		}
	}
}

// pausedConn gives its chunks, then read deadline errors: a connection being paused.
type pausedConn struct{ scriptConn }

func (p *pausedConn) Read(b []byte) (int, error) {
	if len(p.chunks) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	return p.scriptConn.Read(b)
}

// FuzzSnapshotRestore cuts a connection anywhere, moves it through Snapshot, JSON and
// Restore to a new Conn, and checks that the lines, the replies and what the client reported
// are the same as without the cut.
func FuzzSnapshotRestore(f *testing.F) {
	for _, c := range captures {
		f.Add([]byte(c.in), uint16(len(c.in)/2))
	}
	f.Add([]byte(h("ff fb 1f ff fa 1f 00 64 00 1e ff f0 ff fd 19")+"hello\r\nworld\r\n"), uint16(20))
	f.Add([]byte(h("ff fa 18 00 41 ff fa 1f 00 50 00 18 ff f0")), uint16(6))
	f.Add([]byte(h("ff fd 2a ff fa 2a 02")+"UTF-8"+h("ff f0")+"x\r"), uint16(9))
	f.Add([]byte("abc\rdef\r\nghi"), uint16(4))
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		k := int(cut) % (len(in) + 1)
		cfg := Config{MaxSub: 16, MaxLine: 32, NoCompress: true} // MCCP: TestSnapshotCompressed
		want, wantOut, wantInfo := replay(t, cfg, [][]byte{in})

		a := &pausedConn{scriptConn{chunks: [][]byte{in[:k]}}}
		ca := NewConn(a, cfg)
		if err := ca.Start(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			line, err := ca.ReadLine()
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			got = append(got, lineEntry(line, err))
		}
		snap, err := ca.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		var st State
		if err := json.Unmarshal(js, &st); err != nil {
			t.Fatal(err)
		}
		b := &scriptConn{chunks: [][]byte{in[k:]}}
		cb := NewConn(b, cfg)
		if err := cb.Restore(st); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		for {
			line, err := cb.ReadLine()
			if errors.Is(err, io.EOF) {
				break
			}
			got = append(got, lineEntry(line, err))
		}
		if !slices.Equal(got, want) || a.written()+b.written() != wantOut || !infoEqual(cb.Info(), wantInfo) {
			t.Fatalf("cut at %d:\n%q %q %+v\nwant\n%q %q %+v", k, got, a.written()+b.written(), cb.Info(),
				want, wantOut, wantInfo)
		}
	})
}

// TestSnapshotCompressed hands over a connection with MCCP2 on: the old Conn ends the zlib
// stream, the new one starts a new stream before its first output, and the client reads both.
func TestSnapshotCompressed(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, client, offers)
	io.WriteString(client, h("ff fd 56")+"x\r\n") // DO MCCP2
	if line, err := c.ReadLine(); line != "x" || err != nil {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	c.Write(c.AppendText(nil, "before\n"))
	if err := c.PauseCompression(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Snapshot()
	if err != nil || !st.Compress {
		t.Fatalf("Snapshot = %+v, %v; want Compress", st, err)
	}
	c2 := NewConn(server, Config{})
	if err := c2.Restore(st); err != nil {
		t.Fatal(err)
	}
	c2.Write(c2.AppendText(nil, "after\n"))

	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(client)
	for _, want := range []string{"before\r\n", "after\r\n"} {
		marker := make([]byte, 5)
		if _, err := io.ReadFull(r, marker); err != nil || string(marker) != string(mccp2Start) {
			t.Fatalf("want the MCCP2 start marker, got % x, %v", marker, err)
		}
		zr, err := zlib.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(zr, got); err != nil || string(got) != want {
			t.Fatalf("inflated %q, %v; want %q", got, err, want)
		}
		if want == "before\r\n" { // the old stream was finished: nothing more in it
			if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("after the paused stream: %d bytes, %v; want its end", n, err)
			}
		}
	}
	if !c2.Info().MCCP2 {
		t.Error("MCCP2 is not on after Restore")
	}
}

func TestSnapshotRefusesMCCP3(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	c.Start()
	expect(t, client, offers)
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	io.WriteString(zw, "hi\r\n")
	zw.Flush()
	io.WriteString(client, h("ff fd 57 ff fa 57 ff f0")+buf.String()) // DO MCCP3, then compressed input
	if line, err := c.ReadLine(); line != "hi" || err != nil {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	if _, err := c.Snapshot(); !errors.Is(err, ErrNotMovable) {
		t.Fatalf("Snapshot with MCCP3 input: %v, want ErrNotMovable", err)
	}
}
