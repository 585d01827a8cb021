package engine

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
)

var banNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestParseBan(t *testing.T) {
	tests := []struct {
		args             string
		kind, value, why string
		until            time.Duration
		err              string
	}{
		{args: "Troll", kind: banName, value: "troll"},
		{args: "Troll 2h being rude", kind: banName, value: "troll", until: 2 * time.Hour, why: "being rude"},
		{args: "troll spamming", kind: banName, value: "troll", why: "spamming"},
		{args: "10.1.2.3 30m", kind: banIP, value: "10.1.2.3", until: 30 * time.Minute},
		{args: "::ffff:10.1.2.3", kind: banIP, value: "10.1.2.3"},
		{args: "2001:db8::1 1w", kind: banIP, value: "2001:db8::1", until: 7 * 24 * time.Hour},
		{args: "10.1.2.3/8 7d proxies", kind: banCIDR, value: "10.0.0.0/8", until: 7 * 24 * time.Hour, why: "proxies"},
		{args: "2001:db8::/32", kind: banCIDR, value: "2001:db8::/32"},
		{args: "", err: "ban whom"},
		{args: "10.0.0.0/33", err: "not a CIDR block"},
		{args: "10.0.0.300", err: "not an IP address"},
		{args: "tr0ll", err: "not a name"},
		{args: "troll 3y", err: "not a duration"},
		{args: "troll 0h", err: "not a duration"},
		{args: "troll 99999999999w", err: "not a duration"},
		{args: "troll 9999w", err: "too long"},
	}
	for _, tt := range tests {
		b, err := parseBan(tt.args, "Ada", banNow)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseBan(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseBan(%q): %v", tt.args, err)
			continue
		}
		want := store.Ban{Kind: tt.kind, Value: tt.value, Reason: tt.why, By: "Ada", At: banNow}
		if tt.until > 0 {
			want.Until = banNow.Add(tt.until)
		}
		if b != want {
			t.Errorf("parseBan(%q) = %+v, want %+v", tt.args, b, want)
		}
	}
}

func TestBanListMatches(t *testing.T) {
	var l *banList
	for _, args := range []string{"Troll 1h", "10.0.0.5", "192.168.0.0/16 1d", "2001:db8::/32", "fe80::1",
		"fe80:0:0:1::/64"} {
		b, err := parseBan(args, "Ada", banNow)
		if err != nil {
			t.Fatal(err)
		}
		l = l.with(b)
	}
	later := banNow.Add(2 * time.Hour)
	// A ban stored with a zone (by an older version, or by hand) holds for every zone.
	l = l.with(store.Ban{Kind: banIP, Value: "fe80::7%eth1", By: "Ada", At: banNow})
	for _, tt := range []struct {
		name, addr string
		at         time.Time
		banned     bool
	}{
		{addr: "fe80::7%eth0", at: banNow, banned: true},
		{name: "TROLL", at: banNow, banned: true},
		{name: "troll", at: later},
		{name: "Elf", at: banNow},
		{addr: "10.0.0.5", at: later, banned: true},
		{addr: "10.0.0.6", at: banNow},
		{addr: "192.168.44.1", at: later, banned: true},
		{addr: "192.168.44.1", at: banNow.Add(25 * time.Hour)},
		{addr: "::ffff:192.168.1.1", at: banNow, banned: true},
		{addr: "2001:db8:1::7", at: banNow, banned: true},
		{addr: "2001:db9::7", at: banNow},
		{addr: "not an address", at: banNow},
		// A link-local client address carries its interface's zone; the ban holds all the same.
		{addr: "fe80::1%eth0", at: banNow, banned: true},
		{addr: "fe80::1%2", at: banNow, banned: true},
		{addr: "fe80::2%eth0", at: banNow},
		{addr: "fe80:0:0:1::9%eth0", at: banNow, banned: true},
	} {
		var got bool
		if tt.name != "" {
			_, got = l.name(tt.name, tt.at)
		} else {
			_, got = l.addr(tt.addr, tt.at)
		}
		if got != tt.banned {
			t.Errorf("banned(%q%q at +%s) = %v, want %v", tt.name, tt.addr, tt.at.Sub(banNow), got, tt.banned)
		}
	}
	l2, found := l.without(banIP, "10.0.0.5")
	if _, still := l2.addr("10.0.0.5", banNow); !found || still || len(l.all()) != 7 {
		t.Error("without did not remove the ban from a copy only")
	}
	if n := len(l.active(later)); n != 6 {
		t.Errorf("%d active bans after the name ban expired, want 6", n)
	}
}

