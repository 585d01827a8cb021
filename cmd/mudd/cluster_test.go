package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mudd/mudd/engine/store"
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

	natsAddr, tcpAddr, telnetAddr string
}

func startCluster(t *testing.T) *testCluster {
	t.Helper()
	c := &testCluster{t: t, bin: buildMudd(t), data: t.TempDir()}
	c.natsAddr, c.tcpAddr, c.telnetAddr = freePort(t), freePort(t), freePort(t)
	c.nats = "nats://" + c.natsAddr
	c.startGateway()
	var err error
	if c.tcp, err = net.ResolveTCPAddr("tcp", c.tcpAddr); err != nil {
		t.Fatal(err)
	}
	return c
}

// startGateway starts the gateway process on the cluster's addresses.
func (c *testCluster) startGateway() {
	c.t.Helper()
	c.gw = startProc(c.t, "gateway", c.bin, "gateway", "--data", c.data, "--telnet", c.telnetAddr, "--tcp", c.tcpAddr,
		"--nats-listen", c.natsAddr, "--pulse", "20ms")
	c.gw.waitLog("mudd serving", 1)
}

// scene starts a scene process running zones and waits until the gateway has it.
func (c *testCluster) scene(id, zones string) *proc {
	c.t.Helper()
	p := startProc(c.t, id, c.bin, "scene", "--id", id, "--zones", zones, "--nats", c.nats,
		"--data", c.data, "--pulse", "20ms", "--save-interval", "100ms")
	p.waitLog("scene announced", 1)
	return p
}

