package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
)

func TestPlayRestartAndReturn(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := create(t, s, "Alice", "correct horse")
	if out := c.do("look"); !strings.Contains(out, "Town Square") || !strings.Contains(out, "A gold coin glints here.") {
		t.Fatalf("look in start room:\n%s", out)
	}
	if out := c.do("get coin"); !strings.Contains(out, "You pick up a gold coin.") {
		t.Fatalf("get coin:\n%s", out)
	}
	if out := c.do("n"); !strings.Contains(out, "Great Hall") {
		t.Fatalf("walk north:\n%s", out)
	}
	if out := c.do("get gem from chest"); !strings.Contains(out, "You take a red gem from an oak chest.") {
		t.Fatalf("get from container:\n%s", out)
	}
	c.send("quit")
	c.expect("Goodbye")
	if !c.closed(5 * time.Second) {
		t.Fatal("connection still open after quit")
	}
	s.stop()

	s = startServer(t, fixture(), data)
	c = login(t, s, "alice", "correct horse")
	out := c.do("look")
	if !strings.Contains(out, "Great Hall") {
		t.Fatalf("after restart, not in the room left:\n%s", out)
	}
	inv := c.do("inventory")
	for _, want := range []string{"a gold coin", "a red gem"} {
		if !strings.Contains(inv, want) {
			t.Errorf("after restart, inventory lacks %q:\n%s", want, inv)
		}
	}
}

func TestDoorsAndKeys(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Bob", "password1")
	c.do("n")
	steps := []struct{ cmd, want string }{
		{"down", "The trapdoor is closed."},
		{"open trapdoor", "The trapdoor is locked."},
		{"unlock trapdoor", "You don't have the key to the trapdoor."},
		{"s", "Town Square"},
		{"get key", "You pick up an iron key."},
		{"n", "Great Hall"},
		{"unlock down", "You unlock the trapdoor."},
		{"open trapdoor", "You open the trapdoor."},
		{"d", "Damp Cellar"},
		{"close trapdoor", "You close the trapdoor."},
		{"u", "The trapdoor is closed."},
	}
	for _, st := range steps {
		if out := c.do(st.cmd); !strings.Contains(out, st.want) {
			t.Fatalf("%s: want %q in:\n%s", st.cmd, st.want, out)
		}
	}
}

func TestTalkBetweenPlayers(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	a := create(t, s, "Alice", "password1")
	b := create(t, s, "Bob", "password2")
	a.hear("Bob has entered the game.")
	out := a.do("say hello there")
	if !strings.Contains(out, `You say, "hello there"`) || !strings.Contains(out, `A green parrot says, "Squawk! hello there"`) {
		t.Fatalf("say, answered by the parrot's on_say hook:\n%s", out)
	}
	b.expect(`Alice says, "hello there"`)
	b.hear(`A green parrot says, "Squawk! hello there"`) // in the same batch
	if out := b.do("tell alice psst"); !strings.Contains(out, `You tell Alice, "psst"`) {
		t.Fatalf("tell:\n%s", out)
	}
	a.hear(`Bob tells you, "psst"`)
	if out := b.do("who"); !strings.Contains(out, "Alice") || !strings.Contains(out, "Bob") {
		t.Fatalf("who:\n%s", out)
	}
	b.do("emote waves.")
	a.hear("Bob waves.")
}

func TestCommandResolution(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Carol", "password1")
	tests := []struct{ cmd, want string }{
		{"l", "Town Square"},
		{"inv", "You are carrying"},
		{"xyzzy", `Huh? There is no command "xyzzy"`},
		{"stats", `Huh? There is no command "stats"`}, // wizard only
		{"help newbie", "Walk around and look at things."},
		{"help get", "Pick things up."},
		{"'hi", `You say, "hi"`},
		{"commands", "quit"},
	}
	for _, tt := range tests {
		if out := c.do(tt.cmd); !strings.Contains(out, tt.want) {
			t.Errorf("%q: want %q in:\n%s", tt.cmd, tt.want, out)
		}
	}
}

