package engine

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"testing/fstest"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
)

// clockGame has a zone that always resets, one that resets only when empty, a ticking NPC
// and a global event counter.
var clockGame = fstest.MapFS{
	"scripts/init.lua": {Data: []byte(`
game { name = "Clock", start = "a:one" }
fired = {}
mud.on("login", function(p) fired[#fired + 1] = "login " .. p.name end)
mud.on("logout", function(p) fired[#fired + 1] = "logout " .. p.name end)
`)},
	"world/a/zone.lua": {Data: []byte(`zone { key = "a", reset_every = 10,
  resets = { { item = "stone", room = "one" }, { npc = "ticker", room = "one" } } }`)},
	"world/a/rooms.lua": {Data: []byte(`room { key = "one", name = "One", exits = { east = "b:two" } }
item { key = "stone", name = "a stone" }
npc { key = "ticker", name = "a ticker", tick = 2, on_tick = function(self) ticks = (ticks or 0) + 1 end }`)},
	"world/b/zone.lua": {Data: []byte(`zone { key = "b", reset_every = 10, reset_mode = "empty",
  resets = { { item = "leaf", room = "two" } } }`)},
	"world/b/rooms.lua": {Data: []byte(`room { key = "two", name = "Two", exits = { west = "a:one" } }
item { key = "leaf", name = "a leaf" }`)},
}

// clockEngine is an engine whose loop is driven by hand: the test owns the clock and calls
// pulse itself.
type clockEngine struct {
	*Engine
	at time.Time
}

