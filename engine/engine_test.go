package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

func TestPlayRestartAndReturn(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := mudtest.Create(t, s, "Alice", "correct horse")
	if out := c.Do("look"); !strings.Contains(out, "Town Square") || !strings.Contains(out, "A gold coin glints here.") {
		t.Fatalf("look in start room:\n%s", out)
	}
	if out := c.Do("get coin"); !strings.Contains(out, "You pick up a gold coin.") {
		t.Fatalf("get coin:\n%s", out)
	}
	if out := c.Do("n"); !strings.Contains(out, "Great Hall") {
		t.Fatalf("walk north:\n%s", out)
	}
	if out := c.Do("get gem from chest"); !strings.Contains(out, "You take a red gem from an oak chest.") {
		t.Fatalf("get from container:\n%s", out)
	}
	c.Send("quit")
	c.Expect("Goodbye")
	if !c.Closed(5 * time.Second) {
		t.Fatal("connection still open after quit")
	}
	s.Stop()

	s = startServer(t, fixture(), data)
	c = mudtest.Login(t, s, "alice", "correct horse")
	out := c.Do("look")
	if !strings.Contains(out, "Great Hall") {
		t.Fatalf("after restart, not in the room left:\n%s", out)
	}
	inv := c.Do("inventory")
	for _, want := range []string{"a gold coin", "a red gem"} {
		if !strings.Contains(inv, want) {
			t.Errorf("after restart, inventory lacks %q:\n%s", want, inv)
		}
	}
}

func TestDoorsAndKeys(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Bob", "password1")
	c.Do("n")
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
		if out := c.Do(st.cmd); !strings.Contains(out, st.want) {
			t.Fatalf("%s: want %q in:\n%s", st.cmd, st.want, out)
		}
	}
}

func TestTalkBetweenPlayers(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	a := mudtest.Create(t, s, "Alice", "password1")
	b := mudtest.Create(t, s, "Bob", "password2")
	a.Hear("Bob has entered the game.")
	out := a.Do("say hello there")
	if !strings.Contains(out, `You say, "hello there"`) || !strings.Contains(out, `A green parrot says, "Squawk! hello there"`) {
		t.Fatalf("say, answered by the parrot's on_say hook:\n%s", out)
	}
	b.Expect(`Alice says, "hello there"`)
	b.Hear(`A green parrot says, "Squawk! hello there"`) // in the same batch
	if out := b.Do("tell alice psst"); !strings.Contains(out, `You tell Alice, "psst"`) {
		t.Fatalf("tell:\n%s", out)
	}
	a.Hear(`Bob tells you, "psst"`)
	if out := b.Do("who"); !strings.Contains(out, "Alice") || !strings.Contains(out, "Bob") {
		t.Fatalf("who:\n%s", out)
	}
	b.Do("emote waves.")
	a.Hear("Bob waves.")
}

func TestCommandResolution(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Carol", "password1")
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
		if out := c.Do(tt.cmd); !strings.Contains(out, tt.want) {
			t.Errorf("%q: want %q in:\n%s", tt.cmd, tt.want, out)
		}
	}
}

func TestLinkDeadReattach(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	a := mudtest.Create(t, s, "Alice", "password1")
	a.Do("get coin")
	watcher := mudtest.Create(t, s, "Bob", "password2")
	a.Conn.Close()
	watcher.Hear("Alice has lost the link.")
	if out := watcher.Do("look"); !strings.Contains(out, "Alice is here, staring blankly (link-dead).") {
		t.Fatalf("link-dead character not in the room:\n%s", out)
	}
	a = mudtest.Login(t, s, "Alice", "password1")
	watcher.Hear("Alice has reconnected.")
	if out := a.Do("inventory"); !strings.Contains(out, "a gold coin") {
		t.Fatalf("reattached character lost its inventory:\n%s", out)
	}
}

func TestTakeoverClosesOldConnection(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	first := mudtest.Create(t, s, "Alice", "password1")
	second := mudtest.Login(t, s, "Alice", "password1")
	first.Expect("taken over")
	if !first.Closed(5 * time.Second) {
		t.Fatal("old connection still open after takeover")
	}
	if out := second.Do("who"); strings.Count(out, "Alice") != 1 {
		t.Fatalf("who after takeover lists Alice other than once:\n%s", out)
	}
}

func TestLockoutAfterWrongPasswords(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) {
		c.MaxLoginFailures = 2
		c.LockoutDuration = time.Hour
	})
	a := mudtest.Create(t, s, "Alice", "password1")
	a.Send("quit")
	a.Expect("Goodbye")
	c := mudtest.Dial(t, s.Eng.TCPAddr())
	c.Expect("name")
	c.Send("alice")
	for i := 0; i < 2; i++ {
		c.Expect("Password")
		c.Send("wrong password")
	}
	c.Expect("Too many wrong passwords")
	if !c.Closed(5 * time.Second) {
		t.Fatal("connection still open after too many failures")
	}
	c = mudtest.Dial(t, s.Eng.TCPAddr())
	c.Expect("name")
	c.Send("Alice")
	c.Expect("is locked after failed logins")
}

func TestNameRules(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Dial(t, s.Eng.TCPAddr())
	for _, bad := range []string{"Al", "R2D2", "admin", "Averyveryverylongname"} {
		c.Expect("name")
		c.Send(bad)
		c.Expect("That name won't do")
	}
	c.Expect("name")
	c.Send("Dora")
	c.Expect("(yes/no)")
	c.Send("y")
	c.Expect("password")
	c.Send("short")
	c.Expect("at least 8 characters")
	c.Expect("password")
	c.Send("long enough")
	c.Expect("again")
	c.Send("different one")
	c.Expect("don't match")
}

