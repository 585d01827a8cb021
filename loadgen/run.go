package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes one load run. The zero value of a field means its default.
type Config struct {
	Addr   string // host:port of the server
	Telnet bool   // Addr is a telnet port; otherwise a plain TCP line port

	Bots        int           // bots, each with its own connection and character; default 1
	Ramp        time.Duration // delay between two bots starting to log in; 0: all at once
	Duration    time.Duration // length of the load phase, which starts when every bot is in; default 10s
	MaxCommands int64         // the load phase also ends after this many commands in all; 0: no limit
	Interval    time.Duration // open loop: each bot sends a command this often; 0: closed loop
	Mix         Mix           // default DefaultMix

	Prefix   string // character names: Prefix and letters (Bota, Botb, …); default "Bot"
	Password string // password of every bot; default "loadgen-password"

	Timeout      time.Duration // longest wait for an answer; default 10s
	LoginTimeout time.Duration // longest time for one bot to connect and log in; default 60s
	MaxInFlight  int           // open loop: unanswered commands a bot may have; default 16
	ReadBuffer   int           // bytes read at once per bot; default 16 KiB

	// Stats, if set, is a wizard's account: after the load phase it logs in, sends "stats",
	// and the server's own figures go into the Result.
	Stats *Account

	// Phase, if set, is called with true just before the load phase starts and with false just
	// after it ended: to measure or profile only the load.
	Phase func(loading bool)

	Logger *slog.Logger // default: discard
}

// Account is a character's name and password.
type Account struct{ Name, Password string }

const (
	defaultPrefix   = "Bot"
	defaultPassword = "loadgen-password"
	maxName         = 16
)

func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	c.Bots = max(c.Bots, 1)
	def(&c.Duration, 10*time.Second)
	def(&c.Timeout, 10*time.Second)
	def(&c.LoginTimeout, time.Minute)
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 16
	}
	if c.ReadBuffer <= 0 {
		c.ReadBuffer = 16 << 10
	}
	if c.Prefix == "" {
		c.Prefix = defaultPrefix
	}
	if c.Password == "" {
		c.Password = defaultPassword
	}
	if c.Mix == nil {
		c.Mix, _ = ParseMix(DefaultMix)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	switch {
	case c.Addr == "":
		return c, errors.New("loadgen: no address")
	case strings.Trim(c.Prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return c, fmt.Errorf("loadgen: name prefix %q has other characters than letters", c.Prefix)
	case len(BotName(c.Prefix, c.Bots-1)) > maxName:
		return c, fmt.Errorf("loadgen: names of %d bots with prefix %q are longer than %d letters", c.Bots, c.Prefix, maxName)
	case len(c.Password) < 8:
		return c, errors.New("loadgen: the password has fewer than 8 characters")
	}
	return c, nil
}

// BotName is the name of bot i: prefix followed by letters, "a" to "z", then "aa" and so on.
func BotName(prefix string, i int) string {
	var rev []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		rev = append(rev, byte('a'+(n-1)%26))
	}
	b := []byte(prefix)
	for k := len(rev) - 1; k >= 0; k-- {
		b = append(b, rev[k])
	}
	return string(b)
}

// Result is what a run measured.
type Result struct {
	Addr       string  `json:"addr"`
	Protocol   string  `json:"protocol"` // "telnet" or "tcp"
	Bots       int     `json:"bots"`
	Mode       string  `json:"mode"`                   // "closed" or "open" loop
	RatePerBot float64 `json:"rate_per_bot,omitempty"` // open loop: commands per second per bot
	Mix        string  `json:"mix"`

	Logins       int     `json:"logins"`
	LoginErrors  int     `json:"login_errors"`
	LoginsPerSec float64 `json:"logins_per_s"`
	Login        Latency `json:"login"` // from dialling to the game's first prompt

	Seconds        float64 `json:"seconds"` // length of the load phase
	Commands       uint64  `json:"commands"`
	CommandsPerSec float64 `json:"commands_per_s"`
	RTT            Latency `json:"rtt"`

	Errors      int64  `json:"errors"`      // all of the below but disconnects and unsolicited
	Timeouts    int64  `json:"timeouts"`    // answers that did not come within Timeout
	Skipped     int64  `json:"skipped"`     // open loop: sends skipped, MaxInFlight unanswered
	Disconnects int64  `json:"disconnects"` // connections lost during the load phase
	Unsolicited int64  `json:"unsolicited"` // batches that were not an answer
	FirstError  string `json:"first_error,omitempty"`

	Server     *ServerStats `json:"server,omitempty"`
	StatsError string       `json:"stats_error,omitempty"`
}

// runner is the shared state of one run.
type runner struct {
	cfg        Config
	rtt, login Histogram

	logins, loginErrors                               atomic.Int64
	errs, timeouts, skipped, disconnects, unsolicited atomic.Int64
	budget                                            atomic.Int64 // commands left, if MaxCommands > 0
	firstErr                                          atomic.Pointer[string]

	start   chan struct{} // closed when the load phase starts
	end     time.Time     // set before start is closed
	release chan struct{} // closed when bots may leave
	loaded  sync.WaitGroup
}

