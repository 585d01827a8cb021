package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/mudd/mudd/engine"
)

// HeartbeatEvery is how often a scene tells the registry it is alive. A player arriving or
// leaving brings the next heartbeat forward, but no closer than nudgeGap to the last.
const (
	HeartbeatEvery = 500 * time.Millisecond
	nudgeGap       = 50 * time.Millisecond
)

// Retries of the requests of a hand-over, each waiting requestTimeout for its answer.
const (
	requestTries   = 5
	requestTimeout = time.Second
)

// Errors of Scene.Serve.
var (
	// ErrRefused: the gateway refused the scene's claim of zones.
	ErrRefused = errors.New("zone claim refused")
	// ErrFenced: the scene was declared dead (it stalled for longer than DeadAfter) and
	// another process runs its zones now. Serve returns at once, without saving anyone: the
	// process must exit without saving, since its characters are played elsewhere.
	ErrFenced = errors.New("replaced by another process")
)

// Scene runs some of the world's zones for players connected to gateways: the engine's loop
// plays them, and their output goes back to their gateway. Its Router sends what crosses to
// another scene's zones over NATS.
type Scene struct {
	info SceneInfo
	nc   *nats.Conn
	log  *slog.Logger

	// Set by Router when the engine is made.
	e     *engine.Engine
	local engine.Router

	nudge chan struct{} // a player came or went: heartbeat now, so the directory follows

	fenceOnce sync.Once
	fenced    chan struct{} // closed when the gateway fenced this process
	fenceWhy  string

	mu        sync.Mutex
	remotes   map[remoteKey]*engine.Remote
	keys      map[*engine.Remote]remoteKey
	released  map[string]releasedLines // by hand-over id, to answer a repeated release
	others    map[string]*sceneEntry   // the other scenes, from their heartbeats
	gateways  map[string]time.Time     // when each gateway was last heard
	holding   map[string]*gatewayHold  // gateways rebooting: what is sent to them waits
	lastCheck time.Time                // when dropSilentGateways last ran
}

type remoteKey struct {
	gateway string
	session uint64
}

type releasedLines struct {
	lines []string
	at    time.Time
}

// NewScene returns a scene described by info that talks over nc. Set its Router as the
// engine's Config.Router, then Serve the engine with it.
func NewScene(nc *nats.Conn, info SceneInfo, log *slog.Logger) *Scene {
	return &Scene{info: info, nc: nc, log: log, remotes: make(map[remoteKey]*engine.Remote),
		keys: make(map[*engine.Remote]remoteKey), released: make(map[string]releasedLines),
		others: make(map[string]*sceneEntry), gateways: make(map[string]time.Time),
		holding: make(map[string]*gatewayHold), nudge: make(chan struct{}, 1), fenced: make(chan struct{})}
}

// beatSoon asks for a heartbeat now.
func (s *Scene) beatSoon() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Router is the scene's engine.Config.Router.
func (s *Scene) Router(e *engine.Engine, local engine.Router) engine.Router {
	s.e, s.local = e, local
	return router{s}
}

// Serve claims the scene's zones and plays them with eng (made with the scene's Router)
// until ctx is cancelled; then it tells the gateways it is stopping (they hold its players),
// saves everyone and returns. It fails with ErrRefused if another scene owns one of its zones.
func (s *Scene) Serve(ctx context.Context, eng *engine.Engine) error {
	if s.e != eng {
		return errors.Join(errors.New("scene: the engine was not made with the scene's Router"), eng.Close())
	}
	eng.OwnCharacters(s.info.ID, s.lost)
	s.wrapReload(eng.Commands())
	eng.Commands().Add(engine.Command{Name: "cluster", Role: engine.RoleWizard, Run: s.cmdCluster,
		Help: "cluster\nThe scenes of the game: their zones, load and last heartbeat."})
	var subs []*nats.Subscription
	defer func() {
		for _, sub := range subs {
			sub.Unsubscribe()
		}
	}()
	for subj, fn := range map[string]nats.MsgHandler{sceneSubject(s.info.ID): s.receive,
		registrySubject: s.registry, broadcastSubject: s.broadcast} {
		sub, err := s.nc.Subscribe(subj, fn)
		if err != nil {
			return errors.Join(fmt.Errorf("scene: subscribe: %w", err), eng.Close())
		}
		subs = append(subs, sub)
	}
	if err := s.announce(ctx); err != nil {
		return errors.Join(err, eng.Close())
	}
	loopCtx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- eng.Serve(loopCtx) }()
	<-eng.Ready()
	s.mu.Lock()
	s.lastCheck = time.Now()
	s.mu.Unlock()
	beatCtx, stopBeats := context.WithCancel(ctx)
	defer stopBeats()
	beats := make(chan struct{})
	go func() { defer close(beats); s.heartbeat(beatCtx) }()
	select {
	case <-ctx.Done():
	case err := <-served: // the shutdown command
		served <- err
	case <-s.fenced:
		return fmt.Errorf("scene %s: %w: %s", s.info.ID, ErrFenced, s.fenceWhy)
	}
	stopBeats()
	<-beats
	s.bye()
	stop()
	return <-served
}

