package engine

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine/metrics"
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/telnet"
)

// Other benchmarks of the hot paths live with their packages: telnet decoding and encoding
// (telnet/bench_test.go), the Lua call (engine/script/bench_test.go) and the save batch of 5,000
// characters (engine/store/bench_test.go).

// npcGame is a 10×10 grid of rooms holding perRoom NPCs each. Half of them wander and half idle,
// with the default game's behaviours, and their on_tick runs every tick seconds.
func npcGame(b *testing.B, perRoom int, tick float64) fs.FS {
	behaviours, err := fs.ReadFile(mudd.DefaultGame(), "scripts/behaviours.lua")
	if err != nil {
		b.Fatal(err)
	}
	var zone, rooms strings.Builder
	zone.WriteString("zone { key = \"grid\", name = \"The Grid\", resets = {\n")
	for x := range 10 {
		for y := range 10 {
			fmt.Fprintf(&rooms, "room { key = \"r%d_%d\", name = \"Room %d,%d\", desc = \"A plain room.\", exits = {", x, y, x, y)
			for _, ex := range []struct {
				dir    string
				dx, dy int
			}{{"north", 0, 1}, {"south", 0, -1}, {"east", 1, 0}, {"west", -1, 0}} {
				if nx, ny := x+ex.dx, y+ex.dy; nx >= 0 && nx < 10 && ny >= 0 && ny < 10 {
					fmt.Fprintf(&rooms, " %s = \"r%d_%d\",", ex.dir, nx, ny)
				}
			}
			rooms.WriteString(" } }\n")
			fmt.Fprintf(&zone, "{ npc = \"walker\", room = \"r%d_%d\", max = %d },\n", x, y, perRoom/2)
			fmt.Fprintf(&zone, "{ npc = \"idler\", room = \"r%d_%d\", max = %d },\n", x, y, perRoom-perRoom/2)
		}
	}
	zone.WriteString("} }\n")
	npcs := fmt.Sprintf(`
local B = require("behaviours")
npc { key = "walker", name = "a walker", ground = "A walker strolls by.", tick = %[1]g,
  on_tick = B.wanderer(10, { "looks around.", "hums." }) }
npc { key = "idler", name = "an idler", ground = "An idler leans on a wall.", tick = %[1]g,
  on_tick = B.idler(5, { "yawns.", "scratches its head." }) }
`, tick)
	return fstest.MapFS{
		"scripts/init.lua":       {Data: []byte(`game { name = "Grid", start = "grid:r0_0" }`)},
		"scripts/behaviours.lua": {Data: behaviours},
		"world/grid/zone.lua":    {Data: []byte(zone.String())},
		"world/grid/rooms.lua":   {Data: []byte(rooms.String())},
		"world/grid/npcs.lua":    {Data: []byte(npcs)},
	}
}

// benchEngine builds an engine for game without serving it: the benchmark is the loop. A nil
// clock is time.Now.
func benchEngine(b *testing.B, game fs.FS, clock func() time.Time) *Engine {
	return testEngine(b, Config{Game: game, Clock: clock})
}