// Run runs the load described by cfg and reports what it measured. Only a run in which no bot
// logged in, or a bad Config, is an error; every other problem is counted in the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &runner{cfg: cfg, start: make(chan struct{}), release: make(chan struct{})}
	r.budget.Store(cfg.MaxCommands)

	var bots sync.WaitGroup
	t0 := time.Now()
	loginsDone := r.launch(ctx, &bots, t0)
	<-loginsDone
	loginTime := time.Since(t0)

	if cfg.Phase != nil {
		cfg.Phase(true)
	}
	begin := time.Now()
	r.end = begin.Add(cfg.Duration)
	close(r.start)
	r.loaded.Wait()
	elapsed := time.Since(begin)
	if cfg.Phase != nil {
		cfg.Phase(false)
	}

	res := r.result(elapsed, loginTime)
	if cfg.Stats != nil && res.Logins > 0 && ctx.Err() == nil {
		if st, err := QueryStats(ctx, cfg.Addr, cfg.Telnet, *cfg.Stats, cfg.Timeout); err != nil {
			res.StatsError = err.Error()
		} else {
			res.Server = &st
		}
	}
	close(r.release)
	bots.Wait()
	if res.Logins == 0 {
		return res, fmt.Errorf("loadgen: no bot logged in: %s", res.FirstError)
	}
	return res, nil
}

// launch starts the bots at the ramp-up rate and returns a channel closed when every bot is in
// the game or has given up.
func (r *runner) launch(ctx context.Context, bots *sync.WaitGroup, t0 time.Time) <-chan struct{} {
	var logins sync.WaitGroup
	done := make(chan struct{})
	logins.Add(r.cfg.Bots)
	r.loaded.Add(r.cfg.Bots)
	bots.Add(r.cfg.Bots)
	go func() {
		defer func() { logins.Wait(); close(done) }()
		for i := range r.cfg.Bots {
			if wait := time.Until(t0.Add(time.Duration(i) * r.cfg.Ramp)); wait > 0 && ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
			b := &bot{r: r, name: BotName(r.cfg.Prefix, i), ch: newChooser(r.cfg.Mix, uint64(i))}
			go func() {
				defer bots.Done()
				b.run(ctx, logins.Done)
			}()
		}
	}()
	return done
}

func (r *runner) result(elapsed, loginTime time.Duration) *Result {
	cfg := r.cfg
	res := &Result{
		Addr: cfg.Addr, Protocol: "tcp", Bots: cfg.Bots, Mode: "closed", Mix: cfg.Mix.String(),
		Logins: int(r.logins.Load()), LoginErrors: int(r.loginErrors.Load()), Login: r.login.Summary(),
		Seconds: elapsed.Seconds(), Commands: r.rtt.Count(), RTT: r.rtt.Summary(),
		Errors: r.errs.Load(), Timeouts: r.timeouts.Load(), Skipped: r.skipped.Load(),
		Disconnects: r.disconnects.Load(), Unsolicited: r.unsolicited.Load(),
	}
	if cfg.Telnet {
		res.Protocol = "telnet"
	}
	if cfg.Interval > 0 {
		res.Mode, res.RatePerBot = "open", float64(time.Second)/float64(cfg.Interval)
	}
	if s := loginTime.Seconds(); s > 0 {
		res.LoginsPerSec = float64(res.Logins) / s
	}
	if s := elapsed.Seconds(); s > 0 {
		res.CommandsPerSec = float64(res.Commands) / s
	}
	if p := r.firstErr.Load(); p != nil {
		res.FirstError = *p
	}
	return res
}

// take uses one command of the budget and reports false when none is left.
func (r *runner) take() bool {
	return r.cfg.MaxCommands <= 0 || r.budget.Add(-1) >= 0
}

// noteErr keeps the first error for the Result and the log.
func (r *runner) noteErr(err error) {
	msg := err.Error()
	if r.firstErr.CompareAndSwap(nil, &msg) {
		r.cfg.Logger.Warn("loadgen: first error", "err", err)
	}
}

// lost counts a connection that failed while waiting for an answer.
func (r *runner) lost(err error) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		r.timeouts.Add(1)
		r.errs.Add(1)
	default:
		r.disconnects.Add(1)
	}
	r.noteErr(err)
}

// bot is one connection playing one character.
type bot struct {
	r    *runner
	name string
	c    *client
	ch   *chooser
}