func TestLinkDeadReattach(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	a := create(t, s, "Alice", "password1")
	a.do("get coin")
	watcher := create(t, s, "Bob", "password2")
	a.conn.Close()
	watcher.hear("Alice has lost the link.")
	if out := watcher.do("look"); !strings.Contains(out, "Alice is here, staring blankly (link-dead).") {
		t.Fatalf("link-dead character not in the room:\n%s", out)
	}
	a = login(t, s, "Alice", "password1")
	watcher.hear("Alice has reconnected.")
	if out := a.do("inventory"); !strings.Contains(out, "a gold coin") {
		t.Fatalf("reattached character lost its inventory:\n%s", out)
	}
}

func TestTakeoverClosesOldConnection(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	first := create(t, s, "Alice", "password1")
	second := login(t, s, "Alice", "password1")
	first.expect("taken over")
	if !first.closed(5 * time.Second) {
		t.Fatal("old connection still open after takeover")
	}
	if out := second.do("who"); strings.Count(out, "Alice") != 1 {
		t.Fatalf("who after takeover lists Alice other than once:\n%s", out)
	}
}

func TestLockoutAfterWrongPasswords(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) {
		c.MaxLoginFailures = 2
		c.LockoutDuration = time.Hour
	})
	a := create(t, s, "Alice", "password1")
	a.send("quit")
	a.expect("Goodbye")
	c := dial(t, s.eng.TCPAddr())
	c.expect("name")
	c.send("alice")
	for i := 0; i < 2; i++ {
		c.expect("Password")
		c.send("wrong password")
	}
	c.expect("Too many wrong passwords")
	if !c.closed(5 * time.Second) {
		t.Fatal("connection still open after too many failures")
	}
	c = dial(t, s.eng.TCPAddr())
	c.expect("name")
	c.send("Alice")
	c.expect("is locked after failed logins")
}

func TestNameRules(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := dial(t, s.eng.TCPAddr())
	for _, bad := range []string{"Al", "R2D2", "admin", "Averyveryverylongname"} {
		c.expect("name")
		c.send(bad)
		c.expect("That name won't do")
	}
	c.expect("name")
	c.send("Dora")
	c.expect("(yes/no)")
	c.send("y")
	c.expect("password")
	c.send("short")
	c.expect("at least 8 characters")
	c.expect("password")
	c.send("long enough")
	c.expect("again")
	c.send("different one")
	c.expect("don't match")
}

func TestLuaErrorsDoNotStopTheGame(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Alice", "password1")
	c.do("e")
	if out := c.do("n"); !strings.Contains(out, "A Broken Place") {
		t.Fatalf("entering a room with a broken hook:\n%s", out)
	}
	c.do("s")
	start := time.Now()
	if out := c.do("s"); !strings.Contains(out, "A Spinning Place") {
		t.Fatalf("entering a room whose hook never ends:\n%s", out)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("runaway hook held the game for %v", took)
	}
	other := create(t, s, "Bob", "password2")
	if out := other.do("look"); !strings.Contains(out, "Town Square") {
		t.Fatalf("game not answering after runaway hook:\n%s", out)
	}
	before := pulses(t, other)
	for i := 0; i < 100 && pulses(t, other) == before; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if pulses(t, other) == before {
		t.Fatal("timers stopped firing after a runaway hook")
	}
}

func pulses(t *testing.T, c *client) int {
	t.Helper()
	out := c.do("pulses")
	var n int
	if _, err := fmt.Sscanf(out[strings.Index(out, "pulses:"):], "pulses: %d", &n); err != nil {
		t.Fatalf("parse %q: %v", out, err)
	}
	return n
}

