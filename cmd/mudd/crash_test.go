package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
)

var (
	crashRounds  = flag.Int("crash.rounds", 8, "crash test: server kills")
	crashPlayers = flag.Int("crash.players", 12, "crash test: trading players")
	crashSeed    = flag.Int64("crash.seed", 0, "crash test: seed of the kill delays and the traders' choices (0: from the clock)")
)

// The crash game's constants (testdata/crash/scripts/init.lua).
const (
	crashGold      = 100
	crashLoaves    = 2
	crashTokens    = 3
	crashLoafValue = 10
	crashPassword  = "trader1234"
)

// crashSave is the save interval of the server under test: a character is handed to the
// writer at most crashSave after it changed, and the writer's commit takes at most
// crashCommit more, so a tick answered longer than their sum before a kill is in the database.
const (
	crashSave   = time.Second
	crashCommit = 500 * time.Millisecond
)

// Kill delays are drawn from [crashMinDelay, crashMaxDelay) after every trader is logged in.
const (
	crashMinDelay = 250 * time.Millisecond
	crashMaxDelay = 3250 * time.Millisecond
)

// holdings is what the database says about the trading characters.
type holdings struct {
	integrity string
	tokens    map[string][]string // serial -> names of the characters holding it
	value     int                 // gold + crashLoafValue*loaves, summed over every character
	ticks     map[string]int      // name -> data.ticks
}

