package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/loadgen"
)

// TestBenchInProcess runs `mudd bench` against its in-process engine and the ceiling, briefly,
// and checks the JSON lines it prints. Timing is not checked.
func TestBenchInProcess(t *testing.T) {
	for _, proto := range []string{"--telnet=false", "--telnet"} {
		var out, errs bytes.Buffer
		args := []string{"bench", proto, "--bots", "3", "--duration", "300ms", "--ceiling", "--json", "--runs", "2"}
		if code := run(args, &out, &errs); code != 0 {
			t.Fatalf("%v exited %d: %s %s", args, code, out.String(), errs.String())
		}
		var targets []string
		var summary map[string]any
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
			var r struct {
				Target   string          `json:"target"`
				Commands int             `json:"commands"`
				Errors   int             `json:"errors"`
				Server   json.RawMessage `json:"server"`
				Summary  string          `json:"summary"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if r.Summary != "" {
				json.Unmarshal([]byte(line), &summary)
				continue
			}
			if r.Commands == 0 || r.Errors != 0 || (r.Target == "engine") != (r.Server != nil) {
				t.Errorf("%s result %s", proto, line)
			}
			targets = append(targets, r.Target)
		}
		if strings.Join(targets, ",") != "engine,ceiling,engine,ceiling" || summary["ratio"] == nil {
			t.Fatalf("%s: targets %v, summary %v", proto, targets, summary)
		}
	}
}

func TestBenchFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--mix", "say=1", "--ceiling"}, "--mix look=1"},
		{[]string{"bench", "--mix", "look=0"}, "no command"},
		{[]string{"bench", "--rate", "fast"}, "rate"},
		{[]string{"bench", "--bots", "0"}, "at least 1"},
		{[]string{"bench", "extra"}, "unexpected"},
		{[]string{"bench", "--addr", "127.0.0.1:4001", "--listen", "127.0.0.1:0"}, "in-process"},
		{[]string{"bench", "--game", "/nonexistent"}, "not a directory"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if code := run(tt.args, &out, &out); code != 1 || !strings.Contains(out.String(), tt.want) {
			t.Errorf("run(%v) = %d, %q; want 1 and %q", tt.args, code, out.String(), tt.want)
		}
	}
}

// TestBenchListen serves the bench's engine, and the ceiling, with --listen and runs bots
// against them from the test, as a second process would with --addr.
func TestBenchListen(t *testing.T) {
	tests := []struct {
		args  []string
		stats *loadgen.Account
	}{
		{[]string{"--listen", "127.0.0.1:0", "--game", "../../loadgen/testdata/spread"}, benchWizard()},
		{[]string{"--listen", "127.0.0.1:0", "--ceiling"}, nil},
	}
	for _, tt := range tests {
		o, err := parseBench(tt.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- o.serveOnly(ctx, pw); pw.Close() }()
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(line, " on ")
		addr, _, _ := strings.Cut(strings.TrimSpace(rest), ",")
		res, err := loadgen.Run(ctx, loadgen.Config{Addr: addr, Bots: 3, Duration: 300 * time.Millisecond, Stats: tt.stats})
		if err != nil {
			t.Fatalf("%v: %v (served: %q)", tt.args, err, line)
		}
		if res.Commands == 0 || res.Errors != 0 || (res.Server == nil) != (tt.stats == nil) {
			t.Fatalf("%v: result %+v", tt.args, res)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestBenchCluster runs `mudd bench --cluster` from the built binary (it starts the gateway
// and scenes from its own executable): the same load in one process and in gateway mode, and
// the zone crossings of each.
func TestBenchCluster(t *testing.T) {
	bin := buildMudd(t)
	out, err := exec.Command(bin, "bench", "--cluster", "--bots", "3", "--duration", "300ms").CombinedOutput()
	if err != nil {
		t.Fatalf("mudd bench --cluster: %v\n%s", err, out)
	}
	for _, want := range []string{"run 1 engine", "run 1 cluster", "zone crossing (200)", "gateway hop: rtt p50",
		"gateway mode (hand-over) p50"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}
