package telnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	willEcho = h("ff fb 01")
	wontEcho = h("ff fc 01")
	doEcho   = h("ff fd 01")
	dontEcho = h("ff fe 01")
)

// serveLogin runs Start and two password prompts (password, confirm) on
// server, then closes it. It sends the passwords read on the channel.
func serveLogin(t *testing.T, server net.Conn) (*Conn, <-chan []string) {
	c := NewConn(server, Config{})
	done := make(chan []string, 1)
	go func() {
		defer c.Close()
		var got []string
		if err := c.Start(); err != nil {
			t.Error(err)
		}
		for range 2 {
			pw, err := readPassword(c)
			if err != nil {
				t.Error(err)
			}
			got = append(got, pw)
		}
		done <- got
	}()
	return c, done
}

// readPassword asks for a password the way a login does.
func readPassword(c *Conn) (string, error) {
	if err := c.HideInput(true); err != nil {
		return "", err
	}
	line, err := c.ReadLine()
	if err != nil {
		return "", err
	}
	return line, c.HideInput(false)
}

// assertEOF reads the rest of what the server sent and fails if there is any.
func assertEOF(t *testing.T, client net.Conn) {
	t.Helper()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(client); err != nil || len(rest) > 0 {
		t.Fatalf("after the login: % x, %v", rest, err)
	}
}

// TestPasswordTinTin: TinTin never acknowledges WONT ECHO; the confirm
// prompt must still send WILL ECHO.
func TestPasswordTinTin(t *testing.T) {
	server, client := tcpPair(t)
	c, done := serveLogin(t, server)
	expect(t, client, offers+willEcho)
	io.WriteString(client, doEcho+"secret\r\n")
	expect(t, client, wontEcho+willEcho)
	io.WriteString(client, doEcho+"secret\r\n")
	expect(t, client, wontEcho)
	if got := <-done; strings.Join(got, ",") != "secret,secret" {
		t.Fatalf("passwords %q", got)
	}
	if c.Info().Echoing {
		t.Fatal("still echoing after the password")
	}
	assertEOF(t, client)
}

// TestPasswordTinyFugue: tf5 sends DONT ECHO itself just before the password.
// It gets one WONT ECHO, the line is still the password, nothing loops.
func TestPasswordTinyFugue(t *testing.T) {
	server, client := tcpPair(t)
	_, done := serveLogin(t, server)
	expect(t, client, offers+willEcho)
	io.WriteString(client, doEcho+dontEcho+"secret\r\n")
	expect(t, client, wontEcho+willEcho)
	io.WriteString(client, doEcho+dontEcho+dontEcho+"again\r\n")
	expect(t, client, wontEcho)
	if got := <-done; strings.Join(got, ",") != "secret,again" {
		t.Fatalf("passwords %q", got)
	}
	assertEOF(t, client)
}

// TestPasswordBeforePrompt: Mudlet's auto-login may send the password before
// WILL ECHO; it is still read, and a late DO ECHO after WONT changes nothing.
func TestPasswordBeforePrompt(t *testing.T) {
	server, client := tcpPair(t)
	io.WriteString(client, "secret\r\nagain\r\n")
	_, done := serveLogin(t, server)
	if got := <-done; strings.Join(got, ",") != "secret,again" {
		t.Fatalf("passwords %q", got)
	}
	expect(t, client, offers+willEcho+wontEcho+willEcho+wontEcho)
	assertEOF(t, client)
}

// TestWriteTimeout: a client that never reads makes Write fail with the
// deadline instead of blocking.
func TestWriteTimeout(t *testing.T) {
	server, _ := tcpPair(t)
	c := NewConn(server, Config{WriteTimeout: 100 * time.Millisecond})
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	start := time.Now()
	var err error
	for err == nil && time.Since(start) < 30*time.Second {
		_, err = c.Write(chunk)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if err := c.HideInput(true); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("HideInput: %v", err)
	}
}