// readHoldings checks the SQLite file at path, opened read-only, and reads the characters
// called names through the store.
func readHoldings(path string, names []string) (holdings, error) {
	h := holdings{tokens: map[string][]string{}, ticks: map[string]int{}}
	ro, err := gorm.Open(sqlite.Open("file:"+path+"?mode=ro"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return h, fmt.Errorf("open %s read-only: %w", path, err)
	}
	err = ro.Raw("PRAGMA integrity_check").Scan(&h.integrity).Error
	if db, dbErr := ro.DB(); dbErr == nil {
		db.Close()
	}
	if err != nil {
		return h, fmt.Errorf("integrity_check: %w", err)
	}
	st, err := store.Open(context.Background(), path, nil)
	if err != nil {
		return h, err
	}
	defer st.Close()
	for _, name := range names {
		c, err := st.Character(context.Background(), name)
		if err != nil {
			return h, err
		}
		h.add(c)
	}
	return h, nil
}

// add counts the character's gold, loaves, tokens and ticks.
func (h *holdings) add(c state.Character) {
	gold, _ := c.Data["gold"].(float64)
	ticks, _ := c.Data["ticks"].(float64)
	h.value += int(gold)
	h.ticks[c.Name] = int(ticks)
	var walk func([]state.Item)
	walk = func(items []state.Item) {
		for _, it := range items {
			switch it.Proto {
			case "mart:loaf":
				h.value += crashLoafValue
			case "mart:token":
				serial, _ := it.Data["serial"].(string)
				h.tokens[serial] = append(h.tokens[serial], c.Name)
			}
			walk(it.Contents)
		}
	}
	walk(c.Items)
}

// crashReport is what a round found.
type crashReport struct {
	duplicated, lost int      // token copies that appeared and disappeared
	valueDelta       int      // change of the sum of gold + loaf value
	problems         []string // one line per violation
}

// compare tells what changed from before to after that the game's rules do not explain.
// acks holds each trader's answered ticks, killed the moment of the kill.
func compare(before, after holdings, acks map[string][]tickAck, killed time.Time) crashReport {
	var r crashReport
	if after.integrity != "ok" {
		r.problems = append(r.problems, "integrity_check: "+after.integrity)
	}
	serials := map[string]bool{}
	for s := range before.tokens {
		serials[s] = true
	}
	for s := range after.tokens {
		serials[s] = true
	}
	for _, s := range slices.Sorted(maps.Keys(serials)) {
		was, now := before.tokens[s], after.tokens[s]
		switch {
		case len(now) == len(was):
			continue
		case len(now) > len(was):
			r.duplicated += len(now) - len(was)
		default:
			r.lost += len(was) - len(now)
		}
		r.problems = append(r.problems, fmt.Sprintf("token %s: held by %s, before the round by %s",
			s, holders(now), holders(was)))
	}
	if r.valueDelta = after.value - before.value; r.valueDelta != 0 {
		r.problems = append(r.problems, fmt.Sprintf("gold + loaf value of all players: %d, before the round %d (%+d)",
			after.value, before.value, r.valueDelta))
	}
	for _, name := range slices.Sorted(maps.Keys(acks)) {
		limit := killed.Add(-crashSave - crashCommit)
		need := 0
		var at time.Time
		for _, a := range acks[name] {
			if !a.at.After(limit) && a.n > need {
				need, at = a.n, a.at
			}
		}
		if after.ticks[name] < need {
			r.problems = append(r.problems, fmt.Sprintf("%s: saved at tick %d, but tick %d was answered %v before the kill",
				name, after.ticks[name], need, killed.Sub(at).Round(time.Millisecond)))
		}
	}
	return r
}

func holders(names []string) string {
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	s := slices.Sorted(slices.Values(names))
	return fmt.Sprintf("%d characters (%s)", len(s), strings.Join(s, ", "))
}

// tickAck is a tick count a trader read, and when.
type tickAck struct {
	n  int
	at time.Time
}

// trader is one trading player's connection.
type trader struct {
	name string
	// conn is only replaced (logIn) by the goroutine that trades, with mu held: that goroutine
	// reads it freely, others with mu held (stop).
	conn net.Conn
	buf  []byte
	rng  *rand.Rand

	mu      sync.Mutex
	acks    []tickAck
	stopped bool // the test is over: conn closed, no new one
}

// readUntil reads until re matches; it returns the match and consumes the text up to it.
func (tr *trader) readUntil(re *regexp.Regexp) ([]string, error) {
	chunk := make([]byte, 4096)
	for {
		if loc := re.FindSubmatchIndex(tr.buf); loc != nil {
			var m []string
			for i := 0; i < len(loc); i += 2 {
				if loc[i] >= 0 {
					m = append(m, string(tr.buf[loc[i]:loc[i+1]]))
				} else {
					m = append(m, "")
				}
			}
			tr.buf = tr.buf[loc[1]:]
			return m, nil
		}
		tr.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := tr.conn.Read(chunk)
		tr.buf = append(tr.buf, chunk[:n]...)
		if err != nil {
			return nil, err
		}
	}
}

func (tr *trader) send(lines ...string) error {
	_, err := tr.conn.Write([]byte(strings.Join(lines, "\r\n") + "\r\n"))
	return err
}

// expect reads until want; on failure the error shows what was read.
func (tr *trader) expect(want string) error {
	if _, err := tr.readUntil(regexp.MustCompile(regexp.QuoteMeta(want))); err != nil {
		return fmt.Errorf("%s waiting for %q: %w (read %q)", tr.name, want, err, tr.buf)
	}
	return nil
}

// login connects to addr and logs the character in, creating it if create.
func login(addr, name string, create bool, rng *rand.Rand) (*trader, error) {
	tr := &trader{name: name, rng: rng}
	return tr, tr.logIn(addr, create)
}

// logIn connects tr to addr, on a new connection, and logs its character in, creating it if
// create.
func (tr *trader) logIn(addr string, create bool) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	tr.mu.Lock()
	if tr.stopped {
		tr.mu.Unlock()
		conn.Close()
		return net.ErrClosed
	}
	tr.conn, tr.buf = conn, nil
	tr.mu.Unlock()
	steps := [][2]string{{"name", tr.name}, {"Password", crashPassword}, {"\n> ", ""}}
	if create {
		steps = [][2]string{{"name", tr.name}, {"(yes/no)", "yes"}, {"password", crashPassword},
			{"again", crashPassword}, {"\n> ", ""}}
	}
	for _, s := range steps {
		if err := tr.expect(s[0]); err != nil {
			conn.Close()
			return err
		}
		if s[1] != "" {
			if err := tr.send(s[1]); err != nil {
				conn.Close()
				return err
			}
		}
	}
	return nil
}

// stop closes tr's connection and keeps it from connecting again.
func (tr *trader) stop() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.stopped = true
	if tr.conn != nil {
		tr.conn.Close()
	}
}

func (tr *trader) stopping() bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.stopped
}

