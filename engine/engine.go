// Package engine runs a mudd game: the game loop that owns the world and the Lua VM, the
// telnet and plain TCP sessions that feed it, logins and accounts, the command registry with
// the built-in commands, and periodic saving to SQLite.
//
// A program embeds the engine by building a Config, calling New, registering its own commands
// on Commands(), and calling Run:
//
//	eng, err := engine.New(engine.Config{Game: os.DirFS("mygame"), DataDir: "data"})
//	if err != nil { ... }
//	eng.Commands().Add(engine.Command{Name: "xyzzy", Run: func(c *engine.Context) { c.Send("Nothing happens.") }})
//	err = eng.Run(ctx) // returns after a clean shutdown when ctx is cancelled
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing/fstest"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/telnet"
)

// Engine is one running game.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	store *store.Store
	saver *store.Writer
	// lost is told of each player dropped because another process claimed its character
	// (see OwnCharacters); set before Serve, called on the loop.
	lost  func(name string, r *Remote)
	audit *store.AuditLog // nil without a database (a headless game)

	// Owned by the game loop goroutine once Serve runs.
	vm          *script.VM
	world       *world.World
	game        GameInfo
	cmds        *Registry
	topics      map[string]string
	router      Router
	players     map[string]*Player // by state.Key(name): online and link-dead
	sortedNames []string           // players' keys in order; nil when players changed
	bySess      map[*session]*Player
	loading     map[*session][]queuedLine     // sessions whose character is loading, with lines typed meanwhile
	earlyOOB    map[*session][]telnet.Message // GMCP/MSDP from sessions whose character is loading
	runq        []*Player                     // players with queued lines, in round-robin order
	flushq      []*Player                     // players with output to send
	flushSpare  []*Player
	backlogged  map[*session]struct{}     // sessions with output waiting for room in their queue
	descs       map[string]string         // room descriptions as looks show them (see descFields)
	looks       map[*world.Room]*roomLook // crowded rooms' looks, kept for the next look (see roomText)
	timers      timerQueue
	lua         *luaBindings
	stats       loopStats
	lastSave    time.Time // when the loop last started a save round (see saveDue)
	changed     []*Player // players changed since the round began, in the order they changed
	saving      []*Player // the round's players not yet saved
	saveShare   int       // how many of them each pulse saves
	saveOwed    int       // how many of them busy pulses left to the next
	lastExpiry  time.Time // when the loop last looked for link-dead characters to remove
	unitFirst   *Player   // the first player touched by the unit of work under way (see linked.go)
	saves       saveWatch // saving failing or not, and save commands awaiting their commit
	luaErrors   map[string]*errorSeen
	now         func() time.Time
	rand        *rand.Rand            // math.random and random choices of the engine
	pcg         *rand.PCG             // rand's source, reseeded by math.randomseed
	files       fstest.MapFS          // the game's files as last loaded
	zoneDirs    map[string]string     // zone key → its folder under world/
	kept        map[string]lua.LValue // mud.keep values, by file and name
	compiled    script.Cache          // compiled Lua files, for reloads
	hostVM      *script.VM            // a VM running the code that drives the engine (a Sim's scenario): reloads do not close it
	stopLoop    context.CancelFunc    // ends the loop: the shutdown command
	stopAccept  context.CancelFunc    // ends the accept loops (with closeListeners)
	countdown   *timer                // the pending shutdown's next announcement, or nil
	olc         building              // in-game building: see builtins_build.go
	reboot      rebootState           // a copyover countdown or hand-over under way; see copyover.go

	// Shared with network goroutines; each guarded by its own mechanism.
	inbox      chan event
	lockout    *lockout
	hashSlots  chan struct{}
	listeners  []net.Listener
	sessions   sync.WaitGroup
	workers    sync.WaitGroup // goroutines doing database work for the loop
	started    time.Time
	sessionIDs atomic.Uint64            // the last session id given out
	online     atomic.Int32             // players with a connection, for MSSP
	shown      atomic.Pointer[GameInfo] // the game settings as last loaded, for session goroutines (greeting, MSSP)
	deflaters  telnet.DeflaterPool
	ready      chan struct{}
	loopDone   chan struct{}
	live       liveSessions
	bans       atomic.Pointer[banList] // replaced, never changed, by the loop
}

