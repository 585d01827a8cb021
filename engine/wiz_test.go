package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/internal/mudtest"
)

// testClock is a clock the test moves by hand; the loop and session goroutines read it.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func withClock(c *testClock) func(*engine.Config) {
	return func(cfg *engine.Config) { cfg.Clock = c.Now }
}

// staff creates a character, gives it role in the store, and logs in again so the role
// applies (taking over the first connection).
func staff(t *testing.T, s *mudtest.Server, name string, role engine.Role) *mudtest.Client {
	t.Helper()
	mudtest.Create(t, s, name, "password1")
	if err := s.Eng.Store().SetRole(context.Background(), name, role.String()); err != nil {
		t.Fatal(err)
	}
	return mudtest.Login(t, s, name, "password1")
}

// do sends line and returns the output up to the prompt that follows the first of wants,
// skipping what others' actions printed before; it fails the test unless every want is in it.
func do(t *testing.T, c *mudtest.Client, line string, wants ...string) string {
	t.Helper()
	c.Send(line)
	out := c.Expect(wants[0])
	out += strings.TrimSuffix(c.Expect("\n> "), "> ")
	mustContain(t, line, out, wants[1:]...)
	return out
}

// quit leaves the game.
func quit(c *mudtest.Client) {
	c.Send("quit")
	c.Expect("Goodbye")
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func mustNotContain(t *testing.T, what, out string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(out, n) {
			t.Errorf("%s: output has %q:\n%s", what, n, out)
		}
	}
}

// staffCommands lists every command of builder role or above, from the registry, so that
// commands added later are covered too.
func staffCommands(e *engine.Engine) []*engine.Command {
	var out []*engine.Command
	for _, c := range e.Commands().Visible(engine.RoleOperator) {
		if c.Role >= engine.RoleBuilder {
			out = append(out, c)
		}
	}
	return out
}