// command picks the trader's next command.
func (tr *trader) command(others []string) string {
	who := others[tr.rng.Intn(len(others))]
	thing := []string{"token", "loaf"}[tr.rng.Intn(2)]
	switch tr.rng.Intn(14) {
	case 0, 1, 2:
		return "give " + thing + " to " + who
	case 3, 4, 5:
		return fmt.Sprintf("pay %s %d", who, 1+tr.rng.Intn(20))
	case 6:
		return "buy loaf"
	case 7:
		return "sell loaf"
	case 8:
		return "put " + thing + " in satchel"
	case 9:
		return "get " + thing + " from satchel"
	case 10, 11:
		return "stash " + thing + " " + who
	default:
		return "filch " + thing + " " + who
	}
}

// heldRE matches a tick's answer, or the gateway telling a player that their scene is down.
var heldRE = regexp.MustCompile(`Tick (\d+)\.|(Please wait)`)

// trade types commands, each followed by tick, and waits for each tick's answer, until the
// connection ends; it returns the error that ended it. A player held while their scene is
// down waits until the gateway says the world is back.
func (tr *trader) trade(others []string) error {
	for {
		if err := tr.send(tr.command(others), "tick"); err != nil {
			return err
		}
		m, err := tr.readUntil(heldRE)
		if err != nil {
			return err
		}
		if m[2] != "" {
			if err := tr.expect("The world is back"); err != nil {
				return err
			}
			continue
		}
		k, _ := strconv.Atoi(m[1])
		tr.mu.Lock()
		tr.acks = append(tr.acks, tickAck{n: k, at: time.Now()})
		tr.mu.Unlock()
	}
}

// takeAcks returns the ticks answered since the last call.
func (tr *trader) takeAcks() []tickAck {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	a := tr.acks
	tr.acks = nil
	return a
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) string {
	return string(b[max(0, len(b)-n):])
}

// crashNames returns n character names of equal length, so that none is short for another.
func crashNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "Trader" + string(rune('a'+i/26)) + string(rune('a'+i%26))
	}
	return names
}

// serveArgs are the flags of the server under test.
func serveArgs(data string) []string {
	game, _ := filepath.Abs(filepath.Join("testdata", "crash"))
	return []string{"serve", "--game", game, "--data", data, "--telnet", "-", "--tcp", "127.0.0.1:0",
		"--console-socket", "-", "--save-interval", crashSave.String(), "--bcrypt-cost", "4"}
}

var tcpAddrRE = regexp.MustCompile(`mudd serving.* tcp=(\S+)`)

// startServe starts the server on data and returns it with its plain TCP address.
func startServe(t *testing.T, bin, data string, n int) (*proc, string) {
	t.Helper()
	p := startProc(t, fmt.Sprintf("serve %d", n), bin, serveArgs(data)...)
	p.waitLog("mudd serving", 1)
	m := tcpAddrRE.FindStringSubmatch(p.logs())
	if m == nil {
		t.Fatalf("no tcp address in the log:\n%s", p.logs())
	}
	return p, m[1]
}

// crashTally adds up the rounds of a crash test.
type crashTally struct {
	t                            *testing.T
	seed                         int64
	rounds, bad, commands        int
	duplicated, lost, valueDrift int
}

// add reports one round: a test error listing its violations, if any.
func (c *crashTally) add(round, commands int, r crashReport) {
	c.rounds++
	c.commands += commands
	c.duplicated += r.duplicated
	c.lost += r.lost
	c.valueDrift += r.valueDelta
	if len(r.problems) > 0 {
		c.bad++
		c.t.Errorf("round %d: %d commands answered, then killed:\n  %s", round, commands, strings.Join(r.problems, "\n  "))
	}
}

func (c *crashTally) summary(players int) {
	c.t.Logf("crash test: seed %d, %d rounds, %d players, %d commands answered: %d rounds with violations, "+
		"%d token copies duplicated, %d lost, gold+loaf value drift %+d",
		c.seed, c.rounds, players, c.commands, c.bad, c.duplicated, c.lost, c.valueDrift)
}

