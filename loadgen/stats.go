package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// ServerStats are the figures a mudd server reports to a wizard's "stats" command.
type ServerStats struct {
	Pulses     uint64  `json:"pulses"`
	Commands   uint64  `json:"commands"`
	PulseP99   float64 `json:"pulse_p99_ms"` // the top of the histogram bucket that holds the p99
	PulseMax   float64 `json:"pulse_max_ms"`
	CommandP99 float64 `json:"command_p99_ms"` // queue wait and execution on the game loop
	HeapMiB    int     `json:"heap_mib"`
	SysMiB     int     `json:"sys_mib"` // memory from the OS
	Goroutines int     `json:"goroutines"`
	Text       string  `json:"-"` // the whole answer
}

// QueryStats logs in as acct, which must be a wizard, sends "stats", and parses the answer.
func QueryStats(ctx context.Context, addr string, isTelnet bool, acct Account, timeout time.Duration) (ServerStats, error) {
	deadline := time.Now().Add(timeout)
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return ServerStats{}, err
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	c := newClient(nc, isTelnet, 16<<10)
	if err := c.login(acct.Name, acct.Password, deadline); err != nil {
		return ServerStats{}, err
	}
	nc.SetDeadline(deadline)
	if err := c.writeLine("stats"); err != nil {
		return ServerStats{}, err
	}
	for range 100 {
		batch, _, err := c.next()
		if err != nil {
			return ServerStats{}, fmt.Errorf("stats: %w", err)
		}
		if bytes.Contains(batch, []byte("Pulse:")) {
			c.writeLine("quit")
			return ParseStats(string(batch))
		}
		if bytes.Contains(batch, []byte("Huh?")) {
			return ServerStats{}, fmt.Errorf("stats: %s may not use the stats command (not a wizard?)", acct.Name)
		}
	}
	return ServerStats{}, fmt.Errorf("stats: no answer")
}

// ParseStats reads the answer to the engine's "stats" command.
func ParseStats(text string) (ServerStats, error) {
	st := ServerStats{Text: strings.ReplaceAll(text, "\r", "")}
	found := 0
	for line := range strings.SplitSeq(st.Text, "\n") {
		switch {
		case strings.HasPrefix(line, "Uptime "):
			_, rest, _ := strings.Cut(line, ", ")
			if _, err := fmt.Sscanf(rest, "%d pulses, %d commands", &st.Pulses, &st.Commands); err == nil {
				found++
			}
		case strings.HasPrefix(line, "Pulse:"):
			st.PulseP99, st.PulseMax = summaryField(line, "p99≤"), summaryField(line, "max=")
			found++
		case strings.HasPrefix(line, "Command:"):
			st.CommandP99 = summaryField(line, "p99≤")
		case strings.HasPrefix(line, "Memory:"):
			if _, err := fmt.Sscanf(line, "Memory: %d MiB heap, %d MiB from the OS", &st.HeapMiB, &st.SysMiB); err == nil {
				found++
			}
			if _, g, ok := strings.Cut(line, "Goroutines: "); ok {
				fmt.Sscanf(g, "%d", &st.Goroutines)
			}
		}
	}
	if found < 3 {
		return st, fmt.Errorf("stats: unexpected answer %q", text)
	}
	return st, nil
}

// summaryField reads a duration such as "p99≤5ms" from a histogram summary, in milliseconds.
func summaryField(line, key string) float64 {
	for f := range strings.FieldsSeq(line) {
		if v, ok := strings.CutPrefix(f, key); ok {
			if d, err := time.ParseDuration(v); err == nil {
				return ms(d)
			}
		}
	}
	return 0
}

// CreateWizard makes acct a wizard's account for QueryStats: it logs in once, which creates the
// character if needed, quits, and calls promote, which gives the account the wizard role (the
// role applies from the next login). In-process, promote can call the store's SetRole.
func CreateWizard(ctx context.Context, addr string, isTelnet bool, acct Account, promote func(context.Context) error) error {
	deadline := time.Now().Add(time.Minute)
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	c := newClient(nc, isTelnet, 16<<10)
	if err := c.login(acct.Name, acct.Password, deadline); err != nil {
		return err
	}
	nc.SetDeadline(deadline)
	if err := c.writeLine("quit"); err != nil {
		return err
	}
	for range 100 { // the server closes the connection once the character is saved and gone
		if _, _, err := c.next(); err != nil {
			break
		}
	}
	return promote(ctx)
}
