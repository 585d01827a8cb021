package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/mudd/mudd/engine"
)

// A gateway reboots with the engine's copyover (engine.GatewayHandover): the new process
// takes over the listeners and every client's connection. Around it:
//
//  1. Quiesce: the gateway asks every scene to hold what it sends for the gateway's clients
//     (output, answers to attaches, hand-over requests) and waits for every answer, then for
//     a mark sent to itself, so that what the scenes sent before holding has been passed on.
//     Its heartbeats say it is restarting: scenes do not take its silence for its death
//     while they hold, for up to restartHold.
//  2. Freeze: with the clients paused, the gateway's state (its id, the registry, and per
//     client the scene and run playing it, the zone, the lines kept, an attach or hand-over
//     under way) goes in the hand-over document, and the gateway stops sending and handling
//     anything: the scenes' messages wait in the scenes.
//  3. Resume, in the new process: the same id and sessions, so scenes know the clients; it
//     subscribes, sends its heartbeat (the scenes send what they held), attaches every client
//     again to its scene, which answers at once as the client never left it, and finishes any
//     hand-over under way (release and attach are idempotent).
//
// If the reboot fails, Thaw lets the old process go on; its next heartbeat releases the scenes.

// restartHold is how long scenes hold a rebooting gateway's messages before taking it as gone.
const restartHold = 30 * time.Second

// resumeTries is how many times a resumed client's attach is sent before it is given up: the
// scenes may be reconnecting to NATS.
const resumeTries = 20

// gatewayState is a gateway's part of the hand-over document.
type gatewayState struct {
	ID      string        `json:"id"`
	Scenes  []SceneInfo   `json:"scenes"`
	Players []playerState `json:"players"`
}

// playerState is one client as the gateway knows it.
type playerState struct {
	Session    uint64 `json:"session"`
	Name       string `json:"name"`
	Scene      string `json:"scene,omitempty"`
	Run        string `json:"run,omitempty"`
	Zone       string `json:"zone,omitempty"`
	Moving     string `json:"moving,omitempty"`
	MovingFrom string `json:"moving_from,omitempty"`
	MovingRun  string `json:"moving_run,omitempty"`
	Pending    []Msg  `json:"pending,omitempty"`
	Attach     *Msg   `json:"attach,omitempty"`
}

// Quiesce has every scene hold what it sends for this gateway's clients. It runs on a worker.
func (g *Gateway) Quiesce() error {
	g.restarting.Store(true)
	if err := g.askScenesToHold(); err != nil {
		g.restarting.Store(false)
		return err
	}
	mark := nuid.Next()
	seen := make(chan struct{})
	g.mu.Lock()
	g.mark, g.markSeen = mark, seen
	g.mu.Unlock()
	if err := g.nc.Publish(gatewaySubject(g.id), encode(Msg{Kind: KindMark, Attach: mark})); err != nil {
		g.restarting.Store(false)
		return fmt.Errorf("gateway: %w", err)
	}
	select {
	case <-seen:
		return nil
	case <-time.After(5 * time.Second):
		g.restarting.Store(false)
		return errors.New("the gateway's own messages did not come back within 5 s")
	}
}

// askScenesToHold asks every registered scene to hold, and waits until each has answered.
func (g *Gateway) askScenesToHold() error {
	waiting := make(map[string]bool)
	for _, s := range g.Scenes() {
		waiting[s.ID] = true
	}
	if len(waiting) == 0 {
		return nil
	}
	inbox := nats.NewInbox()
	sub, err := g.nc.SubscribeSync(inbox)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	defer sub.Unsubscribe()
	req := encode(Msg{Kind: KindGatewayRestart, Gateway: g.id, Restarting: true})
	for range requestTries {
		if err := g.nc.PublishRequest(registrySubject, inbox, req); err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
		deadline := time.Now().Add(requestTimeout)
		for len(waiting) > 0 {
			nm, err := sub.NextMsg(time.Until(deadline))
			if err != nil {
				break
			}
			if m, err := decode(nm.Data); err == nil {
				delete(waiting, m.From)
			}
		}
		if len(waiting) == 0 {
			return nil
		}
	}
	ids := make([]string, 0, len(waiting))
	for id := range waiting {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return fmt.Errorf("scene %s did not answer; try again once it does (see 'cluster')", strings.Join(ids, ", "))
}

// marked records that the mark of a Quiesce came back.
func (g *Gateway) marked(m Msg) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mark != "" && m.Attach == g.mark {
		close(g.markSeen)
		g.mark, g.markSeen = "", nil
	}
}