func TestParseValue(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want any
		err  bool
	}{
		{"7", 7.0, false}, {"-2.5", -2.5, false}, {"true", true, false}, {"false", false, false},
		{"nil", nil, false}, {`"42"`, "42", false}, {"hello world", "hello world", false},
		{"", nil, true}, {"NaN", nil, true}, {"Inf", nil, true}, {"1e999", "1e999", false},
	} {
		got, err := parseValue(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseValue(%q) = %#v, %v; want %#v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// FuzzParseBan feeds arbitrary ban arguments to the parser and the matcher: no input may
// panic, and a parsed ban must match what it names.
func FuzzParseBan(f *testing.F) {
	for _, s := range []string{"Troll 2h rude", "10.0.0.1", "10.0.0.0/8 7d", "::1", "fe80::1%eth0",
		"2001:db8::/129", "a 0s", "x 18446744073709551615w", "1.2.3.4/0", "troll 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		b, err := parseBan(args, "Ada", banNow)
		if err != nil {
			return
		}
		if !b.Until.IsZero() && !b.Until.After(banNow) {
			t.Fatalf("parseBan(%q) expires at once: %v", args, b.Until)
		}
		l := (*banList)(nil).with(b)
		var ok bool
		switch b.Kind {
		case banName:
			_, ok = l.name(b.Value, banNow)
		case banIP:
			_, ok = l.addr(b.Value, banNow)
		case banCIDR:
			_, ok = l.addr(strings.Split(b.Value, "/")[0], banNow)
		}
		if !ok {
			t.Fatalf("parseBan(%q) = %+v does not match what it names", args, b)
		}
		banMessage(b, banNow)
	})
}

// FuzzParseValue checks that every value set accepts is plain data the store can save.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"7", "true", "nil", `"x"`, "NaN", "-0", "0x1p-2", "1_000", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseValue(s)
		if err != nil {
			return
		}
		switch v := v.(type) {
		case nil, bool, string:
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("parseValue(%q) = %v: not a finite number", s, v)
			}
		default:
			t.Fatalf("parseValue(%q) = %T", s, v)
		}
	})
}