// announce claims the zones, asking until a gateway answers.
func (s *Scene) announce(ctx context.Context) error {
	req := encode(Msg{Kind: KindAnnounce, Scene: &s.info})
	giveUp := time.Now().Add(5 * DeadAfter)
	for {
		reply, err := s.nc.Request(registrySubject, req, requestTimeout)
		switch {
		case err == nil:
			m, err := decode(reply.Data)
			if err != nil {
				return fmt.Errorf("scene: announce: %w", err)
			}
			var answer SceneInfo
			if m.Scene != nil {
				answer = *m.Scene
			}
			if answer.Refused == "" {
				s.log.Info("scene announced", "scene", s.info.ID, "zones", s.info.Zones)
				return nil
			}
			if !answer.Busy || time.Now().After(giveUp) {
				return fmt.Errorf("scene %s: %w: %s", s.info.ID, ErrRefused, answer.Refused)
			}
			s.log.Info("scene: waiting for the previous process to be gone", "scene", s.info.ID, "why", answer.Refused)
		case errors.Is(err, nats.ErrNoResponders), errors.Is(err, nats.ErrTimeout):
			s.log.Info("scene: no gateway answers yet; retrying", "scene", s.info.ID)
		default:
			return fmt.Errorf("scene: announce: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(HeartbeatEvery):
		}
	}
}

// heartbeat tells the registry the scene is alive, with its load and players, until ctx is
// done.
func (s *Scene) heartbeat(ctx context.Context) {
	tick := time.NewTicker(HeartbeatEvery)
	defer tick.Stop()
	for {
		beat := make(chan SceneInfo, 1)
		s.e.Call(func(e *engine.Engine) {
			st := e.Stats()
			info := s.info
			info.Load = Load{Players: st.Online + st.LinkDead, PulseP99: st.Pulse.Quantile(0.99),
				MemoryBytes: st.HeapBytes, Commands: st.Commands}
			info.Players = s.local.Who()
			beat <- info
		})
		select {
		case <-ctx.Done():
			return
		case info := <-beat:
			s.nc.Publish(registrySubject, encode(Msg{Kind: KindHeartbeat, Scene: &info}))
		}
		s.dropSilentGateways()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.nudge:
			select { // at most one early heartbeat per nudgeGap, however many players come
			case <-ctx.Done():
				return
			case <-time.After(nudgeGap):
			}
		}
	}
}

// dropSilentGateways takes the clients of a gateway silent for DeadAfter as dropped (the
// gateway died: its connections are gone): their characters go link-dead, and are theirs
// again when they log in through a gateway.
func (s *Scene) dropSilentGateways() {
	s.mu.Lock()
	now := time.Now()
	stalled := now.Sub(s.lastCheck) > DeadAfter
	s.lastCheck = now
	var dropped []*engine.Remote
	for gw, last := range s.gateways {
		if h := s.holding[gw]; h != nil {
			if now.Before(h.until) {
				continue // rebooting: silent on purpose
			}
			s.log.Warn("gateway did not come back from its reboot; what was held for it is dropped",
				"gateway", gw, "messages", len(h.msgs))
			delete(s.holding, gw)
			close(h.released)
		}
		if stalled { // this process stood still: the gateways were not silent, it was deaf
			s.gateways[gw] = now
			continue
		}
		if time.Since(last) <= DeadAfter {
			continue
		}
		delete(s.gateways, gw)
		n := len(dropped)
		for k, r := range s.remotes {
			if k.gateway == gw {
				dropped = append(dropped, r)
			}
		}
		s.log.Warn("gateway silent; its players lost their link", "gateway", gw, "players", len(dropped)-n)
	}
	s.mu.Unlock()
	for _, r := range dropped {
		r.Close(false)
	}
}

// bye tells the gateways the scene is stopping, before its players are saved and removed.
func (s *Scene) bye() {
	info := s.info
	s.nc.Publish(registrySubject, encode(Msg{Kind: KindBye, Scene: &info}))
	if err := s.nc.Flush(); err != nil {
		s.log.Warn("scene: bye", "err", err)
	}
}

