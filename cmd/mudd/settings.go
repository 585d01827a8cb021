package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
)

// settings are the server's options, from an optional TOML file and then from flags, which win.
type settings struct {
	Config string `toml:"-"`
	Game   string `toml:"game"`
	Data   string `toml:"data_dir"`
	DB     string `toml:"db"`
	Telnet string `toml:"telnet"`
	TCP    string `toml:"tcp"`
	Socket string `toml:"console_socket"`

	Pulse        duration `toml:"pulse"`
	SaveInterval duration `toml:"save_interval"`
	LuaBudget    duration `toml:"lua_budget"`
	LinkDead     duration `toml:"linkdead_grace"`
	Idle         duration `toml:"idle_timeout"`
	Lockout      duration `toml:"lockout"`
	MaxFailures  int      `toml:"max_login_failures"`
	BcryptCost   int      `toml:"bcrypt_cost"`
	LogLevel     string   `toml:"log_level"`
	Watch        bool     `toml:"watch"`

	// MSSP holds extra MSSP variables for MUD listings: [mssp] CONTACT = "...".
	MSSP map[string]string `toml:"mssp"`
	// Compression is the MCCP2 zlib level (1-9), or 0 to turn MCCP off.
	Compression *int `toml:"compression"`

	handedDB bool // DB came from the process this one replaced at a copyover
}

func defaultSettings() *settings {
	return &settings{
		Data: "data", Telnet: ":4000", TCP: ":4001",
		Pulse: duration(100 * time.Millisecond), SaveInterval: duration(5 * time.Second),
		LuaBudget: duration(50 * time.Millisecond), LinkDead: duration(5 * time.Minute),
		Idle: duration(30 * time.Minute), Lockout: duration(5 * time.Minute), MaxFailures: 3,
		LogLevel: "info",
	}
}

func (s *settings) flags(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&s.Config, "config", "", "TOML config file (keys: game, data_dir, db, telnet, tcp, console_socket, pulse,\nsave_interval, lua_budget, linkdead_grace, idle_timeout, lockout, max_login_failures, bcrypt_cost, log_level, watch,\ncompression, and an [mssp] table of MSSP variables)")
	fs.StringVar(&s.Game, "game", s.Game, "game directory (default: the embedded default game, which building commands cannot change)")
	fs.StringVar(&s.Data, "data", s.Data, "data directory for the SQLite database")
	fs.StringVar(&s.DB, "db", s.DB, dbUsage)
	fs.StringVar(&s.Telnet, "telnet", s.Telnet, "telnet listen address, or - to disable")
	fs.StringVar(&s.TCP, "tcp", s.TCP, "plain TCP line listen address, or - to disable")
	fs.StringVar(&s.Socket, "console-socket", s.Socket, "operator console socket (default: console.sock in the data directory), or - to disable")
	fs.Var(&s.Pulse, "pulse", "game loop pulse interval")
	fs.Var(&s.SaveInterval, "save-interval", "a changed character is saved within this (the most a crash can lose)")
	fs.Var(&s.LuaBudget, "lua-budget", "time budget of every Lua call")
	fs.Var(&s.LinkDead, "linkdead-grace", "how long a dropped character stays in the world")
	fs.Var(&s.Idle, "idle-timeout", "disconnect players idle this long")
	fs.Var(&s.Lockout, "lockout", "how long a name is locked after too many wrong passwords")
	fs.IntVar(&s.MaxFailures, "max-login-failures", s.MaxFailures, "wrong passwords before disconnect and lockout")
	fs.IntVar(&s.BcryptCost, "bcrypt-cost", s.BcryptCost, "bcrypt cost of password hashes (default 10)")
	fs.StringVar(&s.LogLevel, "log-level", s.LogLevel, "log level: debug, info, warn, error")
	fs.BoolVar(&s.Watch, "watch", s.Watch, "reload the game when a file under the game directory changes (needs --game)")
	return fs
}

// parse reads flags, then the config file they name, then the flags again so they win.
func (s *settings) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if s.Config == "" {
		return nil
	}
	f, err := os.Open(s.Config)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := toml.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			return fmt.Errorf("%s: unknown settings:\n%s", s.Config, strict.String())
		}
		return fmt.Errorf("%s: %w", s.Config, err)
	}
	return fs.Parse(args)
}