// FuzzStaffCommandLine runs arbitrary lines as an admin standing beside a player, so that
// every staff command that works on the loop parses hostile arguments: no input may panic
// the loop or leave a character nowhere. Commands that wait for the database are left out.
func FuzzStaffCommandLine(f *testing.F) {
	for _, seed := range []string{"goto z:b", "goto vic", "transfer vic z:b", "at vic look", "at z:b at z:a look",
		"stat here", "stat #1", "stat vic", "stat box", "set box data.n 5", "set box data.n x", "set vic name X",
		"set here desc Dust.", "spawn cat", "spawn z:gem", "purge", "purge box", "purge vic", "force vic n",
		"force vic quit", "snoop vic", "snoop", "kick vic bye", "freeze vic", "thaw vic", "users", "stats",
		"wiznet hi", "bans", "at vic force vic say hi", "set me data.x nil", "stat 2.gem"} {
		f.Add(seed)
	}
	e, err := New(Config{Game: fuzzGame, DataDir: f.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	e.stopLoop = func() {}
	join := func(t *testing.T, name string, role Role) *Player {
		p := e.players[state.Key(name)]
		if p != nil {
			return p
		}
		server, client := net.Pipe()
		t.Cleanup(func() { client.Close() })
		p = e.restore(state.Character{Name: name}, role)
		e.addPlayer(p)
		e.attach(p, e.newSession(server, true))
		return p
	}
	f.Fuzz(func(t *testing.T, line string) {
		low := strings.ToLower(line)
		for _, w := range []string{"ban", "promote", "demote", "audit", "password", "lua", "shutdown"} {
			if strings.Contains(low, w) {
				return
			}
		}
		admin, vic := join(t, "Ada", RoleAdmin), join(t, "Vic", RolePlayer)
		e.runLine(admin, queuedLine{text: line})
		e.flushOutput()
		for _, p := range []*Player{admin, vic} {
			for p.sess != nil && len(p.sess.out) > 0 {
				<-p.sess.out
			}
			if e.players[state.Key(p.Name)] == p && p.Thing.OuterRoom() == nil {
				t.Fatalf("after %q, %s is in no room", line, p.Name)
			}
		}
	})
}

// TestStaffCommandsFromNowhere runs every staff command for an operator whose thing is in no
// room (as a console's may be): none may panic, and each answers.
func TestStaffCommandsFromNowhere(t *testing.T) {
	e, err := New(Config{Game: fuzzGame, DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.stopLoop = func() {}
	ctx, stop := context.WithCancel(context.Background())
	auditDone := make(chan struct{})
	go func() { e.audit.Run(ctx); close(auditDone) }()
	defer func() { stop(); <-auditDone }()
	server, client := net.Pipe()
	defer client.Close()
	op := e.restore(state.Character{Name: "Op"}, RoleOperator)
	world.Remove(op.Thing)
	e.addPlayer(op)
	e.attach(op, e.newSession(server, true))
	for _, c := range e.cmds.Visible(RoleOperator) {
		if c.Role < RoleBuilder {
			continue
		}
		for _, args := range []string{"", " here", " op", " #1", " z:a look", " box data.x 1"} {
			line := c.Name + args
			if strings.HasPrefix(line, "shutdown") {
				continue
			}
			e.Dispatch(op, RoleOperator, line)
			e.workers.Wait() // commands that read or write the database answer in an event
			e.drainInbox()
			e.flushOutput()
			if len(op.sess.out) == 0 {
				t.Errorf("%q gave no answer", line)
			}
			for len(op.sess.out) > 0 {
				<-op.sess.out
			}
		}
		if op.Thing.Room != nil {
			world.Remove(op.Thing) // goto and at may have placed it
		}
	}
}

// TestStaffCommandsInTheHeadlessGame runs every staff command in the game of mudd test, which
// has no database and no network: each answers, none panics.
func TestStaffCommandsInTheHeadlessGame(t *testing.T) {
	sim, err := NewSim(Config{Game: fuzzGame})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	op, err := sim.Player("Ada", RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Player("Vic", RolePlayer); err != nil {
		t.Fatal(err)
	}
	for _, c := range sim.Engine().Commands().Visible(RoleOperator) {
		if c.Role < RoleBuilder {
			continue
		}
		for _, args := range []string{"", " vic", " here", " #1 name x"} {
			line := c.Name + args
			if out := op.Do(line); strings.TrimSpace(out) == "" && c.Name != "reload" {
				t.Errorf("%q gave no answer", line)
			}
			sim.Engine().workers.Wait()
			sim.Engine().drainInbox()
		}
	}
}

// TestStaffAbbreviations: the staff commands an abbreviation may reach are the ones that
// only look or move the caller, as docs/admin.md lists them.
func TestStaffAbbreviations(t *testing.T) {
	sim, err := NewSim(Config{Game: fuzzGame})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	abbreviable := map[string]bool{"goto": true, "transfer": true, "stat": true, "users": true, "stats": true, "zones": true}
	for _, c := range sim.Engine().Commands().Visible(RoleOperator) {
		if c.Role >= RoleBuilder && !c.Exact != abbreviable[c.Name] {
			t.Errorf("%s: Exact is %v; docs/admin.md says abbreviations reach only %v", c.Name, c.Exact, abbreviable)
		}
	}
}

func TestPrefixPrefersTheLowestRole(t *testing.T) {
	r := NewRegistry()
	nop := func(*Context) {}
	r.Add(Command{Name: "redit", Role: RoleBuilder, Run: nop})
	r.Add(Command{Name: "reboot", Role: RoleAdmin, Run: nop})
	r.Add(Command{Name: "remove", Run: nop})
	for _, tt := range []struct {
		word string
		role Role
		want string
	}{
		{"r", RolePlayer, "remove"}, {"r", RoleBuilder, "remove"}, {"re", RoleAdmin, "remove"},
		{"red", RoleBuilder, "redit"}, {"red", RolePlayer, ""}, {"reb", RoleWizard, ""}, {"reb", RoleAdmin, "reboot"},
	} {
		got := ""
		if c := r.Lookup(tt.word, tt.role); c != nil {
			got = c.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%q, %s) = %q, want %q", tt.word, tt.role, got, tt.want)
		}
	}
}