// testEngine builds an engine with cfg in a new data directory, logging nowhere, without
// serving it, and closes it when the test ends.
func testEngine(tb testing.TB, cfg Config) *Engine {
	tb.Helper()
	cfg.DataDir = tb.TempDir()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// BenchmarkPulseNPCs is one pulse of a world of 10,000 NPCs with on_tick behaviours and no
// player: the due Lua hooks, their moves and emotes, and link-dead expiry. The clock moves one
// pulse per iteration. tick=10s is the default game's pace; tick=1s is ten times busier.
func BenchmarkPulseNPCs(b *testing.B) {
	for _, tick := range []float64{10, 1} {
		b.Run(fmt.Sprintf("npcs=10000/tick=%gs", tick), func(b *testing.B) {
			clock := time.Now()
			e := benchEngine(b, npcGame(b, 100, tick), func() time.Time { return clock })
			if n := e.world.Count(); n != 10000 {
				b.Fatalf("%d things, want 10000", n)
			}
			step := func() {
				clock = clock.Add(e.cfg.Pulse)
				e.pulse()
				e.flushOutput()
			}
			for range int(tick * float64(time.Second) / float64(e.cfg.Pulse)) { // every NPC ticks once
				step()
			}
			b.ReportAllocs()
			e.stats.pulse = metrics.Histogram{}
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			b.ReportMetric(10000*e.cfg.Pulse.Seconds()/tick, "hooks/pulse")
			b.ReportMetric(float64(e.stats.pulse.Quantile(0.5).Microseconds()), "p50-µs")
			b.ReportMetric(float64(e.stats.pulse.Quantile(0.99).Microseconds()), "p99-µs")
		})
	}
}

// benchPlayer puts a player with a session in the start room. Its output goes to the session's
// queue, which the benchmark drains.
func benchPlayer(e *Engine, name string) (*Player, *session) {
	s := &session{id: e.nextSessionID(), conn: telnet.NewConn(nil, telnet.Config{}), addr: "127.0.0.1",
		out: make(chan Output, 8), done: make(chan struct{})}
	p := e.restore(state.Character{Name: name}, RolePlayer)
	e.attach(p, s)
	e.addPlayer(p)
	return p, s
}

// drain empties every session's queue.
func drain(sessions []*session) {
	for _, s := range sessions {
		for len(s.out) > 0 {
			<-s.out
		}
	}
}

// roomOf builds the default game with n players in the start room, and returns the first.
func roomOf(b *testing.B, n int) (*Engine, *Player, []*session) {
	e := benchEngine(b, mudd.DefaultGame(), nil)
	var first *Player
	var sessions []*session
	for i := range n {
		p, s := benchPlayer(e, "Player"+strings.Repeat("x", i%10)+string(rune('a'+i%26))+string(rune('a'+i/26)))
		if first == nil {
			first = p
		}
		sessions = append(sessions, s)
	}
	e.flushOutput()
	drain(sessions)
	return e, first, sessions
}

// BenchmarkDispatch runs one command line on the loop as a session's line is run: lookup,
// the command (which does nothing), latency accounting, and the flush of its prompt.
func BenchmarkDispatch(b *testing.B) {
	tests := []struct{ name, line string }{
		{"exact", "noop"},
		{"args", "noop the quick brown fox"},
		{"prefix", "noo"},
		{"unknown", "xyzzy"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			e, p, sessions := roomOf(b, 1)
			e.cmds.Add(Command{Name: "noop", Run: func(*Context) {}})
			b.ReportAllocs()
			for b.Loop() {
				e.runLine(p, queuedLine{text: tt.line, at: time.Now()})
				e.flushOutput()
				drain(sessions)
			}
		})
	}
}

// BenchmarkLook is a player's look in the default game's start room with other players in it:
// on the loop, the command, the room text and the queued batch (loop); on the session's writer
// goroutine, rendering, wrapping and telnet encoding, as queued (writer: a crowded room's look
// is copied from its shared rendering) and with every line rendered (writer-fresh).
func BenchmarkLook(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		e, p, sessions := roomOf(b, n)
		b.Run(fmt.Sprintf("players=%d/loop", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.runLine(p, queuedLine{text: "look", at: time.Now()})
				e.flushOutput()
				drain(sessions)
			}
		})
		e.runLine(p, queuedLine{text: "look", at: time.Now()})
		e.flushOutput()
		o := <-sessions[0].out
		fresh := o
		fresh.kept = keptSpan{}
		for _, w := range []struct {
			name string
			o    Output
		}{{"writer", o}, {"writer-fresh", fresh}} {
			b.Run(fmt.Sprintf("players=%d/%s", n, w.name), func(b *testing.B) {
				var buf []byte
				b.SetBytes(int64(len(w.o.Text)))
				b.ReportAllocs()
				for b.Loop() {
					buf = e.render(sessions[0], buf[:0], w.o)
				}
			})
		}
	}
}

