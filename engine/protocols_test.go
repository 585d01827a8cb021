package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
	"github.com/mudd/mudd/telnet"
)

// ttIs is a TTYPE IS subnegotiation.
func ttIs(name string) string { return hx("ff fa 18 00") + name + hx("ff f0") }

// Client→server bytes captured from real clients answering the server's opening offers
// (docs: the telnet clients reference, section 2.5).
var (
	tintinNeg = hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fd 19 ff fe c9 ff fe 45" +
		" ff fd 46 ff fe 5b ff fb 2a ff fb 27 ff fd 56")
	tintinTypes = ttIs("TINTIN++") + hx("ff fa 2a 02 55 54 46 2d 38 ff f0") + ttIs("xterm-256color") +
		ttIs("MTTS 271") + ttIs("MTTS 271")
	tf5Neg = hx("ff fb 1f ff fb 18 ff fa 1f 00 77 00 24 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46"+
		" ff fe 5b ff fc 2a ff fc 27 ff fd 56") +
		ttIs("TINYFUGUE") + ttIs("ANSI-ATTR") + ttIs("ANSI") + ttIs("UNKNOWN") + ttIs("UNKNOWN")
	netkitNeg = hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 28 ff f0 ff fd 03 ff fe 19 ff fe c9 ff fe 45 ff fe 46"+
		" ff fe 5b ff fc 2a ff fb 27 ff fe 56") + ttIs("XTERM-256COLOR") + ttIs("XTERM-256COLOR") +
		hx("ff fa 27 00 ff f0")
	kbtinNeg = hx("ff fb 18 ff fb 1f ff fa 1f 00 78 00 27 ff f0 ff fe 03 ff fd 19 ff fe c9 ff fe 45 ff fe 46"+
		" ff fe 5b ff fc 2a ff fc 27 ff fd 56 ff fe 57") +
		ttIs("KBtin") + ttIs("hardcopy") + ttIs("unknown") + ttIs("KBtin-2.1") + ttIs("KBtin-2.1")
)