// Clients lists the clients the gateway plays.
func (g *Gateway) Clients() []*engine.Client {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*engine.Client, 0, len(g.players))
	for _, p := range g.players {
		out = append(out, p.c)
	}
	return out
}

// Freeze describes the gateway for the new process and stops it sending anything.
func (g *Gateway) Freeze() (json.RawMessage, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := gatewayState{ID: g.id}
	for _, e := range g.scenes {
		st.Scenes = append(st.Scenes, e.info)
	}
	for id, p := range g.players {
		p.mu.Lock()
		ps := playerState{Session: id, Name: p.name, Scene: p.scene, Run: p.run, Zone: p.zone,
			Moving: p.moving, MovingFrom: p.movingFrom, MovingRun: p.movingRun, Pending: p.pending}
		if p.attach.Attach != "" {
			a := p.attach
			ps.Attach = &a
		}
		p.mu.Unlock()
		st.Players = append(st.Players, ps)
	}
	g.frozen.Store(true)
	b, err := json.Marshal(st)
	if err != nil {
		g.frozen.Store(false)
		return nil, err
	}
	g.log.Info("gateway: handing over", "id", g.id, "players", len(st.Players), "scenes", len(st.Scenes))
	return b, nil
}

// Thaw lets the gateway go on after a failed reboot; its next heartbeat releases the scenes.
func (g *Gateway) Thaw() {
	now := g.now()
	g.mu.Lock()
	for _, e := range g.scenes {
		e.last = now // their heartbeats were not handled while frozen
	}
	for _, p := range g.players {
		p.mu.Lock()
		if p.attach.Attach != "" {
			p.attachAt, p.attachTries = now, 1
		}
		p.mu.Unlock()
	}
	g.mu.Unlock()
	g.frozen.Store(false)
	g.restarting.Store(false)
	g.beat()
}

// ResumeWith makes the gateway one started by a copyover: Serve does not start it; Resume,
// called by the engine with the old process's state, connects with dial and starts it.
func (g *Gateway) ResumeWith(dial func() (*nats.Conn, error)) { g.dial = dial }

// Resume takes over the old process's clients: the same id, registry and players, attached
// again to their scenes. It runs in the new process before the clients' sessions start.
func (g *Gateway) Resume(state json.RawMessage, clients []*engine.Client) error {
	var st gatewayState
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("gateway state: %w", err)
	}
	if st.ID == "" {
		return errors.New("gateway state: no id")
	}
	if g.dial != nil {
		nc, err := g.dial()
		if err != nil {
			return err
		}
		g.nc = nc
	}
	byID := make(map[uint64]*engine.Client, len(clients))
	for _, c := range clients {
		byID[c.ID()] = c
	}
	now := g.now()
	g.mu.Lock()
	g.id = st.ID
	for _, s := range st.Scenes {
		g.scenes[s.ID] = &sceneEntry{info: s, last: now}
		for _, z := range s.Zones {
			g.owners[z] = s.ID
		}
	}
	var ps []*player
	for _, s := range st.Players {
		c := byID[s.Session]
		if c == nil {
			continue // not handed over (it closed meanwhile); its scene's remote goes link-dead
		}
		p := &player{c: c, name: s.Name, scene: s.Scene, run: s.Run, zone: s.Zone, moving: s.Moving,
			movingFrom: s.MovingFrom, movingRun: s.MovingRun, pending: s.Pending}
		if s.Attach != nil {
			p.attach = *s.Attach
		}
		g.players[s.Session] = p
		ps = append(ps, p)
	}
	g.mu.Unlock()
	stop, err := g.subscribe()
	if err != nil {
		return err
	}
	g.stop = stop
	g.log.Info("gateway: took over", "id", g.id, "players", len(ps))
	for _, p := range ps {
		g.reattach(p)
	}
	return nil
}

