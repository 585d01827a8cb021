package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"time"
)

// Step is one line of a Walk and text its answer must hold.
type Step struct {
	Line string
	Want string
}

// Walk logs in as acct (creating the character if needed), runs the setup lines, then runs
// the steps in turn, rounds times, and returns the round trip of each step: from writing its
// line to the prompt that ends its answer. It fails if an answer lacks its step's Want, so a
// walk measures the moves it meant to (zone hand-overs, between scenes of a cluster).
func Walk(ctx context.Context, addr string, isTelnet bool, acct Account, setup []string, steps []Step, rounds int) (Latency, error) {
	deadline := time.Now().Add(time.Minute)
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Latency{}, err
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	c := newClient(nc, isTelnet, 16<<10)
	if err := c.login(acct.Name, acct.Password, deadline); err != nil {
		return Latency{}, err
	}
	for _, line := range setup {
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := c.writeLine(line); err != nil {
			return Latency{}, err
		}
		if _, _, err := c.next(); err != nil {
			return Latency{}, fmt.Errorf("walk: %s: %w", line, err)
		}
	}
	var h Histogram
	for range rounds {
		for _, s := range steps {
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			start := time.Now()
			if err := c.writeLine(s.Line); err != nil {
				return Latency{}, err
			}
			batch, at, err := c.next()
			if err != nil {
				return Latency{}, fmt.Errorf("walk: %s: %w", s.Line, err)
			}
			if !bytes.Contains(batch, []byte(s.Want)) {
				return Latency{}, fmt.Errorf("walk: %s: answer without %q: %q", s.Line, s.Want, batch)
			}
			h.Record(at.Sub(start))
		}
	}
	return h.Summary(), nil
}
