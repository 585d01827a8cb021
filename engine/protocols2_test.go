package engine_test

import (
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
	"github.com/mudd/mudd/telnet"
)

// msdpFrame is IAC SB MSDP vars IAC SE.
func msdpFrame(vars ...telnet.Var) string { return string(telnet.AppendMSDP(nil, vars...)) }

// TestMSDP checks LIST, REPORT, SEND and UNREPORT, and that reported variables follow the
// player: the room as it moves, health as a script changes it.
func TestMSDP(t *testing.T) {
	game := fixture()
	game["scripts/init.lua"].Data = append(append([]byte(nil), game["scripts/init.lua"].Data...),
		[]byte(`command { name = "hurt", run = function(actor) actor:gmcp("Char.Vitals", { hp = 7, maxhp = 20 }) end }`)...)
	s := startServer(t, game, t.TempDir())
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 69")
	c.Write(hx("ff fd 45") + msdpFrame(telnet.Var{Name: "LIST", Value: "COMMANDS"}))
	c.Expect("name")
	c.Send("Msdpuser")
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("sesame123")
	c.Expect("again")
	c.Send("sesame123")
	cmds := c.MSDP("COMMANDS")
	if !sameList(cmds, "LIST", "REPORT", "RESET", "SEND", "UNREPORT") {
		t.Fatalf("LIST COMMANDS: %v", cmds)
	}
	c.Expect("> ")

	c.Write(msdpFrame(telnet.Var{Name: "LIST", Value: "REPORTABLE_VARIABLES"}))
	if vars, ok := c.MSDP("REPORTABLE_VARIABLES").([]any); !ok || len(vars) < 10 {
		t.Fatalf("REPORTABLE_VARIABLES: %v", vars)
	}
	c.Write(msdpFrame(telnet.Var{Name: "REPORT", Value: []any{"ROOM_VNUM", "ROOM", "HEALTH"}}))
	if v := c.MSDP("ROOM_VNUM"); v != strconv.Itoa(engine.RoomNum("town:square")) {
		t.Fatalf("ROOM_VNUM: %v", v)
	}
	room, _ := c.MSDP("ROOM").(map[string]any)
	exits, _ := room["EXITS"].(map[string]any)
	if room["NAME"] != "Town Square" || room["AREA"] != "The Town" || exits["n"] != strconv.Itoa(engine.RoomNum("town:hall")) {
		t.Fatalf("ROOM: %v", room)
	}
	c.Send("north")
	if v := c.MSDP("ROOM_VNUM"); v != strconv.Itoa(engine.RoomNum("town:hall")) {
		t.Fatalf("ROOM_VNUM after north: %v", v)
	}
	c.Expect("> ")
	c.Send("hurt")
	if v := c.MSDP("HEALTH"); v != "7" {
		t.Fatalf("HEALTH: %v", v)
	}
	c.Expect("> ")
	c.Write(msdpFrame(telnet.Var{Name: "LIST", Value: "REPORTED_VARIABLES"}))
	if v := c.MSDP("REPORTED_VARIABLES"); !sameList(v, "HEALTH", "ROOM", "ROOM_VNUM") {
		t.Fatalf("REPORTED_VARIABLES: %v", v)
	}
	c.Write(msdpFrame(telnet.Var{Name: "UNREPORT", Value: "ROOM_VNUM"}, telnet.Var{Name: "SEND", Value: "HEALTH_MAX"}))
	if v := c.MSDP("HEALTH_MAX"); v != "20" {
		t.Fatalf("SEND HEALTH_MAX: %v", v)
	}
	c.Send("south")
	c.MSDP("ROOM") // still reported
	c.Expect("> ")
	c.Write(msdpFrame(telnet.Var{Name: "SEND", Value: "SERVER_ID"}))
	c.MSDP("SERVER_ID")
	for _, m := range c.Messages() {
		for _, v := range m.Vars {
			if v.Name == "ROOM_VNUM" {
				t.Fatalf("ROOM_VNUM still reported after UNREPORT")
			}
		}
	}
}

func sameList(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i, x := range list {
		if x != want[i] {
			return false
		}
	}
	return true
}

