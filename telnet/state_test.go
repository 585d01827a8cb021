package telnet

import (
	"encoding/json"
	"errors"
	"io"
	"os"
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
	b, err := json.Marshal(c.Snapshot())
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