// GameInfo holds the game-wide settings from the game's game{} definition.
type GameInfo struct {
	Name     string
	Start    string // start room key
	Greeting string
	MOTD     string
}

// New loads the game and opens the database. It starts no goroutines and listens on nothing.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if cfg.Game == nil {
		return nil, errors.New("engine: Config.Game is nil")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("engine: data dir: %w", err)
	}
	dsn := cfg.DB
	if dsn == "" {
		dsn = filepath.Join(cfg.DataDir, "mudd.db")
	}
	st, err := store.Open(context.Background(), dsn, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	cfg.Logger.Info("database open", "db", store.Redact(dsn), "backend", st.Backend())
	e := newEngine(cfg)
	e.store, e.saver, e.audit = st, store.NewWriter(st, cfg.Logger), store.NewAuditLog(st, cfg.Logger)
	bans, err := st.Bans(context.Background(), cfg.Clock())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e.bans.Store(&banList{bans: bans})
	if err := e.loadGame(); err != nil {
		st.Close()
		return nil, err
	}
	if err := e.loadZoneBuilders(); err != nil {
		e.vm.Close()
		st.Close()
		return nil, err
	}
	return e, nil
}

// newEngine builds an engine with no game loaded and no database, from a cfg with defaults.
func newEngine(cfg Config) *Engine {
	e := &Engine{
		cfg:       cfg,
		log:       cfg.Logger,
		players:   make(map[string]*Player),
		bySess:    make(map[*session]*Player),
		loading:   make(map[*session][]queuedLine),
		earlyOOB:  make(map[*session][]telnet.Message),
		luaErrors: make(map[string]*errorSeen),
		topics:    make(map[string]string),
		cmds:      NewRegistry(),
		inbox:     make(chan event, 4096),
		lockout:   newLockout(),
		hashSlots: make(chan struct{}, 2),
		now:       cfg.Clock,
		pcg:       newPCG(cfg.Seed),
		kept:      make(map[string]lua.LValue),
		ready:     make(chan struct{}),
		loopDone:  make(chan struct{}),
	}
	e.rand = rand.New(e.pcg)
	e.router = localRouter{e}
	if cfg.Router != nil {
		e.router = cfg.Router(e, e.router)
	}
	registerBuiltins(e.cmds)
	registerReload(e.cmds)
	registerRebootCommands(e.cmds)
	return e
}

// Commands returns the command registry. Register commands before Serve or Run.
func (e *Engine) Commands() *Registry { return e.cmds }

// World returns the world. Only the game loop may use it once Serve runs.
func (e *Engine) World() *world.World { return e.world }

// Game returns the game's settings.
func (e *Engine) Game() GameInfo { return e.game }

// Store returns the engine's database.
func (e *Engine) Store() *store.Store { return e.store }

// Listen opens the configured listeners, or takes them over from Config.Handover. After it
// returns, TelnetAddr and TCPAddr report the bound addresses.
func (e *Engine) Listen() error {
	if e.cfg.Handover != nil {
		return e.inheritListeners(e.cfg.Handover)
	}
	for _, a := range []struct {
		addr string
		raw  bool
	}{{e.cfg.TelnetAddr, false}, {e.cfg.TCPAddr, true}} {
		if a.addr == "-" {
			e.listeners = append(e.listeners, nil)
			continue
		}
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("engine: listen %s: %w", a.addr, err)
		}
		e.listeners = append(e.listeners, ln)
	}
	if e.cfg.ConsoleSocket != "" {
		ln, err := listenConsole(e.cfg.ConsoleSocket)
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("engine: %w", err)
		}
		e.listeners = append(e.listeners, ln)
	}
	return nil
}

// TelnetAddr is the bound telnet address, or nil before Listen or when disabled.
func (e *Engine) TelnetAddr() net.Addr { return e.listenerAddr(0) }