func TestPlayerCannotRunStaffCommands(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	wes := staff(t, s, "Wes", engine.RoleWizard)
	bea := staff(t, s, "Bea", engine.RoleBuilder)
	pat := mudtest.Create(t, s, "Pat", "password2")
	cmds := staffCommands(s.Eng)
	if len(cmds) < 20 {
		t.Fatalf("only %d staff commands registered", len(cmds))
	}
	for _, cmd := range cmds {
		line := cmd.Name + " town:hall"
		do(t, pat, line, "Huh?")
		if p := cmd.Name[:min(3, len(cmd.Name))]; len(cmd.Name) > 3 && s.Eng.Commands().Lookup(p, engine.RolePlayer) == nil {
			do(t, pat, p+" town:hall", "Huh?")
		}
		if cmd.Role > engine.RoleBuilder {
			do(t, bea, "at town:hall "+line, "Huh?")
		}
		if cmd.Role > engine.RoleWizard {
			do(t, wes, "at town:hall "+line, "Huh?")
		}
		do(t, wes, "force Pat "+line, "Pat tried, but: Huh?")
		pat.Expect("Wes forces you to: " + line)
		pat.Hear("Huh?")
	}
	// The player is where they were, and the server still runs.
	do(t, pat, "look", "Town Square")
	// A builder cannot force at all, and nobody forces someone of their own role.
	do(t, bea, "force Pat look", "Huh?")
	do(t, staff(t, s, "Wyn", engine.RoleWizard), "force Wes look", "role is as high as yours")
	s.Stop()

	st := openStore(t, data)
	rows, err := st.Audit(context.Background(), "Pat", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < len(cmds) {
		t.Fatalf("%d audit rows of Pat's attempts, want at least %d", len(rows), len(cmds))
	}
	for _, r := range rows {
		if !strings.HasPrefix(r.Result, "refused: needs role") {
			t.Errorf("Pat's attempt %q recorded as %q", r.Line, r.Result)
		}
	}
}

func openStore(t *testing.T, data string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(data, "mudd.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestPromoteLimits(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	wes := staff(t, s, "Wes", engine.RoleWizard)
	pat := mudtest.Create(t, s, "Pat", "password2")
	olga := mudtest.Create(t, s, "Olga", "password3")
	quit(olga)

	for _, step := range []struct {
		who  *mudtest.Client
		line string
		want string
	}{
		{wes, "promote Pat wizard", "not below your own role"},
		{wes, "promote Pat admin", "not below your own role"},
		{wes, "promote Wes builder", "your own role"},
		{wes, "demote Ada builder", "as high as you or higher"},
		{wes, "promote Nobody builder", "no character called"},
		{wes, "promote Pat builder", "Pat is now a builder"},
		{wes, "promote Pat builder", "already"},
		{ada, "promote Pat admin", "not below your own role"},
		{ada, "promote Pat wizard", "Pat is now a wizard"},
		{wes, "demote Pat player", "as high as you or higher"},
		{ada, "promote Olga builder", "Olga is now a builder"},
		{ada, "demote Olga builder", "demote lowers"},
		{ada, "promote Pat emperor", "unknown role"},
	} {
		do(t, step.who, step.line, step.want)
	}
	pat.Expect("Wes made you a builder")
	pat.Hear("Ada made you a wizard")
	do(t, pat, "goto town:hall", "Great Hall")
	s.Stop()
	st := openStore(t, data)
	for name, want := range map[string]string{"Pat": "wizard", "Olga": "builder", "Ada": "admin", "Wes": "wizard"} {
		if a, err := st.Account(context.Background(), name); err != nil || a.Role != want {
			t.Errorf("%s: role %q, %v; want %s", name, a.Role, err, want)
		}
	}
}

func TestBansBlockLoginAndExpire(t *testing.T) {
	clock := newTestClock()
	s := startServer(t, fixture(), t.TempDir(), withClock(clock))
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	troll := mudtest.Create(t, s, "Troll", "password2")
	do(t, ada, "ban troll 2h being rude", "Banned name troll until 2030-01-02 05:04 UTC")
	troll.Expect("kicked out of the game by Ada. Reason: banned. being rude")
	if !troll.Closed(5 * time.Second) {
		t.Fatal("banned player still connected")
	}
	c := mudtest.Dial(t, s.Eng.TCPAddr())
	c.Expect("name")
	c.Send("Troll")
	c.Expect("That character is banned from this game until 2030-01-02 05:04 UTC (2h0m0s from")
	c.Expect("Reason: being rude.")
	if !c.Closed(5 * time.Second) {
		t.Fatal("banned name still connected")
	}

	do(t, ada, "ban 127.0.0.1", "would ban your own address")
	do(t, ada, "ban 127.0.0.2 30m", "Banned ip 127.0.0.2")
	do(t, ada, "ban 127.0.0.6/31 1d open proxies", "Banned cidr 127.0.0.6/31")
	do(t, ada, "ban 10.0.0.0/40", "not a CIDR block")
	do(t, ada, "ban Fred 3y", "not a duration")
	do(t, ada, "bans", "name troll", "ip   127.0.0.2", "cidr 127.0.0.6/31", "open", "3 ban(s).")
	for _, from := range []string{"127.0.0.2", "127.0.0.7"} {
		c := mudtest.DialFrom(t, s.Eng.TCPAddr(), from)
		c.Expect("This address is banned from this game until")
		if !c.Closed(5 * time.Second) {
			t.Fatalf("banned address %s still connected", from)
		}
	}
	mudtest.DialFrom(t, s.Eng.TCPAddr(), "127.0.0.5").Expect("name") // outside the block

	clock.Advance(3 * time.Hour) // the name and the IP ban have expired; the block's has not
	mudtest.Login(t, s, "Troll", "password2")
	mudtest.DialFrom(t, s.Eng.TCPAddr(), "127.0.0.2").Expect("name")
	mudtest.DialFrom(t, s.Eng.TCPAddr(), "127.0.0.6").Expect("banned")
	do(t, ada, "bans", "cidr 127.0.0.6/31", "1 ban(s).")
	do(t, ada, "unban 127.0.0.6/31", "Lifted the ban of cidr 127.0.0.6/31")
	mudtest.DialFrom(t, s.Eng.TCPAddr(), "127.0.0.6").Expect("name")
	do(t, ada, "unban 127.0.0.6/31", "is not banned")
}

// loginFrom logs an existing character in from the local address from.
func loginFrom(t *testing.T, s *mudtest.Server, from, name, password string) *mudtest.Client {
	t.Helper()
	c := mudtest.DialFrom(t, s.Eng.TCPAddr(), from)
	c.Expect("name")
	c.Send(name)
	c.Expect("Password")
	c.Send(password)
	c.Expect("\n> ")
	return c
}

func TestAddressBansSpareStaff(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	wes := staff(t, s, "Wes", engine.RoleWizard)
	staff(t, s, "Ada", engine.RoleAdmin)
	ada := loginFrom(t, s, "127.0.0.9", "Ada", "password1")
	quit(mudtest.Create(t, s, "Pat", "password2"))
	pat := loginFrom(t, s, "127.0.0.10", "Pat", "password2")

	do(t, wes, "ban 127.0.0.9", "Not banned: Ada (admin) plays from there")
	do(t, wes, "ban 127.0.0.8/30 1h", "Not banned: Ada (admin) plays from there")
	do(t, wes, "ban ::ffff:127.0.0.9", "Ada (admin) plays from there")
	do(t, wes, "ban 127.0.0.0/8", "Not banned: blocks wider than /16 need an admin")
	do(t, wes, "ban 2001:db8::/32", "Not banned: blocks wider than /48 need an admin")
	do(t, wes, "ban 2001:db8::/48", "Banned cidr 2001:db8::/48")
	do(t, wes, "ban 127.0.0.10", "Banned ip 127.0.0.10") // Pat is a player
	quit(pat)
	quit(ada)
	// Offline, Ada's last login address is hers still.
	do(t, wes, "ban 127.0.0.9", "Not banned: Ada (admin) last logged in from there")
	do(t, wes, "ban 127.0.0.8/29", "Ada (admin) last logged in from there")
	do(t, wes, "bans", "2 ban(s).")

	ada = loginFrom(t, s, "127.0.0.11", "Ada", "password1")
	do(t, ada, "ban 10.0.0.0/8", "Banned cidr 10.0.0.0/8") // an admin bans wide blocks
	do(t, ada, "ban 127.0.0.9", "Banned ip 127.0.0.9")     // and not her own address any more
}

func TestBansAreKeptAcrossRestarts(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	do(t, ada, "ban Spammer", "Banned name spammer permanently")
	do(t, staff(t, s, "Wes", engine.RoleWizard), "ban Ada", "as high as you")
	s.Stop()
	s = startServer(t, fixture(), data)
	c := mudtest.Dial(t, s.Eng.TCPAddr())
	c.Expect("name")
	c.Send("spammer")
	c.Expect("That character is banned from this game permanently.")
}

func TestSnoopShowsOutputToTheAdminOnly(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	ann := staff(t, s, "Ann", engine.RoleAdmin)
	pat := mudtest.Create(t, s, "Pat", "password2")
	bob := mudtest.Create(t, s, "Bob", "password3")
	do(t, ada, "goto town:hall", "Great Hall") // away from the others: she hears them only through the snoop
	pat.Hear("Ada vanishes")
	bob.Hear("Ada vanishes")
	ann.Hear("Bob has entered the game")

	do(t, ada, "snoop Pat", "You are snooping Pat.")
	do(t, ann, "snoop Pat", "already snooped by Ada")
	do(t, ada, "snoop Ann", "role is as high as yours")
	out := do(t, pat, "say hello there", "You say")
	mustNotContain(t, "snooped player", out, "snoop", "Ada")
	bob.Hear(`Pat says, "hello there"`)
	ada.Expect("[Pat] % say hello there")
	ada.Hear(`[Pat] You say, "hello there"`)
	do(t, pat, "look", "Town Square")
	ada.Hear("[Pat] Town Square")

	quit(pat)
	ada.Hear("Your snoop on Pat ends")
	bob.Hear("Pat has left the game")
	do(t, ada, "snoop", "not snooping")
	out = do(t, bob, "say anyone?", "You say")
	mustNotContain(t, "bystander", out, "[Pat]", "snoop")

	// The snoop also ends when the snooper leaves: Bob can be snooped by another admin.
	do(t, ada, "snoop Bob", "You are snooping Bob.")
	quit(ada)
	do(t, ann, "snoop Bob", "You are snooping Bob.")
	do(t, bob, "say still here", "You say")
	ann.Hear(`[Bob] You say, "still here"`)
}

func TestSnoopEndsWhenRolesChange(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	op := attachConsole(t, s) // the operator: the only one above an admin
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	ann := staff(t, s, "Ann", engine.RoleAdmin)
	pat := mudtest.Create(t, s, "Pat", "password2")
	bob := mudtest.Create(t, s, "Bob", "password3")

	// A snooped player raised to a role still below the snooper's stays snooped.
	do(t, ada, "snoop Pat", "You are snooping Pat.")
	do(t, ann, "promote Pat wizard", "Pat is now a wizard")
	do(t, pat, "say one", "You say")
	ada.Hear(`[Pat] You say, "one"`)
	// Raised to the snooper's role, they are no longer snooped.
	op.do("promote Pat admin")
	ada.Hear("Your snoop on Pat ends: their role is now as high as yours.")
	do(t, pat, "say two", "You say")
	mustNotContain(t, "snoop after promotion", do(t, ada, "snoop", "not snooping"), "[Pat]")

	// A snooper demoted below admin stops snooping.
	do(t, ada, "snoop Bob", "You are snooping Bob.")
	op.do("demote Ada wizard")
	ada.Hear("Your snoop on Bob ends: your role no longer allows it.")
	do(t, bob, "say three", "You say")
	mustNotContain(t, "snoop after demotion", do(t, ada, "look", "Town Square"), "[Bob]")
	do(t, ann, "snoop Bob", "You are snooping Bob.")
}

func TestKickAndFreeze(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	wes := staff(t, s, "Wes", engine.RoleWizard)
	staff(t, s, "Ada", engine.RoleAdmin)
	pat := mudtest.Create(t, s, "Pat", "password2")
	do(t, pat, "n", "Great Hall") // its on_command hook answers "pull"
	do(t, pat, "pull", "You pull the lever")

	do(t, wes, "freeze Pat", "Pat is frozen.")
	pat.Hear("You are frozen solid!")
	do(t, pat, "look", "frozen solid and cannot do that")
	do(t, pat, "s", "frozen solid")
	// Nor does the room's hook act for a frozen player, for a command or for a word that is none.
	mustNotContain(t, "frozen hook", do(t, pat, "pull", "frozen solid"), "lever")
	mustNotContain(t, "frozen hook", do(t, pat, "get lever", "frozen solid"), "lever is fixed")
	do(t, pat, "xyzzy", "frozen solid")
	quit(pat)
	pat = mudtest.Login(t, s, "Pat", "password2")
	do(t, pat, "look", "frozen solid")
	do(t, wes, "users", "Pat*", "127.0.0.1", "tcp")
	do(t, wes, "thaw Pat", "Pat is thawed.")
	pat.Hear("You thaw out")
	do(t, pat, "look", "Great Hall")
	do(t, pat, "pull", "You pull the lever")

	do(t, wes, "kick Ada", "role is as high as yours")
	do(t, wes, "kick Zed", "Nobody called")
	do(t, wes, "kick Pat spamming the square", "You kick Pat out of the game.")
	pat.Expect("You have been kicked out of the game by Wes. Reason: spamming the square")
	if !pat.Closed(5 * time.Second) {
		t.Fatal("kicked player still connected")
	}
	do(t, wes, "who", "2 player(s)")
}

func TestWizardCommandsAct(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	wes := staff(t, s, "Wes", engine.RoleWizard)
	bea := staff(t, s, "Bea", engine.RoleBuilder)
	pat := mudtest.Create(t, s, "Pat", "password2")
	do(t, wes, "goto hall", "Great Hall")
	do(t, wes, "goto Pat", "Town Square")
	do(t, wes, "transfer Pat town:cellar", "Pat is now in Damp Cellar")
	pat.Expect("Wes has summoned you.")
	pat.Hear("Damp Cellar")
	do(t, wes, "at Pat look", "Damp Cellar")
	do(t, wes, "look", "Town Square")
	do(t, wes, "transfer Pat hall", "Pat is now in Great Hall")
	pat.Hear("Great Hall")
	do(t, wes, "stat Pat", "player: Pat", "In room: town:hall", "role player", "Connection: 127.0.0.1")
	do(t, wes, "stat here", "Room town:square", "Exit east -> field:meadow", "a green parrot")
	do(t, wes, "stat parrot", "Prototype: town:parrot", "Hooks: on_ask, on_say")
	do(t, wes, "set parrot data.mood 7", "Set data.mood of parrot to 7")
	do(t, wes, "set parrot data.mood happy", "data.mood is a number")
	do(t, wes, `set parrot name a blue parrot`, "Set name")
	do(t, wes, "set Pat name Bob", "account's")
	do(t, wes, "set Pat role admin", "promote and demote")
	do(t, wes, "set Pat desc A lowly player.", "Set desc of Pat")
	do(t, wes, "set me data.note 1", "Set data.note of me")
	// Nothing of a player whose role is as high as the caller's, nor what they carry, is changed.
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	do(t, ada, "spawn coin", "A gold coin appears")
	do(t, wes, "goto Ada", "Town Square")
	do(t, wes, "set Ada desc A fool.", "Not set: Ada's role is as high as yours")
	do(t, wes, "set Ada data.gold 0", "Not set: Ada's role is as high as yours")
	out := do(t, ada, "stat coin", "Prototype: town:coin")
	id := out[strings.Index(out, "#"):]
	id = id[:strings.IndexAny(id, " )\n")]
	do(t, wes, "set "+id+" data.fake true", "Not set: Ada holds it")
	do(t, ada, "set Wes desc A busy wizard.", "Set desc of Wes")
	mustNotContain(t, "after refused set", do(t, ada, "stat me", "player: Ada"), "A fool.", "gold = 0")
	quit(ada)
	do(t, wes, "stat parrot", "a blue parrot", "data.mood = 7")
	do(t, wes, "spawn coin", "A gold coin appears in your hands")
	do(t, wes, "spawn town:parrot", "You conjure a green parrot")
	do(t, wes, "spawn dragon", `no prototype "dragon"`)
	do(t, wes, "purge parrot", "You purge a blue parrot.")
	do(t, wes, "purge Wes", "Players can't be purged")
	do(t, wes, "purge", "You purge the room")
	out = do(t, wes, "look", "Town Square")
	mustNotContain(t, "after purge", out, "parrot", "gold coin")
	do(t, wes, "inventory", "a gold coin")
	bea.Hear("Wes purges the room")

	do(t, bea, "wiznet the hall needs work", "[wiznet] Bea: the hall needs work")
	wes.Hear("[wiznet] Bea: the hall needs work")
	mustNotContain(t, "player hears wiznet", do(t, pat, "look", "Great Hall"), "wiznet")
	do(t, wes, "stats", "Pulse:", "≤", "Players: 3 online", "Goroutines:", "Saves:")
	do(t, wes, "users", "Wes", "Bea", "Pat", "wizard", "tcp")

	// A telnet client that reports its name and window size.
	tel := mudtest.Dial(t, s.Eng.TelnetAddr())
	const iac, sb, se, will, ttype, naws = 255, 250, 240, 251, 24, 31
	hello := []byte{iac, will, ttype, iac, sb, ttype, 0}
	hello = append(hello, "MUD{r}TEST"...) // colour tags in a client's name are shown as they are
	hello = append(hello, iac, se, iac, will, naws, iac, sb, naws, 0, 100, 0, 40, iac, se)
	if _, err := tel.Conn.Write(hello); err != nil {
		t.Fatal(err)
	}
	tel.Expect("name")
	for _, line := range []string{"Tess", "yes", "password3", "password3"} {
		tel.Send(line)
	}
	tel.Expect("Town Square")
	do(t, wes, "users", "MUD{r}TEST", "telnet NAWS TTYPE")
	do(t, wes, "stat Tess", "client MUD{r}TEST")
}

func TestAuditLog(t *testing.T) {
	data, game := t.TempDir(), fixture()
	// A builder command the game defines is audited like the engine's, with its Lua error.
	game["scripts/init.lua"].Data = append(game["scripts/init.lua"].Data, []byte(`
command { name = "zap", role = "builder", run = function(actor, args) error("zap broke") end }`)...)
	s := startServer(t, game, data)
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	wes := staff(t, s, "Wes", engine.RoleWizard)
	mudtest.Create(t, s, "Pat", "password2")
	do(t, wes, "goto town:hall", "Great Hall")
	do(t, wes, "force Pat say hi", "You force Pat")
	do(t, wes, "kick Ada", "as high as yours")
	do(t, ada, "promote Pat builder", "Pat is now a builder")
	do(t, ada, "ban Troll 1h", "Banned name troll")
	do(t, ada, "look", "Town Square") // not a staff command: not recorded
	do(t, wes, "zap", "zap broke")
	do(t, wes, "wiznet {r}red alert", "[wiznet] Wes: red alert") // colour tags work on wiznet
	out := do(t, ada, "audit 10", "ban Troll 1h => ok")
	mustContain(t, "audit", out, "Wes [wizard] at town:square: goto town:hall => ok",
		"Wes [wizard] at town:hall: kick Ada => error: You can't do",
		"Ada [admin] at town:square: promote Pat builder => ok", "ban Troll 1h => ok",
		"wiznet {r}red alert => ok") // and the audit shows the line as typed
	mustNotContain(t, "audit", out, "look", "audit 10") // nor its own row, written after the read
	mustContain(t, "audit again", do(t, ada, "audit 1", "audit 10 => ok"))
	do(t, ada, "audit wes", "goto town:hall")
	mustNotContain(t, "audit of one", do(t, ada, "audit wes", "kick Ada"), "promote")
	s.Stop()

	rows, err := openStore(t, data).Audit(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]store.AuditEntry{}
	for _, r := range rows {
		lines[r.Line] = r
	}
	for line, want := range map[string]store.AuditEntry{
		"goto town:hall":      {Who: "Wes", Role: "wizard", Room: "town:square", Result: "ok"},
		"force Pat say hi":    {Who: "Wes", Role: "wizard", Room: "town:hall", Result: "ok"},
		"promote Pat builder": {Who: "Ada", Role: "admin", Room: "town:square", Result: "ok"},
		"ban Troll 1h":        {Who: "Ada", Role: "admin", Room: "town:square", Result: "ok"},
		"audit 10":            {Who: "Ada", Role: "admin", Room: "town:square", Result: "ok"},
		"zap":                 {Who: "Wes", Role: "wizard", Room: "town:hall", Result: "error: scripts/init.lua:39: zap broke"},
	} {
		got, ok := lines[line]
		if !ok {
			t.Errorf("no audit row for %q", line)
			continue
		}
		if got.Who != want.Who || got.Role != want.Role || got.Room != want.Room || got.Result != want.Result || got.At.IsZero() {
			t.Errorf("audit row for %q = %+v, want %+v", line, got, want)
		}
	}
	if _, ok := lines["look"]; ok {
		t.Error("a player command was audited")
	}
}

// TestAuditedWhenTheLoopStops orders a ban and a promotion and, in the same write, a
// shutdown: whatever reached the database has its audit row, though the loop may stop
// before it hears that the work is done.
func TestAuditedWhenTheLoopStops(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	quit(mudtest.Create(t, s, "Pat", "password2"))
	if _, err := ada.Conn.Write([]byte("ban Troll\r\npromote Pat builder\r\nshutdown\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	st := openStore(t, data)
	ctx := context.Background()
	rows, err := st.Audit(ctx, "Ada", 100)
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]string{}
	for _, r := range rows {
		audited[r.Line] = r.Result
	}
	bans, err := st.Bans(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) > 0 && audited["ban Troll"] != "ok" {
		t.Errorf("troll is banned, but the audit row of the ban is %q", audited["ban Troll"])
	}
	if pat, err := st.Account(ctx, "Pat"); err != nil || pat.Role == "builder" && audited["promote Pat builder"] != "ok" {
		t.Errorf("Pat is %q (%v), but the audit row of the promotion is %q", pat.Role, err, audited["promote Pat builder"])
	}
	if audited["shutdown"] != "ok" {
		t.Errorf("shutdown audited as %q", audited["shutdown"])
	}
}

func TestShutdownCountsDownAndStops(t *testing.T) {
	clock, data := newTestClock(), t.TempDir()
	s := startServer(t, fixture(), data, withClock(clock))
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	pat := mudtest.Create(t, s, "Pat", "password2")
	do(t, pat, "e", "A Meadow")
	do(t, ada, "shutdown 30 new build", "shuts down in 30s (new build)")
	pat.Hear("The game shuts down in 30s (new build)")
	do(t, ada, "shutdown cancel", "The shutdown is cancelled")
	pat.Hear("cancelled")
	do(t, ada, "shutdown 99999", "The countdown is 0 to 86400 seconds.")
	do(t, ada, "shutdown 30 new build", "shuts down in 30s")
	pat.Hear("shuts down in 30s")
	clock.Advance(20 * time.Second)
	pat.Hear("The game shuts down in 10s (new build)")
	clock.Advance(10 * time.Second)
	pat.Expect("Shutting down now (new build)")
	pat.Expect("Your character has been saved")
	if !pat.Closed(5*time.Second) || !ada.Closed(5*time.Second) {
		t.Fatal("connections open after shutdown")
	}
	if err := s.Wait(); err != nil {
		t.Fatalf("Serve after shutdown: %v", err)
	}
	s = startServer(t, fixture(), data)
	do(t, mudtest.Login(t, s, "Pat", "password2"), "look", "A Meadow")
}

func TestLuaEvaluatesInTheLiveWorld(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.LuaBudget = 100 * time.Millisecond })
	ada := staff(t, s, "Ada", engine.RoleAdmin)
	for _, step := range []struct{ line, want string }{
		{"lua 1 + 2", "3"},
		{"lua return me.name, here.key", `"Ada", "town:square"`},
		{"lua me.data.gold = 5", "(no result)"},
		{"lua me.data", "{gold = 5}"},
		{"lua mud.players()", "{<player #"},
		{"lua here", "<room town:square>"},
		{"lua me:send('psst')", "psst"},
		{"lua return (", "Lua error: lua:1:"},
		{"lua error('boom')", "Lua error: lua:1: boom"},
		{"lua while true do end", "Lua error:"},
		{"lua return 'still alive'", `"still alive"`},
		{"lua '{r}' .. 'x'", `"{r}x"`},
	} {
		do(t, ada, step.line, step.want)
	}
	do(t, ada, "stat me", "data.gold = 5")
}
