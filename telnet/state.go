package telnet

import (
	"errors"
	"fmt"
	"maps"
	"os"
)

// State is everything a [Conn] knows about its connection that is not the socket: the
// options agreed with the client, what the client reported, and input read but not yet
// returned as a line. It is plain data (JSON-friendly), so that a connection can be handed
// to another process (a copyover reboot) and go on there without renegotiating or losing
// what the player was typing.
//
// To support a new option, add its fields here and to Snapshot and Restore; options are
// kept by number, so the agreed state of any option survives without changes.
type State struct {
	Raw bool `json:"raw,omitempty"`

	// Us and Him are the options that are not simply off, on our side (WILL) and on the
	// client's (DO).
	Us  []OptionState `json:"us,omitempty"`
	Him []OptionState `json:"him,omitempty"`

	Width         int      `json:"width,omitempty"`
	Height        int      `json:"height,omitempty"`
	TerminalTypes []string `json:"terminal_types,omitempty"`
	MTTS          int      `json:"mtts"`
	TTypeDone     bool     `json:"ttype_done,omitempty"`

	Charset         string `json:"charset,omitempty"` // agreed through CHARSET
	CharsetAsked    bool   `json:"charset_asked,omitempty"`
	CharsetRejected bool   `json:"charset_rejected,omitempty"`

	GMCPClient string         `json:"gmcp_client,omitempty"` // from Core.Hello
	GMCPSubs   map[string]int `json:"gmcp_subs,omitempty"`   // subscribed packages, lower case
	// Compress says MCCP2 output compression was on (and paused for the hand-over, see
	// PauseCompression): Restore starts it again.
	Compress bool `json:"compress,omitempty"`

	Budget int `json:"budget"` // unsolicited replies left

	// Replies is negotiation output not yet written.
	Replies []byte `json:"replies,omitempty"`

	// Input read from the socket and not yet returned by ReadLine.
	Undecoded   []byte       `json:"undecoded,omitempty"` // not yet through the decoder
	Text        []byte       `json:"text,omitempty"`      // decoded, not yet in the line
	Line        []byte       `json:"line,omitempty"`      // the line being typed
	LineTooLong bool         `json:"line_too_long,omitempty"`
	AfterCR     bool         `json:"after_cr,omitempty"`
	Decoder     DecoderState `json:"decoder"`
}

// OptionState is one side of one option in the RFC 1143 Q method.
type OptionState struct {
	Option   byte   `json:"option"`
	State    string `json:"state"` // "yes", "wantno" or "wantyes"
	Opposite bool   `json:"opposite,omitempty"`
}

// DecoderState is a [Decoder] stopped between two bytes, possibly inside a command or a
// subnegotiation.
type DecoderState struct {
	State  uint8  `json:"state,omitempty"`
	Cmd    byte   `json:"cmd,omitempty"`
	Option byte   `json:"option,omitempty"`
	Sub    []byte `json:"sub,omitempty"`
	Over   bool   `json:"over,omitempty"`
}

var qstateNames = [...]string{qNo: "no", qYes: "yes", qWantNo: "wantno", qWantYes: "wantyes"}

// ErrNotMovable is returned by Snapshot (and Movable) for a connection whose state cannot be
// carried to another process.
var ErrNotMovable = errors.New("telnet: connection cannot be handed over")

// Movable reports whether Snapshot can capture the connection: not once the client has
// compressed its input (MCCP3), whose inflater state cannot be carried.
func (c *Conn) Movable() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflated {
		return fmt.Errorf("%w: the client compresses its input (MCCP3)", ErrNotMovable)
	}
	return nil
}

// PauseCompression ends MCCP2 output compression, if it is on, so that what follows on the
// socket is plain (a Z_FINISH: the client goes on uncompressed). Call it before Snapshot, after
// the last write; ResumeCompression starts it again if the connection stays here.
func (c *Conn) PauseCompression() error {
	c.mu.Lock()
	if c.zon {
		c.markCompress(false)
		c.zPaused = true
	}
	c.mu.Unlock()
	_, err := c.flush(nil)
	return err
}

// ResumeCompression starts MCCP2 again after PauseCompression.
func (c *Conn) ResumeCompression() error {
	c.mu.Lock()
	if c.zPaused && c.opts.us[OptMCCP2].enabled() {
		c.markCompress(true)
	}
	c.zPaused = false
	c.mu.Unlock()
	_, err := c.flush(nil)
	return err
}