// TestConcurrentWrites writes from several goroutines while ReadLine answers
// negotiation; every write must reach the client in one piece.
func TestConcurrentWrites(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	const writers, msgs = 4, 200
	go func() { // the client: negotiation that needs answers, then lines
		var in strings.Builder
		for i := range 500 {
			fmt.Fprintf(&in, "%s%sline %d\r\n", h("ff fd 50"), h("ff fa 1f 00 64 00 32 ff f0"), i)
		}
		io.WriteString(client, in.String())
		client.(*net.TCPConn).CloseWrite()
	}()
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			if _, err := c.ReadLine(); err != nil {
				if n != 500 || !errors.Is(err, io.EOF) {
					t.Errorf("after %d lines: %v", n, err)
				}
				return
			}
		}
	})
	for w := range writers {
		wg.Go(func() {
			for i := range msgs {
				msg := c.AppendText(nil, fmt.Sprintf("writer %d message %d %s\n", w, i, strings.Repeat("=", 100)))
				if _, err := c.Write(c.AppendPromptEnd(msg)); err != nil {
					t.Error(err)
				}
				_ = c.Info()
			}
		})
	}
	got, err := readAll(client, writers*msgs)
	if err != nil {
		c.Close()
	}
	wg.Wait()
	if err != nil || len(got) != writers*msgs {
		t.Fatalf("%d messages, %v", len(got), err)
	}
}

// readAll decodes what the server sends until n text lines arrived. It
// fails if a telnet command arrives inside a line, or a line is garbled.
func readAll(client net.Conn, n int) ([]string, error) {
	var d Decoder
	var lines []string
	var line []byte
	buf := make([]byte, 4096)
	client.SetReadDeadline(time.Now().Add(20 * time.Second))
	for len(lines) < n {
		k, err := client.Read(buf)
		if err != nil {
			return lines, err
		}
		for p := buf[:k]; len(p) > 0; {
			used, ev := d.Next(p)
			p = p[used:]
			switch {
			case ev.Kind == EventData:
				line = append(line, ev.Data...)
			case ev.Kind != EventNone && len(line) > 0:
				return lines, fmt.Errorf("command % x inside %q", ev.Cmd, line)
			}
			for i := bytes.Index(line, []byte("\r\n")); i >= 0; i = bytes.Index(line, []byte("\r\n")) {
				var w, m int
				fmt.Sscanf(string(line[:i]), "writer %d message %d", &w, &m)
				if string(line[:i]) != fmt.Sprintf("writer %d message %d %s", w, m, strings.Repeat("=", 100)) {
					return lines, fmt.Errorf("garbled line %q", line[:i])
				}
				lines, line = append(lines, string(line[:i])), line[i+2:]
			}
		}
	}
	return lines, nil
}

// TestEOF: an unfinished last line is returned before io.EOF, and a lone IAC
// at the end of the input does not hang.
func TestEOF(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	io.WriteString(client, "one\r\ntwo\xff")
	client.Close()
	for _, want := range []string{"one", "two"} {
		if line, err := c.ReadLine(); line != want || err != nil {
			t.Fatalf("got %q, %v; want %q", line, err, want)
		}
	}
	for range 2 {
		if _, err := c.ReadLine(); !errors.Is(err, io.EOF) {
			t.Fatalf("got %v, want EOF", err)
		}
	}
}

// TestLongLineTCP sends a 1 MB line between two normal ones.
func TestLongLineTCP(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{})
	go func() {
		io.WriteString(client, "first\r\n"+strings.Repeat("a", 1<<20)+"\r\nnext\r\n")
		client.Close()
	}()
	want := []string{"line first", "error: " + ErrLineTooLong.Error(), "line next"}
	for _, w := range want {
		if got := lineEntry(c.ReadLine()); got != w {
			t.Fatalf("got %q, want %q", got, w)
		}
	}
}

// TestReadWhileWriterBlocked: a client that stops reading blocks the writer, but its input
// still reaches ReadLine, so the server sees what it sends and can cut it off by its own rules.
func TestReadWhileWriterBlocked(t *testing.T) {
	server, client := tcpPair(t)
	c := NewConn(server, Config{WriteTimeout: 5 * time.Second})
	blocked := make(chan error, 1)
	go func() {
		chunk := make([]byte, 1<<20)
		for {
			if _, err := c.Write(chunk); err != nil {
				blocked <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the writer fill the socket buffers and block
	if _, err := client.Write([]byte("still here\r\n")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() { line, _ := c.ReadLine(); got <- line }()
	select {
	case line := <-got:
		if line != "still here" {
			t.Fatalf("ReadLine = %q", line)
		}
	case err := <-blocked:
		t.Fatalf("writer ended (%v) before the line was read", err)
	case <-time.After(3 * time.Second):
		t.Fatal("ReadLine waited for the blocked writer")
	}
	server.Close()
}
