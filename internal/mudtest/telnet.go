package mudtest

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/telnet"
)

// TelnetClient speaks telnet to a server the way a MUD client does: it inflates MCCP2
// output, collects GMCP and MSDP messages apart from the text, records the server's
// negotiation, and can compress its own input with MCCP3. It answers nothing by itself;
// the test writes the client's bytes.
type TelnetClient struct {
	Conn net.Conn
	t    testing.TB

	mu      sync.Mutex
	text    []byte           // text not yet consumed
	msgs    []telnet.Message // GMCP and MSDP messages not yet consumed
	neg     []string         // the server's negotiation, e.g. "WILL 201", "SB 24 01"
	starts  int              // MCCP2 streams started
	ends    int              // MCCP2 streams finished
	rawIn   int              // bytes read from the socket
	mark    bool             // put "{Package}" in the text for each GMCP message
	err     error            // why reading stopped
	changed chan struct{}

	zw   *zlib.Writer // MCCP3 input compression, once started
	zdst redirect     // where zw writes: a buffer for the first write, then the socket
}

// redirect is a writer whose destination can change.
type redirect struct{ w io.Writer }

func (r *redirect) Write(p []byte) (int, error) { return r.w.Write(p) }

// DialTelnet connects to a telnet address and starts reading; the connection closes when the
// test ends.
func DialTelnet(t testing.TB, addr net.Addr) *TelnetClient {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	tc := &TelnetClient{Conn: c, t: t, changed: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() { defer close(done); tc.read() }()
	t.Cleanup(func() { c.Close(); <-done })
	return tc
}

// countingReader counts the bytes read from the socket.
type countingReader struct {
	c *TelnetClient
	r io.Reader
}

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.c.mu.Lock()
	r.c.rawIn += n
	r.c.mu.Unlock()
	return n, err
}

// read decodes the server's stream until it ends.
func (c *TelnetClient) read() {
	var dec telnet.Decoder
	dec.MaxSub = 1 << 20
	dec.MaxOOB = 1 << 20
	src := bufio.NewReader(countingReader{c, c.Conn})
	var in io.Reader = src
	inflating := false
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(buf)
		if errors.Is(err, io.EOF) && inflating { // Z_FINISH: plain bytes follow
			in, inflating, err = src, false, nil
			c.update(func() { c.ends++ })
		}
		p := buf[:n]
		for len(p) > 0 {
			k, ev := dec.Next(p)
			p = p[k:]
			if ev.Kind == telnet.EventSub && ev.Option == telnet.OptMCCP2 {
				// src goes on after the stream ends, so the rest of this read comes first.
				src = bufio.NewReader(io.MultiReader(bytes.NewReader(bytes.Clone(p)), src))
				zr, zerr := zlib.NewReader(src)
				if zerr != nil {
					c.update(func() { c.err = fmt.Errorf("MCCP2 stream: %w", zerr) })
					return
				}
				in, p, inflating = zr, nil, true
				c.update(func() { c.starts++; c.neg = append(c.neg, "SB 86") })
				continue
			}
			c.event(ev)
		}
		if err != nil {
			c.update(func() { c.err = err })
			return
		}
	}
}

// event records one decoded event.
func (c *TelnetClient) event(ev telnet.Event) {
	c.update(func() {
		switch ev.Kind {
		case telnet.EventData:
			c.text = append(c.text, ev.Data...)
		case telnet.EventOption:
			c.neg = append(c.neg, fmt.Sprintf("%s %d", cmdName(ev.Cmd), ev.Option))
		case telnet.EventCommand:
			c.neg = append(c.neg, fmt.Sprintf("IAC %d", ev.Cmd))
			if ev.Cmd == telnet.EOR || ev.Cmd == telnet.GA {
				c.text = append(c.text, []byte(fmt.Sprintf("<%s>", cmdName(ev.Cmd)))...)
			}
		case telnet.EventSub:
			switch ev.Option {
			case telnet.OptGMCP:
				if m, err := telnet.ParseGMCP(ev.Data); err == nil {
					c.msgs = append(c.msgs, m)
					if c.mark {
						c.text = append(c.text, "{"+m.Package+"}"...)
					}
				} else {
					c.neg = append(c.neg, "bad GMCP: "+err.Error())
				}
			case telnet.OptMSDP:
				if vars, err := telnet.ParseMSDP(ev.Data); err == nil {
					c.msgs = append(c.msgs, telnet.Message{Option: telnet.OptMSDP, Vars: vars})
				} else {
					c.neg = append(c.neg, "bad MSDP: "+err.Error())
				}
			default:
				c.neg = append(c.neg, fmt.Sprintf("SB %d % x", ev.Option, ev.Data))
			}
		}
	})
}

func cmdName(b byte) string {
	switch b {
	case telnet.WILL:
		return "WILL"
	case telnet.WONT:
		return "WONT"
	case telnet.DO:
		return "DO"
	case telnet.DONT:
		return "DONT"
	case telnet.EOR:
		return "EOR"
	case telnet.GA:
		return "GA"
	}
	return fmt.Sprint(b)
}