// TestReplayClients feeds each real client's recorded answers to the server over TCP, then
// creates a character the way that client would and checks the server's answers and what
// the session ended up with.
func TestReplayClients(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) {
		c.MSSP = map[string]string{"CONTACT": "admin@example.org"}
	})
	tests := []struct {
		name    string
		write   func(c *mudtest.TelnetClient)
		eol     string   // the client's line end
		answers []string // negotiation the server must send
		absent  []string // negotiation it must not send
		info    []string // in the output of the protocols command
	}{
		{name: "Tintin", eol: "\r\n",
			write:   func(c *mudtest.TelnetClient) { c.Write(tintinNeg + tintinTypes) },
			answers: []string{"SB 24 01", "WILL 3", "SB 70", "SB 86"},
			info: []string{"Client: TINTIN++ (terminal types: TINTIN++, xterm-256color, MTTS 271; MTTS 271)",
				"Window: 120x40. Prompt mark: EOR.", "GMCP: off", "MSDP: off. MSSP: on. MCCP2: on. MCCP3: off."}},
		{name: "Tintinzip", eol: "\r\n", // TinTin++ with MCCP3 offered: input compressed mid-segment
			write: func(c *mudtest.TelnetClient) {
				c.StartMCCP3(tintinNeg+hx("ff fd 57"), tintinTypes)
			},
			answers: []string{"SB 24 01", "SB 86"},
			info:    []string{"Client: TINTIN++", "MTTS 271", "MCCP2: on. MCCP3: on."}},
		{name: "Tintinplain", eol: "\r\n", // #config MCCP OFF
			write: func(c *mudtest.TelnetClient) {
				c.Write(strings.TrimSuffix(tintinNeg, hx("ff fd 56")) + hx("ff fe 56 ff fe 57") + tintinTypes)
			},
			absent: []string{"SB 86"},
			info:   []string{"Client: TINTIN++", "MCCP2: off. MCCP3: off."}},
		{name: "Tinyfugue", eol: "\r\n",
			write:   func(c *mudtest.TelnetClient) { c.Write(tf5Neg) },
			answers: []string{"SB 86"},
			absent:  []string{"SB 70", "WILL 3"},
			info: []string{"Client: TINYFUGUE (terminal types: TINYFUGUE, ANSI-ATTR, ANSI, UNKNOWN; MTTS -1)",
				"Window: 119x36. Prompt mark: EOR.", "MSSP: off. MCCP2: on. MCCP3: off."}},
		{name: "Netkit", eol: "\r\x00", // character mode after WILL SGA: lines end in CR NUL
			write:   func(c *mudtest.TelnetClient) { c.Write(netkitNeg) },
			answers: []string{"SB 24 01", "WILL 3"},
			absent:  []string{"SB 86", "SB 70"},
			info: []string{"Client: XTERM-256COLOR", "Window: 120x40. Prompt mark: none.",
				"MSSP: off. MCCP2: off. MCCP3: off."}},
		{name: "Kbtin", eol: "\r\n",
			write:   func(c *mudtest.TelnetClient) { c.Write(kbtinNeg) },
			answers: []string{"SB 86"},
			info: []string{"Client: KBtin (terminal types: KBtin, hardcopy, unknown, KBtin-2.1; MTTS -1)",
				"Window: 120x39. Prompt mark: EOR.", "MCCP2: on. MCCP3: off."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
			for _, offer := range []string{"DO 24", "DO 31", "WILL 25", "WILL 201", "WILL 69", "WILL 70", "WILL 86", "WILL 87"} {
				c.Negotiated(offer)
			}
			tt.write(c)
			for _, a := range tt.answers {
				c.Negotiated(a)
			}
			line := func(s string) { c.Write(s + tt.eol) }
			c.Expect("name")
			line(tt.name)
			c.Expect("(yes/no)")
			line("yes")
			c.Expect("password")
			c.Negotiated("WILL 1")
			c.Write(hx("ff fd 01")) // DO ECHO
			line("sesame123")
			c.Expect("again")
			line("sesame123")
			c.Expect("> ")
			line("protocols")
			out := c.Expect("MCCP3")
			out += c.Expect("> ")
			for _, want := range tt.info {
				if !strings.Contains(out, want) {
					t.Errorf("protocols lacks %q:\n%s", want, out)
				}
			}
			neg := c.Negotiation()
			for _, bad := range tt.absent {
				for _, n := range neg {
					if n == bad || strings.HasPrefix(n, bad+" ") {
						t.Errorf("server sent %q; negotiation %q", n, neg)
					}
				}
			}
			if tt.eol == "\r\n" && !strings.Contains(out, "<EOR>") {
				t.Errorf("prompt not marked with EOR: %q", out)
			}
			if strings.Contains(out, "<GA>") {
				t.Errorf("GA sent: %q", out)
			}
		})
	}
}

// TestMudletGMCPHandshake replays what Mudlet sends (from its source): DO GMCP right away
// with Core.Hello and Core.Supports.Set, again for every WILL GMCP. The server offers once,
// ignores the repeat, and reports the client and its packages.
func TestMudletGMCPHandshake(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 201")
	hello := hx("ff fd c9") + mudtest.GMCPFrame("Core.Hello", `{"client":"Mudlet","version":"4.18"}`) +
		mudtest.GMCPFrame("Core.Supports.Set", `["Char 1","Char.Items 1","Room 1","Comm 1"]`)
	c.Write(hello + hello + hx("ff fb 18") + ttIs("MUDLET") + ttIs("ANSI-TRUECOLOR") + ttIs("MTTS 2349") + ttIs("MUDLET"))
	c.Expect("name")
	c.Send("Mudder")
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("sesame123")
	c.Expect("again")
	c.Send("sesame123")
	c.GMCP("Char.Name")
	c.GMCP("Room.Info")
	c.Expect("> ")
	out := c.Do("protocols")
	for _, want := range []string{"GMCP: on (client Mudlet 4.18; packages: char 1, char.items 1, comm 1, room 1)", "MTTS 2349"} {
		if !strings.Contains(out, want) {
			t.Errorf("protocols lacks %q:\n%s", want, out)
		}
	}
	n := 0
	for _, ev := range c.Negotiation() {
		if ev == "WILL 201" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("WILL GMCP sent %d times; negotiation %q", n, c.Negotiation())
	}
}