// crashStart returns the seed and the names of the traders, and builds the binary.
func crashStart(t *testing.T) (tally *crashTally, rng *rand.Rand, bin string, names []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("kills a server many times; not in -short")
	}
	if *crashPlayers < 2 || *crashPlayers > 26*26 {
		t.Fatalf("-crash.players=%d: want 2 to %d", *crashPlayers, 26*26)
	}
	seed := *crashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("crash test: seed %d (-crash.seed=%d replays it), %d players, %d rounds", seed, seed, *crashPlayers, *crashRounds)
	return &crashTally{t: t, seed: seed}, rand.New(rand.NewSource(seed)), buildMudd(t), crashNames(*crashPlayers)
}

// TestCrashConservation is the crash-conservation test of mudd serve: players trade as fast
// as they can while the server is killed with SIGKILL at random moments, and after every kill
// the database must hold a world that the game's rules explain. Each round starts the server
// on the same SQLite file, logs every trader in, and kills the server while they trade.
//
// The game (testdata/crash, see its scripts/init.lua) gives every character a kit: 100 gold,
// a satchel, two loaves and three tokens whose data holds a serial number unique in the world.
// From then on gold and items only change hands: give, put and get (the engine's commands),
// pay (gold, by a Lua command), buy and sell (a loaf with the baker, both at its value of 10
// gold), stash and filch (into and out of the satchel another player carries, by Lua
// commands). Every command a trader types is followed by `tick`, which counts it in the
// character's data. After every kill, reading the SQLite file:
//
//   - PRAGMA integrity_check says ok;
//   - every token is held (at any depth) by exactly one character;
//   - the sum over all characters of gold + 10 × loaves is what the kits gave: transfers
//     between players move value, and a shop trade keeps a player's own sum, so nothing a
//     crash does may change it;
//   - no character lost more than one save interval: a tick answered more than the save
//     interval and a commit's time (crashSave + crashCommit) before the kill is in the database.
//
// Each round's violations are reported against the database before the round (which token,
// held by whom, and by whom before), and the summary logs the rounds run, token copies
// duplicated and lost, and the drift of the gold + loaf value. With -v:
//
//	go test -v -run 'TestCrashConservation' ./cmd/mudd/                  (8 rounds each)
//	go test -v -run 'TestCrashConservation' ./cmd/mudd/ -timeout 60m -crash.rounds=200
//
// -crash.players sets the number of traders, and -crash.seed=N replays the same choices (kill
// delays and traders' commands; how the processes interleave is the machine's).
func TestCrashConservation(t *testing.T) {
	tally, rng, bin, names := crashStart(t)
	data := t.TempDir()
	before := crashKits(t, bin, data, names)
	for round := 1; round <= *crashRounds; round++ {
		r, n := crashRound(t, bin, data, names, rng, round, &before)
		tally.add(round, n, r)
	}
	tally.summary(len(names))
}