// BenchmarkSay is one say heard by every player in the room: the fan-out of one command.
func BenchmarkSay(b *testing.B) {
	for _, n := range []int{2, 200} {
		b.Run(fmt.Sprintf("players=%d", n), func(b *testing.B) {
			e, p, sessions := roomOf(b, n)
			b.ReportAllocs()
			for b.Loop() {
				e.runLine(p, queuedLine{text: "say Hello, everyone!", at: time.Now()})
				e.flushOutput()
				drain(sessions)
			}
		})
	}
}

// BenchmarkSaveChanged5000 is what saving 5,000 changed characters costs the loop in all: a
// snapshot of each (items, stats, builder data) and the hand-off to the store's Writer, which
// writes on its own goroutine (see BenchmarkSaveBatch5000 in engine/store). saveDue spreads
// it over the pulses of a save interval (BenchmarkPulseSaving5000).
func BenchmarkSaveChanged5000(b *testing.B) {
	e := benchEngine(b, mudd.DefaultGame(), nil)
	for i := range 5000 {
		p := e.restore(state.Character{Name: fmt.Sprintf("Player%c%c%c", 'a'+i%26, 'a'+i/26%26, 'a'+i/676)}, RolePlayer)
		e.addPlayer(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range e.players {
			e.beginUnit() // each a change of its own
			p.touch()
		}
		e.saving, e.changed = e.changed, nil
		e.saveSome(len(e.saving))
	}
}

// BenchmarkPulseSaving5000 is the pulse with 5,000 players who all change between saves:
// saving them every 5 s (the default), spread over the pulses of each interval; saving all
// of them in one pulse every 5 s (at-once, as the engine once did: for comparison); and never
// saving. Each pulse is timed on its own; its quantiles show whether saving moves them. The
// store's Writer writes each batch to SQLite meanwhile, as in a server. Run it for whole save
// rounds (50 pulses each), e.g. -benchtime 2000x.
func BenchmarkPulseSaving5000(b *testing.B) {
	for _, run := range []struct {
		name   string
		every  time.Duration
		atOnce bool
	}{{"saving", 5 * time.Second, false}, {"saving-at-once", 1000 * time.Hour, true},
		{"not-saving", 1000 * time.Hour, false}} {
		b.Run(run.name, func(b *testing.B) {
			clock := time.Now()
			e := testEngine(b, Config{Game: mudd.DefaultGame(), SaveInterval: run.every,
				LinkDeadGrace: 1000 * time.Hour, Clock: func() time.Time { return clock }})
			players := make([]*Player, 5000)
			for i := range players {
				p := e.restore(state.Character{Name: fmt.Sprintf("Player%c%c%c", 'a'+i%26, 'a'+i/26%26, 'a'+i/676)}, RolePlayer)
				p.linkDeadAt = clock
				e.addPlayer(p)
				players[i] = p
			}
			e.lastSave = clock // no round before the first interval has passed
			pulses := int(5 * time.Second / e.cfg.Pulse)
			took := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				clock = clock.Add(e.cfg.Pulse)
				for _, p := range players {
					e.beginUnit()
					p.touch() // each ran a command
				}
				start := time.Now()
				e.pulse()
				if run.atOnce && i%pulses == pulses-1 {
					e.saving, e.changed = e.changed, nil
					e.saveSome(len(e.saving))
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			q := func(f float64) float64 { return float64(took[int(f*float64(len(took)-1))].Nanoseconds()) / 1e3 }
			b.ReportMetric(q(0.5), "p50-µs")
			b.ReportMetric(q(0.99), "p99-µs")
			b.ReportMetric(q(1), "max-µs")
		})
	}
}
