// Package mudtest runs engines on loopback ports and drives them as players would, for the
// project's tests: real TCP connections to a real engine with a real SQLite file.
package mudtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
)

// Timeout is how long Expect waits for text before the test fails.
const Timeout = 10 * time.Second

// Server is an engine serving on ephemeral 127.0.0.1 ports.
type Server struct {
	Eng    *engine.Engine
	t      testing.TB
	cancel context.CancelFunc
	done   chan struct{} // closed when Serve has returned
	err    error         // what Serve returned
	once   sync.Once
}

// Start runs an engine built from cfg, with test defaults for what cfg leaves unset: loopback
// ephemeral ports, a 20 ms pulse, bcrypt cost 4 and a discarded log. setup, if not nil, runs
// before the engine serves (to register commands). The server stops when the test ends.
func Start(t testing.TB, cfg engine.Config, setup func(*engine.Engine)) *Server {
	t.Helper()
	if cfg.TelnetAddr == "" {
		cfg.TelnetAddr = "127.0.0.1:0"
	}
	if cfg.TCPAddr == "" {
		cfg.TCPAddr = "127.0.0.1:0"
	}
	if cfg.Pulse == 0 {
		cfg.Pulse = 20 * time.Millisecond
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	if setup != nil {
		setup(eng)
	}
	if err := eng.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Eng: eng, t: t, cancel: cancel, done: make(chan struct{})}
	go func() { s.err = eng.Serve(ctx); close(s.done) }()
	<-eng.Ready()
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down and waits for Serve to return. Safe to call twice.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cancel()
		select {
		case <-s.done:
			if s.err != nil {
				s.t.Errorf("Serve: %v", s.err)
			}
		case <-time.After(20 * time.Second):
			s.t.Fatal("server did not stop within 20s")
		}
	})
}

// Wait waits for the server to stop by itself (a shutdown command) and returns what Serve
// returned. The test fails if it does not stop within Timeout.
func (s *Server) Wait() error {
	s.t.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(Timeout):
		s.t.Fatal("server did not stop")
		return nil
	}
}

// Client is one connection, read as a player reads it.
type Client struct {
	Conn net.Conn
	t    testing.TB
	buf  []byte // read but not yet consumed
}

// Dial connects to addr; the connection closes when the test ends.
func Dial(t testing.TB, addr net.Addr) *Client {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &Client{Conn: c, t: t}
}

// DialFrom connects to addr from the local IP address from (any of 127.0.0.0/8 on Linux),
// so that tests can play several client addresses.
func DialFrom(t testing.TB, addr net.Addr, from string) *Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return &Client{Conn: c, t: t}
}

// Send writes a line.
func (c *Client) Send(line string) {
	c.t.Helper()
	if _, err := c.Conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// Expect reads until want appears and returns the text up to and including it.
func (c *Client) Expect(want string) string {
	c.t.Helper()
	got, _ := c.ExpectAny(want)
	return got
}

// ExpectAny reads until one of wants appears; it returns the text up to and including the
// first one found, and which it was.
func (c *Client) ExpectAny(wants ...string) (text, found string) {
	c.t.Helper()
	text, found, err := c.readUntil(Timeout, wants...)
	if err != nil {
		c.t.Fatalf("waiting for %q: %v\nreceived so far:\n%s", wants, err, text)
	}
	return text, found
}

func (c *Client) readUntil(timeout time.Duration, wants ...string) (text, found string, err error) {
	deadline := time.Now().Add(timeout)
	chunk := make([]byte, 4096)
	for {
		at := -1
		for _, w := range wants {
			if i := bytes.Index(c.buf, []byte(w)); i >= 0 && (at < 0 || i < at) {
				found, at = w, i
			}
		}
		if at >= 0 {
			text = string(c.buf[:at+len(found)])
			c.buf = c.buf[at+len(found):]
			return text, found, nil
		}
		c.Conn.SetReadDeadline(deadline)
		n, err := c.Conn.Read(chunk)
		c.buf = append(c.buf, chunk[:n]...)
		if err != nil {
			return string(c.buf), "", err
		}
	}
}

// Do sends a command and returns its output up to the prompt that ends it. Messages heard
// while idle must be consumed first with Hear.
func (c *Client) Do(line string) string {
	c.t.Helper()
	c.Send(line)
	return strings.TrimSuffix(c.Expect("\n> "), "> ")
}

// Hear waits for a message that arrives by itself (someone else's action) and consumes the
// prompt that follows it.
func (c *Client) Hear(want string) string {
	c.t.Helper()
	out := c.Expect(want)
	c.Expect("> ")
	return out
}

// Closed reports whether the server closed the connection within timeout.
func (c *Client) Closed(timeout time.Duration) bool {
	_, _, err := c.readUntil(timeout, "\x00never\x00")
	var ne net.Error
	return err == io.EOF || (err != nil && !(errors.As(err, &ne) && ne.Timeout()))
}

// Create makes a new character over the plain TCP port and waits for the first prompt.
func Create(t testing.TB, s *Server, name, password string) *Client {
	t.Helper()
	return CreateAt(t, s.Eng.TCPAddr(), name, password)
}

// CreateAt makes a new character on the server whose plain TCP port is addr (a server in
// another process) and waits for the first prompt.
func CreateAt(t testing.TB, addr net.Addr, name, password string) *Client {
	t.Helper()
	c := Dial(t, addr)
	c.Create(name, password)
	return c
}

// Create runs the dialogue that makes a new character on a connection that has not logged in
// (any telnet negotiation done), and waits for the first prompt.
func (c *Client) Create(name, password string) {
	c.t.Helper()
	c.Expect("name")
	c.Send(name)
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send(password)
	c.Expect("again")
	c.Send(password)
	c.Expect("\n> ")
}

// Login logs an existing character in over the plain TCP port and waits for the prompt.
func Login(t testing.TB, s *Server, name, password string) *Client {
	t.Helper()
	return LoginAt(t, s.Eng.TCPAddr(), name, password)
}

// LoginAt logs an existing character in on the server whose plain TCP port is addr and
// waits for the prompt.
func LoginAt(t testing.TB, addr net.Addr, name, password string) *Client {
	t.Helper()
	c := Dial(t, addr)
	c.Expect("name")
	c.Send(name)
	c.Expect("Password")
	c.Send(password)
	c.Expect("\n> ")
	return c
}
