package cluster_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/mudd/mudd/cluster"
	"github.com/mudd/mudd/internal/mudtest"
)

// peer speaks the cluster protocol over a NATS connection, as the other side of the process
// under test.
type peer struct {
	t  *testing.T
	nc *nats.Conn
}

func (p peer) publish(subj string, m cluster.Msg) {
	p.t.Helper()
	m.V = cluster.Version
	b, err := json.Marshal(m)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.nc.Publish(subj, b); err != nil {
		p.t.Fatal(err)
	}
}

// next returns the next message on sub, of one of kinds (others are skipped).
func (p peer) next(sub *nats.Subscription, kinds ...string) cluster.Msg {
	p.t.Helper()
	for {
		nm, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			p.t.Fatalf("waiting for %v: %v", kinds, err)
		}
		var m cluster.Msg
		if err := json.Unmarshal(nm.Data, &m); err != nil {
			p.t.Fatal(err)
		}
		for _, k := range kinds {
			if m.Kind == k {
				return m
			}
		}
	}
}

// TestAttachAcknowledged: the gateway keeps a player's lines until the scene answers the
// attach, sends an unanswered attach again with the same id, and tells and disconnects a
// player whose attach is never answered. The scene here is the test, speaking the protocol.
func TestAttachAcknowledged(t *testing.T) {
	c := startInProcess(t)
	scene := peer{t, c.conn()}
	sub, err := scene.nc.SubscribeSync("mudd.scene.ghost")
	if err != nil {
		t.Fatal(err)
	}
	info := cluster.SceneInfo{ID: "ghost", Run: "g1", Zones: []string{"millbrook", "riverside", "eldwood"}}
	reply, err := scene.nc.Request("mudd.registry", mustJSON(t, cluster.Msg{V: cluster.Version, Kind: cluster.KindAnnounce, Scene: &info}), 5*time.Second)
	if err != nil || strings.Contains(string(reply.Data), "refused") {
		t.Fatalf("announce: %v %s", err, reply.Data)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() { // heartbeats keep the scene alive for the gateway
		for tick := time.NewTicker(cluster.HeartbeatEvery); ; {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				scene.publish("mudd.registry", cluster.Msg{Kind: cluster.KindHeartbeat, Scene: &info})
			}
		}
	}()
	create := func(name string) *mudtest.Client {
		w := mudtest.Dial(t, c.gw.Eng.TCPAddr())
		w.Expect("name")
		w.Send(name)
		w.Expect("(yes/no)")
		w.Send("yes")
		w.Expect("password")
		w.Send("secret1234")
		w.Expect("again")
		w.Send("secret1234")
		return w
	}

	w := create("Wanda")
	first := scene.next(sub, cluster.KindAttach, cluster.KindLine)
	if first.Kind != cluster.KindAttach || first.Attach == "" || first.Client.Name != "Wanda" {
		t.Fatalf("first message %+v, want Wanda's attach", first)
	}
	w.Send("look")
	w.Send("say hello")
	again := scene.next(sub, cluster.KindAttach, cluster.KindLine)
	if again.Kind != cluster.KindAttach || again.Attach != first.Attach {
		t.Fatalf("after an unanswered attach: %+v, want the attach again with id %s", again, first.Attach)
	}
	ack := cluster.Msg{Kind: cluster.KindAttached, Session: first.Session, Attach: first.Attach, From: "ghost", Run: "g1"}
	scene.publish("mudd.gateway."+first.Gateway, ack)
	for _, want := range []string{"look", "say hello"} {
		if m := scene.next(sub, cluster.KindAttach, cluster.KindLine); m.Kind != cluster.KindLine || m.Text != want {
			t.Fatalf("after the answer: %+v, want the line %q", m, want)
		}
	}

	x := create("Xena")
	m := scene.next(sub, cluster.KindAttach)
	if m.Client.Name != "Xena" {
		t.Fatalf("attach for %s, want Xena", m.Client.Name)
	}
	x.Expect("does not answer")
	if !x.Closed(5 * time.Second) {
		t.Fatal("the player whose attach was never answered stayed connected")
	}
	if m := scene.next(sub, cluster.KindLeave); m.Client != nil || m.Session == first.Session {
		t.Fatalf("leave %+v, want Xena's", m)
	}
}

// TestAttachRepeated: a scene answers a repeated attach (its first answer was lost) without
// playing the character twice.
func TestAttachRepeated(t *testing.T) {
	c := startInProcess(t)
	_, village := c.sceneOn(c.conn(), "village", "millbrook", "riverside")
	gw := peer{t, c.conn()}
	sub, err := gw.nc.SubscribeSync("mudd.gateway.tester")
	if err != nil {
		t.Fatal(err)
	}
	attach := cluster.Msg{Kind: cluster.KindAttach, Gateway: "tester", Session: 1, Attach: "a1",
		Client: &cluster.Client{Name: "Wanda", Role: "player", Addr: "127.0.0.1", TCP: true}}
	var text strings.Builder
	for range 2 {
		gw.publish("mudd.scene.village", attach)
		for {
			m := gw.next(sub, cluster.KindAttached, cluster.KindOutput)
			if m.Kind == cluster.KindAttached {
				if m.Attach != "a1" || m.Session != 1 {
					t.Fatalf("answer %+v", m)
				}
				break
			}
			text.WriteString(m.Out.Text)
		}
	}
	gw.publish("mudd.scene.village", cluster.Msg{Kind: cluster.KindLine, Gateway: "tester", Session: 1, Text: "say once"})
	for !strings.Contains(text.String(), "You say") {
		text.WriteString(gw.next(sub, cluster.KindOutput).Out.Text)
	}
	if n := strings.Count(text.String(), "Millbrook Square"); n != 1 {
		t.Errorf("the room was shown %d times:\n%s", n, text.String())
	}
	if st := stats(t, village); st.Online != 1 {
		t.Errorf("%d players online, want 1", st.Online)
	}
}

func mustJSON(t *testing.T, m cluster.Msg) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