// reattach sends a resumed player's scene an attach: a scene that plays the client answers at
// once; one that dropped it meanwhile logs the character in again. A hand-over under way is
// finished.
func (g *Gateway) reattach(p *player) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.moving != "":
		go g.finishMove(p, p.movingFrom, p.movingRun, p.moving)
	case p.attach.Attach != "":
		p.attachAt, p.attachTries = g.now(), 1-resumeTries+attachTries
		g.publishLocked(p, p.attach)
	case p.scene != "":
		g.attachLocked(p, p.scene, p.run, false)
		p.attachTries = 1 - resumeTries + attachTries
	}
}

// RebootHere makes reboot, typed by an admin playing through the gateway, reboot the gateway
// (which must then be able to start its own executable again, as `mudd gateway` is) instead
// of going to the admin's scene, which refuses it. Call it before Serve.
func (g *Gateway) RebootHere() { g.rebootHere = true }

// staffLine runs a gateway command typed by a client whose role allows it, and reports
// whether line was one: reboot goes to the gateway, not to the scene.
func (g *Gateway) staffLine(p *player, line string) bool {
	word, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	if !g.rebootHere || !strings.EqualFold(word, "reboot") || p.c.Role() < engine.RoleAdmin || g.eng == nil {
		return false
	}
	reply := func(msg string) { p.c.Send(engine.Output{Text: msg + "\n", Prompt: "> "}) }
	args = strings.TrimSpace(args)
	secs := 0
	if args != "" {
		n, err := strconv.Atoi(args)
		if err != nil || n < 0 || n > 3600 {
			reply("Usage: reboot [seconds], with 0 to 3600 seconds, restarts the gateway.")
			return true
		}
		secs = n
	}
	g.log.Info("gateway: reboot asked", "by", p.name, "seconds", secs)
	g.eng.Call(func(e *engine.Engine) { e.Reboot(time.Duration(secs)*time.Second, reply) })
	return true
}

// gatewayHold is what a scene keeps for a rebooting gateway.
type gatewayHold struct {
	until    time.Time     // when the scene stops waiting for it
	msgs     [][]byte      // encoded, in the order sent
	released chan struct{} // closed when the gateway is back (or given up)
}

// holdLocked starts holding what is sent to gateway gw. s.mu is held.
func (s *Scene) holdLocked(gw string) {
	if h := s.holding[gw]; h != nil {
		h.until = time.Now().Add(restartHold)
		return
	}
	s.log.Info("gateway rebooting; holding its clients' messages", "gateway", gw)
	s.holding[gw] = &gatewayHold{until: time.Now().Add(restartHold), released: make(chan struct{})}
}

// releaseLocked sends what was held for gateway gw, in order. s.mu is held, so that nothing
// sent after overtakes it.
func (s *Scene) releaseLocked(gw string) {
	h := s.holding[gw]
	if h == nil {
		return
	}
	delete(s.holding, gw)
	s.log.Info("gateway back; sending what was held", "gateway", gw, "messages", len(h.msgs))
	for _, b := range h.msgs {
		s.publishGatewayLocked(gw, b)
	}
	close(h.released)
}

// toGateway sends m to gateway gw from this scene, or holds it while the gateway reboots.
// It publishes under s.mu: a message is either held or out before a hold is answered.
func (s *Scene) toGateway(gw string, m Msg) {
	m.From, m.Run = s.info.ID, s.info.Run
	b := encode(m) // before the lock, which every client's forwarder and the scene share
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.holding[gw]; h != nil {
		h.msgs = append(h.msgs, b)
		return
	}
	s.publishGatewayLocked(gw, b)
}

// publishGatewayLocked publishes the encoded message b to gateway gw. s.mu is held.
func (s *Scene) publishGatewayLocked(gw string, b []byte) {
	if err := s.nc.Publish(gatewaySubject(gw), b); err != nil {
		s.log.Warn("scene: publish", "gateway", gw, "err", err)
	}
}

// waitGateway waits while gateway gw reboots.
func (s *Scene) waitGateway(gw string) {
	s.mu.Lock()
	h := s.holding[gw]
	s.mu.Unlock()
	if h != nil {
		<-h.released
	}
}