// TestMSSP checks the MSSP answer to DO MSSP and the plain-text MSSP-REQUEST of crawlers,
// on a brand-new connection with no login.
func TestMSSP(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) {
		c.MSSP = map[string]string{"CONTACT": "admin@example.org", "genre": "Fantasy"}
	})
	mudtest.Create(t, s, "Alice", "sesame123") // one player online
	port := strconv.Itoa(s.Eng.TelnetAddr().(*net.TCPAddr).Port)

	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 70")
	c.Write(hx("ff fd 46"))
	c.Negotiated("SB 70")
	var sb string
	for _, n := range c.Negotiation() {
		if strings.HasPrefix(n, "SB 70 ") {
			sb = n
		}
	}
	raw := hx(strings.ReplaceAll(strings.TrimPrefix(sb, "SB 70 "), " ", ""))
	for _, want := range []string{"\x01NAME\x02Testland", "\x01PLAYERS\x021", "\x01PORT\x02" + port,
		"\x01CODEBASE\x02mudd", "\x01CONTACT\x02admin@example.org", "\x01GENRE\x02Fantasy"} {
		if !strings.Contains(raw, want) {
			t.Errorf("MSSP lacks %q: %q", want, raw)
		}
	}
	if !strings.HasPrefix(raw, "\x01NAME\x02Testland\x01PLAYERS\x021\x01UPTIME\x02") {
		t.Errorf("MSSP does not start with NAME, PLAYERS, UPTIME: %q", raw)
	}

	for _, addr := range []net.Addr{s.Eng.TelnetAddr(), s.Eng.TCPAddr()} {
		crawler := mudtest.Dial(t, addr)
		crawler.Send("MSSP-REQUEST")
		out := crawler.Expect("MSSP-REPLY-END")
		for _, want := range []string{"MSSP-REPLY-START\r\n", "NAME\tTestland\r\n", "PLAYERS\t1\r\n", "UPTIME\t",
			"PORT\t" + port + "\r\n", "CONTACT\tadmin@example.org\r\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("MSSP-REQUEST reply lacks %q:\n%q", want, out)
			}
		}
		if !crawler.Closed(5 * time.Second) {
			t.Error("the connection stays open after the MSSP reply")
		}
	}
}

// TestMCCP2 checks a compressed session: the start marker, prompts still marked with EOR
// inside the stream, and a DONT MCCP2 mid-stream that finishes the stream cleanly with plain
// text after it.
func TestMCCP2(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 86")
	c.Write(hx("ff fd 56 ff fd 19"))
	c.Negotiated("SB 86")
	c.Expect("name")
	c.Send("Zippy")
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("sesame123")
	c.Expect("again")
	c.Send("sesame123")
	c.Expect("> <EOR>")
	c.Do("look")
	if started, finished := c.Compression(); started != 1 || finished != 0 {
		t.Fatalf("compression started %d, finished %d", started, finished)
	}
	c.Write(hx("ff fe 56"))
	c.Negotiated("WONT 86")
	if started, finished := c.Compression(); started != 1 || finished != 1 {
		t.Fatalf("after DONT: compression started %d, finished %d", started, finished)
	}
	out := c.Do("protocols")
	if !strings.Contains(out, "MCCP2: off") {
		t.Fatalf("after DONT MCCP2:\n%q", out)
	}
	c.Expect("<EOR>") // the prompt is still marked, in plain text now
	// Compression can start again.
	c.Write(hx("ff fd 56"))
	c.Negotiated("WILL 86")
	out = c.Do("protocols")
	if started, _ := c.Compression(); started != 2 || !strings.Contains(out, "MCCP2: on") {
		t.Fatalf("restart: %d streams\n%s", started, out)
	}
}

// TestCompressedSessionsLeak kills 1,000 compressed sessions in the middle of their stream
// (the client resets the connection without a word) and checks that every session goroutine
// ends.
func TestCompressedSessionsLeak(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	baseline := runtime.NumGoroutine()
	addr := s.Eng.TelnetAddr().String()
	const sessions, parallel = 1000, 50
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for w := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < sessions; i += parallel {
				if err := killCompressed(addr, i%2 == 0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for n := runtime.NumGoroutine(); n > baseline+2; n = runtime.NumGoroutine() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, baseline %d:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killCompressed opens a session, agrees to MCCP2 (and MCCP3, sending a compressed line
// without finishing the stream), waits for compressed output and resets the connection.
func killCompressed(addr string, mccp3 bool) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	reply := hx("ff fd 56")
	if mccp3 {
		reply += hx("ff fd 57 ff fa 57 ff f0 78 9c") // a zlib header, then nothing: cut mid-stream
	}
	if _, err := c.Write([]byte(reply)); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	var got []byte
	for !strings.Contains(string(got), "\xff\xfa\x56\xff\xf0") || len(got) < strings.Index(string(got), "\xff\xfa\x56\xff\xf0")+8 {
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		got = append(got, buf[:n]...)
	}
	c.(*net.TCPConn).SetLinger(0) // close with RST: the client vanishes
	return nil
}

// TestOOBFlood: a client sending GMCP and MSDP messages faster than any client does is cut
// off, though the messages need no answer; another player is answered all along.
func TestOOBFlood(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	bob := mudtest.Create(t, s, "Bob", "password2")
	c := gmcpLogin(t, s, "Flo", `["Room 1"]`, "")
	var flood strings.Builder
	for i := range 1000 {
		if i%2 == 0 {
			flood.WriteString(mudtest.GMCPFrame("Test.Nothing", strconv.Itoa(i)))
		} else {
			flood.WriteString(msdpFrame(telnet.Var{Name: "UNREPORT", Value: "NOTHING"}))
		}
	}
	c.Write(flood.String())
	out := do(t, bob, "look", "Town Square")
	if !c.Closed() {
		t.Fatal("a client flooding GMCP and MSDP is still connected")
	}
	if !strings.Contains(out, "Flo has lost the link.") { // as after a flood of lines
		bob.Hear("Flo has lost the link.")
	}
	do(t, bob, "who", "player(s)", "Flo", "(link-dead)")
}
