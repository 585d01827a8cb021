package telnet

import (
	"bytes"
	"cmp"
)

// DefaultMaxSub is the subnegotiation payload limit of a zero [Decoder].
const DefaultMaxSub = 8192

// EventKind says what an [Event] holds.
type EventKind uint8

const (
	EventNone       EventKind = iota // nothing: the input was used up
	EventData                        // Data holds text bytes
	EventCommand                     // Cmd holds a command such as NOP, IP, AYT or a stray SE
	EventOption                      // Cmd is WILL, WONT, DO or DONT; Option says which
	EventSub                         // a complete subnegotiation: Option, and Data its unescaped payload
	EventSubTooLong                  // the subnegotiation for Option passed MaxSub; it is dropped
)

// An Event is one thing found in the input by [Decoder.Next].
type Event struct {
	Kind   EventKind
	Cmd    byte
	Option byte
	Data   []byte
}

type decState uint8

const (
	stData decState = iota
	stIAC
	stOption // after IAC WILL/WONT/DO/DONT
	stSubOpt // after IAC SB
	stSub    // in a subnegotiation payload
	stSubIAC // IAC inside a subnegotiation
)

// A Decoder splits a telnet byte stream into text and telnet events. It keeps
// its state between calls, so input may be cut anywhere. The zero value is
// ready to use.
//
// Inside a subnegotiation, IAC IAC is a literal 0xFF and IAC SE ends it. Any
// other command there is taken to mean that the client left out IAC SE: the
// subnegotiation ends and the command is decoded as usual.
type Decoder struct {
	// MaxSub limits a subnegotiation payload (after unescaping) to this many
	// bytes; 0 means DefaultMaxSub. A longer one is reported once with
	// EventSubTooLong and dropped up to its end.
	MaxSub int
	// MaxOOB is the limit for GMCP and MSDP payloads instead of MaxSub; 0 means
	// DefaultMaxOOB.
	MaxOOB int

	state decState
	cmd   byte
	opt   byte
	sub   []byte
	over  bool
}

// Next decodes p up to the first event and returns how many bytes of p it
// consumed and the event. Text comes as EventData with Data a subslice of p.
// A subnegotiation payload is valid until the next call. When it returns
// EventNone it has consumed all of p; otherwise n may be less than len(p)
// (even 0), and the caller passes p[n:] to the next call.
func (d *Decoder) Next(p []byte) (n int, ev Event) {
	for n < len(p) {
		switch d.state {
		case stData:
			if p[n] != IAC {
				run := untilIAC(p[n:])
				return n + len(run), Event{Kind: EventData, Data: run}
			}
			d.state = stIAC
			n++
		case stSub:
			run := untilIAC(p[n:])
			n += len(run)
			if n < len(p) {
				d.state = stSubIAC
				n++
			}
			if d.addSub(run) {
				return n, Event{Kind: EventSubTooLong, Option: d.opt}
			}
		default:
			ev, used := d.step(p[n])
			if used {
				n++
			}
			if ev.Kind == EventData {
				ev.Data = p[n-1 : n]
			}
			if ev.Kind != EventNone {
				return n, ev
			}
		}
	}
	return n, Event{}
}

// untilIAC returns the part of p before the first IAC.
func untilIAC(p []byte) []byte {
	if i := bytes.IndexByte(p, IAC); i >= 0 {
		return p[:i]
	}
	return p
}

// step handles one byte after IAC, after a negotiation command or after
// IAC SB. It reports whether it consumed b: a command that interrupts a
// subnegotiation ends it and is decoded again in state stIAC.
func (d *Decoder) step(b byte) (ev Event, used bool) {
	switch d.state {
	case stIAC:
		return d.command(b), true
	case stOption:
		d.state = stData
		return Event{Kind: EventOption, Cmd: d.cmd, Option: b}, true
	case stSubOpt:
		d.opt, d.sub, d.over, d.state = b, d.sub[:0], false, stSub
		return Event{}, true
	}
	switch b { // stSubIAC
	case IAC:
		d.state = stSub
		if d.addSub([]byte{IAC}) {
			return Event{Kind: EventSubTooLong, Option: d.opt}, true
		}
		return Event{}, true
	case SE:
		d.state = stData
		return d.endSub(), true
	}
	d.state = stIAC
	return d.endSub(), false
}

// command handles the byte after IAC outside a subnegotiation. IAC IAC
// yields an EventData whose Data the caller fills in.
func (d *Decoder) command(b byte) Event {
	switch b {
	case IAC:
		d.state = stData
		return Event{Kind: EventData}
	case WILL, WONT, DO, DONT:
		d.cmd, d.state = b, stOption
	case SB:
		d.state = stSubOpt
	default:
		d.state = stData
		return Event{Kind: EventCommand, Cmd: b}
	}
	return Event{}
}

// addSub appends p to the subnegotiation payload. It reports true once, when
// the payload first grows past MaxSub; from then on the payload is dropped.
func (d *Decoder) addSub(p []byte) bool {
	if d.over {
		return false
	}
	limit := d.MaxSub
	if d.opt == OptGMCP || d.opt == OptMSDP {
		limit = cmp.Or(d.MaxOOB, DefaultMaxOOB)
	}
	if limit <= 0 {
		limit = DefaultMaxSub
	}
	if len(d.sub)+len(p) > limit {
		d.over, d.sub = true, d.sub[:0]
		return true
	}
	d.sub = append(d.sub, p...)
	return false
}

// endSub returns the event for a finished subnegotiation.
func (d *Decoder) endSub() Event {
	if d.over {
		return Event{}
	}
	return Event{Kind: EventSub, Option: d.opt, Data: d.sub}
}
