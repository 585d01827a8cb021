//go:build unix

package engine_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// TestMain lets the test binary be the new process of a copyover: a reboot starts the running
// executable, which is this binary, with MUDD_HANDOVER set.
func TestMain(m *testing.M) {
	if os.Getenv("MUDD_HANDOVER") != "" {
		os.Exit(successor())
	}
	os.Exit(m.Run())
}

// successor takes over from the test's engine, serving the fixture game on the same data
// directory, or fails on purpose when MUDD_TEST_FAIL is set.
func successor() int {
	h, err := engine.Inherit()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if fifo := os.Getenv("MUDD_TEST_WAIT"); fifo != "" {
		os.ReadFile(fifo) // a named pipe: waits until the test opens it and closes it
	}
	if os.Getenv("MUDD_TEST_HANG") != "" {
		time.Sleep(time.Minute) // never ready: the old process gives up and kills it
	}
	if os.Getenv("MUDD_TEST_FAIL") != "" {
		fmt.Fprintln(os.Stderr, "the successor fails on purpose")
		h.Fail(errors.New("told to fail"))
		return 1
	}
	eng, err := engine.New(engine.Config{Game: fixture(), DataDir: os.Getenv("MUDD_TEST_DATA"), Handover: h,
		Version: "successor", Pulse: 20 * time.Millisecond, BcryptCost: 4,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.Fail(err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := eng.Run(ctx); err != nil {
		h.Fail(err)
		return 1
	}
	return 0
}

// TestCopyoverInProcess reboots an engine of the test process into the test binary, first
// failing, then succeeding: with -race, both sides of the hand-over run under the race
// detector. (cmd/mudd tests the real binary, a new build and a broken one.)
func TestCopyoverInProcess(t *testing.T) {
	data := t.TempDir()
	t.Setenv("MUDD_TEST_DATA", data)
	s := startServer(t, fixture(), data, killSuccessors(t), func(c *engine.Config) {
		c.Version, c.ReadyTimeout = "first", time.Second
	})
	mudtest.Create(t, s, "Ada", "password1")
	if err := s.Eng.Store().SetRole(context.Background(), "Ada", "admin"); err != nil {
		t.Fatal(err)
	}
	ada := mudtest.Login(t, s, "Ada", "password1")
	bob := mudtest.Create(t, s, "Bob", "password2")
	ada.Hear("Bob has entered the game.")
	bob.Do("east")
	cat := createCompressed(t, s, "Cat", "password3")
	ada.Hear("Cat has entered the game.")

	t.Setenv("MUDD_TEST_FAIL", "1")
	ada.Send("reboot")
	failed := ada.Expect("Reboot failed") + ada.Expect("> ")
	failed = strings.Join(strings.Fields(failed), " ") // unwrapped
	if !strings.Contains(failed, "told to fail") || !strings.Contains(failed, "fails on purpose") {
		t.Errorf("the admin was told:\n%s", failed)
	}
	bob.Hear("The reboot failed; the game goes on.")
	if out := bob.Do("look"); !strings.Contains(out, "A Meadow") {
		t.Fatalf("after the failed reboot:\n%s", out)
	}

	t.Setenv("MUDD_TEST_FAIL", "")
	t.Setenv("MUDD_TEST_HANG", "1")
	ada.Send("reboot")
	failed = strings.Join(strings.Fields(ada.Expect("Reboot failed")+ada.Expect("> ")), " ")
	if !strings.Contains(failed, "was not ready within 1s") {
		t.Errorf("the admin was told:\n%s", failed)
	}
	bob.Hear("The reboot failed; the game goes on.")

	t.Setenv("MUDD_TEST_HANG", "")
	bob.Conn.Write([]byte("lo")) // half a line across the hand-over
	ada.Send("reboot 1")
	for _, c := range []*mudtest.Client{ada, bob, cat} {
		c.Expect("The game will reboot in 1 second. You will stay connected.")
		c.Expect("The world shimmers")
		c.Expect("Reboot complete.")
		c.Expect("> ")
	}
	out := ada.Do("version")
	if out = strings.Join(strings.Fields(out), " "); !strings.Contains(out, "version successor.") ||
		!strings.Contains(out, "from version first") {
		t.Fatalf("version after the reboot:\n%s", out)
	}
	bob.Send("ok")
	if out := bob.Expect("\n> "); !strings.Contains(out, "A Meadow") {
		t.Errorf("Bob's look across the reboot:\n%s", out)
	}
	if out := bob.Do("who"); !strings.Contains(out, "3 player(s)") {
		t.Errorf("who after the reboot:\n%s", out)
	}
	if out := cat.Do("look"); !strings.Contains(out, "Town Square") {
		t.Errorf("Cat's look after the reboot:\n%s", out)
	}
	// One stream from the start, ended for each of the two failed reboots and started again,
	// ended for the hand-over and started by the new process.
	if n := cat.Conn.(*mccpConn).streams.Load(); n != 4 {
		t.Errorf("Cat's output came in %d zlib streams, want 4", n)
	}
}

// killSuccessors returns a Config tweak whose logger notes the process id of every new
// process a copyover starts, and kills them all when the test ends, whether or not it got as
// far as asking the new process who it is: the new process holds the test's stderr.
func killSuccessors(t *testing.T) func(*engine.Config) {
	h := &pidNoter{Handler: slog.NewTextHandler(io.Discard, nil)}
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, pid := range h.pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return func(c *engine.Config) { c.Logger = slog.New(h) }
}

// pidNoter is a log handler that keeps the pid of every "new process started" record.
type pidNoter struct {
	slog.Handler
	mu   sync.Mutex
	pids []int
}

func (h *pidNoter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "copyover: new process started" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "pid" {
				h.mu.Lock()
				h.pids = append(h.pids, int(a.Value.Int64()))
				h.mu.Unlock()
			}
			return true
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h *pidNoter) Enabled(context.Context, slog.Level) bool { return true }

// TestCopyoverQueuedLines reboots with lines queued behind the reboot command: each runs once
// (in the new process, with its answer written there), and without waiting for more input.
func TestCopyoverQueuedLines(t *testing.T) {
	s, ada := rebootGame(t)
	c := mudtest.Create(t, s, "Bob", "password2")
	c.Send("quit")
	c.Expect("Goodbye!")
	if err := s.Eng.Store().SetRole(context.Background(), "Bob", "admin"); err != nil {
		t.Fatal(err)
	}
	bob := mudtest.Login(t, s, "Bob", "password2")
	ada.Hear("Bob has entered the game.")

	const n = 60
	var burst strings.Builder
	burst.WriteString("reboot\r\n")
	for i := range n {
		fmt.Fprintf(&burst, "lua return %d\r\n", 7000+i)
	}
	if _, err := bob.Conn.Write([]byte(burst.String())); err != nil {
		t.Fatal(err)
	}
	ada.Hear("Reboot complete.")
	bob.Expect("Reboot complete.")
	out := bob.Expect(strconv.Itoa(7000 + n - 1)) // no further input: carried lines run by themselves
	// The old process has written its audit rows once it has stopped.
	if err := s.Wait(); err != nil {
		t.Fatalf("the old process: %v", err)
	}
	bob.Send("lua return 9999")
	out += bob.Expect("9999")
	for i := range n {
		if c := strings.Count(out, strconv.Itoa(7000+i)); c != 1 {
			t.Errorf("the answer %d came %d times", 7000+i, c)
		}
	}
	audit := ada.Do(fmt.Sprintf("audit Bob %d", 3*n))
	if c := strings.Count(audit, "lua return 70"); c != n {
		t.Errorf("the audit log has %d rows of the %d lines:\n%s", c, n, audit)
	}
}

// holdSuccessor makes the next successor wait once it has read the hand-over: waiting
// returns once it waits, and release lets it go on.
func holdSuccessor(t *testing.T) (waiting, release func()) {
	fifo := filepath.Join(t.TempDir(), "wait")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MUDD_TEST_WAIT", fifo)
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once the successor opens it
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	var f *os.File
	waiting = func() {
		select {
		case f = <-opened:
		case <-time.After(mudtest.Timeout):
			t.Fatal("the successor did not start")
		}
	}
	return waiting, func() { f.Close() }
}

// rebootHeld has Ada (an admin) reboot a game where Bob (a player) is online, and returns
// once the new process has the hand-over and waits for release.
func rebootHeld(t *testing.T) (s *mudtest.Server, ada, bob *mudtest.Client, release func()) {
	s, ada = rebootGame(t)
	bob = mudtest.Create(t, s, "Bob", "password2")
	ada.Hear("Bob has entered the game.")
	waiting, release := holdSuccessor(t)
	ada.Send("reboot")
	waiting()
	return s, ada, bob, release
}

// TestCopyoverRoleChangedMeanwhile: a promotion committed while the sessions are handed over
// holds in the new process.
func TestCopyoverRoleChangedMeanwhile(t *testing.T) {
	s, _, bob, release := rebootHeld(t) // the new process has the hand-over, Bob a player in it
	if err := s.Eng.Store().SetRole(context.Background(), "Bob", "wizard"); err != nil {
		t.Fatal(err)
	}
	release()
	bob.Expect("Reboot complete.")
	bob.Expect("> ")
	if out := bob.Do("goto Ada"); strings.Contains(out, "Huh?") || !strings.Contains(out, "Ada") {
		t.Errorf("Bob, made a wizard during the reboot, after it:\n%s", out)
	}
}

// TestCopyoverShutdownMeanwhile: a shutdown while the new process starts wins. The players
// are told and let go, the new process is not told to go on (it is killed), and the game
// stops cleanly.
func TestCopyoverShutdownMeanwhile(t *testing.T) {
	s, ada, bob, release := rebootHeld(t)
	go s.Stop()
	bob.Expect("The game is shutting down.")
	release() // it reports ready to a process that is shutting down
	if err := s.Wait(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	for _, c := range []*mudtest.Client{ada, bob} {
		if !c.Closed(mudtest.Timeout) {
			t.Fatal("a connection outlived the shutdown: the new process took it over")
		}
	}
}

// TestCopyoverQuitQueued: a quit typed behind the reboot runs once, in the new process: the
// player is saved and let go there, and is not carried again.
func TestCopyoverQuitQueued(t *testing.T) {
	s, ada := rebootGame(t)
	bob := mudtest.Create(t, s, "Bob", "password2")
	ada.Hear("Bob has entered the game.")
	ada.Conn.Write([]byte("reboot\r\nquit\r\n"))
	bob.Expect("Reboot complete.")
	bob.Hear("Ada has left the game.")
	out := ada.Expect("Goodbye!")
	if !strings.Contains(out, "Reboot complete.") || strings.Count(out, "Goodbye!") != 1 {
		t.Errorf("Ada quitting behind her reboot:\n%s", out)
	}
	if !ada.Closed(mudtest.Timeout) {
		t.Error("Ada's connection outlived her quit")
	}
	if out := bob.Do("who"); !strings.Contains(out, "1 player(s)") {
		t.Errorf("who after Ada quit:\n%s", out)
	}
}

// rebootGame starts a game for a copyover test with Ada, an admin, logged in.
func rebootGame(t *testing.T) (*mudtest.Server, *mudtest.Client) {
	data := t.TempDir()
	t.Setenv("MUDD_TEST_DATA", data)
	s := startServer(t, fixture(), data, killSuccessors(t))
	c := mudtest.Create(t, s, "Ada", "password1")
	c.Send("quit")
	c.Expect("Goodbye!")
	if err := s.Eng.Store().SetRole(context.Background(), "Ada", "admin"); err != nil {
		t.Fatal(err)
	}
	return s, mudtest.Login(t, s, "Ada", "password1")
}

// TestCopyoverCancelsQuestion: a player answering a hidden question (a password) when the
// reboot comes has the question cancelled and echo back on; the next line is a command.
func TestCopyoverCancelsQuestion(t *testing.T) {
	s, ada := rebootGame(t)
	bob := mudtest.Dial(t, s.Eng.TelnetAddr())
	bob.Create("Bob", "password2")
	ada.Hear("Bob has entered the game.")
	bob.Send("password")
	bob.Expect("Current password: ")
	bob.Expect("\xff\xfb\x01") // WILL ECHO: the client stops echoing
	bob.Conn.Write([]byte{255, 253, 1})
	ada.Send("reboot")
	if out := bob.Expect("The world shimmers"); !strings.Contains(out, "\xff\xfc\x01") ||
		!strings.Contains(out, "The reboot cancelled your answer.") {
		t.Errorf("Bob, asked for his password, at the reboot:\n%q", out)
	}
	bob.Expect("Reboot complete.")
	bob.Expect("> ")
	if out := bob.Do("password2"); !strings.Contains(out, "Huh?") {
		t.Errorf("the line after the reboot was not a command:\n%q", out)
	}
}

// TestCopyoverLinkDead: a link-dead character is saved for the hand-over, not carried: it
// comes back where it stood when the player logs in to the new process.
func TestCopyoverLinkDead(t *testing.T) {
	s, ada := rebootGame(t)
	ada.Do("east")
	cat := mudtest.Create(t, s, "Cat", "password3")
	cat.Do("east")
	ada.Hear("Cat arrives")
	cat.Conn.Close()
	ada.Hear("Cat has lost the link.")
	ada.Send("reboot")
	ada.Expect("Reboot complete.")
	ada.Expect("> ")
	if out := ada.Do("who"); !strings.Contains(out, "1 player(s)") {
		t.Errorf("who after the reboot, before Cat is back:\n%s", out)
	}
	cat = mudtest.Login(t, s, "Cat", "password3")
	if out := cat.Do("look"); !strings.Contains(out, "A Meadow") {
		t.Errorf("Cat, link-dead at the reboot, logs in to:\n%s", out)
	}
}

// TestCopyoverLoginMeanwhile: a connection made while the sessions are handed over, still
// logging in, is asked to connect again; connecting again reaches the new process.
func TestCopyoverLoginMeanwhile(t *testing.T) {
	s, ada := rebootGame(t)
	waiting, release := holdSuccessor(t)
	ada.Send("reboot")
	waiting()
	late := mudtest.Dial(t, s.Eng.TCPAddr())
	late.Expect("name")
	release()
	late.Expect("The game is rebooting. Please connect again in a moment.")
	if !late.Closed(mudtest.Timeout) {
		t.Error("the connection logging in was not closed")
	}
	ada.Expect("Reboot complete.")
	ada.Expect("> ")
	dee := mudtest.Create(t, s, "Dee", "password4")
	if out := dee.Do("version"); !strings.Contains(out, "version successor") {
		t.Errorf("a connection after the reboot:\n%s", out)
	}
}

// createCompressed makes a character over telnet with MCCP2: the client reads the server's
// output through zlib from the start marker on.
func createCompressed(t *testing.T, s *mudtest.Server, name, password string) *mudtest.Client {
	c := mudtest.Dial(t, s.Eng.TelnetAddr())
	c.Conn = newMCCPConn(c.Conn)
	c.Conn.Write([]byte{255, 253, 86}) // DO MCCP2
	c.Create(name, password)
	return c
}

// mccpConn reads a server's output as an MCCP2 client does: a zlib stream after each
// IAC SB MCCP2 IAC SE, plain bytes after a stream ends.
type mccpConn struct {
	net.Conn
	out     *io.PipeReader
	streams atomic.Int32 // zlib streams started
}

func newMCCPConn(c net.Conn) *mccpConn {
	pr, pw := io.Pipe()
	m := &mccpConn{Conn: c, out: pr}
	go func() {
		r := bufio.NewReader(c)
		for {
			b, err := r.ReadByte()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if b == 255 {
				if next, _ := r.Peek(1); len(next) == 1 && next[0] == 250 {
					if sub, _ := r.Peek(4); bytes.Equal(sub, []byte{250, 86, 255, 240}) {
						r.Discard(4)
						m.streams.Add(1)
						zr, err := zlib.NewReader(r)
						if err == nil {
							_, err = io.Copy(pw, zr) // to the stream's end (Z_FINISH)
						}
						if err != nil {
							pw.CloseWithError(err)
							return
						}
						continue
					}
				}
			}
			pw.Write([]byte{b})
		}
	}()
	return m
}

func (m *mccpConn) Read(p []byte) (int, error) { return m.out.Read(p) }
