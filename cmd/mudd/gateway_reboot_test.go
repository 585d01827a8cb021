//go:build unix

package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/internal/mudtest"
)

// TestGatewayReboot reboots the gateway of a cluster (a gateway process with its embedded
// NATS server and two scene processes) with players on both scenes: an admin types reboot,
// the new gateway process takes over every connection, and the scenes keep the characters.
// Everyone stays on the same connection in the same room, the telnet window width still
// applies, the characters are neither reloaded nor duplicated (their database lease is
// unchanged), and the players cross between the scenes and tell each other afterwards.
func TestGatewayReboot(t *testing.T) {
	c := startCluster(t)
	c.scene("village", "millbrook,riverside")
	c.scene("forest", "eldwood")
	tel, err := net.ResolveTCPAddr("tcp", c.telnetAddr)
	if err != nil {
		t.Fatal(err)
	}
	bob := createTelnet(t, tel, "Bob", 40)
	w := mudtest.CreateAt(t, c.tcp, "Wanda", "wander1234")
	ada := mudtest.CreateAt(t, c.tcp, "Ada", "adapass123")
	ada.Send("quit")
	ada.Expect("Goodbye")
	var out bytes.Buffer
	if code := run([]string{"user", "--data", c.data, "promote", "ada", "admin"}, &out, &out); code != 0 {
		t.Fatalf("promote: %s", out.String())
	}
	ada = mudtest.LoginAt(t, c.tcp, "Ada", "adapass123")
	walkTo(t, w, "west", "Edge of the Eldwood")
	wandaRoom, bobRoom := roomOf(t, w), roomOf(t, bob)
	leases := map[string]store.Lease{"Bob": lease(t, c.data, "Bob"), "Wanda": lease(t, c.data, "Wanda")}
	if leases["Bob"].Owner != "village" || leases["Wanda"].Owner != "forest" {
		t.Fatalf("before the reboot: %+v", leases)
	}

	// A new process that cannot start: the old one goes on, and the scenes send again.
	// (The running binary keeps a name of its own: a reboot runs whatever the path names.)
	if err := os.Link(c.bin, c.bin+".good"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.bin+".broken", []byte("#!/bin/sh\necho broken build >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(c.bin+".broken", c.bin); err != nil {
		t.Fatal(err)
	}
	ada.Send("reboot")
	if out := ada.Expect("Reboot failed"); !strings.Contains(out, "The reboot failed; the game goes on.") {
		t.Fatalf("the admin after a failed reboot:\n%s", out)
	}
	w.Expect("The reboot failed")
	if out := w.Do("say still here"); !strings.Contains(out, `You say, "still here"`) {
		t.Fatalf("Wanda after a failed reboot:\n%s", out)
	}
	if err := os.Rename(c.bin+".good", c.bin); err != nil {
		t.Fatal(err)
	}

	bob.Conn.Write([]byte("loo")) // half a line, finished after the reboot
	ada.Send("reboot")
	for _, cl := range []*mudtest.Client{ada, bob, w} {
		cl.Expect("The world shimmers")
		cl.Expect("Reboot complete.")
	}
	c.gw.waitLog("gateway: took over", 1)
	m := regexp.MustCompile(`copyover: new process is ready" pid=(\d+)`).FindStringSubmatch(c.gw.logs())
	if m == nil {
		t.Fatalf("the old gateway did not log the new process:\n%s", c.gw.logs())
	}
	pid, _ := strconv.Atoi(m[1])
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // it holds the old process's stderr
	if pid == c.gw.cmd.Process.Pid {
		t.Fatalf("the gateway did not change process (%d)", pid)
	}

	bob.Send("k")
	if out := bob.Expect("Exits:"); !strings.Contains(out, bobRoom) {
		t.Fatalf("Bob's line typed across the reboot, in %s:\n%s", bobRoom, out)
	}
	checkWrap(t, bob, 40)
	if r := roomOf(t, w); r != wandaRoom {
		t.Fatalf("Wanda after the reboot is in %s, was in %s", r, wandaRoom)
	}
	if r := roomOf(t, bob); r != bobRoom {
		t.Fatalf("Bob after the reboot is in %s, was in %s", r, bobRoom)
	}
	for name, was := range leases {
		if now := lease(t, c.data, name); now != was {
			t.Errorf("%s was claimed again by the reboot: %+v, was %+v", name, now, was)
		}
	}

	// across the border both ways, and tells, through the new gateway
	walkTo(t, w, "east", "Millbrook Square")
	bob.Hear("Wanda arrives")
	bob.Do("tell wanda welcome back")
	w.Hear(`Bob tells you, "welcome back"`)
	walkTo(t, bob, "west", "Edge of the Eldwood")
	awaitWho(t, w, "Bob", "Wanda")
	w.Do("tell bob and off you go")
	bob.Hear(`"and off you go"`) // in colour: Bob has a telnet client
	if who := awaitWho(t, ada, "Bob", "Wanda"); strings.Count(who, "Wanda") != 1 || strings.Count(who, "Bob") != 1 {
		t.Fatalf("who after the reboot:\n%s", who)
	}
	awaitSaved(t, c.data, "Wanda", "millbrook:square")
	awaitSaved(t, c.data, "Bob", "eldwood:edge")
	if l := lease(t, c.data, "Wanda"); l.Owner != "village" || l.Epoch != leases["Wanda"].Epoch+1 {
		t.Errorf("Wanda's lease after crossing to the village: %+v (was %+v)", l, leases["Wanda"])
	}
}

// walkTo walks in direction dir until the room is called room.
func walkTo(t *testing.T, c *mudtest.Client, dir, room string) {
	t.Helper()
	for range 6 {
		c.Do(dir)
		if strings.Contains(roomOf(t, c), room) {
			return
		}
	}
	t.Fatalf("walking %s never reached %s", dir, room)
}

// lease reads who holds a character in the database.
func lease(t *testing.T, data, name string) store.Lease {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(data, "mudd.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.Owner(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
