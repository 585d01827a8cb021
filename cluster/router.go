package cluster

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/world"
)

// router is a scene's engine.Router: what stays in the scene's zones goes to the local
// router; what crosses to another scene goes over NATS. Its methods run on the game loop and
// never wait for the network: publishing only queues, and hand-overs finish on a goroutine.
type router struct{ s *Scene }

// errNotHere refuses a non-player thing that would cross to another scene: NPCs and items
// stay in the scene that runs their zone.
var errNotHere = errors.New("that way leads to a part of the world run elsewhere")

func (r router) Enter(t *world.Thing, to *world.Room) error {
	s := r.s
	if to.Zone == nil || s.e.Runs(to.Zone.Key) {
		return s.local.Enter(t, to)
	}
	p := engine.PlayerOf(t)
	if p == nil {
		return errNotHere
	}
	rem, ok := s.e.HandOff(p, to)
	if !ok {
		return errNotHere
	}
	go s.handOver(rem, to.Zone.Key)
	return engine.ErrElsewhere
}

func (r router) Tell(from *engine.Player, to, text string) error {
	err := r.s.local.Tell(from, to, text)
	if !errors.Is(err, engine.ErrNoSuchPlayer) {
		return err
	}
	d, ok := r.s.directory()[strings.ToLower(to)]
	switch {
	case !ok:
		return engine.ErrNoSuchPlayer
	case d.who.LinkDead:
		return engine.ErrLinkDead
	}
	r.s.publish(sceneSubject(d.scene), Msg{Kind: KindTell, By: from.Name, Name: d.who.Name, Text: text})
	return nil
}

func (r router) Who() []engine.WhoEntry {
	list := r.s.local.Who()
	here := make(map[string]bool, len(list))
	for _, w := range list {
		here[strings.ToLower(w.Name)] = true
	}
	for key, d := range r.s.directory() {
		if !here[key] { // a player who just arrived here may still be in the heartbeat of the scene left
			list = append(list, d.who)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

func (r router) Locate(name string) (engine.WhoEntry, error) {
	w, err := r.s.local.Locate(name)
	if !errors.Is(err, engine.ErrNoSuchPlayer) {
		return w, err
	}
	if d, ok := r.s.directory()[strings.ToLower(name)]; ok {
		return d.who, nil
	}
	return w, err
}

// Act applies a to a player here, or sends it to the player's scene, which checks the roles
// and applies it; a failure there is told to the one who asked (a notice), not returned.
func (r router) Act(name string, a engine.Action) error {
	err := r.s.local.Act(name, a)
	if !errors.Is(err, engine.ErrNoSuchPlayer) {
		return err
	}
	d, ok := r.s.directory()[strings.ToLower(name)]
	if !ok {
		return err
	}
	if a.Kind != engine.ActSetRole && d.who.Role >= a.ByRole {
		return engine.ErrNotPermitted
	}
	r.s.publish(sceneSubject(d.scene), Msg{Kind: KindAct, Name: d.who.Name, Action: &a})
	return nil
}

func (r router) Broadcast(min engine.Role, channel, talker, text string) {
	r.s.local.Broadcast(min, channel, talker, text)
	r.s.publish(broadcastSubject, Msg{Kind: KindBroadcast, Role: min, Channel: channel, By: talker, Text: text})
}

// publish sends m from this scene.
func (s *Scene) publish(subj string, m Msg) {
	m.From, m.Run = s.info.ID, s.info.Run
	if err := s.nc.Publish(subj, encode(m)); err != nil {
		s.log.Warn("scene: publish", "subject", subj, "kind", m.Kind, "err", err)
	}
}

// cmdCluster shows the scenes of the game as this scene knows them from their heartbeats.
func (s *Scene) cmdCluster(c *engine.Context) {
	st := c.Engine.Stats()
	here := SceneStatus{SceneInfo: s.info}
	here.Load = Load{Players: st.Online + st.LinkDead, PulseP99: st.Pulse.Quantile(0.99), MemoryBytes: st.HeapBytes,
		Commands: st.Commands}
	var others []SceneStatus
	s.mu.Lock()
	for _, o := range s.others {
		others = append(others, SceneStatus{SceneInfo: o.info, LastHeartbeat: time.Since(o.last)})
	}
	s.mu.Unlock()
	sort.Slice(others, func(i, j int) bool { return others[i].ID < others[j].ID })
	c.Send(clusterTable(append([]SceneStatus{here}, others...), s.info.ID))
}

// clusterTable renders scenes for the cluster command; here is the scene the command runs on,
// if any.
func clusterTable(scenes []SceneStatus, here string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %-28s %7s %9s %8s %9s %s", "scene", "zones", "players", "pulse p99", "heap", "commands", "last heartbeat")
	for _, r := range scenes {
		last := r.LastHeartbeat.Round(time.Millisecond).String() + " ago"
		switch {
		case r.ID == here:
			last = "(this scene)"
		case r.LastHeartbeat > DeadAfter:
			last += " (silent: dead?)"
		}
		fmt.Fprintf(&b, "\n%-20s %-28s %7d %9s %7dM %9d %s", r.ID, strings.Join(r.Zones, ","), r.Load.Players,
			r.Load.PulseP99, r.Load.MemoryBytes>>20, r.Load.Commands, last)
	}
	if len(scenes) == 0 {
		b.WriteString("\nNo scene is running: players wait until one claims their zone.")
	}
	return b.String()
}