func TestLuaErrorsDoNotStopTheGame(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Do("e")
	if out := c.Do("n"); !strings.Contains(out, "A Broken Place") {
		t.Fatalf("entering a room with a broken hook:\n%s", out)
	}
	c.Do("s")
	start := time.Now()
	if out := c.Do("s"); !strings.Contains(out, "A Spinning Place") {
		t.Fatalf("entering a room whose hook never ends:\n%s", out)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("runaway hook held the game for %v", took)
	}
	other := mudtest.Create(t, s, "Bob", "password2")
	if out := other.Do("look"); !strings.Contains(out, "Town Square") {
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

func pulses(t *testing.T, c *mudtest.Client) int {
	t.Helper()
	out := c.Do("pulses")
	var n int
	if _, err := fmt.Sscanf(out[strings.Index(out, "pulses:"):], "pulses: %d", &n); err != nil {
		t.Fatalf("parse %q: %v", out, err)
	}
	return n
}

func TestTelnetLoginHidesPassword(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Dial(t, s.Eng.TelnetAddr())
	c.Expect("\xff\xfd\x18") // DO TTYPE among the opening offers
	c.Expect("name")
	c.Send("Tina")
	c.Expect("(yes/no)")
	c.Send("yes")
	c.Expect("password")
	c.Expect("\xff\xfb\x01") // WILL ECHO: the client stops echoing
	c.Conn.Write([]byte("\xff\xfd\x01"))
	c.Send("secret123")
	c.Expect("\xff\xfc\x01") // WONT ECHO after the line
	c.Expect("again")
	c.Expect("\xff\xfb\x01") // and again for the confirmation, though the client never said DONT
	c.Send("secret123")
	c.Expect("\xff\xfc\x01")
	out := c.Expect("> ")
	if !strings.Contains(out, "Town Square") {
		t.Fatalf("no room after telnet login:\n%q", out)
	}
	c.Expect("\xff") // the prompt is marked (GA, or EOR if agreed)
}

func TestOverlongLineIsRefused(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.MaxLine = 512 })
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Send(strings.Repeat("x", 5000))
	c.Expect("too long")
	if out := c.Do("look"); !strings.Contains(out, "Town Square") {
		t.Fatalf("session unusable after an over-long line:\n%s", out)
	}
}

func TestShutdownSavesAndTellsPlayers(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Do("e")
	waiting := mudtest.Dial(t, s.Eng.TCPAddr())
	waiting.Expect("name")
	s.Stop()
	c.Expect("shutting down")
	if !c.Closed(5*time.Second) || !waiting.Closed(5*time.Second) {
		t.Fatal("connections still open after shutdown")
	}
	s = startServer(t, fixture(), data)
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("look"); !strings.Contains(out, "A Meadow") {
		t.Fatalf("position not saved at shutdown:\n%s", out)
	}
}

func TestWizardSeesStatsAndLuaErrors(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	mudtest.Create(t, s, "Wendy", "password1") // still in the world when she logs in again: a takeover
	if err := s.Eng.Store().SetRole(context.Background(), "Wendy", "wizard"); err != nil {
		t.Fatal(err)
	}
	w := mudtest.Login(t, s, "Wendy", "password1")
	out := w.Do("stats")
	for _, want := range []string{"Pulse:", "Command:", "p99", "Players: 1 online", "Goroutines:", "Saves:"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
	p := mudtest.Create(t, s, "Pat", "password2")
	p.Do("e")
	p.Do("n")
	w.Hear("[lua] world/field/rooms.lua:")
}

func TestIdleTimeoutSaysGoodbye(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Expect("idle too long")
	if !c.Closed(5 * time.Second) {
		t.Fatal("idle connection still open")
	}
}

// TestActivePlayerIsNotIdle checks that a player who keeps typing stays connected past the
// idle timeout (the reader pushes its deadline back lazily), and is let go once silent.
func TestActivePlayerIsNotIdle(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.IdleTimeout = time.Second })
	c := mudtest.Create(t, s, "Alice", "password1")
	for range 30 { // well past the idle timeout, typing faster than the deadline moves
		time.Sleep(50 * time.Millisecond)
		if out := c.Do("look"); !strings.Contains(out, "Town Square") {
			t.Fatalf("a typing player got:\n%s", out)
		}
	}
	c.Expect("idle too long")
	if !c.Closed(5 * time.Second) {
		t.Fatal("idle connection still open")
	}
}

func TestDroppedQuestionDoesNotFollowTheCharacter(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Send("password")
	c.Expect("Current password: ")
	c.Conn.Close()
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("look"); !strings.Contains(out, "Town Square") {
		t.Fatalf("after reconnecting, a line went to the old question:\n%s", out)
	}
}

func TestChangePassword(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Alice", "password1")
	for _, step := range []struct{ send, want string }{
		{"password", "Current password: "},
		{"password1", "New password: "},
		{"new secret ", "Type it again: "},
		{"new secret", "Password changed."},
	} {
		c.Send(step.send)
		c.Expect(step.want)
	}
	c.Send("quit")
	c.Expect("Goodbye")
	mudtest.Login(t, s, "Alice", "new secret")
}

func TestRoomInterceptsCommandsAndNPCsAnswer(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	c := mudtest.Create(t, s, "Alice", "password1")
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
		if out := c.Do(st.cmd); !strings.Contains(out, st.want) {
			t.Fatalf("%s: want %q in:\n%s", st.cmd, st.want, out)
		}
	}
}