// TestGatewayCluster runs a gateway and two scene processes on loopback (real processes, real
// NATS, one SQLite file) and plays through them: logging in and typing in order, walking from
// a zone of one scene into the other's carrying an item and back, tell and who across scenes,
// the cluster command, a duplicate zone claim refused, SIGKILL of a scene with a player in it
// and its restart, and a rolling restart of both scenes with players connected throughout.
func TestGatewayCluster(t *testing.T) {
	c := startCluster(t)
	village := c.scene("village", "millbrook,riverside")
	forest := c.scene("forest", "eldwood")
	bob := mudtest.CreateAt(t, c.tcp, "Bob", "bobpass123")
	w := mudtest.CreateAt(t, c.tcp, "Wanda", "wander1234")

	// ordered
	{
		var lines []string
		for i := range 20 {
			lines = append(lines, fmt.Sprintf("say line %d", i))
		}
		w.Send(strings.Join(lines, "\r\n"))
		for i := range 20 {
			w.Expect(fmt.Sprintf(`You say, "line %d"`, i))
			bob.Expect(fmt.Sprintf(`Wanda says, "line %d"`, i))
		}
		w.Expect("> ")
	}

	// crossing
	{
		for _, l := range []string{"north", "north", "get candle", "south", "south", "west", "west"} {
			w.Do(l)
		}
		if out := w.Do("west"); !strings.Contains(out, "Edge of the Eldwood") {
			t.Fatalf("walking into the forest scene's zone:\n%s", out)
		}
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory after the hand-over:\n%s", out)
		}
		if out := w.Do("west"); !strings.Contains(out, "The Old Path") {
			t.Fatalf("moving within the forest:\n%s", out)
		}
		w.Do("east")
		for _, l := range []string{"east", "east"} {
			w.Do(l)
		}
		if out := w.Do("east"); !strings.Contains(out, "Millbrook Square") || !strings.Contains(out, "Bob") {
			t.Fatalf("walking back to the village scene:\n%s", out)
		}
		bob.Hear("Wanda arrives")
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory back in the village:\n%s", out)
		}
		// Lines typed straight through two hand-overs run in order, none lost.
		w.Send("west\r\nwest\r\nwest\r\nsay here\r\neast\r\neast\r\neast\r\nsay back")
		w.Expect("Edge of the Eldwood")
		w.Expect(`You say, "here"`)
		w.Expect("Millbrook Square")
		w.Expect(`You say, "back"`)
		w.Expect("> ")
	}

	// tell and who
	{
		for _, l := range []string{"west", "west", "west", "west"} {
			w.Do(l)
		}
		out := awaitWho(t, bob, "Bob", "Wanda")
		if !strings.Contains(out, "Eldwood") {
			t.Errorf("who on the village scene does not place Wanda in the Eldwood:\n%s", out)
		}
		awaitWho(t, w, "Bob", "Wanda")
		bob.Do("tell wanda are you in the woods?")
		w.Hear(`Bob tells you, "are you in the woods?"`)
		w.Do("tell bob yes, on the old path")
		bob.Hear(`Wanda tells you, "yes, on the old path"`)
	}

	// cluster command and duplicate claim
	{
		var out bytes.Buffer
		if code := run([]string{"user", "--data", c.data, "promote", "bob", "wizard"}, &out, &out); code != 0 {
			t.Fatalf("user promote: %s", out.String())
		}
		bob.Send("quit")
		bob.Expect("Goodbye")
		bob = mudtest.LoginAt(t, c.tcp, "Bob", "bobpass123")
		awaitWho(t, bob, "Wanda")
		list := bob.Do("cluster")
		for _, want := range []string{"village", "millbrook,riverside", "(this scene)", "forest", "eldwood", " ago"} {
			if !strings.Contains(list, want) {
				t.Errorf("cluster does not show %q:\n%s", want, list)
			}
		}
		// The operators' consoles: the gateway's (console.sock) and each scene's.
		for _, sock := range []string{"console.sock", "console-forest.sock"} {
			var out bytes.Buffer
			err := consoleCommand([]string{"--socket", filepath.Join(c.data, sock)}, strings.NewReader("cluster\n"), &out, &out)
			if err != nil || !strings.Contains(out.String(), "village") || !strings.Contains(out.String(), "eldwood") {
				t.Errorf("cluster on %s: %v\n%s", sock, err, out.String())
			}
		}
		dup := startProc(t, "duplicate", c.bin, "scene", "--id", "rival", "--zones", "eldwood", "--nats", c.nats,
			"--data", c.data)
		if err := dup.wait(); err == nil {
			t.Fatalf("a second scene claiming eldwood ran:\n%s", dup.logs())
		}
		if want := `zone "eldwood" is already owned by scene "forest"`; !strings.Contains(dup.logs(), want) {
			t.Fatalf("the refused scene does not say %q:\n%s", want, dup.logs())
		}
	}

	// SIGKILL
	{
		awaitSaved(t, c.data, "Wanda", "eldwood:old_path") // the periodic save, before the crash
		forest.cmd.Process.Kill()
		<-forest.done
		w.Hear("stopped unexpectedly")
		if out := w.Do("look"); !strings.Contains(out, "Please wait") {
			t.Fatalf("a line typed while the scene is down:\n%s", out)
		}
		forest = c.scene("forest", "eldwood")
		w.Expect("The world is back")
		w.Expect("The Old Path")
		w.Expect("> ")
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory after the scene's restart:\n%s", out)
		}
	}

	// a stalled scene replaced: SIGSTOP keeps the forest silent; it is declared dead, a new
	// forest process takes its zone, and when the old one wakes up it is fenced: it exits
	// without saving, and the player stays with the new one.
	{
		forest.cmd.Process.Signal(syscall.SIGSTOP)
		w.Hear("stopped unexpectedly")
		stalled := forest
		forest = c.scene("forest", "eldwood")
		w.Expect("The world is back")
		w.Expect("The Old Path")
		w.Expect("> ")
		stalled.cmd.Process.Signal(syscall.SIGCONT)
		if err := stalled.wait(); err == nil || !strings.Contains(stalled.logs(), "replaced by another process") {
			t.Fatalf("the stalled scene woke up and did not stop (%v):\n%s", err, stalled.logs())
		}
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory after the stalled scene was replaced:\n%s", out)
		}
	}

	// rolling restart
	{
		for _, sc := range []struct {
			p         **proc
			id, zones string
			who       *mudtest.Client
			room      string
		}{{&village, "village", "millbrook,riverside", bob, "Millbrook Square"}, {&forest, "forest", "eldwood", w, "The Old Path"}} {
			if err := (*sc.p).cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			sc.who.Hear("restarting")
			if err := (*sc.p).wait(); err != nil {
				t.Fatalf("%s exit after SIGTERM: %v", sc.id, err)
			}
			*sc.p = c.scene(sc.id, sc.zones)
			sc.who.Expect("The world is back")
			sc.who.Expect(sc.room)
			sc.who.Expect("> ")
		}
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory after the rolling restart:\n%s", out)
		}
		awaitWho(t, bob, "Wanda") // the restarted scenes hear of each other's players
		bob.Do("tell wanda still here?")
		w.Hear(`Bob tells you, "still here?"`)
	}

	// the gateway crashes: the scenes take its players as dropped (link-dead), and a new
	// gateway on the same addresses finds the scenes again; the players log in again and are
	// back where they were.
	{
		c.gw.cmd.Process.Kill()
		<-c.gw.done
		c.startGateway()
		c.gw.waitLog("scene joined", 2) // from their heartbeats
		forest.waitLog("gateway silent; its players lost their link", 1)
		w = mudtest.LoginAt(t, c.tcp, "Wanda", "wander1234")
		if out := w.Do("look"); !strings.Contains(out, "The Old Path") {
			t.Fatalf("after the gateway's restart, look:\n%s", out)
		}
		if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
			t.Fatalf("inventory after the gateway's restart:\n%s", out)
		}
	}

	if err := c.gw.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.Expect("shutting down")
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
		missing := !strings.Contains(out, "player(s).") // a who answer, not earlier news
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

// awaitSaved waits until the database holds the character in room.
func awaitSaved(t *testing.T, data, name, room string) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(data, "mudd.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ch, err := st.Character(context.Background(), name)
		if err == nil && ch.Room == room {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was never saved in %s (last read: %+v, %v)", name, room, ch, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