// gmcpLogin creates a character on a client that said DO GMCP and subscribed to packages.
func gmcpLogin(t *testing.T, s *mudtest.Server, name string, packages string, more string) *mudtest.TelnetClient {
	t.Helper()
	c := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	c.Negotiated("WILL 201")
	c.Write(hx("ff fd c9 ff fd 19") + mudtest.GMCPFrame("Core.Hello", `{"Client":"GoTest","Version":"1"}`) +
		mudtest.GMCPFrame("Core.Supports.Set", packages) + more)
	c.Expect("name")
	c.Send(name)
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Send("sesame123")
	c.Expect("again")
	c.Send("sesame123")
	c.Expect("> ")
	return c
}

func decode(t *testing.T, m telnet.Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatalf("%s: %v in %s", m.Package, err, m.Data)
	}
	return v
}

// TestGMCP checks the packages a subscribed client gets: Room.Info on login, look and moves
// with stable numbers, Char.Items as things are taken and dropped, Comm.Channel.Text for say
// and tell, Core.Ping answered, and Lua sending and receiving GMCP.
func TestGMCP(t *testing.T) {
	game := fixture()
	game["scripts/gmcp.lua"] = game["scripts/init.lua"]
	game["scripts/init.lua"].Data = append(append([]byte(nil), game["scripts/init.lua"].Data...), []byte(`
mud.on("gmcp", function(p, pkg, data)
  if pkg == "Test.Echo" then p:gmcp("Test.Reply", { got = data.n * 2, from = p.name }) end
end)
command { name = "hurt", run = function(actor) actor:gmcp("Char.Vitals", { hp = 7, maxhp = 20 }) end }
command { name = "mixed", run = function(actor)
  actor:send("alpha, a line long enough to matter") actor:gmcp("Test.One", 1)
  actor:send("beta") actor:gmcp("Test.Two", 2) actor:send("gamma")
end }
`)...)
	delete(game, "scripts/gmcp.lua")
	s := startServer(t, game, t.TempDir())
	c := gmcpLogin(t, s, "Gamma", `["Room 1","Char 1","Comm 1","Test 1"]`, "")
	room := decode(t, c.GMCP("Room.Info"))
	if room["num"] != float64(engine.RoomNum("town:square")) || room["name"] != "Town Square" || room["area"] != "The Town" {
		t.Fatalf("Room.Info at login: %v", room)
	}
	exits, _ := room["exits"].(map[string]any)
	if exits["n"] != float64(engine.RoomNum("town:hall")) || exits["e"] != float64(engine.RoomNum("field:meadow")) {
		t.Fatalf("Room.Info exits: %v", exits)
	}
	list := decode(t, c.GMCP("Char.Items.List"))
	if list["location"] != "room" || !strings.Contains(fmtJSON(list), `"name":"a gold coin"`) {
		t.Fatalf("Char.Items.List room: %v", list)
	}

	c.Send("north")
	hall := decode(t, c.GMCP("Room.Info"))
	if hall["num"] != float64(engine.RoomNum("town:hall")) || hall["name"] != "Great Hall" {
		t.Fatalf("Room.Info after north: %v", hall)
	}
	c.Send("south")
	if again := decode(t, c.GMCP("Room.Info")); again["num"] != room["num"] {
		t.Fatalf("the square's number changed: %v then %v", room["num"], again["num"])
	}
	c.Expect("> ")

	c.Send("get coin")
	rm := decode(t, c.GMCP("Char.Items.Remove"))
	add := decode(t, c.GMCP("Char.Items.Add"))
	if rm["location"] != "room" || add["location"] != "inv" || fmtJSON(add["item"]) == "" ||
		add["item"].(map[string]any)["name"] != "a gold coin" {
		t.Fatalf("get coin: remove %v add %v", rm, add)
	}
	c.Expect("> ")

	c.Send("say hello there")
	say := decode(t, c.GMCP("Comm.Channel.Text"))
	if say["channel"] != "say" || say["talker"] != "Gamma" || say["text"] != `You say, "hello there"` {
		t.Fatalf("Comm.Channel.Text: %v", say)
	}
	c.Expect("> ")

	c.Write(mudtest.GMCPFrame("Core.Ping", "120"))
	c.GMCP("Core.Ping")

	c.Write(mudtest.GMCPFrame("Test.Echo", `{"n":21}`))
	if r := decode(t, c.GMCP("Test.Reply")); r["got"] != float64(42) || r["from"] != "Gamma" {
		t.Fatalf("Lua reply: %v", r)
	}
	c.Send("hurt")
	if v := decode(t, c.GMCP("Char.Vitals")); v["hp"] != float64(7) || v["maxhp"] != float64(20) {
		t.Fatalf("Char.Vitals from Lua: %v", v)
	}
	c.Expect("> ")

	// Messages keep their place in the text: the room, then its Room.Info, then the prompt.
	c.MarkGMCP(true)
	c.Send("look")
	text := c.Expect("Exits:")
	rest := c.Expect("> <EOR>")
	if !strings.Contains(text, "Town Square") || strings.Contains(text, "{") ||
		!strings.HasSuffix(rest, "{Room.Info}{Char.Items.List}> <EOR>") {
		t.Fatalf("order of text and GMCP: %q then %q", text, rest)
	}

	// Several messages in one batch, with text between them, each at its place.
	c.Send("mixed")
	got := c.Expect("gamma")
	at := func(s string) int {
		if i := strings.Index(got, s); i >= 0 {
			return i
		}
		t.Fatalf("%q missing from %q", s, got)
		return 0
	}
	if !(at("alpha") < at("{Test.One}") && at("{Test.One}") < at("beta") && at("beta") < at("{Test.Two}") &&
		at("{Test.Two}") < at("gamma")) {
		t.Fatalf("messages out of place among the text: %q", got)
	}
	c.Expect("> ")
	c.MarkGMCP(false)

	// Removing a package stops it; Core messages need no subscription.
	c.Write(mudtest.GMCPFrame("Core.Supports.Remove", `["Room"]`))
	c.Send("look")
	c.Expect("Town Square")
	c.Expect("> ")
	c.Write(mudtest.GMCPFrame("Core.Ping", ""))
	c.GMCP("Core.Ping")
	for _, m := range c.Messages() {
		if m.Package == "Room.Info" {
			t.Fatalf("Room.Info sent after Core.Supports.Remove: %+v", m)
		}
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestGMCPOnlyWhenAsked checks that a client that refused GMCP, or subscribed to other
// packages, gets none of them.
func TestGMCPOnlyWhenAsked(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	refused := mudtest.DialTelnet(t, s.Eng.TelnetAddr())
	refused.Negotiated("WILL 201")
	refused.Write(hx("ff fe c9 ff fe 45") + mudtest.GMCPFrame("Core.Supports.Set", `["Room 1"]`))
	refused.Expect("name")
	refused.Send("Refuser")
	refused.Expect("(yes/no)")
	refused.Send("yes")
	refused.Expect("password")
	refused.Send("sesame123")
	refused.Expect("again")
	refused.Send("sesame123")
	refused.Expect("> ")

	other := gmcpLogin(t, s, "Choosy", `["Comm 1"]`, "")
	for _, c := range []*mudtest.TelnetClient{refused, other} {
		c.Do("north")
		c.Do("look")
		c.Do("say hi")
	}
	other.GMCP("Comm.Channel.Text")
	for _, m := range append(refused.Messages(), other.Messages()...) {
		if !strings.HasPrefix(m.Package, "Comm.") {
			t.Errorf("unwanted message: %s %s", m.Package, m.Data)
		}
	}
	if len(refused.Messages()) > 0 {
		t.Errorf("client that said DONT GMCP got %+v", refused.Messages())
	}
}

// TestGMCPItems checks Char.Items as things change hands: the dropper's inventory and room,
// what another player in the room sees, give, and taking out of a container.
func TestGMCPItems(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	a := gmcpLogin(t, s, "Dropper", `["Char.Items 1"]`, "")
	b := gmcpLogin(t, s, "Watcher", `["Char.Items 1"]`, "")
	a.Expect("Watcher has entered the game.")
	a.Expect("> ")
	a.Do("get coin")
	b.GMCP("Char.Items.Remove")
	b.Expect("> ")
	a.ForgetMessages()
	a.Send("drop coin")
	if rm := decode(t, a.GMCP("Char.Items.Remove")); rm["location"] != "inv" {
		t.Fatalf("drop: %v", rm)
	}
	if add := decode(t, a.GMCP("Char.Items.Add")); add["location"] != "room" {
		t.Fatalf("drop: %v", add)
	}
	a.Expect("> ")
	if add := decode(t, b.GMCP("Char.Items.Add")); add["location"] != "room" ||
		add["item"].(map[string]any)["name"] != "a gold coin" {
		t.Fatalf("the watcher saw: %v", add)
	}
	b.Expect("> ")
	a.Do("get coin")
	a.ForgetMessages()
	a.Send("give coin to watcher")
	if rm := decode(t, a.GMCP("Char.Items.Remove")); rm["location"] != "inv" {
		t.Fatalf("give: %v", rm)
	}
	if add := decode(t, b.GMCP("Char.Items.Add")); add["location"] != "inv" {
		t.Fatalf("given: %v", add)
	}
	a.Expect("> ")
	// Out of a container: the room's list does not change.
	a.Do("north")
	a.ForgetMessages()
	a.Send("get gem from chest")
	a.Expect("You take a red gem")
	if add := decode(t, a.GMCP("Char.Items.Add")); add["location"] != "inv" {
		t.Fatalf("get from chest: %v", add)
	}
	for _, m := range a.Messages() {
		if m.Package == "Char.Items.Remove" {
			t.Fatalf("taking from a chest removed something from the room: %s", m.Data)
		}
	}
}

// TestWiznetOverGMCP: staff clients that take Comm.Channel get wiznet as Comm.Channel.Text;
// players' clients get nothing of it.
func TestWiznetOverGMCP(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	gwen := gmcpLogin(t, s, "Gwen", `["Comm.Channel 1"]`, "")
	pete := gmcpLogin(t, s, "Pete", `["Comm 1"]`, "")
	do(t, ada, "promote Gwen builder", "Gwen is now a builder")
	gwen.Expect("Ada made you a builder")
	do(t, ada, "wiznet the {r}hall{x} needs work", "[wiznet] Ada: the hall needs work")
	if m := decode(t, gwen.GMCP("Comm.Channel.Text")); m["channel"] != "wiznet" || m["talker"] != "Ada" ||
		m["text"] != "[wiznet] Ada: the hall needs work" {
		t.Fatalf("wiznet over GMCP: %v", m)
	}
	pete.Do("say done") // the first Comm.Channel.Text he gets is his own say, not wiznet
	if m := decode(t, pete.GMCP("Comm.Channel.Text")); m["channel"] != "say" {
		t.Fatalf("a player's client got %v", m)
	}
}

// TestClientNamesAreNotMarkup: what a client says about itself (terminal types, the GMCP
// client name and version, its packages) is shown as sent, never read as colour tags.
func TestClientNamesAreNotMarkup(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := gmcpLogin(t, s, "Evan", `["Room 1", "{R}Char 1"]`, hx("ff fb 18")+ttIs("EVIL{R}TERM")+ttIs("X{R}-256COLOR")+
		mudtest.GMCPFrame("Core.Hello", `{"client":"Evil{r}Client","version":"{x}9"}`))
	c.Send("protocols")
	out := c.Expect("MCCP3")
	for _, want := range []string{"EVIL{R}TERM", "Evil{r}Client", "{x}9", "{r}char 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("protocols: output lacks %q:\n%s", want, out)
		}
	}
	c.Expect("> ")
	if out := c.Do("color"); !strings.Contains(out, "your terminal type is X{R}-256COLOR") {
		t.Errorf("color: the terminal type is not shown as sent:\n%s", out)
	}
}