// registry keeps the directory of the other scenes from their heartbeats.
func (s *Scene) registry(nm *nats.Msg) {
	m, err := decode(nm.Data)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Kind {
	case KindGatewayBeat:
		s.gateways[m.Gateway] = time.Now()
		if !m.Restarting {
			s.releaseLocked(m.Gateway)
		}
		return
	case KindGatewayRestart:
		s.holdLocked(m.Gateway)
		if nm.Reply != "" {
			nm.Respond(encode(Msg{Kind: KindGatewayRestart, Gateway: m.Gateway, From: s.info.ID, Run: s.info.Run}))
		}
		return
	}
	if m.Scene == nil || m.Scene.ID == s.info.ID {
		return
	}
	switch m.Kind {
	case KindHeartbeat:
		s.others[m.Scene.ID] = &sceneEntry{info: *m.Scene, last: time.Now()}
	case KindBye:
		delete(s.others, m.Scene.ID)
	}
}

// broadcast passes another scene's channel message to this scene's players, or reloads what a
// builder reloaded there: every scene holds the whole game's definitions, and the scene that
// runs a zone must carry out its reload.
func (s *Scene) broadcast(nm *nats.Msg) {
	m, err := decode(nm.Data)
	if err != nil || m.From == s.info.ID {
		return
	}
	switch m.Kind {
	case KindBroadcast:
		s.e.Call(func(*engine.Engine) { s.local.Broadcast(m.Role, m.Channel, m.By, m.Text) })
	case KindReload:
		s.e.ReloadZone(m.Text)
	}
}

// wrapReload makes the reload command reload the same in every scene.
func (s *Scene) wrapReload(cmds *engine.Registry) {
	orig := cmds.Lookup("reload", engine.RoleOperator)
	if orig == nil {
		return
	}
	run := orig.Run
	cmds.Add(engine.Command{Name: orig.Name, Aliases: orig.Aliases, Role: orig.Role, Help: orig.Help, Exact: orig.Exact,
		Run: func(c *engine.Context) {
			run(c)
			s.publish(broadcastSubject, Msg{Kind: KindReload, Text: strings.TrimSpace(c.Args)})
		}})
}

// receive handles a gateway's or another scene's message. The subscription delivers them
// one at a time, in order.
func (s *Scene) receive(nm *nats.Msg) {
	m, err := decode(nm.Data)
	if err != nil {
		s.log.Warn("scene: bad message", "err", err)
		return
	}
	if m.To != "" && m.To != s.info.Run {
		return // for another process with this scene's id
	}
	k := remoteKey{m.Gateway, m.Session}
	s.mu.Lock()
	r := s.remotes[k]
	s.mu.Unlock()
	switch m.Kind {
	case KindAttach:
		// A client that left this scene and comes back has the same key: its old Remote may
		// be closed but not yet forgotten. A client still attached is a repeated attach
		// (its answer was lost): it is answered again.
		ok := r != nil && !closed(r)
		if !ok && m.Client != nil {
			ok = s.attach(k, m.Client)
		}
		if ok {
			s.toGateway(m.Gateway, Msg{Kind: KindAttached, Session: m.Session, Attach: m.Attach})
		}
	case KindLine:
		if r != nil {
			r.Line(m.Text)
		}
	case KindLeave:
		if r != nil {
			r.Close(m.Idle)
		}
	case KindOOB:
		if r != nil && m.OOB != nil && m.Info != nil {
			r.Message(*m.OOB, *m.Info)
		}
	case KindRelease:
		s.release(nm, r, m.Handover)
	case KindFence:
		if m.Scene != nil && m.Scene.Run == s.info.Run {
			s.fenceOnce.Do(func() { s.fenceWhy = m.Scene.Refused; close(s.fenced) })
		}
	case KindTell:
		s.e.Call(func(e *engine.Engine) {
			if err := e.TellHere(m.By, m.Name, m.Text); err != nil {
				s.log.Info("scene: tell not delivered", "to", m.Name, "err", err)
			}
		})
	case KindNotice:
		s.e.Call(func(e *engine.Engine) {
			if err := e.NoticeHere(m.Name, m.Text); err != nil {
				s.log.Info("scene: notice not delivered", "to", m.Name, "err", err)
			}
		})
	case KindAct:
		if m.Action != nil {
			s.e.Call(func(*engine.Engine) {
				if err := s.local.Act(m.Name, *m.Action); err != nil {
					s.log.Info("scene: action not applied", "to", m.Name, "by", m.Action.By, "err", err)
					s.publish(sceneSubject(m.From), Msg{Kind: KindNotice, To: m.Run, Name: m.Action.By,
						Text: engine.ActionFailure(m.Action.Kind, m.Name, err)})
				}
			})
		}
	}
}

