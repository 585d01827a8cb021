package loadgen_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/loadgen"
)

// startEngine runs the default game, or the game given, on loopback ports until the test ends.
func startEngine(t *testing.T, game ...fs.FS) *engine.Engine {
	t.Helper()
	g := mudd.DefaultGame()
	if len(game) > 0 {
		g = game[0]
	}
	eng, err := engine.New(engine.Config{
		Game: g, DataDir: t.TempDir(),
		TelnetAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0", BcryptCost: 4,
		// The game's commands are Lua (score is): on a loaded machine under the race detector
		// the default 50 ms budget can abort one, and its bot then waits for an answer that
		// never comes. These tests are about the load generator, not the budget.
		LuaBudget: time.Second,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	<-eng.Ready()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return eng
}

// startCeiling runs a Ceiling on a loopback port until the test ends.
func startCeiling(t *testing.T, isTelnet bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&loadgen.Ceiling{Telnet: isTelnet}).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ceiling Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func mustMix(t *testing.T, spec string) loadgen.Mix {
	t.Helper()
	m, err := loadgen.ParseMix(spec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunAgainstEngine runs a handful of bots against the default game on both ports, closed
// and open loop, twice so that the second run logs in to the characters the first created.
// It checks what was counted, never how fast.
func TestRunAgainstEngine(t *testing.T) {
	eng := startEngine(t)
	wizard := loadgen.Account{Name: "Benchwiz", Password: "wizard-password"}
	if err := loadgen.CreateWizard(context.Background(), eng.TCPAddr().String(), false, wizard,
		func(ctx context.Context) error {
			return eng.Store().SetRole(ctx, wizard.Name, engine.RoleWizard.String())
		}); err != nil {
		t.Fatalf("CreateWizard: %v", err)
	}
	tests := []struct {
		name     string
		telnet   bool
		mix      string
		interval time.Duration
	}{
		{"tcp closed", false, "look=4,n=1,s=1,say=1,get=1,drop=1,score~Time played=1", 0},
		{"telnet closed", true, "look=4,n=1,s=1,e=1,w=1,say=1,get=1,drop=1", 0},
		{"tcp open", false, "look=2,n=1,s=1,say=1", 20 * time.Millisecond},
		{"telnet open again", true, "look=1", 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := eng.TCPAddr().String()
			if tt.telnet {
				addr = eng.TelnetAddr().String()
			}
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				Addr: addr, Telnet: tt.telnet, Bots: 5, Ramp: 5 * time.Millisecond,
				Duration: 700 * time.Millisecond, Interval: tt.interval, Mix: mustMix(t, tt.mix),
				Timeout: 5 * time.Second, Stats: &wizard,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Logins != 5 || res.LoginErrors != 0 || res.Commands == 0 || res.Errors != 0 || res.Disconnects != 0 {
				t.Fatalf("result %+v", res)
			}
			if res.RTT.Count != res.Commands || res.RTT.Max < res.RTT.P50 || res.CommandsPerSec <= 0 {
				t.Errorf("latency %+v for %d commands", res.RTT, res.Commands)
			}
			if res.Server == nil || res.Server.Commands == 0 || res.Server.HeapMiB == 0 && res.Server.SysMiB == 0 {
				t.Errorf("server stats %+v, error %q", res.Server, res.StatsError)
			}
		})
	}
}

// TestRunBounds checks that the command budget ends the load phase and that a wrong password
// is a counted login error, not a retry.
func TestRunBounds(t *testing.T) {
	eng := startEngine(t)
	addr := eng.TCPAddr().String()
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		Addr: addr, Bots: 3, Duration: time.Minute, MaxCommands: 30, Prefix: "Bound",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commands > 30 || res.Commands < 28 || res.Seconds > 30 {
		t.Fatalf("budget of 30 commands: %d commands in %.1fs", res.Commands, res.Seconds)
	}
	res, err = loadgen.Run(context.Background(), loadgen.Config{
		Addr: addr, Bots: 3, Duration: time.Second, Prefix: "Bound", Password: "another-password",
	})
	if err == nil || res.LoginErrors != 3 || res.Logins != 0 {
		t.Fatalf("wrong password: err %v, result %+v", err, res)
	}
}

// TestRunAgainstCeiling runs the look workload against the Ceiling on both protocols.
func TestRunAgainstCeiling(t *testing.T) {
	for _, isTelnet := range []bool{false, true} {
		res, err := loadgen.Run(context.Background(), loadgen.Config{
			Addr: startCeiling(t, isTelnet), Telnet: isTelnet, Bots: 5, Duration: 300 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Logins != 5 || res.Commands == 0 || res.Errors != 0 || res.Disconnects != 0 || res.Unsolicited != 0 {
			t.Fatalf("telnet %v: result %+v", isTelnet, res)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	addr := startCeiling(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Config{Addr: addr, Bots: 3, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 10*time.Second || res.Errors != 0 {
		t.Fatalf("cancelled run took %v: %+v", time.Since(start), res)
	}
}

// TestRunSpreadGame runs bots in testdata/spread, the game for load tests with many players,
// which sends each player on from the start room to one of a hundred rooms.
func TestRunSpreadGame(t *testing.T) {
	eng := startEngine(t, os.DirFS("testdata/spread"))
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		Addr: eng.TelnetAddr().String(), Telnet: true, Bots: 20, Duration: 500 * time.Millisecond,
		Interval: 50 * time.Millisecond, Mix: mustMix(t, "look=3,e=1,w=1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Logins != 20 || res.Commands == 0 || res.Errors != 0 || res.Disconnects != 0 {
		t.Fatalf("result %+v", res)
	}
}
