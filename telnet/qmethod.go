package telnet

// qstate is the RFC 1143 state of one side of one option.
type qstate uint8

const (
	qNo qstate = iota
	qYes
	qWantNo
	qWantYes
)

// A qopt is one side of one option in the RFC 1143 Q method: "us" (we WILL,
// the client says DO) or "him" (the client WILLs, we say DO).
//
// One deviation from the RFC: a disable we send takes effect at once
// (TinTin++ never acknowledges WONT ECHO, so waiting in WANTNO would block
// the next WILL ECHO forever). The state still goes to WANTNO, which counts
// as disabled, so that a late acknowledgement is recognised. Asking to enable
// in WANTNO sends the request at once and sets the queue bit (opposite), which
// here means "enable already sent, the disable is still unacknowledged".
// WANTYES never has the queue bit set.
type qopt struct {
	state    qstate
	opposite bool
}

// answer is what to send back for a received request.
type answer uint8

const (
	answerNone    answer = iota
	answerEnable         // agree: WILL (us) or DO (him)
	answerDisable        // acknowledge a disable: WONT (us) or DONT (him)
	answerRefuse         // refuse an enable: WONT (us) or DONT (him)
)

func (q *qopt) enabled() bool { return q.state == qYes }

// recvEnable handles a received DO (us) or WILL (him). supported says whether
// an unsolicited request is accepted.
func (q *qopt) recvEnable(supported bool) answer {
	switch {
	case q.state == qNo && supported:
		q.state = qYes
		return answerEnable
	case q.state == qNo:
		return answerRefuse
	case q.state == qWantNo && !q.opposite:
		q.state = qNo // crossed our disable, which wins
	default:
		q.state = qYes // YES (ignored), WANTYES, or WANTNO with the enable re-sent
	}
	q.opposite = false
	return answerNone
}

// recvDisable handles a received DONT (us) or WONT (him).
func (q *qopt) recvDisable() answer {
	switch {
	case q.state == qYes:
		q.state = qNo
		return answerDisable
	case q.state == qWantNo && q.opposite:
		q.state = qWantYes // our disable acknowledged; our enable is pending
	default:
		q.state = qNo // NO (ignored), WANTYES refused, WANTNO acknowledged
	}
	q.opposite = false
	return answerNone
}

// askEnable moves towards YES and reports whether to send WILL (us) or DO
// (him).
func (q *qopt) askEnable() bool {
	switch {
	case q.state == qNo:
		q.state = qWantYes
	case q.state == qWantNo && !q.opposite:
		q.opposite = true
	default:
		return false
	}
	return true
}

// askDisable moves to WANTNO, disabled at once, and reports whether to send
// WONT (us) or DONT (him).
func (q *qopt) askDisable() bool {
	if q.state == qNo || q.state == qWantNo && !q.opposite {
		return false
	}
	q.state, q.opposite = qWantNo, false
	return true
}
