package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mudd/mudd/telnet"
)

// maxRefusals bounds the option refusals a client sends on one connection.
const maxRefusals = 64

// client is the player's side of one connection. It writes lines and reads what the server
// sends as batches, each ending with a prompt.
//
// On a telnet connection the telnet package's Decoder strips the protocol; a batch ends at IAC
// GA or IAC EOR, which the server puts after every prompt, so batches are exact. The client
// refuses every option the server offers. On a plain TCP connection there is no mark: a batch
// ends at a line that starts with the game prompt "> ", and while logging in also at a read that
// ends in an unfinished line ending as questions do ("Password: ").
type client struct {
	nc     net.Conn
	telnet bool
	dec    telnet.Decoder
	rbuf   []byte
	in     []byte // read and not yet parsed
	batch  []byte // the batch being received
	readAt time.Time
	wbuf   []byte
	reply  []byte // refusals to send with the next write
	refuse int    // refusals left

	loggingIn bool // plain TCP: a read ending in "…: ", "…? " or "…) " ends a batch
	lineStart bool // plain TCP: the next byte starts a line
	gt        bool // plain TCP: a '>' started the last line so far
}

func newClient(nc net.Conn, isTelnet bool, bufSize int) *client {
	return &client{nc: nc, telnet: isTelnet, rbuf: make([]byte, bufSize), refuse: maxRefusals, lineStart: true}
}

// next returns the next batch, with its prompt, and when its last byte was read. The batch is
// valid until the next call. A read deadline ends the call with the partial batch dropped.
func (c *client) next() ([]byte, time.Time, error) {
	c.batch = c.batch[:0]
	for {
		if len(c.in) > 0 {
			var done bool
			if c.telnet {
				done = c.scanTelnet()
			} else {
				done = c.scanRaw()
			}
			if done {
				return c.batch, c.readAt, nil
			}
			if c.loggingIn && !c.telnet && endsWithQuestion(c.batch) {
				return c.batch, c.readAt, nil
			}
		}
		if len(c.reply) > 0 {
			if err := c.write(nil); err != nil {
				return nil, time.Time{}, err
			}
		}
		n, err := c.nc.Read(c.rbuf)
		c.readAt = time.Now()
		c.in = c.rbuf[:n]
		if n == 0 && err != nil {
			return nil, time.Time{}, err
		}
	}
}

// scanTelnet moves decoded text from c.in to c.batch up to the next prompt mark and reports
// whether it found one.
func (c *client) scanTelnet() bool {
	for len(c.in) > 0 {
		n, ev := c.dec.Next(c.in)
		c.in = c.in[n:]
		switch ev.Kind {
		case telnet.EventData:
			c.batch = append(c.batch, ev.Data...)
		case telnet.EventCommand:
			if ev.Cmd == telnet.GA || ev.Cmd == telnet.EOR {
				return true
			}
		case telnet.EventOption:
			c.refuseOption(ev.Cmd, ev.Option)
		}
	}
	return false
}

// refuseOption answers WILL with DONT and DO with WONT.
func (c *client) refuseOption(cmd, opt byte) {
	no := telnet.DONT
	switch {
	case c.refuse == 0, cmd == telnet.WONT, cmd == telnet.DONT:
		return
	case cmd == telnet.DO:
		no = telnet.WONT
	}
	c.refuse--
	c.reply = append(c.reply, telnet.IAC, no, opt)
}

// scanRaw moves text from c.in to c.batch up to the next prompt and reports whether it found
// one. A prompt is "> " at the start of a line.
func (c *client) scanRaw() bool {
	for len(c.in) > 0 {
		switch {
		case c.gt:
			c.gt = false
			c.batch = append(c.batch, '>')
			if c.in[0] == ' ' {
				c.batch = append(c.batch, ' ')
				c.in = c.in[1:]
				c.lineStart = true // an answer may be a bare prompt: "> > "
				return true
			}
			continue
		case c.lineStart && c.in[0] == '>':
			c.gt, c.lineStart = true, false
			c.in = c.in[1:]
			continue
		}
		c.lineStart = false
		i := bytes.IndexByte(c.in, '\n')
		if i < 0 {
			c.batch = append(c.batch, c.in...)
			c.in = nil
			return false
		}
		c.batch = append(c.batch, c.in[:i+1]...)
		c.in = c.in[i+1:]
		c.lineStart = true
	}
	return false
}

// endsWithQuestion reports whether text ends with an unfinished line that ends as login
// questions do: "? ", ": " or ") " ("By what name do you wish to be known? ").
func endsWithQuestion(text []byte) bool {
	n := len(text)
	return n >= 2 && text[n-1] == ' ' && (text[n-2] == '?' || text[n-2] == ':' || text[n-2] == ')')
}

// writeLine sends line and CR LF, after any pending refusals, in one write.
func (c *client) writeLine(line string) error {
	c.wbuf = append(append(c.wbuf[:0], line...), '\r', '\n')
	return c.write(c.wbuf)
}

func (c *client) write(p []byte) error {
	if len(c.reply) > 0 {
		p = append(c.reply, p...)
		c.reply = c.reply[:0]
	}
	_, err := c.nc.Write(p)
	return err
}

// Login problems.
var (
	errLoginRefused = errors.New("login refused")
	errLoginSteps   = errors.New("login: too many questions")
	errNoQuestion   = errors.New("not a login question")
)

// login answers the login questions until the game's first prompt: it creates the character
// if it does not exist. It gives up at deadline or at the first problem, without retrying.
func (c *client) login(name, password string, deadline time.Time) error {
	c.nc.SetDeadline(deadline)
	defer c.nc.SetDeadline(time.Time{})
	c.loggingIn = true
	defer func() { c.loggingIn = false }()
	for range 50 {
		batch, _, err := c.next()
		if err != nil {
			return fmt.Errorf("login as %s: %w", name, err)
		}
		reply, inGame, err := loginReply(batch, name, password)
		if errors.Is(err, errNoQuestion) && !c.telnet {
			continue // plain TCP: a read that ended with "…: " in the middle of some text
		}
		if err != nil || inGame {
			return err
		}
		if err := c.writeLine(reply); err != nil {
			return fmt.Errorf("login as %s: %w", name, err)
		}
	}
	return fmt.Errorf("%w as %s", errLoginSteps, name)
}

// loginReply reads one batch of the login dialogue and returns the answer to its question, or
// inGame when it ends with the game prompt.
func loginReply(batch []byte, name, password string) (reply string, inGame bool, err error) {
	last := batch[bytes.LastIndexByte(batch, '\n')+1:]
	for _, bad := range []string{"Wrong password", "won't do", "took that name", "don't match", "locked", "Goodbye"} {
		if bytes.Contains(batch, []byte(bad)) {
			return "", false, fmt.Errorf("%w as %s: %q", errLoginRefused, name, bytes.TrimSpace(batch))
		}
	}
	switch s := string(last); {
	case s == "> ":
		return "", true, nil
	case bytes.Contains(last, []byte("name")) && bytes.HasSuffix(last, []byte("? ")):
		return name, false, nil
	case bytes.Contains(last, []byte("(yes/no)")):
		return "yes", false, nil
	case bytes.Contains(last, []byte("assword")), bytes.Contains(last, []byte("again")):
		return password, false, nil
	}
	return "", false, fmt.Errorf("login as %s: %w: %q", name, errNoQuestion, last)
}
