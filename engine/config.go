package engine

import (
	"io/fs"
	"log/slog"
	"time"
)

// Config is everything an Engine needs. The zero value of each field means its default.
type Config struct {
	// Game is the game directory: scripts/init.lua, scripts/*.lua and world/<zone>/*.lua.
	Game fs.FS
	// GameDir is the directory on disk that Game reads, if it is one. Building commands
	// write their generated Lua files there; without it they refuse (the embedded default
	// game cannot be changed).
	GameDir string
	// DataDir holds the SQLite database (mudd.db) when DB is empty. It is created if missing.
	DataDir string
	// DB names the database: a postgres:// or postgresql:// URL for PostgreSQL, which
	// several processes on several machines may share; else the path of a SQLite file
	// (processes on one machine may share it). Empty means the SQLite file mudd.db in
	// DataDir. Logs and errors show it with its password hidden (store.Redact).
	DB string

	// TelnetAddr and TCPAddr are the listen addresses of the telnet and the plain TCP line
	// listeners. "-" disables a listener. Defaults ":4000" and ":4001".
	TelnetAddr string
	TCPAddr    string
	// ConsoleSocket, if set, is the path of a Unix socket (mode 0600) on which operators
	// attach a console (mudd console). Only peers running as the server's own user are
	// served. Unix systems only.
	ConsoleSocket string

	Pulse         time.Duration // game loop pulse; default 100ms (10 pulses/s)
	SaveInterval  time.Duration // a changed character is saved within this; default 5s
	LuaBudget     time.Duration // time budget of every Lua call; default 50ms
	LinkDeadGrace time.Duration // how long a dropped character stays in the world; default 5m
	IdleTimeout   time.Duration // in-game idle limit; default 30m
	LoginTimeout  time.Duration // time allowed to finish logging in; default 3m

	MaxLoginFailures int           // wrong passwords before the connection is closed; default 3
	LockoutDuration  time.Duration // how long a name stays locked after that; default 5m
	BcryptCost       int           // default 10

	MaxLine    int // longest input line in bytes; default 4096
	InputQueue int // queued commands per session before the client is cut off; default 200
	// OutputQueue is the number of output batches a session's writer may have waiting; default
	// 16. Output that finds it full waits on the loop in the session's backlog, in order,
	// merged where nothing is lost: a client is cut off when its backlog holds more than
	// OutputBacklog bytes (default 1 MiB) or has not moved for OutputStall (default 30s).
	OutputQueue   int
	OutputBacklog int
	OutputStall   time.Duration

	// MSSP holds extra MSSP variables (upper-case names such as "CONTACT", "WEBSITE",
	// "LANGUAGE", "GENRE") sent with NAME, PLAYERS, UPTIME, CODEBASE and PORT to MSSP
	// clients and crawlers; a value here replaces the engine's own.
	MSSP map[string]string
	// CompressLevel is the zlib level of MCCP2 output (1–9); default 6, see BENCHMARKS.md.
	CompressLevel int
	// NoCompress turns MCCP2 and MCCP3 off: they are neither offered nor accepted.
	NoCompress bool

	// Zones lists the zones this engine runs: only their resets and room ticks happen here,
	// so NPCs and items appear only in them (a scene of a cluster). nil runs every zone; an
	// empty list runs none (a gateway).
	Zones []string

	// Router, if set, makes the engine's Router from the local one, which acts on this
	// process's world: a scene of a cluster routes what crosses to zones run elsewhere.
	Router func(e *Engine, local Router) Router

	// Gateway, if set, takes every connection that finishes logging in: the engine keeps the
	// connection (telnet, rendering, compression) and the gateway plays the character in
	// another process. See package cluster.
	Gateway Gateway

	Logger *slog.Logger

	// Version names the build, shown by the version command and logged at a copyover.
	Version string
	// Handover, if set, is the state of the process this one replaces in a copyover reboot
	// (see Inherit): the engine serves on its listeners and players instead of opening new
	// ones.
	Handover *Handover
	// ReadyTimeout is how long a copyover waits for the new process to report ready before
	// giving up and going on in the old one; default 30s.
	ReadyTimeout time.Duration
	// SuccessorArgs are the arguments (after the program name) a copyover starts the new
	// process with; default os.Args[1:]. SuccessorEnv is added to its environment: settings
	// kept off its command line (where other users of the machine can read them).
	SuccessorArgs []string
	SuccessorEnv  []string
	// Clock tells the game loop the time: time.Now by default. Tests that step the loop by
	// hand set it. Session goroutines read it too (to check bans), so it must be safe for
	// concurrent use.
	Clock func() time.Time
	// Seed seeds Lua's math.random and the engine's random choices (NPCs wandering); 0 seeds
	// them at random. Tests set it to replay the same game.
	Seed uint64
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	if c.TelnetAddr == "" {
		c.TelnetAddr = ":4000"
	}
	if c.TCPAddr == "" {
		c.TCPAddr = ":4001"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	def(&c.Pulse, 100*time.Millisecond)
	def(&c.SaveInterval, 5*time.Second)
	def(&c.LuaBudget, 50*time.Millisecond)
	def(&c.LinkDeadGrace, 5*time.Minute)
	def(&c.IdleTimeout, 30*time.Minute)
	def(&c.LoginTimeout, 3*time.Minute)
	def(&c.LockoutDuration, 5*time.Minute)
	def(&c.ReadyTimeout, 30*time.Second)
	defInt(&c.MaxLoginFailures, 3)
	defInt(&c.BcryptCost, 10)
	defInt(&c.MaxLine, 4096)
	defInt(&c.InputQueue, 200)
	defInt(&c.OutputQueue, 16)
	defInt(&c.OutputBacklog, 1<<20)
	def(&c.OutputStall, 30*time.Second)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "devel"
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}