func newClockEngine(t *testing.T, game fstest.MapFS) *clockEngine {
	t.Helper()
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ce := &clockEngine{at: start}
	e, err := New(Config{Game: game, DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock: func() time.Time { return ce.at }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ce.Engine = e
	return ce
}

// advance moves the clock forward in pulse steps, running a pulse at each.
func (ce *clockEngine) advance(d time.Duration) {
	for end := ce.at.Add(d); ce.at.Before(end); {
		ce.at = ce.at.Add(ce.cfg.Pulse)
		ce.pulse()
	}
}

func (ce *clockEngine) global(name string) string {
	return ce.vm.L.GetGlobal(name).String()
}

// join puts a player in the world the way a login does, on a pipe instead of a socket.
func (ce *clockEngine) join(t *testing.T, name, room string) *Player {
	t.Helper()
	server, client := net.Pipe()
	t.Cleanup(func() { client.Close() })
	go io.Copy(io.Discard, client)
	s := ce.newSession(server, true)
	loginEvent{s: s, acct: accountNamed(name)}.run(ce.Engine)
	loadedEvent{s: s, acct: accountNamed(name), char: state.Character{Name: name, Room: room}}.run(ce.Engine)
	return ce.players[state.Key(name)]
}

func TestTimersFireOnTimeAndDieWithTheirOwner(t *testing.T) {
	ce := newClockEngine(t, clockGame)
	if err := ce.vm.RunString(`done = "no"; after(5, function() done = "yes" end)`, "test"); err != nil {
		t.Fatal(err)
	}
	ce.advance(4900 * time.Millisecond)
	if got := ce.global("done"); got != "no" {
		t.Fatalf("after(5) fired after 4.9 s: done = %s", got)
	}
	ce.advance(100 * time.Millisecond)
	if got := ce.global("done"); got != "yes" {
		t.Fatalf("after(5) did not fire at 5 s: done = %s", got)
	}
	before := luaNumber(ce, "ticks")
	ce.advance(10 * time.Second)
	if got := luaNumber(ce, "ticks") - before; got != 5 {
		t.Fatalf("an NPC ticking every 2 s ticked %d times in 10 s", got)
	}
	timers := ce.timers.Len()
	ticker := find(ce.world.Rooms["a:one"].Things, "ticker")
	ce.world.Destroy(ticker)
	if ce.timers.Len() != timers-1 {
		t.Fatalf("destroying the NPC left its timer: %d timers, had %d", ce.timers.Len(), timers)
	}
	ticks := ce.global("ticks")
	ce.advance(4500 * time.Millisecond) // two ticks' time, ending before the zone's reset at 20 s
	if got := ce.global("ticks"); got != ticks {
		t.Fatalf("a destroyed NPC's on_tick still ran: ticks %s → %s", ticks, got)
	}
}

func TestZoneResetModes(t *testing.T) {
	ce := newClockEngine(t, clockGame)
	one, two := ce.world.Rooms["a:one"], ce.world.Rooms["b:two"]
	ce.world.Destroy(find(one.Things, "stone"))
	ce.world.Destroy(find(two.Things, "leaf"))
	p := ce.join(t, "Alice", "b:two")
	ce.advance(10 * time.Second)
	if find(one.Things, "stone") == nil {
		t.Fatal(`zone "a" (always) did not reset`)
	}
	if find(two.Things, "leaf") != nil {
		t.Fatal(`zone "b" (empty) reset with a player in it`)
	}
	ce.world.MoveTo(p.Thing, one)
	ce.advance(10 * time.Second)
	if find(two.Things, "leaf") == nil {
		t.Fatal(`zone "b" (empty) did not reset once empty`)
	}
	if n := countProto(one.Things, "a:stone"); n != 1 {
		t.Fatalf("reset duplicated the stone: %d", n)
	}
}

func TestLoginAndLogoutEvents(t *testing.T) {
	ce := newClockEngine(t, clockGame)
	p := ce.join(t, "Alice", "")
	ce.removePlayer(p, "")
	if err := ce.vm.RunString(`events = table.concat(fired, ",")`, "test"); err != nil {
		t.Fatal(err)
	}
	if got := ce.global("events"); got != "login Alice,logout Alice" {
		t.Fatalf("events = %q", got)
	}
}

func luaNumber(ce *clockEngine, name string) int {
	n, _ := ce.vm.L.GetGlobal(name).(lua.LNumber)
	return int(n)
}

func accountNamed(name string) store.Account { return store.Account{Name: name, Role: "player"} }

func TestLuaHelpers(t *testing.T) {
	ce := newClockEngine(t, clockGame)
	p := ce.join(t, "Alice", "a:one")
	src := `
local p = mud.player("Alice")
local stone = p.room:find("stone")
assert(stone:move_into(p), "move_into a player")
assert(p:find("stone") == stone, "find carried")
assert(stone:matches("sto") and not stone:matches("leaf"), "matches")
stone:describe { keywords = { "pebble" } }
assert(stone:matches("pebble") and p:find("pebble") == stone, "matches described keywords")
assert(mud.proto("a:stone").name == "a stone", "proto")
assert(mud.carry_limit == 25, "carry_limit")
assert(mud.escape("{r}x") == "{{r}x", "escape")
assert(mud.strip("{r}red{x} {foo}") == "red {{foo}", "strip")
assert(mud.width("{#ff8800}Café{x} {{") == 6, "width")
entered = 0
mud.on("enter", function(who, room) entered = entered + 1; last_room = room.key end)
local npc = p.room:spawn("a:ticker")
hits = 0
npc:every(1, function() hits = hits + 1 end)
doomed = npc
`
	if err := ce.vm.RunString(src, "test"); err != nil {
		t.Fatal(err)
	}
	ce.advance(3 * time.Second)
	if n := luaNumber(ce, "hits"); n != 3 {
		t.Fatalf("npc:every(1) fired %d times in 3 s", n)
	}
	if err := ce.vm.RunString(`doomed:destroy(); assert(not doomed:alive(), "alive after destroy")`, "test"); err != nil {
		t.Fatal(err)
	}
	ce.advance(3 * time.Second)
	if n := luaNumber(ce, "hits"); n != 3 {
		t.Fatalf("a destroyed owner's timer fired: %d", n)
	}
	ce.move(p.Thing, "east")
	if luaNumber(ce, "entered") != 1 || ce.global("last_room") != "b:two" {
		t.Fatalf("enter event: %d, %s", luaNumber(ce, "entered"), ce.global("last_room"))
	}
}
