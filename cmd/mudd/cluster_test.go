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
