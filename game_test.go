package mudd_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// fastSettings replace scripts/settings.lua in the tests' variant of the default game: quick
// combat rounds, no regeneration during a test, more starting gold for the shop test.
const fastSettings = `
return {
  start_gold = 100,
  regen_every = 3600,
  round = 0.1,
  corpse_decay = CORPSE_DECAY,
  player_corpse_decay = 60,
  death_gold = 0.5,
  respawn = "millbrook:temple",
  quest_sweep = 0.2,
  carry = 25,
}
`

// testGame is the default game with fastSettings.
func testGame(t *testing.T) fs.FS { return testGameDecay(t, "60") }

// testGameDecay is testGame with corpses that last `decay` seconds.
func testGameDecay(t *testing.T, decay string) fs.FS {
	t.Helper()
	game := fstest.MapFS{}
	err := fs.WalkDir(mudd.DefaultGame(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(mudd.DefaultGame(), path)
		game[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	game["scripts/settings.lua"] = &fstest.MapFile{Data: []byte(strings.Replace(fastSettings, "CORPSE_DECAY", decay, 1))}
	return game
}

// logBuffer collects the server log, to fail a test on any Lua error.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the game on ephemeral loopback ports. The test fails if a script reports an error.
func start(t *testing.T, game fs.FS, dataDir string) *mudtest.Server {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "level=ERROR") {
				t.Errorf("server log: %s", line)
			}
		}
	})
	return mudtest.Start(t, engine.Config{Game: game, DataDir: dataDir, LuaBudget: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}, nil)
}

// player is a test client with the game's own checks.
type player struct {
	*mudtest.Client
	t *testing.T
}

// must sends a command and fails unless its output contains want.
func (c player) must(line, want string) string {
	c.t.Helper()
	out := c.Do(line)
	if !strings.Contains(squash(out), squash(want)) {
		c.t.Fatalf("%s: want %q in:\n%s", line, want, out)
	}
	return out
}

// squash joins the words of s with single spaces, undoing the server's word wrap.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// walk sends movement commands one by one.
func (c player) walk(moves ...string) {
	c.t.Helper()
	for _, m := range moves {
		if out := c.Do(m); strings.Contains(out, "can't go") || strings.Contains(out, "Huh?") ||
			strings.Contains(out, "is closed") {
			c.t.Fatalf("%s: %s", m, out)
		}
	}
}

func connect(t *testing.T, s *mudtest.Server, name string, create bool) player {
	t.Helper()
	if create {
		return player{mudtest.Create(t, s, name, "password123"), t}
	}
	return player{mudtest.Login(t, s, name, "password123"), t}
}

var goldRe = regexp.MustCompile(`Gold: (\d+)\.`)