// TCPAddr is the bound plain TCP address, or nil before Listen or when disabled.
func (e *Engine) TCPAddr() net.Addr { return e.listenerAddr(1) }

func (e *Engine) listenerAddr(i int) net.Addr {
	if i >= len(e.listeners) || e.listeners[i] == nil {
		return nil
	}
	return e.listeners[i].Addr()
}

// Ready is closed once Serve has started its loop and accepts connections.
func (e *Engine) Ready() <-chan struct{} { return e.ready }

// Run listens and serves until ctx is cancelled.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Listen(); err != nil {
		return errors.Join(err, e.Close())
	}
	return e.Serve(ctx)
}

// Serve runs the game until ctx is cancelled, then tells every player, saves everyone,
// closes every connection and the database. It returns nil after a clean shutdown, or the
// error that kept characters from being saved.
func (e *Engine) Serve(ctx context.Context) error {
	e.started = time.Now()
	saverCtx, stopSaver := context.WithCancel(context.Background())
	saverDone := make(chan struct{})
	go func() { e.saver.Run(saverCtx); close(saverDone) }()
	auditDone := make(chan struct{})
	go func() { e.audit.Run(saverCtx); close(auditDone) }()
	if h := e.cfg.Handover; h != nil {
		if err := e.takeOver(h); err != nil {
			stopSaver()
			<-saverDone
			<-auditDone
			return errors.Join(err, e.Close())
		}
	}
	ctx, e.stopLoop = context.WithCancel(ctx)
	defer e.stopLoop()

	acceptCtx, stopAccept := context.WithCancel(ctx)
	e.stopAccept = stopAccept
	var accepting sync.WaitGroup
	for i, ln := range e.listeners {
		switch {
		case ln == nil:
		case i == consoleListener:
			accepting.Add(1)
			go func() { defer accepting.Done(); e.acceptConsoles(acceptCtx, ln) }()
		default:
			accepting.Add(1)
			go func(ln net.Listener, raw bool) { defer accepting.Done(); e.accept(acceptCtx, ln, raw) }(ln, i == 1)
		}
	}
	e.log.Info("mudd serving", "game", e.game.Name, "version", e.cfg.Version, "pid", os.Getpid(),
		"telnet", e.TelnetAddr(), "tcp", e.TCPAddr())
	close(e.ready)
	if err := sdNotify(fmt.Sprintf("READY=1\nMAINPID=%d", os.Getpid())); err != nil {
		e.log.Warn("telling systemd the game is ready failed", "err", err)
	}

	e.loop(ctx)

	stopAccept()
	e.closeListeners()
	if e.cfg.ConsoleSocket != "" && !e.reboot.handedOver {
		os.Remove(e.cfg.ConsoleSocket) // the new process serves on it after a hand-over
	}
	accepting.Wait()
	e.waitSessions(5 * time.Second)
	e.workers.Wait()
	flushCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	saveErr := e.saver.Flush(flushCtx)
	if saveErr != nil {
		e.log.Error("final save incomplete", "err", saveErr)
	}
	cancel()
	stopSaver()
	<-saverDone
	<-auditDone
	e.vm.Close()
	e.log.Info("mudd stopped")
	return errors.Join(saveErr, e.store.Close())
}

// work runs fn on a worker goroutine that Serve waits for before closing the database.
func (e *Engine) work(fn func()) {
	e.workers.Add(1)
	go func() {
		defer e.workers.Done()
		fn()
	}()
}

// Close releases what New opened (the database and the Lua VM) for an engine that will not
// serve. Serve does this itself when it returns; don't call Close after Serve.
func (e *Engine) Close() error {
	e.closeListeners()
	e.vm.Close()
	return e.store.Close()
}

func (e *Engine) closeListeners() {
	for _, ln := range e.listeners {
		if ln != nil {
			ln.Close()
		}
	}
}

// newPCG returns the engine's random source: seeded with seed, or at random when it is 0.
func newPCG(seed uint64) *rand.PCG {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
}