func TestTelnetLoginHidesPassword(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := dial(t, s.eng.TelnetAddr())
	c.expect("\xff\xfd\x18") // DO TTYPE among the opening offers
	c.expect("name")
	c.send("Tina")
	c.expect("(yes/no)")
	c.send("yes")
	c.expect("password")
	c.expect("\xff\xfb\x01") // WILL ECHO: the client stops echoing
	c.conn.Write([]byte("\xff\xfd\x01"))
	c.send("secret123")
	c.expect("\xff\xfc\x01") // WONT ECHO after the line
	c.expect("again")
	c.expect("\xff\xfb\x01") // and again for the confirmation, though the client never said DONT
	c.send("secret123")
	c.expect("\xff\xfc\x01")
	out := c.expect("> ")
	if !strings.Contains(out, "Town Square") {
		t.Fatalf("no room after telnet login:\n%q", out)
	}
	c.expect("\xff") // the prompt is marked (GA, or EOR if agreed)
}

func TestOverlongLineIsRefused(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.MaxLine = 512 })
	c := create(t, s, "Alice", "password1")
	c.send(strings.Repeat("x", 5000))
	c.expect("too long")
	if out := c.do("look"); !strings.Contains(out, "Town Square") {
		t.Fatalf("session unusable after an over-long line:\n%s", out)
	}
}

func TestShutdownSavesAndTellsPlayers(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := create(t, s, "Alice", "password1")
	c.do("e")
	waiting := dial(t, s.eng.TCPAddr())
	waiting.expect("name")
	s.stop()
	c.expect("shutting down")
	if !c.closed(5*time.Second) || !waiting.closed(5*time.Second) {
		t.Fatal("connections still open after shutdown")
	}
	s = startServer(t, fixture(), data)
	c = login(t, s, "Alice", "password1")
	if out := c.do("look"); !strings.Contains(out, "A Meadow") {
		t.Fatalf("position not saved at shutdown:\n%s", out)
	}
}

func TestWizardSeesStatsAndLuaErrors(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	create(t, s, "Wendy", "password1") // still in the world when she logs in again: a takeover
	if err := s.eng.Store().SetRole(context.Background(), "Wendy", "wizard"); err != nil {
		t.Fatal(err)
	}
	w := login(t, s, "Wendy", "password1")
	out := w.do("stats")
	for _, want := range []string{"Pulse:", "Command:", "p99", "Players: 1 online", "Goroutines:", "Saves:"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
	p := create(t, s, "Pat", "password2")
	p.do("e")
	p.do("n")
	w.hear("[lua] world/field/rooms.lua:")
}

func TestIdleTimeoutSaysGoodbye(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := create(t, s, "Alice", "password1")
	c.expect("idle too long")
	if !c.closed(5 * time.Second) {
		t.Fatal("idle connection still open")
	}
}

func TestDroppedQuestionDoesNotFollowTheCharacter(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Alice", "password1")
	c.send("password")
	c.expect("Current password: ")
	c.conn.Close()
	c = login(t, s, "Alice", "password1")
	if out := c.do("look"); !strings.Contains(out, "Town Square") {
		t.Fatalf("after reconnecting, a line went to the old question:\n%s", out)
	}
}

func TestChangePassword(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Alice", "password1")
	for _, step := range []struct{ send, want string }{
		{"password", "Current password: "},
		{"password1", "New password: "},
		{"new secret ", "Type it again: "},
		{"new secret", "Password changed."},
	} {
		c.send(step.send)
		c.expect(step.want)
	}
	c.send("quit")
	c.expect("Goodbye")
	login(t, s, "Alice", "new secret")
}

func TestRoomInterceptsCommandsAndNPCsAnswer(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := create(t, s, "Alice", "password1")
	steps := []struct{ cmd, want string }{
		{"ask parrot about crackers", "A green parrot says, \"Polly knows all about crackers!\""},
		{"ask parrot", "Ask whom about what?"},
		{"pull", `Huh? There is no command "pull"`},
		{"n", "Great Hall"},
		{"pull", "You pull the lever; far below, something clanks."},
		{"get lever", "The lever is fixed to the wall."},
		{"ask nobody about x", "You see nobody called \"nobody\" here"},
	}
	for _, st := range steps {
		if out := c.do(st.cmd); !strings.Contains(out, st.want) {
			t.Fatalf("%s: want %q in:\n%s", st.cmd, st.want, out)
		}
	}
}