// gold reads the player's gold from score.
func (c player) gold() int {
	c.t.Helper()
	out := c.Do("score")
	m := goldRe.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("no gold in score:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var tillRe = regexp.MustCompile(`You have (\d+) gold\. The till holds (\d+) gold\.`)

// purses reads the player's gold and the shopkeeper's till from list.
func (c player) purses() (mine, till int) {
	c.t.Helper()
	out := c.Do("list")
	m := tillRe.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("no purses in list:\n%s", out)
	}
	mine, _ = strconv.Atoi(m[1])
	till, _ = strconv.Atoi(m[2])
	return mine, till
}

func TestQuestAcrossRestart(t *testing.T) {
	game, dir := testGame(t), t.TempDir()
	s := start(t, game, dir)
	c := connect(t, s, "Questor", true)

	c.must("quests", "You are on no quest")
	c.walk("west", "west", "west", "west", "north", "north", "go hut")
	c.must("ask hermit about errand", "Get into that tower, find the letter")
	c.must("quests", "go down to its undercroft")
	c.must("ask hermit about errand", "Bryn's letter, Questor")

	// The key is in the magpies' nest; the tower is across the river.
	c.walk("go out", "south", "up")
	c.must("get key from nest", "You take an iron key")
	c.walk("down", "south", "south", "south", "east", "east", "go ferry", "south", "south", "south")
	c.must("unlock door", "You unlock")
	c.must("open door", "You open")
	c.walk("south")
	c.Send("down")
	c.Expect("Quest updated: The Warden's Letter")
	c.Expect("\n> ")
	c.must("get letter from chest", "You take a folded letter")
	c.must("quests", "Take Bryn's letter to Sister Wenna")
	c.must("save", "")

	// The server restarts; the stage and the letter survive.
	s.Stop()
	s = start(t, game, dir)
	c = connect(t, s, "Questor", false)
	c.must("quests", "Take Bryn's letter to Sister Wenna")
	c.must("inventory", "a folded letter")

	// The world was made afresh: the tower door is locked again, and the key is still ours.
	c.walk("up")
	c.must("unlock door", "You unlock")
	c.must("open door", "You open")
	c.walk("north", "north", "north", "north", "north", "north", "north", "north", "north")
	c.must("give letter to wenna", "Bryn's hand")
	c.must("quests", "Go back to Ansel")
	goldBefore := c.gold()
	c.walk("south", "south", "west", "west", "west", "west", "north", "north", "go hut")
	c.Send("ask ansel about wenna")
	c.Expect("Quest complete: The Warden's Letter!")
	c.Expect("\n> ")
	c.must("quests", "Finished: The Warden's Letter.")
	if got := c.gold(); got != goldBefore+25 {
		t.Errorf("gold after the reward: %d, want %d", got, goldBefore+25)
	}
	c.must("wear amulet", "You wear an oak-leaf amulet")
	c.must("score", "level 2")
	// Done for good: asking again does not start it over.
	c.must("ask hermit about errand", "nothing about that")

	// The repeatable quest starts when Marda is asked about work.
	c.walk("go out", "south", "south", "east", "east", "east", "east", "north", "west")
	c.must("ask marda about work", "Bring me three")
	c.must("journal", "Bring three wolf pelts to Marda at the Drowsy Ox. (0/3)")
}

func TestCombatKillCorpseAndLoot(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := connect(t, s, "Slayer", true)
	before := c.gold()
	c.walk("north", "west")
	c.must("open trapdoor", "You open")
	c.walk("down")
	c.must("kill rat", "You attack a fat cellar rat!")
	c.Expect("A fat cellar rat is dead!")
	c.Expect("You gain 10 experience.")
	c.Expect("\n> ")
	c.must("look", "The corpse of a fat cellar rat lies here.")
	c.must("examine corpse", "2 gold coins")
	c.must("get all from corpse", "You count 2 gold into your purse.")
	if got := c.gold(); got != before+2 {
		t.Errorf("gold after looting: %d, want %d", got, before+2)
	}
	c.must("score", "Experience: 10")
	c.must("flee", "You aren't fighting anyone.")
}

func TestCorpseDecaysAndNPCComesBackAtReset(t *testing.T) {
	s := start(t, testGameDecay(t, "0.6"), t.TempDir())
	c := connect(t, s, "Warden", true)
	c.Send("quit")
	c.Expect("Goodbye")
	if err := s.Eng.Store().SetRole(context.Background(), "Warden", "wizard"); err != nil {
		t.Fatal(err)
	}
	c = connect(t, s, "Warden", false)
	c.walk("north", "west")
	c.must("open trapdoor", "You open")
	c.walk("down")
	c.must("kill rat", "You attack a fat cellar rat!")
	c.Expect("A fat cellar rat is dead!")
	c.Expect("The corpse of a fat cellar rat crumbles to dust.")
	c.Expect("\n> ")
	out := c.Do("look")
	if strings.Contains(out, "corpse") || strings.Contains(out, "[2]") {
		t.Fatalf("after the corpse crumbled:\n%s", out)
	}
	c.must("zreset millbrook", "Zone millbrook reset.")
	c.must("look", "[2] A fat cellar rat")
}

func TestCombatPlayerDiesAndRespawns(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := connect(t, s, "Victim", true)
	if got := c.gold(); got != 100 {
		t.Fatalf("starting gold %d, want 100", got)
	}
	c.walk("west", "west", "west", "west")
	c.Send("west") // into the deepwood, where a wolf waits
	c.Expect("A grey wolf snarls and leaps at you!")
	c.Expect("You have been killed by a grey wolf!")
	c.Expect("Your purse is lighter by 50 gold")
	c.Expect("The Temple of the Lamp")
	c.Expect("\n> ")
	out := c.Do("score")
	for _, want := range []string{"Hit points: 10/20.", "Gold: 50.", "The Temple of the Lamp"} {
		if !strings.Contains(out, want) {
			t.Errorf("score after death: want %q in\n%s", want, out)
		}
	}
	c.must("flee", "You aren't fighting anyone.")
}

func TestCombatFlee(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := connect(t, s, "Runner", true)
	c.walk("south", "south", "west", "west")
	c.must("kill heron", "You attack a grey heron!")
	// Round messages arrive between commands from here on, so wait for answers by their text.
	c.Send("east")
	c.Expect("Type 'flee'")
	for tries := 0; ; tries++ {
		if tries > 100 {
			t.Fatal("could not flee in 100 tries")
		}
		c.Send("flee")
		_, got := c.ExpectAny("You flee", "can't get away", "still looking", "You aren't fighting", "is dead")
		if got == "You flee" {
			break
		}
		if got == "You aren't fighting" || got == "is dead" {
			t.Fatalf("the fight ended before fleeing (%s)", got)
		}
		time.Sleep(50 * time.Millisecond) // one try per round; rounds are 0.1 s here
	}
	c.Expect("Exits:")
	c.Expect("\n> ")
	out := c.Do("look")
	if !strings.Contains(out, "The Towpath") && !strings.Contains(out, "The Footbridge") {
		t.Errorf("after fleeing the reeds:\n%s", out)
	}
	c.must("flee", "You aren't fighting anyone.")
}

func TestShopConservesGold(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := connect(t, s, "Trader", true)
	c.walk("west")
	mine, till := c.purses()
	total := mine + till
	check := func(step string) (int, int) {
		t.Helper()
		m, tl := c.purses()
		if m+tl != total {
			t.Fatalf("%s: player %d + till %d = %d, want %d", step, m, tl, m+tl, total)
		}
		return m, tl
	}

	c.must("buy dagger", "You buy a steel dagger for 12 gold.")
	if m, _ := check("buy"); m != mine-12 {
		t.Fatalf("after buying: %d gold, want %d", m, mine-12)
	}
	c.must("value dagger", "I'd give you 5 gold")
	c.must("sell dagger", "You sell a steel dagger for 5 gold.")
	check("sell")
	c.must("inventory", "Nothing")

	// A worn item can't be sold.
	c.must("buy dagger", "You buy a steel dagger")
	c.must("wield dagger", "You wield")
	before, _ := check("buy again")
	c.must("sell dagger", "remove it first")
	if m, _ := check("sell worn"); m != before {
		t.Fatalf("selling a wielded dagger changed gold: %d -> %d", before, m)
	}

	// Not enough gold: the smith's mail costs more than is left.
	c.walk("east", "east")
	c.must("buy mail", "costs 96 gold; you have only")
	if got := c.gold(); got != before {
		t.Fatalf("a refused purchase changed gold: %d -> %d", before, got)
	}
	c.walk("west", "west")

	// Fill the inventory with loaves (the wielded dagger counts): the 25th thing is the last.
	for i := 0; i < 24; i++ {
		c.must("buy loaf", "You buy a round loaf for 2 gold.")
	}
	full, fullTill := check("loaves")
	c.must("buy loaf", "You can't carry any more.")
	if m, tl := check("full"); m != full || tl != fullTill {
		t.Fatalf("a refused purchase moved gold: %d/%d -> %d/%d", full, fullTill, m, tl)
	}
	for i := 0; i < 3; i++ {
		c.must("sell loaf", "You sell a round loaf for 1 gold.")
	}
	check("sold loaves")
	c.must("buy loaf", "You buy a round loaf") // a second-hand one, or fresh: gold still conserved
	check("bought back")
}

func TestEquipment(t *testing.T) {
	s := start(t, testGame(t), t.TempDir())
	c := connect(t, s, "Knight", true)
	c.walk("west")
	for _, thing := range []string{"jerkin", "buckler", "boots", "cudgel"} {
		c.must("buy "+thing, "You buy")
	}
	c.must("equipment", "You wear nothing special")
	c.must("wear cudgel", "try 'wield cudgel'")
	c.must("wield cudgel", "You wield an oak cudgel.")
	c.must("wear all", "You wear a leather jerkin on your body.")
	out := c.Do("equipment")
	for _, want := range []string{"<wielded>      an oak cudgel", "<on body>      a leather jerkin",
		"<on feet>      a pair of stout boots", "<as shield>    a wooden buckler"} {
		if !strings.Contains(out, want) {
			t.Errorf("equipment: want %q in\n%s", want, out)
		}
	}
	c.must("score", "Armour: 4.")
	c.must("drop jerkin", "")
	c.must("inventory", "Nothing")
	c.must("remove jerkin", "You remove a leather jerkin.")
	c.must("score", "Armour: 2.")
	c.must("inventory", "a leather jerkin")
	c.must("remove all", "You remove")
	c.must("equipment", "You wear nothing special")
}

// TestRepeatableReachQuestOncePerVisit checks that a repeatable quest whose one stage is to
// reach a room is done once each time a player walks in: finishing it starts it again, and
// that must not finish it again at once, over and over.
func TestRepeatableReachQuestOncePerVisit(t *testing.T) {
	game := testGame(t).(fstest.MapFS)
	game["world/millbrook/rounds.lua"] = &fstest.MapFile{Data: []byte(`
local quests = require("systems.quests")
quests.define {
  key = "rounds", name = "The Rounds", repeatable = true,
  stages = { { text = "Walk through the market.", objective = { reach = "millbrook:market" } } },
  reward = { gold = 1 },
}
`)}
	s := start(t, game, t.TempDir())
	c := connect(t, s, "Walker", true)
	before := c.gold()
	for range 3 {
		if out := c.Do("west"); strings.Count(out, "Quest complete") != 1 {
			t.Fatalf("entering the market:\n%s\nwant the quest done once", out)
		}
		c.walk("east")
	}
	if got := c.gold(); got != before+3 {
		t.Fatalf("gold %d after three visits, want %d", got, before+3)
	}
}
