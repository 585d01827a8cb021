package engine_test

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// slowCommands registers "slow" (holds the loop for d, counting runs) and "mark" (reports
// how many slow commands ran before it).
func slowCommands(d time.Duration, ran *atomic.Int32) func(*engine.Engine) {
	return func(e *engine.Engine) {
		e.Commands().Add(engine.Command{Name: "slow", Run: func(c *engine.Context) {
			time.Sleep(d)
			c.Sendf("slow %d done", ran.Add(1))
		}})
		e.Commands().Add(engine.Command{Name: "mark", Run: func(c *engine.Context) {
			c.Sendf("mark after %d slow", ran.Load())
		}})
	}
}

func TestBurstDoesNotDelayOthers(t *testing.T) {
	var ran atomic.Int32
	s := startServerWith(t, fixture(), t.TempDir(), slowCommands(10*time.Millisecond, &ran))
	a := mudtest.Create(t, s, "Alice", "password1")
	b := mudtest.Create(t, s, "Bob", "password2")
	a.Conn.Write([]byte(strings.Repeat("slow\r\n", 30)))
	a.Expect("slow 1 done")
	b.Send("mark")
	out := b.Expect(" slow")
	var n int
	if _, err := fmt.Sscanf(out[strings.Index(out, "mark after"):], "mark after %d slow", &n); err != nil {
		t.Fatalf("parse %q: %v", out, err)
	}
	if n >= 30 {
		t.Fatalf("Bob's command ran after all %d of Alice's burst", n)
	}
	for i := 2; i <= 30; i++ {
		a.Expect(fmt.Sprintf("slow %d done", i)) // the burst still runs, in order
	}
}

func TestInputFloodIsCutOff(t *testing.T) {
	var ran atomic.Int32
	s := startServerWith(t, fixture(), t.TempDir(), slowCommands(5*time.Millisecond, &ran),
		func(c *engine.Config) { c.InputQueue = 40 })
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Conn.Write([]byte(strings.Repeat("slow\r\n", 200)))
	c.Expect("Slow down!")
	c.Expect("faster than the game can run them")
	if !c.Closed(5 * time.Second) {
		t.Fatal("flooding client not disconnected")
	}
}

func TestNonReadingClientIsCutOff(t *testing.T) {
	s := startServerWith(t, fixture(), t.TempDir(), func(e *engine.Engine) {
		e.Commands().Add(engine.Command{Name: "spam", Run: func(c *engine.Context) {
			c.Send(strings.Repeat("spam spam spam spam spam spam spam spam spam spam\n", 5000)) // 255 KB
		}})
	}, func(c *engine.Config) { c.OutputQueue = 16 })
	stuck := mudtest.Create(t, s, "Alice", "password1")
	stuck.Conn.(*net.TCPConn).SetReadBuffer(4096)
	other := mudtest.Create(t, s, "Bob", "password2")
	cut, out := false, ""
	for i := 0; i < 1000 && !cut; i++ { // at most 255 MB of output; the cut comes far sooner
		stuck.Conn.Write([]byte("spam\r\n")) // fails once the server has cut it off
		other.Send("who")
		out = other.Expect("player(s).")
		cut = strings.Contains(out, "Alice") && strings.Contains(out, "(link-dead)")
	}
	if !cut {
		t.Fatalf("client that never reads was not cut off; last who:\n%s", out)
	}
}

// A client that reads, but more slowly than a burst of answers arrives, gets every answer in
// order: what does not fit its queue waits on the loop, and it is not cut off.
func TestBurstOverQueueArrivesInOrder(t *testing.T) {
	s := startServerWith(t, fixture(), t.TempDir(), func(e *engine.Engine) {
		e.Commands().Add(engine.Command{Name: "num", Run: func(c *engine.Context) {
			c.Send("num " + c.Args + strings.Repeat(" padding", 100))
		}})
	}, func(c *engine.Config) { c.OutputQueue = 1 })
	c := mudtest.Create(t, s, "Alice", "password1")
	var burst strings.Builder
	const n = 150
	for i := range n {
		fmt.Fprintf(&burst, "num %d\r\n", i)
	}
	c.Conn.Write([]byte(burst.String()))
	for i := range n {
		out := c.Expect(fmt.Sprintf("num %d ", i))
		if i > 0 && strings.Contains(out, fmt.Sprintf("num %d ", i+1)) {
			t.Fatalf("answer %d arrived before answer %d", i+1, i)
		}
	}
	c.Send("who")
	if out := c.Expect("player(s)."); !strings.Contains(out, "Alice") {
		t.Fatalf("who after the burst:\n%s", out)
	}
}