// update changes the client's state under its lock and wakes waiters.
func (c *TelnetClient) update(fn func()) {
	c.mu.Lock()
	fn()
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// wait calls check under the lock until it reports true, failing the test after Timeout.
func (c *TelnetClient) wait(what string, check func() bool) {
	c.t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok, err := check(), c.err
		c.mu.Unlock()
		if ok {
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		select {
		case <-c.changed:
		case <-deadline.C:
			c.mu.Lock()
			defer c.mu.Unlock()
			c.t.Fatalf("waiting for %s: timed out (err %v)\ntext:\n%s\nnegotiation: %q\nmessages: %+v",
				what, c.err, c.text, c.neg, c.msgs)
		}
	}
}

// Closed waits until the connection ends (closed or reset by the server) and reports
// whether it did within Timeout.
func (c *TelnetClient) Closed() bool {
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		if err != nil {
			return true
		}
		select {
		case <-c.changed:
		case <-deadline.C:
			return false
		}
	}
}

// Write sends raw bytes, through the MCCP3 compressor once StartMCCP3 was called.
func (c *TelnetClient) Write(p string) {
	c.t.Helper()
	var err error
	if c.zw != nil {
		c.zw.Write([]byte(p))
		err = c.zw.Flush()
	} else {
		_, err = c.Conn.Write([]byte(p))
	}
	if err != nil {
		c.t.Fatalf("write % x: %v", p, err)
	}
}

// Send sends a line.
func (c *TelnetClient) Send(line string) { c.t.Helper(); c.Write(line + "\r\n") }

// StartMCCP3 writes plain, then IAC SB MCCP3 IAC SE and compressed, all in one write, as
// TinTin++ does; from then on everything written is compressed.
func (c *TelnetClient) StartMCCP3(plain, compressed string) {
	c.t.Helper()
	var b bytes.Buffer
	b.WriteString(plain)
	b.Write([]byte{telnet.IAC, telnet.SB, telnet.OptMCCP3, telnet.IAC, telnet.SE})
	c.zdst.w = &b
	c.zw = zlib.NewWriter(&c.zdst)
	c.zw.Write([]byte(compressed))
	c.zw.Flush()
	if _, err := c.Conn.Write(b.Bytes()); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	c.zdst.w = c.Conn
}

// Expect waits until want appears in the text and returns the text up to and including it.
// Prompt marks appear in the text as <EOR> or <GA>.
func (c *TelnetClient) Expect(want string) string {
	c.t.Helper()
	var out string
	c.wait(fmt.Sprintf("text %q", want), func() bool {
		i := bytes.Index(c.text, []byte(want))
		if i < 0 {
			return false
		}
		out = string(c.text[:i+len(want)])
		c.text = c.text[i+len(want):]
		return true
	})
	return out
}

// Do sends a command and returns its output up to the prompt that ends it.
func (c *TelnetClient) Do(line string) string {
	c.t.Helper()
	c.Send(line)
	return c.Expect("> ")
}

// Negotiated waits until the server has sent ev (e.g. "WILL 201", "SB 86", "SB 24 01").
func (c *TelnetClient) Negotiated(ev string) {
	c.t.Helper()
	c.wait(fmt.Sprintf("negotiation %q", ev), func() bool {
		for _, n := range c.neg {
			if n == ev || strings.HasPrefix(n, ev+" ") {
				return true
			}
		}
		return false
	})
}

// Negotiation returns what the server negotiated so far.
func (c *TelnetClient) Negotiation() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.neg...)
}

// GMCP waits for a GMCP message of package pkg (case-insensitive), drops the messages before
// it, and returns it.
func (c *TelnetClient) GMCP(pkg string) telnet.Message {
	c.t.Helper()
	var m telnet.Message
	c.wait("GMCP "+pkg, func() bool {
		for i, x := range c.msgs {
			if x.Option == telnet.OptGMCP && strings.EqualFold(x.Package, pkg) {
				m, c.msgs = x, c.msgs[i+1:]
				return true
			}
		}
		return false
	})
	return m
}

// MSDP waits for an MSDP message that sets variable name, drops the messages before it, and
// returns the value.
func (c *TelnetClient) MSDP(name string) any {
	c.t.Helper()
	var v any
	c.wait("MSDP "+name, func() bool {
		for i, x := range c.msgs {
			for _, vr := range x.Vars {
				if x.Option == telnet.OptMSDP && vr.Name == name {
					v, c.msgs = vr.Value, c.msgs[i+1:]
					return true
				}
			}
		}
		return false
	})
	return v
}

// Messages returns the GMCP and MSDP messages not yet consumed.
func (c *TelnetClient) Messages() []telnet.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]telnet.Message(nil), c.msgs...)
}

// Compression returns how many MCCP2 streams the server started and finished.
func (c *TelnetClient) Compression() (started, finished int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts, c.ends
}

// RawBytes is how many bytes came over the socket so far.
func (c *TelnetClient) RawBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rawIn
}

// GMCPFrame returns IAC SB GMCP pkg data IAC SE, for Write.
func GMCPFrame(pkg, data string) string {
	return string(telnet.AppendGMCP(nil, pkg, []byte(data)))
}

// MarkGMCP puts "{Package}" in the text where each GMCP message arrives from now on (or no
// longer), to check the order of messages and text.
func (c *TelnetClient) MarkGMCP(on bool) { c.update(func() { c.mark = on }) }

// ForgetMessages drops the GMCP and MSDP messages received so far.
func (c *TelnetClient) ForgetMessages() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = nil
}