func (s *settings) engineConfig(log *slog.Logger) (engine.Config, error) {
	if s.Compression != nil && (*s.Compression < 0 || *s.Compression > 9) {
		return engine.Config{}, fmt.Errorf("compression %d: want a zlib level 1-9, or 0 for none", *s.Compression)
	}
	var game fs.FS = mudd.DefaultGame()
	if s.Game != "" {
		if st, err := os.Stat(s.Game); err != nil || !st.IsDir() {
			return engine.Config{}, fmt.Errorf("game directory %q: not a directory", s.Game)
		}
		game = os.DirFS(s.Game)
	}
	return engine.Config{
		Game: game, GameDir: s.Game, DataDir: s.Data, DB: s.DB, TelnetAddr: s.Telnet, TCPAddr: s.TCP,
		ConsoleSocket: s.consoleSocket(),
		Pulse:         time.Duration(s.Pulse), SaveInterval: time.Duration(s.SaveInterval),
		LuaBudget: time.Duration(s.LuaBudget), LinkDeadGrace: time.Duration(s.LinkDead),
		IdleTimeout: time.Duration(s.Idle), LockoutDuration: time.Duration(s.Lockout),
		MaxLoginFailures: s.MaxFailures, BcryptCost: s.BcryptCost, Logger: log, MSSP: s.MSSP,
		CompressLevel: compression(s.Compression), NoCompress: s.Compression != nil && *s.Compression == 0,
	}, nil
}

// handedDBEnv carries the --db setting to the process a copyover starts: in its environment,
// which only its user can read, rather than on its command line, which everyone can.
const handedDBEnv = "MUDD_HANDOVER_DB"

// rebootableConfig is the engine configuration of a process that a reboot may replace (serve
// and gateway): the database a replaced process was given, the build, the hand-over this
// process may have been started with, and how to start its own successor.
func (s *settings) rebootableConfig(stderr io.Writer) (engine.Config, *slog.Logger, error) {
	s.takeHandedDB()
	log, err := newLogger(stderr, s.LogLevel)
	if err != nil {
		return engine.Config{}, nil, err
	}
	cfg, err := s.engineConfig(log)
	if err != nil {
		return engine.Config{}, nil, err
	}
	cfg.Version = buildVersion()
	if cfg.Handover, err = engine.Inherit(); err != nil {
		return engine.Config{}, nil, err
	}
	s.successor(&cfg, os.Args[1:], log)
	return cfg, log, nil
}

// takeHandedDB uses the database the process this one replaced was given with --db.
func (s *settings) takeHandedDB() {
	if dsn, ok := os.LookupEnv(handedDBEnv); ok {
		os.Unsetenv(handedDBEnv)
		s.DB, s.handedDB = dsn, true
	}
}

// successor sets how a copyover starts the new process: with this one's arguments (args,
// after the program name) less --db, whose value goes in its environment. It warns when
// --db is a database URL with a password: other users see command lines.
func (s *settings) successor(cfg *engine.Config, args []string, log *slog.Logger) {
	rest, dsn, found := withoutFlag(args, "db")
	cfg.SuccessorArgs = rest
	if found || s.handedDB {
		cfg.SuccessorEnv = []string{handedDBEnv + "=" + s.DB}
	}
	if found && store.IsPostgres(dsn) && store.Redact(dsn) != dsn {
		log.Warn("the --db URL on the command line has a password, which other users of the machine can see; "+
			"set PGPASSWORD or use ~/.pgpass, or put db in the --config file", "db", store.Redact(dsn))
	}
}

// withoutFlag returns args without the flag name (as -name or --name, with its value after
// = or as the next argument), and the flag's last value.
func withoutFlag(args []string, name string) (rest []string, value string, found bool) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		flagName, v, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if !strings.HasPrefix(a, "-") || flagName != name {
			rest = append(rest, a)
			continue
		}
		found = true
		switch {
		case hasValue:
			value = v
		case i+1 < len(args):
			i++
			value = args[i]
		}
	}
	return rest, value, found
}

// dbUsage describes the --db flag of every command that opens the database.
const dbUsage = "database: a postgres://user@host/dbname URL for PostgreSQL (password from PGPASSWORD or ~/.pgpass\n" +
	"rather than the URL, which other users may see), or a SQLite file path (default: mudd.db in the data directory)"

// compression returns the configured zlib level, or 0 for the default.
func compression(level *int) int {
	if level == nil {
		return 0
	}
	return *level
}

// duration is a time.Duration that reads "100ms"-style text from flags and TOML.
type duration time.Duration

func (d *duration) String() string { return time.Duration(*d).String() }

func (d *duration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v <= 0 {
		return fmt.Errorf("duration must be positive")
	}
	*d = duration(v)
	return nil
}

func (d *duration) UnmarshalText(b []byte) error { return d.Set(string(b)) }

// consoleSocket is the console socket's path: console.sock in the data directory unless set;
// none on systems without Unix sockets, or when set to "-".
func (s *settings) consoleSocket() string {
	switch {
	case s.Socket == "-" || runtime.GOOS == "windows" || runtime.GOOS == "plan9":
		return ""
	case s.Socket != "":
		return s.Socket
	}
	return filepath.Join(s.Data, "console.sock")
}
