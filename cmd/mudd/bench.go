package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/loadgen"
)

// benchOptions are the flags of `mudd bench`.
type benchOptions struct {
	addr       string
	telnet     bool
	ceiling    bool
	cluster    bool
	runs       int
	jsonOut    bool
	bcryptCost int
	wizard     string
	cpuProfile string
	logLevel   string
	game       string
	listen     string
	saveEvery  time.Duration
	load       loadgen.Config
}

// benchWizard is the account the bench's in-process engine reads its stats with.
func benchWizard() *loadgen.Account {
	return &loadgen.Account{Name: "Benchwiz", Password: "benchwiz-password"}
}

func parseBench(args []string, stderr io.Writer) (*benchOptions, error) {
	o := &benchOptions{}
	fset := flag.NewFlagSet("bench", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&o.addr, "addr", "", "HOST:PORT of a running server (default: an engine in this process with the default game)")
	fset.BoolVar(&o.telnet, "telnet", false, "speak telnet (default: plain TCP lines)")
	fset.BoolVar(&o.ceiling, "ceiling", false, "also run the same load against the ceiling server, in the same run")
	fset.BoolVar(&o.cluster, "cluster", false, "also run the same load against gateway mode (a gateway and two scene processes "+
		"of this binary on loopback), in the same run, and measure zone hand-overs")
	fset.IntVar(&o.runs, "runs", 1, "repeat the runs this many times and report medians")
	fset.BoolVar(&o.jsonOut, "json", false, "print each result as a JSON line")
	fset.IntVar(&o.bcryptCost, "bcrypt-cost", 4, "in-process engine: bcrypt cost, low so that logins stay cheap (servers default to 10)")
	fset.StringVar(&o.wizard, "wizard", "", "NAME:PASSWORD of a wizard on --addr, to read the server's stats at the end")
	fset.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the first engine run's load phase (with --listen: "+
		"of the whole serving) to `file`")
	fset.StringVar(&o.logLevel, "log-level", "warn", "in-process engine's log level")
	fset.DurationVar(&o.saveEvery, "save-interval", 5*time.Second, "in-process engine: period of saving (a changed character is saved within two)")
	fset.StringVar(&o.game, "game", "", "in-process engine: game `directory` (default: the embedded default game)")
	fset.StringVar(&o.listen, "listen", "", "serve the in-process engine (the ceiling with --ceiling) on `host:port` until "+
		"interrupted, without bots: run them in another process with --addr, to measure the server alone")
	l := &o.load
	fset.IntVar(&l.Bots, "bots", 50, "number of bots, each with its own character")
	fset.DurationVar(&l.Duration, "duration", 20*time.Second, "length of the load phase, once every bot is in")
	fset.Int64Var(&l.MaxCommands, "max-commands", 0, "also end the load phase after this many commands (0: no limit)")
	fset.StringVar(&l.Prefix, "prefix", "Bot", "bots' names: the prefix and letters (Bota, Botb, …)")
	fset.StringVar(&l.Password, "password", "loadgen-password", "bots' password")
	fset.DurationVar(&l.Timeout, "timeout", 10*time.Second, "longest wait for one answer")
	rate := fset.String("rate", "", "open loop: commands per bot, such as 1/s (default: closed loop)")
	ramp := fset.String("ramp", "200/s", "bots starting to log in per second, such as 50/s (0: all at once)")
	mix := fset.String("mix", loadgen.DefaultMix, "command mix, such as look=8,n=1,s=1,say=1")
	if err := fset.Parse(args); err != nil {
		return nil, err
	}
	if fset.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fset.Args())
	}
	var err error
	if l.Interval, err = loadgen.ParseRate(*rate); err != nil {
		return nil, err
	}
	if l.Ramp, err = loadgen.ParseRate(*ramp); err != nil {
		return nil, err
	}
	if l.Mix, err = loadgen.ParseMix(*mix); err != nil {
		return nil, err
	}
	if o.ceiling && slices.ContainsFunc(l.Mix, func(c loadgen.Command) bool { return c.Line != "look" }) {
		return nil, errors.New("the ceiling answers every line as a look: use --mix look=1 with --ceiling")
	}
	if o.runs < 1 || l.Bots < 1 {
		return nil, errors.New("--runs and --bots must be at least 1")
	}
	if o.addr != "" && (o.game != "" || o.listen != "") {
		return nil, errors.New("--game and --listen are for the in-process engine, not --addr")
	}
	if o.cluster && (o.addr != "" || o.listen != "" || o.game != "") {
		return nil, errors.New("--cluster compares the default game in one process with gateway mode: not with --addr, --listen or --game")
	}
	if o.game != "" {
		if st, err := os.Stat(o.game); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("game directory %q: not a directory", o.game)
		}
	}
	return o, nil
}

