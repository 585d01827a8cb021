package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mudd/mudd/loadgen"
)

// benchCluster is gateway mode for `mudd bench --cluster`: a gateway and two scenes, processes
// of this binary on loopback with a temporary data directory. The default game's village
// (millbrook, riverside) is one scene and its forest (eldwood) the other.
type benchCluster struct {
	dir   string
	addr  string // the gateway's player port (telnet or plain TCP, as the bench speaks)
	procs []*exec.Cmd
}

// The walk that measures zone hand-overs: from the start room to the village's west gate, then
// back and forth across the border with the forest.
var (
	crossingSetup = []string{"west", "west"}
	crossings     = []loadgen.Step{{Line: "west", Want: "Edge of the Eldwood"}, {Line: "east", Want: "West Gate"}}
)

// crossingRounds is how many times the walker crosses the border and back in each run.
const crossingRounds = 100

// startCluster starts the gateway and the scenes and waits until both scenes are in.
func (o *benchOptions) startCluster(ctx context.Context) (*benchCluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mudd-bench-cluster-")
	if err != nil {
		return nil, err
	}
	c := &benchCluster{dir: dir}
	ports, err := freePorts(2)
	if err != nil {
		c.stop()
		return nil, err
	}
	c.addr = ports[0]
	natsAddr := ports[1]
	telnetAddr, tcpAddr := "-", c.addr
	if o.telnet {
		telnetAddr, tcpAddr = c.addr, "-"
	}
	common := []string{"--data", dir, "--bcrypt-cost", strconv.Itoa(o.bcryptCost),
		"--save-interval", o.saveEvery.String(), "--log-level", "info"}
	if err := c.start(ctx, exe, "mudd serving", append([]string{"gateway", "--telnet", telnetAddr, "--tcp", tcpAddr,
		"--nats-listen", natsAddr}, common...)...); err != nil {
		c.stop()
		return nil, err
	}
	for _, sc := range [][2]string{{"village", "millbrook,riverside"}, {"forest", "eldwood"}} {
		if err := c.start(ctx, exe, "scene announced", append([]string{"scene", "--id", sc[0], "--zones", sc[1],
			"--nats", "nats://" + natsAddr}, common...)...); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}

// start runs exe with args and waits until its log says ready.
func (c *benchCluster) start(ctx context.Context, exe, ready string, args ...string) error {
	cmd := exec.CommandContext(ctx, exe, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	c.procs = append(c.procs, cmd)
	seen := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var last []string
		for sc.Scan() {
			if strings.Contains(sc.Text(), ready) {
				seen <- true
				io.Copy(io.Discard, stderr)
				return
			}
			last = append(last, sc.Text())
		}
		fmt.Fprintf(os.Stderr, "mudd bench: %s exited:\n%s\n", args[0], strings.Join(last, "\n"))
		seen <- false
	}()
	select {
	case ok := <-seen:
		if !ok {
			return fmt.Errorf("bench cluster: %s did not start", args[0])
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("bench cluster: %s not ready after 30s", args[0])
	}
}

// stop ends the processes (SIGTERM, then SIGKILL after 10 s) and removes the data directory.
func (c *benchCluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(c.dir)
}

// runCluster runs the load against a new cluster, then the crossing walk.
func (o *benchOptions) runCluster(ctx context.Context, run int) (benchResult, error) {
	c, err := o.startCluster(ctx)
	if err != nil {
		return benchResult{}, err
	}
	defer c.stop()
	cfg := o.load
	cfg.Addr, cfg.Telnet = c.addr, o.telnet
	res, err := measure(ctx, "cluster", run, cfg, "")
	if err != nil {
		return res, err
	}
	return res, o.walk(ctx, &res, c.addr, run)
}

// walk measures border crossings on addr into r.
func (o *benchOptions) walk(ctx context.Context, r *benchResult, addr string, run int) error {
	acct := loadgen.Account{Name: "Walker" + string(rune('a'+run%26)), Password: "walker-password"}
	lat, err := loadgen.Walk(ctx, addr, o.telnet, acct, crossingSetup, crossings, crossingRounds)
	if err != nil {
		return fmt.Errorf("%s run %d: crossing walk: %w", r.Target, run, err)
	}
	r.Crossing = &lat
	return nil
}

// freePorts returns n loopback addresses with free ports.
func freePorts(n int) ([]string, error) {
	var out []string
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, errors.Join(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	return out, nil
}

// clusterSummary prints the medians of gateway mode's runs beside the single process's: the
// command round trip and the zone crossing.
func (o *benchOptions) clusterSummary(w io.Writer, engines, clusters []benchResult) {
	if len(clusters) == 0 || o.jsonOut {
		return
	}
	e, c := medians(engines), medians(clusters)
	crossing := func(rs []benchResult, q func(loadgen.Latency) float64) float64 {
		v := make([]float64, 0, len(rs))
		for _, r := range rs {
			if r.Crossing != nil {
				v = append(v, q(*r.Crossing))
			}
		}
		slices.Sort(v)
		if len(v) == 0 {
			return 0
		}
		return v[len(v)/2]
	}
	p50 := func(l loadgen.Latency) float64 { return l.P50 }
	p99 := func(l loadgen.Latency) float64 { return l.P99 }
	fmt.Fprintf(w, "median of %d cluster %9.0f cmd/s  rtt p50 %s p90 %s p99 %s max %s\n", len(clusters),
		c.CommandsPerSec, msStr(c.P50), msStr(c.P90), msStr(c.P99), msStr(c.Max))
	fmt.Fprintf(w, "gateway hop: rtt p50 %+.3fms p99 %+.3fms\n", c.P50-e.P50, c.P99-e.P99)
	fmt.Fprintf(w, "zone crossing: one process p50 %s p99 %s; gateway mode (hand-over) p50 %s p99 %s\n",
		msStr(crossing(engines, p50)), msStr(crossing(engines, p99)), msStr(crossing(clusters, p50)), msStr(crossing(clusters, p99)))
}