// attach plays a gateway's client here; its output goes back to the gateway.
func (s *Scene) attach(k remoteKey, c *Client) bool {
	r, ok := s.e.AttachRemote(c.remote(), func(o engine.RemoteOutput) {
		s.toGateway(k.gateway, Msg{Kind: KindOutput, Session: k.session, Out: outputFrom(o)})
	})
	if !ok {
		return false
	}
	s.mu.Lock()
	s.remotes[k], s.keys[r] = r, k
	if _, ok := s.gateways[k.gateway]; !ok {
		s.gateways[k.gateway] = time.Now() // heard from just now
	}
	s.mu.Unlock()
	s.beatSoon()
	go func() {
		<-r.Closed()
		s.mu.Lock()
		if s.remotes[k] == r { // not replaced by the client's next visit
			delete(s.remotes, k)
		}
		delete(s.keys, r)
		s.mu.Unlock()
		s.beatSoon()
	}()
	return true
}

// lost tells the gateway of r that the engine dropped its character, claimed by another
// process: this process is stale (it was replaced while cut off) and must not play it.
func (s *Scene) lost(name string, r *engine.Remote) {
	if r == nil {
		return
	}
	s.mu.Lock()
	k, ok := s.keys[r]
	if ok && s.remotes[k] == r {
		delete(s.remotes, k) // the gateway's next attach for the client is a new one
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	s.log.Warn("scene: character claimed elsewhere; dropped", "name", name, "gateway", k.gateway, "session", k.session)
	s.toGateway(k.gateway, Msg{Kind: KindLost, Session: k.session, Name: name})
}

// handOver runs on a goroutine after the engine handed r's character off to zone: once the
// character's save is written, it asks the gateway to move the player. The first request
// leaves from r's forwarder, after the player's last output, so that the gateway has shown
// the player everything from here before it starts the move; it is repeated until answered.
func (s *Scene) handOver(r *engine.Remote, zone string) {
	s.mu.Lock()
	k, ok := s.keys[r]
	s.mu.Unlock()
	if !ok {
		return
	}
	hid := nuid.Next()
	s.beatSoon()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := s.e.FlushSaves(ctx)
	cancel()
	if err != nil {
		// The gateway attaches the character where the database says it is: its last save.
		s.log.Error("hand-over: save not written", "gateway", k.gateway, "session", k.session, "err", err)
	}
	req := encode(Msg{Kind: KindMoving, Session: k.session, From: s.info.ID, Run: s.info.Run, Text: zone, Handover: hid})
	ask := func() bool {
		s.waitGateway(k.gateway) // a rebooting gateway is asked once it is back
		_, err := s.nc.Request(gatewaySubject(k.gateway), req, requestTimeout)
		return err == nil
	}
	answered := make(chan bool, 1)
	if !r.AfterOutput(func() { answered <- ask() }) {
		answered <- false
	}
	if <-answered {
		return
	}
	for range requestTries - 1 {
		if ask() {
			return
		}
	}
	s.log.Error("hand-over: the gateway did not answer", "gateway", k.gateway, "session", k.session)
}

// release answers a gateway that moves a player away: the client is closed here and the
// lines typed since the hand-over began go back to the gateway. A repeated request gets the
// same answer.
func (s *Scene) release(nm *nats.Msg, r *engine.Remote, hid string) {
	reply := func(lines []string) {
		nm.Respond(encode(Msg{Kind: KindReleased, Handover: hid, From: s.info.ID, Lines: lines}))
	}
	s.mu.Lock()
	done, ok := s.released[hid]
	s.mu.Unlock()
	if ok || r == nil {
		reply(done.lines)
		return
	}
	r.Release(func(lines []string) {
		s.mu.Lock()
		now := time.Now()
		for id, rl := range s.released {
			if now.Sub(rl.at) > time.Minute {
				delete(s.released, id)
			}
		}
		s.released[hid] = releasedLines{lines: lines, at: now}
		s.mu.Unlock()
		go reply(lines)
	})
}

// closed reports whether r has finished with its client.
func closed(r *engine.Remote) bool {
	select {
	case <-r.Closed():
		return true
	default:
		return false
	}
}

// directory lists the players of the other scenes that are alive, with the scene of each.
func (s *Scene) directory() map[string]dirEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]dirEntry)
	for id, o := range s.others {
		if time.Since(o.last) > DeadAfter {
			continue
		}
		for _, w := range o.info.Players {
			out[strings.ToLower(w.Name)] = dirEntry{scene: id, who: w}
		}
	}
	return out
}

type dirEntry struct {
	scene string
	who   engine.WhoEntry
}