// bench runs the load generator against an engine (in-process unless --addr is given) and, with
// --ceiling, against the ceiling server right after it, --runs times.
func bench(args []string, stdout, stderr io.Writer) error {
	o, err := parseBench(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.listen != "" {
		return o.serveOnly(ctx, stdout)
	}
	fmt.Fprintln(stdout, o.describe())
	var engines, ceilings, clusters []benchResult
	for run := 1; run <= o.runs && ctx.Err() == nil; run++ {
		res, err := o.runEngine(ctx, run)
		if err != nil {
			return err
		}
		engines = append(engines, res)
		o.print(stdout, res)
		if o.cluster {
			if res, err = o.runCluster(ctx, run); err != nil {
				return err
			}
			clusters = append(clusters, res)
			o.print(stdout, res)
		}
		if o.ceiling {
			if res, err = o.runCeiling(ctx, run); err != nil {
				return err
			}
			ceilings = append(ceilings, res)
			o.print(stdout, res)
		}
	}
	o.summary(stdout, engines, ceilings)
	o.clusterSummary(stdout, engines, clusters)
	return ctx.Err()
}

func (o *benchOptions) describe() string {
	target := fmt.Sprintf("engine in-process (%s, bcrypt cost %d for the bench only)", o.gameName(), o.bcryptCost)
	if o.addr != "" {
		target = o.addr
	}
	proto, mode := "plain TCP", "closed loop"
	if o.telnet {
		proto = "telnet"
	}
	if o.load.Interval > 0 {
		mode = fmt.Sprintf("open loop at %.3g/s per bot", float64(time.Second)/float64(o.load.Interval))
	}
	return fmt.Sprintf("mudd bench: %s, %s, %d bots, %s, mix %s, %s, %d run(s), GOMAXPROCS %d",
		target, proto, o.load.Bots, mode, o.load.Mix, o.load.Duration, o.runs, runtimeProcs())
}

// benchResult is one run's result with what the bench adds to it.
type benchResult struct {
	Target string  `json:"target"` // "engine" (in-process), "ceiling", or "server" (--addr)
	Run    int     `json:"run"`
	CPU    float64 `json:"process_cpu_percent"` // this process: bots, and the server when in-process
	// Crossing is the round trip of walking between two zones (with --cluster): in gateway
	// mode the zones are in different scenes, so each step is a hand-over.
	Crossing *loadgen.Latency `json:"crossing,omitempty"`
	*loadgen.Result
}

// runEngine runs the load against --addr, or against a new in-process engine.
func (o *benchOptions) runEngine(ctx context.Context, run int) (benchResult, error) {
	cfg := o.load
	cfg.Telnet = o.telnet
	if o.addr != "" {
		cfg.Addr = o.addr
		if o.wizard != "" {
			name, pw, _ := strings.Cut(o.wizard, ":")
			cfg.Stats = &loadgen.Account{Name: name, Password: pw}
		}
		return measure(ctx, "server", run, cfg, "")
	}
	eng, done, err := o.startEngine(ctx)
	if err != nil {
		return benchResult{}, err
	}
	defer done()
	cfg.Addr = engineAddr(eng, o.telnet)
	cfg.Stats = benchWizard()
	if err := makeWizard(ctx, eng, cfg.Addr, o.telnet); err != nil {
		return benchResult{}, err
	}
	profile := ""
	if run == 1 {
		profile = o.cpuProfile
	}
	res, err := measure(ctx, "engine", run, cfg, profile)
	if err == nil && o.cluster {
		err = o.walk(ctx, &res, cfg.Addr, run)
	}
	return res, err
}

// serveOnly serves the bench's in-process engine on --listen until ctx is done, so that the
// bots can run in another process and the server's CPU and memory be measured alone.
func (o *benchOptions) serveOnly(ctx context.Context, stdout io.Writer) error {
	if o.ceiling {
		return o.serveCeiling(ctx, stdout)
	}
	eng, done, err := o.startEngine(ctx)
	if err != nil {
		return err
	}
	defer done()
	addr := engineAddr(eng, o.telnet)
	if err := makeWizard(ctx, eng, addr, o.telnet); err != nil {
		return err
	}
	if o.cpuProfile != "" {
		m := &meter{profile: o.cpuProfile}
		m.phase(true)
		defer m.phase(false)
	}
	fmt.Fprintf(stdout, "mudd bench: serving %s on %s, bcrypt cost %d for the bench only; read its stats with --wizard %s:%s\n",
		o.gameName(), addr, o.bcryptCost, benchWizard().Name, benchWizard().Password)
	<-ctx.Done()
	return nil
}

// serveCeiling serves the ceiling server on --listen until ctx is done.
func (o *benchOptions) serveCeiling(ctx context.Context, stdout io.Writer) error {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "mudd bench: serving the ceiling on %s\n", ln.Addr())
	return (&loadgen.Ceiling{Telnet: o.telnet}).Serve(ctx, ln)
}

