//go:build unix

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mudd/mudd/internal/mudtest"
)

// buildVersioned compiles the command into path with main.version set.
func buildVersioned(t *testing.T, path, version string) {
	t.Helper()
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", path, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// build is what the version command reports.
type build struct {
	version, started string
	pid              int
}

var versionRE = regexp.MustCompile(`(?s)mudd version (\S+)\.\s+Started (\S+) .*?Process (\d+)\.`)

func askVersion(t *testing.T, c *mudtest.Client) build {
	t.Helper()
	out := ask(c, "version", "mudd version")
	m := versionRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("version output %q", out)
	}
	pid, _ := strconv.Atoi(m[3])
	return build{m[1], m[2], pid}
}

// TestCopyoverReboot runs the real binary, connects three players (one over telnet with a
// window 40 columns wide), replaces the binary on disk with a new build and has an admin
// reboot: every player keeps the same connection, room and window width, and the server is
// the new build. Then a broken binary: the reboot fails, the admin is told why, and the game
// goes on.
func TestCopyoverReboot(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "mudd")
	buildVersioned(t, bin, "v1")
	buildVersioned(t, filepath.Join(dir, "mudd-v2"), "v2")
	data, game := t.TempDir(), filepath.Join(t.TempDir(), "game")
	var out strings.Builder
	if code := run([]string{"init", game}, &out, &out); code != 0 {
		t.Fatalf("init: %s", out.String())
	}
	telnetAddr, tcpAddr := freePort(t), freePort(t)
	logs, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	db := filepath.Join(t.TempDir(), "elsewhere.db") // not in the data directory: --db must reach the new process
	cmd := exec.Command(bin, "serve", "--game", game, "--data", data, "--db", db, "--telnet", telnetAddr, "--tcp", tcpAddr,
		"--pulse", "20ms")
	cmd.Stderr = logs
	notify := listenNotify(t, filepath.Join(dir, "notify"))
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+filepath.Join(dir, "notify"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("server log:\n%s", b)
		}
	})
	tcp, _ := net.ResolveTCPAddr("tcp", tcpAddr)
	tel, _ := net.ResolveTCPAddr("tcp", telnetAddr)
	waitListening(t, tcpAddr)

	ada := createRaw(t, tcp, "Ada")
	ada.Send("quit")
	ada.Closed(10 * time.Second)
	if code := run([]string{"user", "--db", db, "promote", "ada", "admin"}, &out, &out); code != 0 {
		t.Fatalf("promote: %s", out.String())
	}
	ada = loginRaw(t, tcp, "Ada")
	bob := createTelnet(t, tel, "Bob", 40)
	cy := createRaw(t, tcp, "Cyra")
	walkSomewhere(t, cy)
	rooms := map[*mudtest.Client]string{ada: roomOf(t, ada), bob: roomOf(t, bob), cy: roomOf(t, cy)}
	checkWrap(t, bob, 40)
	v1 := askVersion(t, ada)
	if v1.version != "v1" || v1.pid != cmd.Process.Pid {
		t.Fatalf("before the reboot: %+v, want v1 in process %d", v1, cmd.Process.Pid)
	}

	if err := os.Rename(filepath.Join(dir, "mudd-v2"), bin); err != nil {
		t.Fatal(err)
	}
	bob.Conn.Write([]byte("sco")) // half a command, finished after the reboot
	ada.Send("reboot")
	for _, c := range []*mudtest.Client{ada, bob, cy} {
		c.Expect("The world shimmers")
		after := c.Expect("Reboot complete.") + c.Expect("> ")
		if strings.Contains(after, "\xff\xfd") || strings.Contains(after, "\xff\xfb") {
			t.Errorf("telnet options were negotiated again after the reboot: %q", after)
		}
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the old process exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the old process did not exit after the hand-over")
	}
	v2 := askVersion(t, ada)
	t.Cleanup(func() { syscall.Kill(v2.pid, syscall.SIGKILL) })
	if v2.version != "v2" || v2.pid == v1.pid || v2.started == v1.started {
		t.Fatalf("after the reboot: %+v; before: %+v", v2, v1)
	}
	if argv, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", v2.pid)); err == nil &&
		(bytes.Contains(argv, []byte("--db")) || bytes.Contains(argv, []byte("elsewhere"))) {
		t.Errorf("the new process's command line shows the database: %q", argv)
	}
	notify.expect(fmt.Sprintf("READY=1\nMAINPID=%d", v1.pid))
	notify.expect(fmt.Sprintf("MAINPID=%d", v2.pid)) // systemd follows the new process
	bob.Send("re")
	if out := bob.Expect("\n> "); !strings.Contains(out, "You stand in") {
		t.Errorf("the line typed across the reboot gave:\n%q", out)
	}
	var con strings.Builder // the console socket was handed over too
	if err := consoleCommand([]string{"--data", data}, strings.NewReader("version\n"), &con, &con); err != nil ||
		!strings.Contains(con.String(), "mudd version v2") {
		t.Errorf("console after the reboot: %v\n%s", err, con.String())
	}
	for c, room := range rooms {
		if got := roomOf(t, c); got != room {
			t.Errorf("after the reboot in %q, before in %q", got, room)
		}
	}
	checkWrap(t, bob, 40)
	if who := ask(cy, "who", "Players online"); !strings.Contains(who, "3 player(s)") {
		t.Errorf("who after the reboot:\n%s", who)
	}

	// A game that no longer loads: the new process says why, and the game goes on.
	initLua := filepath.Join(game, "scripts", "init.lua")
	good, err := os.ReadFile(initLua)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(initLua, append(good, "\nthis is not lua\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	ada.Send("reboot")
	failed := ada.Expect("Reboot failed") + ada.Expect("> ")
	if failed = strings.Join(strings.Fields(failed), " "); !strings.Contains(failed, "init.lua") {
		t.Errorf("the admin was told:\n%s", failed)
	}
	bob.Expect("The reboot failed; the game goes on.")
	notify.expect(fmt.Sprintf("MAINPID=%d", v2.pid)) // the old process is the main one again
	if err := os.WriteFile(initLua, good, 0o644); err != nil {
		t.Fatal(err)
	}

	// A new binary that cannot start: the game goes on in the same process.
	broken := "#!/bin/sh\necho 'broken build: cannot start' >&2\nexit 1\n"
	if err := os.WriteFile(bin+".new", []byte(broken), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	ada.Send("reboot")
	failed = ada.Expect("Reboot failed") + ada.Expect("> ")
	failed = strings.Join(strings.Fields(failed), " ") // unwrapped
	if !strings.Contains(failed, "broken build: cannot start") || !strings.Contains(failed, "exit status 1") {
		t.Errorf("the admin was told:\n%s", failed)
	}
	cy.Expect("The reboot failed; the game goes on.")
	cy.Expect("> ")
	if v := askVersion(t, ada); v != v2 {
		t.Errorf("after the failed reboot: %+v, want %+v", v, v2)
	}
	if got := roomOf(t, cy); got != rooms[cy] {
		t.Errorf("after the failed reboot Cy is in %q, want %q", got, rooms[cy])
	}
	checkWrap(t, bob, 40)

	// No binary at all.
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	ada.Send("reboot")
	failed = strings.Join(strings.Fields(ada.Expect("Reboot failed")+ada.Expect("> ")), " ")
	if !strings.Contains(failed, "no such file or directory") {
		t.Errorf("the admin was told:\n%s", failed)
	}
	cy.Expect("The reboot failed; the game goes on.")
	if got := roomOf(t, cy); got != rooms[cy] {
		t.Errorf("after the last failed reboot Cy is in %q, want %q", got, rooms[cy])
	}
}

// ask sends line and returns its output from marker (earlier messages are skipped) up to
// and including the prompt.
func ask(c *mudtest.Client, line, marker string) string {
	c.Send(line)
	c.Expect(marker)
	return marker + c.Expect("\n> ")
}

// notifySocket stands in for systemd's notification socket.
type notifySocket struct {
	t *testing.T
	c *net.UnixConn
}

func listenNotify(t *testing.T, path string) *notifySocket {
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &notifySocket{t: t, c: c}
}

// expect reads notifications until want arrives.
func (n *notifySocket) expect(want string) {
	n.t.Helper()
	buf := make([]byte, 4096)
	var seen []string
	for {
		n.c.SetReadDeadline(time.Now().Add(mudtest.Timeout))
		k, err := n.c.Read(buf)
		if err != nil {
			n.t.Fatalf("waiting for the notification %q: %v; got %q", want, err, seen)
		}
		if string(buf[:k]) == want {
			return
		}
		seen = append(seen, string(buf[:k]))
	}
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server never listened on %s", addr)
}

const testPassword = "copyover1"

func createRaw(t *testing.T, addr net.Addr, name string) *mudtest.Client {
	c := mudtest.Dial(t, addr)
	c.Create(name, testPassword)
	return c
}

func loginRaw(t *testing.T, addr net.Addr, name string) *mudtest.Client {
	c := mudtest.Dial(t, addr)
	c.Expect("name")
	c.Send(name)
	c.Expect("Password")
	c.Send(testPassword)
	c.Expect("\n> ")
	return c
}

// createTelnet connects over telnet, agrees to NAWS with the given width and to EOR, and
// creates a character.
func createTelnet(t *testing.T, addr net.Addr, name string, width byte) *mudtest.Client {
	c := mudtest.Dial(t, addr)
	c.Expect("\xff\xfb\x19") // the server's offers end with WILL EOR
	c.Conn.Write([]byte{255, 251, 31, 255, 250, 31, 0, width, 0, 24, 255, 240, 255, 253, 25, 255, 252, 24})
	c.Create(name, testPassword)
	return c
}

// walkSomewhere takes the first exit of the room.
func walkSomewhere(t *testing.T, c *mudtest.Client) {
	t.Helper()
	look := ask(c, "look", "Exits:")
	m := regexp.MustCompile(`Exits: (\w+)`).FindStringSubmatch(look)
	if m == nil {
		t.Fatalf("no exit in:\n%s", look)
	}
	ask(c, m[1], "Exits:")
}

var roomRE = regexp.MustCompile(`You stand in ([^\n]+)\.`)

func roomOf(t *testing.T, c *mudtest.Client) string {
	t.Helper()
	out := ask(c, "score", "You stand in")
	m := roomRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("score output:\n%s", out)
	}
	return m[1]
}

// checkWrap says a long line and checks that it comes back wrapped at width.
func checkWrap(t *testing.T, c *mudtest.Client, width int) {
	t.Helper()
	out := ask(c, "say "+strings.Repeat("the quick brown fox jumps ", 8), "You say")
	lines := strings.Split(strings.TrimSpace(strings.TrimSuffix(out, "> ")), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("the long line was not wrapped:\n%q", out)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > width {
			t.Fatalf("line of %d columns, window %d:\n%q", n, width, out)
		}
	}
}