// run logs in, calling loggedIn either way, takes part in the load phase, and leaves when
// released.
func (b *bot) run(ctx context.Context, loggedIn func()) {
	r := b.r
	loaded := sync.OnceFunc(r.loaded.Done)
	defer loaded()
	nc, err := b.connect(ctx)
	loggedIn()
	if err != nil {
		if ctx.Err() == nil {
			r.loginErrors.Add(1)
			r.noteErr(err)
		}
		return
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	if !b.waitStart(ctx) {
		return
	}
	if r.cfg.Interval > 0 {
		b.openLoop(ctx)
	} else {
		b.closedLoop(ctx)
	}
	loaded()
	select {
	case <-r.release:
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		b.c.writeLine("quit")
	case <-ctx.Done():
	}
}

// connect dials and logs in, and records the login's duration.
func (b *bot) connect(ctx context.Context) (net.Conn, error) {
	start := time.Now()
	deadline := start.Add(b.r.cfg.LoginTimeout)
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", b.r.cfg.Addr)
	if err != nil {
		return nil, err
	}
	b.c = newClient(nc, b.r.cfg.Telnet, b.r.cfg.ReadBuffer)
	if err := b.c.login(b.name, b.r.cfg.Password, deadline); err != nil {
		nc.Close()
		return nil, err
	}
	b.r.login.Record(time.Since(start))
	b.r.logins.Add(1)
	return nc, nil
}

// waitStart reads what comes (other bots arriving) until the load phase starts.
func (b *bot) waitStart(ctx context.Context) bool {
	for {
		select {
		case <-b.r.start:
			b.c.nc.SetReadDeadline(time.Time{})
			return true
		case <-ctx.Done():
			return false
		default:
		}
		b.c.nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, _, err := b.c.next(); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			b.r.disconnects.Add(1)
			b.r.noteErr(err)
			return false
		}
	}
}

// closedLoop sends a command, waits for its answer, and repeats until the phase ends.
func (b *bot) closedLoop(ctx context.Context) {
	r, c := b.r, b.c
	for ctx.Err() == nil && time.Now().Before(r.end) && r.take() {
		cmd := b.ch.next()
		sent := time.Now()
		c.nc.SetReadDeadline(sent.Add(r.cfg.Timeout))
		if err := c.writeLine(cmd.Line); err != nil {
			if ctx.Err() == nil {
				r.lost(err)
			}
			return
		}
		for {
			batch, at, err := c.next()
			if err != nil {
				if ctx.Err() == nil {
					r.lost(fmt.Errorf("%s: answer to %q: %w", b.name, cmd.Line, err))
				}
				return
			}
			if cmd.answers(batch) {
				r.rtt.Record(at.Sub(sent))
				b.ch.answered(cmd, batch)
				break
			}
			r.unsolicited.Add(1)
		}
	}
}

// inFlight is a command sent and not yet answered.
type inFlight struct {
	cmd *Command
	at  time.Time
}

// openLoop sends a command every Interval, whether or not the last ones were answered, and
// matches answers to commands in order on a reader goroutine.
func (b *bot) openLoop(ctx context.Context) {
	r, c := b.r, b.c
	var (
		mu      sync.Mutex
		queue   []inFlight
		writing = true
	)
	readDone := make(chan struct{})
	c.nc.SetReadDeadline(r.end.Add(r.cfg.Timeout))
	go func() {
		defer close(readDone)
		for {
			batch, at, err := c.next()
			mu.Lock()
			if err != nil {
				left, busy := int64(len(queue)), writing
				mu.Unlock()
				switch {
				case ctx.Err() != nil, left == 0 && !busy:
				case errors.Is(err, os.ErrDeadlineExceeded):
					r.timeouts.Add(left)
					r.errs.Add(left)
					r.noteErr(err)
				default:
					r.disconnects.Add(1)
					r.noteErr(err)
				}
				return
			}
			var f inFlight
			if len(queue) > 0 && queue[0].cmd.answers(batch) {
				f, queue = queue[0], queue[1:]
			}
			finished := !writing && len(queue) == 0
			mu.Unlock()
			if f.cmd != nil {
				r.rtt.Record(at.Sub(f.at))
			} else {
				r.unsolicited.Add(1)
			}
			if finished {
				return
			}
		}
	}()

	next := time.Now().Add(rand.N(r.cfg.Interval))
	tick := time.NewTimer(time.Until(next))
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-readDone:
			break loop
		case <-tick.C:
		}
		now := time.Now()
		if !now.Before(r.end) || !r.take() {
			break
		}
		mu.Lock()
		if len(queue) >= r.cfg.MaxInFlight {
			mu.Unlock()
			r.skipped.Add(1)
			r.errs.Add(1)
		} else {
			cmd := b.ch.next()
			queue = append(queue, inFlight{cmd: cmd, at: now})
			mu.Unlock()
			if err := c.writeLine(cmd.Line); err != nil {
				break
			}
		}
		next = next.Add(r.cfg.Interval)
		tick.Reset(time.Until(next))
	}
	mu.Lock()
	writing = false
	if len(queue) == 0 {
		c.nc.SetReadDeadline(time.Now()) // nothing more to wait for
	}
	mu.Unlock()
	<-readDone
}
