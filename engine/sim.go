package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/markup"
)

// Sim runs a game in-process with no sockets and no database: the harness of builders'
// scenario tests (mudd test). Players are attached headless and run their lines through the
// same dispatcher as connected players; their output is collected. Time stands still until
// Advance moves the clock, pulse by pulse, running timers and resets. Randomness is seeded
// (Config.Seed, 1 when zero), so a scenario plays the same way every time.
//
// A Sim is not safe for concurrent use: the goroutine that calls its methods is the game
// loop.
type Sim struct {
	e       *Engine
	now     time.Time
	players []*SimPlayer
	errs    *errorLog
	host    *script.VM // the VM of the scenario driving the Sim, if any (see drive)
}

// SimPlayer is a headless player of a Sim.
type SimPlayer struct {
	p      *Player
	sim    *Sim
	recent strings.Builder // output since the last line the player typed
}

// NewSim loads the game in cfg.Game into a new Sim. Clock is the Sim's own; DataDir, DB and the
// listen addresses are not used.
func NewSim(cfg Config) (*Sim, error) {
	if cfg.Game == nil {
		return nil, errors.New("engine: Config.Game is nil")
	}
	s := &Sim{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), errs: &errorLog{}}
	if cfg.Logger != nil {
		s.errs.next = cfg.Logger.Handler()
	}
	cfg.Clock = func() time.Time { return s.now }
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	cfg.Logger = slog.New(s.errs)
	s.e = newEngine(cfg.withDefaults())
	if err := s.e.loadGame(); err != nil {
		return nil, err
	}
	return s, nil
}

// Engine returns the Sim's engine.
func (s *Sim) Engine() *Engine { return s.e }

// Errors returns the Lua errors logged so far (hooks that failed while the scenario ran).
func (s *Sim) Errors() []string { return s.errs.list() }

// Close releases the Lua state (and the scenario's, if a reload replaced the game's).
func (s *Sim) Close() {
	if s.host != nil && s.host != s.e.vm {
		s.host.Close()
	}
	s.e.vm.Close()
}

// drive makes vm, the VM the game loaded in, the host of a scenario that runs in it and
// drives the Sim: a reload does not close it, and the engine work the scenario triggers runs
// under the game's own time budget (see game).
func (s *Sim) drive(vm *script.VM) {
	s.host = vm
	s.e.hostVM = vm
}

// game runs fn, engine work the driving code asked for, as the game loop would run it: every
// Lua call under the game's budget (Config.LuaBudget), however much time the scenario has
// left. It reports false, running nothing, when the scenario's own time is up.
func (s *Sim) game(fn func()) bool {
	if s.host == nil {
		fn()
		return true
	}
	return s.host.Nested(s.e.cfg.LuaBudget, fn)
}

// Player attaches a new character named name with role, as if it had just logged in, and
// returns it with what it saw on arrival.
func (s *Sim) Player(name string, role Role) (*SimPlayer, error) {
	if err := ValidName(name); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if s.e.players[state.Key(name)] != nil {
		return nil, fmt.Errorf("sim: %s is already playing", name)
	}
	sess := &session{id: s.e.nextSessionID(), addr: "sim", out: make(chan Output, s.e.cfg.OutputQueue),
		done: make(chan struct{})}
	s.e.loading[sess] = nil
	s.game(func() {
		loadedEvent{s: sess, acct: store.Account{Name: name, Role: role.String()}, char: state.Character{Name: name}}.run(s.e)
		s.settle()
	})
	p := s.e.bySess[sess]
	if p == nil {
		return nil, fmt.Errorf("sim: %s could not enter the game", name)
	}
	sp := &SimPlayer{p: p, sim: s}
	s.players = append(s.players, sp)
	s.settle()
	return sp, nil
}

// settle finishes what the last step started: it waits for the engine's worker goroutines
// (a reload reading files, a building command writing one) and runs the events they posted,
// until none is left, then flushes output and collects it into each player's recent output.
// Workers finish before their events run, so a Sim stays deterministic.
func (s *Sim) settle() {
	for {
		s.e.workers.Wait()
		select {
		case ev := <-s.e.inbox:
			s.e.runEvent(ev)
			continue
		default:
		}
		break
	}
	for waiting := true; waiting; {
		s.e.flushOutput() // and moves on what waits in backlogs
		waiting = false
		for _, sp := range s.players {
			if sp.p.sess == nil {
				continue
			}
			for {
				select {
				case o := <-sp.p.sess.out:
					sp.recent.WriteString(markup.Plain(o.Text)) // as a client without colour sees it
					continue
				default:
				}
				break
			}
			waiting = waiting || len(sp.p.sess.backlog) > 0
		}
	}
}

// Advance moves the clock forward by d, one pulse at a time, running what falls due.
func (s *Sim) Advance(d time.Duration) {
	end := s.now.Add(d)
	for s.now.Before(end) {
		step := min(s.e.cfg.Pulse, end.Sub(s.now))
		s.now = s.now.Add(step)
		s.game(func() {
			s.e.pulse()
			s.settle()
		})
	}
}

// Do runs line as if the player typed it and returns the output it produced (and anything
// else the player saw meanwhile).
func (sp *SimPlayer) Do(line string) string {
	sp.recent.Reset()
	sp.sim.game(func() {
		sp.sim.e.runLine(sp.p, queuedLine{text: line, at: time.Now()})
		sp.sim.settle()
	})
	return sp.recent.String()
}

// Recent is what the player has seen since the last line it typed.
func (sp *SimPlayer) Recent() string { return sp.recent.String() }

// Player is the engine's player.
func (sp *SimPlayer) Player() *Player { return sp.p }

// errorLog is a slog handler that keeps the messages of error records (Lua errors). Only
// NewSim's logger uses it, and it drops attributes added with With.
type errorLog struct {
	next slog.Handler // also gets every record, if set
	mu   sync.Mutex
	errs []string
}

func (h *errorLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.next != nil && h.next.Enabled(ctx, l)
}

func (h *errorLog) Handle(ctx context.Context, r slog.Record) error {
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		h.next.Handle(ctx, r)
	}
	if r.Level < slog.LevelError {
		return nil
	}
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			msg = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	h.errs = append(h.errs, msg)
	h.mu.Unlock()
	return nil
}
func (h *errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorLog) WithGroup(string) slog.Handler      { return h }
func (h *errorLog) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.errs...)
}