// TestCrashConservationGateway is TestCrashConservation (same game, same checks) in gateway
// mode: a gateway and one scene running the trading zone, sharing the SQLite file. The traders
// stay connected to the gateway throughout; each round kills the scene while they trade, checks
// the database, and starts the scene again.
func TestCrashConservationGateway(t *testing.T) {
	tally, rng, bin, names := crashStart(t)
	data := t.TempDir()
	before := crashKits(t, bin, data, names)
	game, _ := filepath.Abs(filepath.Join("testdata", "crash"))
	natsAddr := freePort(t)
	gw := startProc(t, "gateway", bin, "gateway", "--game", game, "--data", data, "--telnet", "-",
		"--tcp", "127.0.0.1:0", "--nats-listen", natsAddr, "--console-socket", "-", "--bcrypt-cost", "4")
	gw.waitLog("mudd serving", 1)
	m := tcpAddrRE.FindStringSubmatch(gw.logs())
	if m == nil {
		t.Fatalf("no tcp address in the gateway's log")
	}
	scene := func(round int) *proc {
		p := startProc(t, fmt.Sprintf("scene %d", round), bin, "scene", "--id", "mart", "--zones", "mart",
			"--nats", "nats://"+natsAddr, "--game", game, "--data", data, "--console-socket", "-",
			"--save-interval", crashSave.String())
		p.waitLog("scene announced", 1)
		return p
	}
	sc := scene(0)
	traders := make([]*trader, len(names))
	for i, name := range names {
		tr, err := login(m[1], name, false, rand.New(rand.NewSource(rng.Int63())))
		if err != nil {
			t.Fatal(err)
		}
		traders[i] = tr
	}
	// A trader the gateway disconnects logs in again: that is noted, and the checks go on.
	ended := make([]error, len(traders))
	dropped := make([][]string, len(traders))
	var wg sync.WaitGroup
	for i, tr := range traders {
		others := slices.Delete(slices.Clone(names), i, i+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				err := tr.trade(others)
				if tr.stopping() {
					return
				}
				dropped[i] = append(dropped[i], fmt.Sprintf("%v after %q", err, tail(tr.buf, 200)))
				if ended[i] = tr.logIn(m[1], false); ended[i] != nil {
					return
				}
			}
		}()
	}
	for round := 1; round <= *crashRounds; round++ {
		time.Sleep(crashMinDelay + time.Duration(rng.Int63n(int64(crashMaxDelay-crashMinDelay)))) // the crash
		killed := time.Now()
		sc.cmd.Process.Kill()
		<-sc.done
		acks, n := map[string][]tickAck{}, 0
		for _, tr := range traders {
			acks[tr.name] = tr.takeAcks()
			n += len(acks[tr.name])
		}
		after, err := readHoldings(filepath.Join(data, "mudd.db"), names)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		tally.add(round, n, compare(before, after, acks, killed))
		before = after
		sc = scene(round)
		for _, tr := range traders {
			tr.takeAcks() // answers the killed scene sent that arrived late: its ticks may not be saved
		}
	}
	for _, tr := range traders {
		tr.stop()
	}
	wg.Wait()
	for i := range traders {
		if ended[i] != nil && !errors.Is(ended[i], net.ErrClosed) {
			t.Errorf("%s could not log in again: %v", names[i], ended[i])
		}
		for _, d := range dropped[i] {
			t.Logf("%s was disconnected and logged in again: %s", names[i], d)
		}
	}
	tally.summary(len(names))
}

// crashKits creates the traders on a server on data and shuts it down cleanly, so that the
// database holds every kit, and returns what it holds.
func crashKits(t *testing.T, bin, data string, names []string) holdings {
	t.Helper()
	p, addr := startServe(t, bin, data, 0)
	for _, name := range names {
		tr, err := login(addr, name, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.stop()
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(); err != nil {
		t.Fatalf("shutdown after creating the traders: %v", err)
	}
	h, err := readHoldings(filepath.Join(data, "mudd.db"), names)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(names) * (crashGold + crashLoaves*crashLoafValue); h.value != want || len(h.tokens) != len(names)*crashTokens {
		t.Fatalf("the kits hold value %d and %d tokens, want %d and %d", h.value, len(h.tokens), want, len(names)*crashTokens)
	}
	return h
}

// crashRound starts the server on data, lets every trader trade, kills the server after a
// random delay and compares the database with *before, which it then replaces. It returns
// what it found and the number of commands answered.
func crashRound(t *testing.T, bin, data string, names []string, rng *rand.Rand, round int, before *holdings) (crashReport, int) {
	t.Helper()
	p, addr := startServe(t, bin, data, round)
	traders := make([]*trader, len(names))
	for i, name := range names {
		tr, err := login(addr, name, false, rand.New(rand.NewSource(rng.Int63())))
		if err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, p.logs())
		}
		traders[i] = tr
	}
	delay := crashMinDelay + time.Duration(rng.Int63n(int64(crashMaxDelay-crashMinDelay)))
	var wg sync.WaitGroup
	for i, tr := range traders {
		others := slices.Delete(slices.Clone(names), i, i+1)
		wg.Add(1)
		go func() { defer wg.Done(); tr.trade(others) }()
	}
	time.Sleep(delay) // the random moment of the crash
	killed := time.Now()
	p.cmd.Process.Kill()
	<-p.done
	wg.Wait()
	acks := map[string][]tickAck{}
	n := 0
	for _, tr := range traders {
		tr.stop()
		acks[tr.name] = tr.takeAcks()
		n += len(acks[tr.name])
	}
	after, err := readHoldings(filepath.Join(data, "mudd.db"), names)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	r := compare(*before, after, acks, killed)
	*before = after
	return r, n
}
