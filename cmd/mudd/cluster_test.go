package main

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mudd/mudd/internal/mudtest"
)

// proc is a mudd process started by a test, with its log kept for waiting and for failures.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // what Wait returned, once done is closed

	mu  sync.Mutex
	log bytes.Buffer
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

func (p *proc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// startProc runs bin with args; the process is killed when the test ends, and its log is
// shown if the test failed.
func startProc(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, p.logs())
		}
	})
	return p
}

// waitLog waits until the process has logged want n times in all.
func (p *proc) waitLog(want string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(p.logs(), want) < n {
		select {
		case <-p.done:
			p.t.Fatalf("%s exited (%v) before logging %q", p.name, p.err, want)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s did not log %q", p.name, want)
		}
	}
}

// wait waits for the process to exit by itself and returns what Wait returned.
func (p *proc) wait() error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(20 * time.Second):
		p.t.Fatalf("%s did not exit", p.name)
		return nil
	}
}

// testCluster is a gateway process with its embedded NATS server, and scene processes, on
// loopback, sharing a SQLite file.
type testCluster struct {
	t    *testing.T
	bin  string
	data string
	nats string
	tcp  net.Addr
	gw   *proc
}

func startCluster(t *testing.T) *testCluster {
	t.Helper()
	c := &testCluster{t: t, bin: buildMudd(t), data: t.TempDir()}
	natsAddr, tcp := freePort(t), freePort(t)
	c.nats = "nats://" + natsAddr
	c.gw = startProc(t, "gateway", c.bin, "gateway", "--data", c.data, "--telnet", "-", "--tcp", tcp,
		"--nats-listen", natsAddr, "--pulse", "20ms")
	c.gw.waitLog("mudd serving", 1)
	var err error
	if c.tcp, err = net.ResolveTCPAddr("tcp", tcp); err != nil {
		t.Fatal(err)
	}
	return c
}

// scene starts a scene process running zones and waits until the gateway has it.
func (c *testCluster) scene(id, zones string) *proc {
	c.t.Helper()
	p := startProc(c.t, id, c.bin, "scene", "--id", id, "--zones", zones, "--nats", c.nats,
		"--data", c.data, "--pulse", "20ms", "--save-interval", "100ms")
	p.waitLog("scene announced", 1)
	return p
}

// TestGatewayOneScene plays through a gateway and one scene running every zone: a new
// character logs in at the gateway, plays, quits, and comes back where it left.
func TestGatewayOneScene(t *testing.T) {
	c := startCluster(t)
	c.scene("all", "millbrook,eldwood,riverside")
	p := mudtest.CreateAt(t, c.tcp, "Wanda", "wander1234")
	if out := p.Do("look"); !strings.Contains(out, "Millbrook Square") {
		t.Fatalf("look through the gateway:\n%s", out)
	}
	if out := p.Do("say hello there"); !strings.Contains(out, `You say, "hello there"`) {
		t.Fatalf("say:\n%s", out)
	}
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf("say line %d", i))
	}
	p.Send(strings.Join(lines, "\r\n"))
	for i := range 20 {
		p.Expect(fmt.Sprintf(`You say, "line %d"`, i)) // in the order typed
	}
	p.Do("west")
	p.Send("quit")
	p.Expect("Goodbye")
	if !p.Closed(5 * time.Second) {
		t.Fatal("the gateway kept the connection after quit")
	}
	p = mudtest.LoginAt(t, c.tcp, "Wanda", "wander1234")
	if out := p.Do("look"); !strings.Contains(out, "Market Row") {
		t.Fatalf("after logging in again, look:\n%s", out)
	}
	if err := c.gw.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.Expect("shutting down")
	if err := c.gw.wait(); err != nil {
		t.Fatalf("gateway exit after SIGTERM: %v", err)
	}
}

// awaitWho runs who until it lists every name: scenes learn of each other's players from
// their heartbeats.
func awaitWho(t *testing.T, c *mudtest.Client, names ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := c.Do("who")
		missing := false
		for _, n := range names {
			missing = missing || !strings.Contains(out, n)
		}
		if !missing {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("who never listed %v:\n%s", names, out)
		}
		time.Sleep(100 * time.Millisecond) // the next heartbeat
	}
}

// TestGatewayTwoScenes: a player walks from a zone of one scene into a zone of the other,
// carrying an item, and back; tell and who work across the scenes.
func TestGatewayTwoScenes(t *testing.T) {
	c := startCluster(t)
	c.scene("village", "millbrook,riverside")
	c.scene("forest", "eldwood")
	bob := mudtest.CreateAt(t, c.tcp, "Bob", "bobpass123")
	w := mudtest.CreateAt(t, c.tcp, "Wanda", "wander1234")
	w.Do("north")
	w.Do("north")
	if out := w.Do("get candle"); !strings.Contains(out, "candle") {
		t.Fatalf("get candle:\n%s", out)
	}
	w.Do("south")
	w.Do("south")
	w.Do("west")
	w.Do("west")
	if out := w.Do("west"); !strings.Contains(out, "Edge of the Eldwood") {
		t.Fatalf("walking into the forest scene's zone:\n%s", out)
	}
	if out := w.Do("inventory"); !strings.Contains(out, "beeswax candle") {
		t.Fatalf("inventory after the hand-over:\n%s", out)
	}
	if out := w.Do("west"); !strings.Contains(out, "The Old Path") {
		t.Fatalf("moving within the forest:\n%s", out)
	}
	w.Do("east")

	out := awaitWho(t, bob, "Bob", "Wanda")
	if !strings.Contains(out, "Eldwood") {
		t.Errorf("who on the village scene does not place Wanda in the Eldwood:\n%s", out)
	}
	awaitWho(t, w, "Bob", "Wanda")
	bob.Do("tell wanda are you in the woods?")
	w.Hear(`Bob tells you, "are you in the woods?"`)
	w.Do("tell bob yes, at the edge")
	bob.Hear(`Wanda tells you, "yes, at the edge"`)

	w.Do("east")
	w.Do("east")
	if out := w.Do("east"); !strings.Contains(out, "Millbrook Square") || !strings.Contains(out, "Bob") {
		t.Fatalf("walking back to the village scene:\n%s", out)
	}
	bob.Hear("Wanda arrives")
	if out := w.Do("inventory"); !strings.Contains(out, "beeswax candle") {
		t.Fatalf("inventory back in the village:\n%s", out)
	}
	// Lines typed straight through two hand-overs run in order, none lost.
	w.Send("west\r\nwest\r\nwest\r\nsay here\r\neast\r\neast\r\neast\r\nsay back")
	w.Expect("Edge of the Eldwood")
	w.Expect(`You say, "here"`)
	w.Expect("Millbrook Square")
	w.Expect(`You say, "back"`)
}