// Snapshot returns the connection's state. ReadLine must not be running, and should not be
// called again on c if the connection goes on elsewhere. It fails for a connection that is
// not Movable, or whose output is still compressed (see PauseCompression).
func (c *Conn) Snapshot() (State, error) {
	if err := c.Movable(); err != nil {
		return State{}, err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zon || c.z.zw != nil {
		return State{}, fmt.Errorf("%w: its output is compressed (pause MCCP2 first)", ErrNotMovable)
	}
	return State{
		Raw:           c.cfg.Raw,
		Us:            optionStates(&c.opts.us),
		Him:           optionStates(&c.opts.him),
		Width:         c.width,
		Height:        c.height,
		TerminalTypes: clone(c.types),
		MTTS:          c.mtts,
		TTypeDone:     c.ttDone,

		Charset:         c.charset.name,
		CharsetAsked:    c.charset.asked,
		CharsetRejected: c.charset.rejected,

		GMCPClient: c.client,
		GMCPSubs:   maps.Clone(c.subs),
		Compress:   c.zPaused,

		Budget:      c.budget,
		Replies:     clone(c.pending),
		Undecoded:   clone(c.in),
		Text:        clone(c.data),
		Line:        clone(c.line.buf),
		LineTooLong: c.line.tooLong,
		AfterCR:     c.line.afterCR,
		Decoder: DecoderState{State: uint8(c.dec.state), Cmd: c.dec.cmd, Option: c.dec.opt,
			Sub: clone(c.dec.sub), Over: c.dec.over},
	}, nil
}

// Restore sets the state of a new Conn, made with NewConn on the same socket, from a
// Snapshot. Do not call Start after Restore: the options are agreed already.
func (c *Conn) Restore(s State) error {
	if s.Raw != c.cfg.Raw {
		return fmt.Errorf("telnet: restore: state raw=%v, connection raw=%v", s.Raw, c.cfg.Raw)
	}
	if s.Decoder.State > uint8(stSubIAC) {
		return fmt.Errorf("telnet: restore: unknown decoder state %d", s.Decoder.State)
	}
	if len(s.Line) > c.cfg.MaxLine || len(s.Decoder.Sub) > c.cfg.MaxSub {
		return errors.New("telnet: restore: pending input over the limits")
	}
	var opts options
	if err := setOptions(&opts.us, s.Us); err != nil {
		return err
	}
	if err := setOptions(&opts.him, s.Him); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opts = opts
	c.width, c.height = s.Width, s.Height
	c.types, c.mtts, c.ttDone = clone(s.TerminalTypes), s.MTTS, s.TTypeDone
	c.charset = charsetState{asked: s.CharsetAsked, name: s.Charset, rejected: s.CharsetRejected}
	c.client, c.subs = s.GMCPClient, maps.Clone(s.GMCPSubs)
	if s.Compress && c.opts.us[OptMCCP2].enabled() && !c.cfg.NoCompress {
		c.markCompress(true) // the first write starts MCCP2 again
	}
	c.budget = max(s.Budget, 0)
	c.pending = clone(s.Replies)
	c.in, c.data = clone(s.Undecoded), clone(s.Text)
	c.line.buf, c.line.tooLong, c.line.afterCR = clone(s.Line), s.LineTooLong, s.AfterCR
	c.dec.state, c.dec.cmd, c.dec.opt = decState(s.Decoder.State), s.Decoder.Cmd, s.Decoder.Option
	c.dec.sub, c.dec.over = clone(s.Decoder.Sub), s.Decoder.Over
	return nil
}

func optionStates(q *[256]qopt) []OptionState {
	var out []OptionState
	for i, o := range q {
		if o.state != qNo || o.opposite {
			out = append(out, OptionState{Option: byte(i), State: qstateNames[o.state], Opposite: o.opposite})
		}
	}
	return out
}

func setOptions(q *[256]qopt, list []OptionState) error {
	for _, o := range list {
		st := -1
		for i, name := range qstateNames {
			if name == o.State {
				st = i
			}
		}
		if st < 0 {
			return fmt.Errorf("telnet: restore: option %d: unknown state %q", o.Option, o.State)
		}
		q[o.Option] = qopt{state: qstate(st), opposite: o.Opposite}
	}
	return nil
}

func clone[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}

// isTimeout reports whether err is a read deadline passing: the connection is still usable.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