func (o *benchOptions) gameName() string {
	if o.game != "" {
		return "game " + o.game
	}
	return "default game"
}

// engineAddr is the engine's telnet or plain TCP address.
func engineAddr(eng *engine.Engine, isTelnet bool) string {
	if isTelnet {
		return eng.TelnetAddr().String()
	}
	return eng.TCPAddr().String()
}

// makeWizard creates benchWizard on the engine and gives it the wizard role.
func makeWizard(ctx context.Context, eng *engine.Engine, addr string, isTelnet bool) error {
	wiz := benchWizard()
	promote := func(ctx context.Context) error {
		return eng.Store().SetRole(ctx, wiz.Name, engine.RoleWizard.String())
	}
	if err := loadgen.CreateWizard(ctx, addr, isTelnet, *wiz, promote); err != nil {
		return fmt.Errorf("wizard for stats: %w", err)
	}
	return nil
}

// startEngine starts the game (--game, or the default game) with a temporary data directory,
// on --listen or on loopback ephemeral ports. done stops it and removes the directory.
func (o *benchOptions) startEngine(ctx context.Context) (*engine.Engine, func(), error) {
	var game fs.FS = mudd.DefaultGame()
	if o.game != "" {
		game = os.DirFS(o.game)
	}
	telnetAddr, tcpAddr := "127.0.0.1:0", "127.0.0.1:0"
	if o.listen != "" && o.telnet {
		telnetAddr, tcpAddr = o.listen, "-"
	} else if o.listen != "" {
		telnetAddr, tcpAddr = "-", o.listen
	}
	log, err := newLogger(os.Stderr, o.logLevel)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "mudd-bench-")
	if err != nil {
		return nil, nil, err
	}
	eng, err := engine.New(engine.Config{
		Game: game, DataDir: dir, TelnetAddr: telnetAddr, TCPAddr: tcpAddr,
		BcryptCost: o.bcryptCost, SaveInterval: o.saveEvery, Logger: log,
	})
	if err == nil {
		if err = eng.Listen(); err != nil {
			eng.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx) }()
	<-eng.Ready()
	return eng, func() {
		cancel()
		if err := <-served; err != nil {
			slog.Warn("engine stopped with an error", "err", err)
		}
		os.RemoveAll(dir)
	}, nil
}

// runCeiling runs the same load against a new ceiling server in this process.
func (o *benchOptions) runCeiling(ctx context.Context, run int) (benchResult, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return benchResult{}, err
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- (&loadgen.Ceiling{Telnet: o.telnet}).Serve(sctx, ln) }()
	defer func() { cancel(); <-served }()
	cfg := o.load
	cfg.Addr, cfg.Telnet = ln.Addr().String(), o.telnet
	return measure(ctx, "ceiling", run, cfg, "")
}

// measure runs the load and measures the process's CPU use during the load phase, which it
// profiles if profile is set.
func measure(ctx context.Context, target string, run int, cfg loadgen.Config, profile string) (benchResult, error) {
	m := &meter{profile: profile}
	cfg.Phase = m.phase
	res, err := loadgen.Run(ctx, cfg)
	if err == nil {
		err = m.err
	}
	if err != nil {
		return benchResult{}, fmt.Errorf("%s run %d: %w", target, run, err)
	}
	return benchResult{Target: target, Run: run, CPU: m.percent, Result: res}, nil
}

// meter measures the process's CPU use over the load phase, and profiles it into a file.
type meter struct {
	profile string
	file    *os.File
	cpu0    time.Duration
	t0      time.Time
	percent float64
	err     error
}

func (m *meter) phase(loading bool) {
	if !loading {
		m.percent = 100 * float64(processCPU()-m.cpu0) / float64(time.Since(m.t0))
		if m.file != nil {
			pprof.StopCPUProfile()
			m.err = m.file.Close()
		}
		return
	}
	if m.profile != "" {
		if m.file, m.err = os.Create(m.profile); m.err == nil {
			if m.err = pprof.StartCPUProfile(m.file); m.err != nil {
				m.file.Close()
				m.file = nil
			}
		}
	}
	m.cpu0, m.t0 = processCPU(), time.Now()
}

