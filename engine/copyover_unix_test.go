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
	"regexp"
	"strconv"
	"strings"
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
	s := startServer(t, fixture(), data, func(c *engine.Config) {
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
	if m := regexp.MustCompile(`Process (\d+)\.`).FindStringSubmatch(out); m != nil {
		pid, _ := strconv.Atoi(m[1])
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // it holds the test's stderr
	}
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

// createCompressed makes a character over telnet with MCCP2: the client reads the server's
// output through zlib from the start marker on.
func createCompressed(t *testing.T, s *mudtest.Server, name, password string) *mudtest.Client {
	c := mudtest.Dial(t, s.Eng.TelnetAddr())
	c.Conn = newMCCPConn(c.Conn)
	c.Conn.Write([]byte{255, 253, 86}) // DO MCCP2
	c.Expect("name")
	c.Send(name)
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send(password)
	c.Expect("again")
	c.Send(password)
	c.Expect("\n> ")
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
