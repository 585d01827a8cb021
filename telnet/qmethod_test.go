package telnet

import "testing"

func TestQMethod(t *testing.T) {
	type op int
	const (
		enable op = iota // receive WILL/DO, supported
		enableUnsupported
		disable // receive WONT/DONT
		askOn
		askOff
	)
	tests := []struct {
		from     qopt
		op       op
		to       qopt
		response any // answer for received requests, bool (send) for asks
	}{
		{qopt{qNo, false}, enable, qopt{qYes, false}, answerEnable},
		{qopt{qNo, false}, enableUnsupported, qopt{qNo, false}, answerRefuse},
		{qopt{qYes, false}, enable, qopt{qYes, false}, answerNone}, // Mudlet's repeats
		{qopt{qWantYes, false}, enable, qopt{qYes, false}, answerNone},
		{qopt{qWantNo, false}, enable, qopt{qNo, false}, answerNone},
		{qopt{qWantNo, true}, enable, qopt{qYes, false}, answerNone}, // TinTin: never acked the disable
		{qopt{qNo, false}, disable, qopt{qNo, false}, answerNone},
		{qopt{qYes, false}, disable, qopt{qNo, false}, answerDisable}, // tf5's own DONT ECHO
		{qopt{qWantYes, false}, disable, qopt{qNo, false}, answerNone},
		{qopt{qWantNo, false}, disable, qopt{qNo, false}, answerNone},
		{qopt{qWantNo, true}, disable, qopt{qWantYes, false}, answerNone}, // KBtin's late ack
		{qopt{qNo, false}, askOn, qopt{qWantYes, false}, true},
		{qopt{qYes, false}, askOn, qopt{qYes, false}, false},
		{qopt{qWantYes, false}, askOn, qopt{qWantYes, false}, false},
		{qopt{qWantNo, false}, askOn, qopt{qWantNo, true}, true}, // sent at once, not queued
		{qopt{qWantNo, true}, askOn, qopt{qWantNo, true}, false},
		{qopt{qNo, false}, askOff, qopt{qNo, false}, false},
		{qopt{qYes, false}, askOff, qopt{qWantNo, false}, true},
		{qopt{qWantYes, false}, askOff, qopt{qWantNo, false}, true},
		{qopt{qWantNo, false}, askOff, qopt{qWantNo, false}, false},
		{qopt{qWantNo, true}, askOff, qopt{qWantNo, false}, true},
	}
	for i, tt := range tests {
		q := tt.from
		var got any
		switch tt.op {
		case enable:
			got = q.recvEnable(true)
		case enableUnsupported:
			got = q.recvEnable(false)
		case disable:
			got = q.recvDisable()
		case askOn:
			got = q.askEnable()
		case askOff:
			got = q.askDisable()
		}
		if q != tt.to || got != tt.response {
			t.Errorf("%d: %+v op %d: got %+v %v, want %+v %v", i, tt.from, tt.op, q, got, tt.to, tt.response)
		}
	}
}