func (o *benchOptions) print(w io.Writer, r benchResult) {
	if o.jsonOut {
		b, _ := json.Marshal(r)
		fmt.Fprintln(w, string(b))
		return
	}
	fmt.Fprintf(w, "run %d %-7s %9.0f cmd/s  rtt p50 %s p90 %s p99 %s max %s  logins %d (%.0f/s, %d failed)  "+
		"errors %d disconnects %d unsolicited %d  cpu %.0f%%\n",
		r.Run, r.Target, r.CommandsPerSec, msStr(r.RTT.P50), msStr(r.RTT.P90), msStr(r.RTT.P99), msStr(r.RTT.Max),
		r.Logins, r.LoginsPerSec, r.LoginErrors, r.Errors, r.Disconnects, r.Unsolicited, r.CPU)
	if r.FirstError != "" {
		fmt.Fprintf(w, "      first error: %s\n", r.FirstError)
	}
	if c := r.Crossing; c != nil {
		fmt.Fprintf(w, "      zone crossing (%d): p50 %s p90 %s p99 %s max %s\n", c.Count, msStr(c.P50), msStr(c.P90),
			msStr(c.P99), msStr(c.Max))
	}
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "      server: pulse p99 ≤%s max %s, command p99 ≤%s, heap %d MiB, from the OS %d MiB, %d goroutines\n",
			msStr(s.PulseP99), msStr(s.PulseMax), msStr(s.CommandP99), s.HeapMiB, s.SysMiB, s.Goroutines)
	} else if r.StatsError != "" {
		fmt.Fprintf(w, "      server stats: %s\n", r.StatsError)
	}
}

// summary prints the medians of the runs and the ratio of the engine to the ceiling.
func (o *benchOptions) summary(w io.Writer, engines, ceilings []benchResult) {
	if len(engines) == 0 {
		return
	}
	e, c := medians(engines), medians(ceilings)
	if o.jsonOut {
		out := map[string]any{"summary": "median", "runs": len(engines), "engine": e}
		if len(ceilings) > 0 {
			out["ceiling"], out["ratio"] = c, e.CommandsPerSec/c.CommandsPerSec
		}
		b, _ := json.Marshal(out)
		fmt.Fprintln(w, string(b))
		return
	}
	line := func(name string, m median) {
		fmt.Fprintf(w, "median of %d %-7s %9.0f cmd/s  rtt p50 %s p90 %s p99 %s max %s  cpu %.0f%%\n", len(engines), name,
			m.CommandsPerSec, msStr(m.P50), msStr(m.P90), msStr(m.P99), msStr(m.Max), m.CPU)
	}
	line(engines[0].Target, e)
	if len(ceilings) > 0 {
		line("ceiling", c)
		fmt.Fprintf(w, "engine/ceiling: %.1f%% of the ceiling's cmd/s\n", 100*e.CommandsPerSec/c.CommandsPerSec)
	}
}

// median holds the median of each figure over several runs.
type median struct {
	CommandsPerSec float64 `json:"commands_per_s"`
	P50            float64 `json:"p50_ms"`
	P90            float64 `json:"p90_ms"`
	P99            float64 `json:"p99_ms"`
	Max            float64 `json:"max_ms"`
	CPU            float64 `json:"process_cpu_percent"`
	PulseP99       float64 `json:"pulse_p99_ms,omitempty"`
}

func medians(rs []benchResult) median {
	of := func(f func(benchResult) float64) float64 {
		if len(rs) == 0 {
			return 0
		}
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	return median{
		CommandsPerSec: of(func(r benchResult) float64 { return r.CommandsPerSec }),
		P50:            of(func(r benchResult) float64 { return r.RTT.P50 }),
		P90:            of(func(r benchResult) float64 { return r.RTT.P90 }),
		P99:            of(func(r benchResult) float64 { return r.RTT.P99 }),
		Max:            of(func(r benchResult) float64 { return r.RTT.Max }),
		CPU:            of(func(r benchResult) float64 { return r.CPU }),
		PulseP99: of(func(r benchResult) float64 {
			if r.Server == nil {
				return 0
			}
			return r.Server.PulseP99
		}),
	}
}

// msStr formats milliseconds.
func msStr(v float64) string {
	return time.Duration(v * float64(time.Millisecond)).Round(time.Microsecond).String()
}
