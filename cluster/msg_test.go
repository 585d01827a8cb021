package cluster

import (
	"errors"
	"reflect"
	"testing"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/telnet"
)

func TestOutputRoundTrip(t *testing.T) {
	in := engine.RemoteOutput{Output: engine.Output{Text: "{r}hi{x}\n", Prompt: "> ", Hide: true, Close: true,
		OOB: []engine.OOB{{At: 3, Package: "Room.Info", Data: []byte(`{"num":1}`)},
			{At: 4, Vars: []telnet.Var{{Name: "ROOM", Value: "square"}}}}}, Color: "256", Charset: "ascii"}
	m, err := decode(encode(Msg{Kind: KindOutput, Session: 7, Out: outputFrom(in)}))
	if err != nil {
		t.Fatal(err)
	}
	if m.Session != 7 || m.Out.Color != "256" || m.Out.Charset != "ascii" {
		t.Fatalf("decoded %+v", m)
	}
	if got := m.Out.engine(); !reflect.DeepEqual(got, in.Output) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, in.Output)
	}
}

func TestDecodeRefusesOtherVersions(t *testing.T) {
	for _, b := range []string{`{"v":1,"k":"line"}`, `{"v":3,"k":"line"}`, `{"k":"line"}`} {
		if _, err := decode([]byte(b)); !errors.Is(err, errVersion) {
			t.Errorf("decode(%s) = %v, want a version error", b, err)
		}
	}
	if _, err := decode([]byte(`{"v":2,`)); err == nil {
		t.Error("decode of truncated JSON succeeded")
	}
}

// FuzzDecode: whatever arrives on a subject, decoding fails cleanly or yields a message that
// encodes again.
func FuzzDecode(f *testing.F) {
	f.Add(encode(Msg{Kind: KindLine, Gateway: "gw", Session: 1, Text: "look"}))
	f.Add(encode(Msg{Kind: KindAttach, Client: &Client{Name: "Wanda", Role: "player"}}))
	f.Add(encode(Msg{Kind: KindHeartbeat, Scene: &SceneInfo{ID: "a", Zones: []string{"z"}}}))
	f.Add([]byte(`{"v":2,"k":"output","out":{"oob":[{"at":-5,"vars":[{"Name":"x","Value":[1,{}]}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		if _, err := decode(encode(m)); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if m.Out != nil {
			m.Out.engine()
		}
	})
}
