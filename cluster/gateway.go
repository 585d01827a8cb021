package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/telnet"
)

// An attach unanswered for attachTimeout is sent again, attachTries times in all; then the
// player is told and disconnected.
const (
	attachTimeout = 400 * time.Millisecond
	attachTries   = 4
)

// DeadAfter is how long a scene may stay silent before the gateway declares it dead.
const DeadAfter = 2 * time.Second

// Gateway routes logged-in clients to the scenes that own their zones and their output back.
// It is the engine.Gateway of `mudd gateway`: the engine runs the listeners, the login and
// each client's telnet options, colour rendering and compression; the Gateway only carries
// lines and output. It keeps the registry of scenes (which scene owns which zone, with their
// load and last heartbeat) and holds the players of a scene that stopped until a scene owns
// their zone again.
type Gateway struct {
	id  string // the name given, and a part unique to this process: session ids start again
	nc  *nats.Conn
	log *slog.Logger

	// Set by Serve before the engine serves.
	eng   *engine.Engine
	store *store.Store
	start string // the start room's key

	// A reboot (restart.go): the scenes hold the clients' traffic (restarting), and the
	// state was handed to the new process (frozen: nothing is sent or handled any more).
	restarting, frozen atomic.Bool
	mark               string        // the id of the mark a Quiesce waits for
	markSeen           chan struct{} // closed when it came back
	dial               func() (*nats.Conn, error)
	stop               func() // ends what Resume started
	rebootHere         bool   // an admin's reboot reboots the gateway (RebootHere)

	mu      sync.Mutex
	scenes  map[string]*sceneEntry
	owners  map[string]string // zone → scene id
	players map[uint64]*player
	now     func() time.Time
}

type sceneEntry struct {
	info SceneInfo
	last time.Time // last heartbeat
}

// player is a client playing through the gateway.
type player struct {
	c    *engine.Client
	name string

	mu     sync.Mutex // orders what is published for the player
	scene  string     // the scene playing the character; "" while held
	run    string     // the process (run) of that scene: others with its id are stale
	zone   string     // the zone the character is in, as last known
	moving string     // the id of the hand-over under way, if any
	// The scene and run the hand-over under way comes from.
	movingFrom, movingRun string
	pending               []Msg // lines (and OOB) sent while moving or attaching, to pass on when attached
	// The attach sent to scene and not yet answered: lines wait in pending meanwhile.
	attach      Msg
	attachAt    time.Time
	attachTries int
}

// NewGateway returns a gateway called name that talks over nc.
func NewGateway(nc *nats.Conn, name string, log *slog.Logger) *Gateway {
	// Scenes know a client by gateway and session id, and a restarted gateway numbers its
	// sessions from 1 again: each process has an id of its own, so that a new client can
	// never be taken for a client of the gateway's previous process.
	id := name + "-" + nuid.Next()
	return &Gateway{id: id, nc: nc, log: log, scenes: make(map[string]*sceneEntry),
		owners: make(map[string]string), players: make(map[uint64]*player), now: time.Now}
}

// Serve runs the gateway with eng (whose Config.Gateway is g) until ctx is cancelled.
// A gateway started by a copyover (ResumeWith) starts when the engine resumes it.
func (g *Gateway) Serve(ctx context.Context, eng *engine.Engine) error {
	if g.dial != nil {
		g.setup(eng)
		defer func() {
			if g.stop != nil {
				g.stop()
			}
		}()
		return eng.Serve(ctx)
	}
	stop, err := g.Start(eng)
	if err != nil {
		return errors.Join(err, eng.Close())
	}
	defer stop()
	return eng.Serve(ctx)
}

// setup takes what the gateway needs of eng and adds its commands.
func (g *Gateway) setup(eng *engine.Engine) {
	g.eng, g.store, g.start = eng, eng.Store(), eng.Game().Start
	eng.Commands().Add(engine.Command{Name: "cluster", Role: engine.RoleWizard, Run: g.cmdCluster,
		Help: "cluster\nThe scenes of the game: their zones, load and last heartbeat, and the players waiting."})
}

// Start subscribes to the scenes' messages and handles them on a goroutine until stop is
// called. Call it before eng serves; Serve does both.
func (g *Gateway) Start(eng *engine.Engine) (stop func(), err error) {
	g.setup(eng)
	return g.subscribe()
}

// subscribe subscribes to the scenes' messages and handles them on a goroutine until stop is
// called.
func (g *Gateway) subscribe() (stop func(), err error) {
	in := make(chan *nats.Msg, 4096)
	var subs []*nats.Subscription
	unsubscribe := func() {
		for _, sub := range subs {
			sub.Unsubscribe()
		}
	}
	for _, subj := range []string{gatewaySubject(g.id), registrySubject} {
		sub, err := g.nc.ChanSubscribe(subj, in)
		if err != nil {
			unsubscribe()
			return nil, fmt.Errorf("gateway: subscribe %s: %w", subj, err)
		}
		subs = append(subs, sub)
	}
	if err := g.nc.Flush(); err != nil {
		unsubscribe()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.beat() // at once: scenes holding for a reboot go on
	done, finished := make(chan struct{}), make(chan struct{})
	go func() { defer close(finished); g.receive(in, done) }()
	return func() { unsubscribe(); close(done); <-finished }, nil
}

// receive handles the messages of scenes, in the order they were sent, declares silent
// scenes dead, and tells the scenes the gateway is alive.
func (g *Gateway) receive(in <-chan *nats.Msg, done <-chan struct{}) {
	tick := time.NewTicker(DeadAfter / 8)
	defer tick.Stop()
	beat := time.NewTicker(HeartbeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if !g.frozen.Load() {
				g.reap()
				g.retryAttaches()
			}
		case <-beat.C:
			if !g.frozen.Load() {
				g.beat()
			}
		case nm := <-in:
			if g.frozen.Load() {
				continue // handed over: the new process handles what the scenes send
			}
			m, err := decode(nm.Data)
			if err != nil {
				g.log.Warn("gateway: bad message", "subject", nm.Subject, "err", err)
				continue
			}
			g.handle(nm, m)
		}
	}
}

// beat tells the scenes the gateway is alive, and whether it is rebooting.
func (g *Gateway) beat() {
	m := Msg{Kind: KindGatewayBeat, Gateway: g.id, Restarting: g.restarting.Load()}
	if err := g.nc.Publish(registrySubject, encode(m)); err != nil {
		g.log.Warn("gateway: heartbeat", "err", err)
	}
}

func (g *Gateway) handle(nm *nats.Msg, m Msg) {
	switch m.Kind {
	case KindMark:
		g.marked(m)
	case KindOutput:
		g.output(m)
	case KindAnnounce, KindHeartbeat:
		if m.Scene == nil {
			return
		}
		refused, busy := g.register(*m.Scene, m.Kind == KindAnnounce)
		switch {
		case nm.Reply != "":
			nm.Respond(encode(Msg{Kind: KindAnnounce, Scene: &SceneInfo{ID: m.Scene.ID, Refused: refused, Busy: busy}}))
		case refused != "":
			// A heartbeat from a scene that was declared dead (it stalled) and whose zones
			// another process runs now: it must stop, or it would save characters that are
			// played elsewhere.
			g.log.Warn("scene came back after another took its place; fencing it", "scene", m.Scene.ID,
				"pid", m.Scene.PID, "why", refused)
			err := g.nc.Publish(sceneSubject(m.Scene.ID), encode(Msg{Kind: KindFence,
				Scene: &SceneInfo{ID: m.Scene.ID, Run: m.Scene.Run, Refused: refused}}))
			if err != nil {
				g.log.Warn("gateway: publish fence", "scene", m.Scene.ID, "err", err)
			}
		}
	case KindMoving:
		g.moving(nm, m)
	case KindLost:
		g.lost(m)
	case KindAttached:
		g.attached(m)
	case KindBye:
		if m.Scene != nil {
			g.drop(m.Scene.ID, "The part of the world you are in is restarting. Please wait a moment...")
		}
	}
}

// output passes a scene's output to its client.
func (g *Gateway) output(m Msg) {
	g.mu.Lock()
	p := g.players[m.Session]
	g.mu.Unlock()
	if p == nil || m.Out == nil {
		return
	}
	p.mu.Lock()
	from, run := p.scene, p.run
	p.mu.Unlock()
	if m.From != from || m.Run != run {
		return // from a scene the player has left (a stopping scene's goodbye), or a stale process
	}
	p.c.SetPreferences(m.Out.Color, m.Out.Charset)
	p.c.Send(m.Out.engine())
}

// register records a scene's announce or heartbeat. It returns why the claim is refused, or
// "", and whether because another live process has the scene's id.
func (g *Gateway) register(s SceneInfo, announce bool) (refused string, busy bool) {
	g.mu.Lock()
	if e := g.scenes[s.ID]; e != nil && e.info.Run != s.Run {
		g.mu.Unlock() // another process with that id: wait until the first is gone
		return fmt.Sprintf("scene %q is running already (pid %d on %s)", s.ID, e.info.PID, e.info.Host), true
	}
	for _, z := range s.Zones {
		if o, ok := g.owners[z]; ok && o != s.ID {
			g.mu.Unlock()
			return fmt.Sprintf("zone %q is already owned by scene %q", z, o), false
		}
	}
	e := g.scenes[s.ID]
	fresh := e == nil
	if fresh {
		e = &sceneEntry{}
		g.scenes[s.ID] = e
	}
	e.info, e.last = s, g.now()
	for _, z := range s.Zones {
		g.owners[z] = s.ID
	}
	var held []*player
	if fresh {
		for _, p := range g.players {
			held = append(held, p)
		}
	}
	g.mu.Unlock()
	if fresh {
		g.log.Info("scene joined", "scene", s.ID, "zones", s.Zones, "pid", s.PID, "announce", announce)
	}
	for _, p := range held {
		g.resume(p, s)
	}
	return "", false
}

// resume attaches a held player to scene s, if it owns the player's zone.
func (g *Gateway) resume(p *player, s SceneInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.scene != "" || p.moving != "" || !slices.Contains(s.Zones, p.zone) {
		return
	}
	p.c.Send(engine.Output{Text: "The world is back. Welcome back!\n"})
	g.attachLocked(p, s.ID, s.Run, false)
}

// ownerOf returns the scene running zone and its run, or "" when none does.
func (g *Gateway) ownerOf(zone string) (id, run string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	id = g.owners[zone]
	if e := g.scenes[id]; e != nil {
		run = e.info.Run
	}
	return id, run
}

// attachLocked attaches p to scene id (its process run), and sends it the lines p typed
// meanwhile once the scene answers.
func (g *Gateway) attachLocked(p *player, id, run string, arrive bool) {
	p.scene, p.run = id, run
	c := clientFrom(p.c)
	c.Arrive = arrive
	p.attach = Msg{Kind: KindAttach, Client: c, Attach: nuid.Next()}
	p.attachAt, p.attachTries = g.now(), 1
	g.publishLocked(p, p.attach)
}

// attached takes a scene's answer to an attach: the lines kept meanwhile go to the scene.
func (g *Gateway) attached(m Msg) {
	g.mu.Lock()
	p := g.players[m.Session]
	g.mu.Unlock()
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attach.Attach != m.Attach || m.Attach == "" || p.scene != m.From || p.run != m.Run {
		return // a repeated answer, or for an attach given up
	}
	p.attach = Msg{}
	for _, m := range p.pending {
		g.publishLocked(p, m)
	}
	p.pending = nil
}

// retryAttaches sends again the attaches unanswered for attachTimeout. A player whose
// attach is never answered is told and disconnected.
func (g *Gateway) retryAttaches() {
	now := g.now()
	g.mu.Lock()
	ps := make([]*player, 0, len(g.players))
	for _, p := range g.players {
		ps = append(ps, p)
	}
	g.mu.Unlock()
	for _, p := range ps {
		p.mu.Lock()
		switch {
		case p.attach.Attach == "" || now.Sub(p.attachAt) < attachTimeout:
		case p.attachTries < attachTries:
			p.attachAt, p.attachTries = now, p.attachTries+1
			g.publishLocked(p, p.attach)
		default:
			g.log.Warn("gateway: attach never answered; disconnecting the player", "scene", p.scene, "name", p.name)
			g.publishLocked(p, Msg{Kind: KindLeave}) // in case only the answers were lost
			p.attach, p.scene, p.pending = Msg{}, "", nil
			p.c.Send(engine.Output{Text: "\nThe part of the world you are in does not answer, so your " +
				"character could not enter it. Please connect again in a moment.\n", Close: true})
		}
		p.mu.Unlock()
	}
}

// reap declares scenes silent for DeadAfter dead.
func (g *Gateway) reap() {
	now := g.now()
	var dead []string
	g.mu.Lock()
	for id, e := range g.scenes {
		if now.Sub(e.last) > DeadAfter {
			dead = append(dead, id)
		}
	}
	g.mu.Unlock()
	for _, id := range dead {
		g.log.Warn("scene silent; declared dead", "scene", id, "after", DeadAfter)
		g.drop(id, "The part of the world you are in has stopped unexpectedly. Please wait; "+
			"you will be back where you last saved as soon as it restarts.")
	}
}

// drop forgets scene id and holds its players, telling them why.
func (g *Gateway) drop(id, why string) {
	g.mu.Lock()
	delete(g.scenes, id)
	for z, o := range g.owners {
		if o == id {
			delete(g.owners, z)
		}
	}
	var on []*player
	for _, p := range g.players {
		on = append(on, p)
	}
	g.mu.Unlock()
	for _, p := range on {
		p.mu.Lock()
		if p.scene == id {
			p.scene, p.attach = "", Msg{}
			p.c.Send(engine.Output{Text: "\n" + why + "\n", Prompt: "> "})
		}
		p.mu.Unlock()
	}
}

// Play runs a logged-in client: it is attached to the scene owning its character's zone,
// and its lines go there until it leaves.
//
// A client handed over by a reboot is known already (Resume): it carries on where it was.
func (g *Gateway) Play(ctx context.Context, c *engine.Client) {
	g.mu.Lock()
	p := g.players[c.ID()]
	g.mu.Unlock()
	resumed := p != nil && p.c == c
	if !resumed {
		p = &player{c: c, name: c.Account().Name}
		p.zone = g.zoneOf(ctx, p.name)
		g.mu.Lock()
		g.players[c.ID()] = p
		g.mu.Unlock()
	}
	defer func() {
		g.mu.Lock()
		if g.players[c.ID()] == p {
			delete(g.players, c.ID())
		}
		g.mu.Unlock()
	}()
	if !resumed {
		g.attach(p)
	}
	for {
		line, err := c.ReadLine()
		if err != nil {
			g.leave(p, engine.IsIdle(err))
			return
		}
		g.line(p, line)
	}
}

// zoneOf reads the zone the character was saved in (the start room's for a new one).
func (g *Gateway) zoneOf(ctx context.Context, name string) string {
	room := g.start
	c, err := g.store.Character(ctx, name)
	switch {
	case err == nil && c.Room != "":
		room = c.Room
	case err != nil && !errors.Is(err, store.ErrNotFound):
		g.log.Warn("gateway: read character", "name", name, "err", err)
	}
	return ZoneOf(room)
}

// ZoneOf is the zone of a room key ("zone:room").
func ZoneOf(room string) string {
	zone, _, _ := strings.Cut(room, ":")
	return zone
}

// attach sends p to the scene owning its zone, or holds it.
func (g *Gateway) attach(p *player) {
	owner, run := g.ownerOf(p.zone)
	p.mu.Lock()
	defer p.mu.Unlock()
	if owner == "" {
		p.scene = ""
		p.c.Send(engine.Output{Text: "The part of the world you are in is not running right now. " +
			"Please wait; you will enter it as soon as it is.\n", Prompt: "> "})
		return
	}
	g.attachLocked(p, owner, run, false)
}

// lost re-attaches a player whose scene dropped the character because another process
// claimed it: the player goes to the scene running the zone the database says it is in.
func (g *Gateway) lost(m Msg) {
	g.mu.Lock()
	p := g.players[m.Session]
	g.mu.Unlock()
	if p == nil {
		return
	}
	p.mu.Lock()
	stale := p.scene != m.From || p.run != m.Run || p.moving != ""
	p.mu.Unlock()
	if stale {
		return // the player was moved on already
	}
	g.log.Warn("scene lost a character to another process; attaching it again", "scene", m.From, "name", p.name)
	go func() {
		zone := g.zoneOf(context.Background(), p.name)
		p.mu.Lock()
		if p.scene != m.From || p.run != m.Run || p.moving != "" {
			p.mu.Unlock()
			return
		}
		p.zone = zone
		p.c.Send(engine.Output{Text: "\nYour character was taken up elsewhere; following it...\n"})
		p.mu.Unlock()
		g.attach(p)
	}()
}

// moving starts a hand-over: p's scene saved the character in a zone another scene runs.
// The gateway answers at once, keeps the lines typed from now on, and finishes the hand-over
// on a goroutine.
func (g *Gateway) moving(nm *nats.Msg, m Msg) {
	g.mu.Lock()
	p := g.players[m.Session]
	g.mu.Unlock()
	if nm.Reply != "" {
		nm.Respond(encode(Msg{Kind: KindMoving, Handover: m.Handover}))
	}
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.moving == m.Handover || p.scene != m.From || p.run != m.Run {
		return // a repeated request, or from a scene the player is not on
	}
	p.moving, p.scene, p.zone = m.Handover, "", m.Text
	p.movingFrom, p.movingRun = m.From, m.Run
	go g.finishMove(p, m.From, m.Run, m.Handover)
}

// finishMove releases the player from the scene it leaves (getting back the lines typed
// since the hand-over began) and attaches it to the scene running the zone the database
// says the character is in: if the source could not save, that is where it was.
func (g *Gateway) finishMove(p *player, from, run, hid string) {
	req := encode(Msg{Kind: KindRelease, Gateway: g.id, Session: p.c.ID(), Handover: hid, To: run})
	var lines []string
	released := false
	for range requestTries {
		reply, err := g.nc.Request(sceneSubject(from), req, requestTimeout)
		if err != nil {
			continue
		}
		if m, err := decode(reply.Data); err == nil {
			lines, released = m.Lines, true
			break
		}
	}
	if !released {
		g.log.Warn("hand-over: no release from the source scene; its lines are lost", "scene", from, "name", p.name)
	}
	zone := g.zoneOf(context.Background(), p.name)
	owner, run := g.ownerOf(zone)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.moving != hid {
		return
	}
	p.moving, p.zone, p.movingFrom, p.movingRun = "", zone, "", ""
	kept := make([]Msg, 0, len(lines)+len(p.pending))
	for _, l := range lines {
		kept = append(kept, Msg{Kind: KindLine, Text: l})
	}
	p.pending = append(kept, p.pending...)
	if owner == "" {
		p.c.Send(engine.Output{Text: "The part of the world you are going to is not running right now. " +
			"Please wait; you will enter it as soon as it is.\n", Prompt: "> "})
		return
	}
	g.attachLocked(p, owner, run, true)
}

func (g *Gateway) line(p *player, text string) {
	if g.staffLine(p, text) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.moving != "" || p.attach.Attach != "" {
		p.pending = append(p.pending, Msg{Kind: KindLine, Text: text})
		return
	}
	if p.scene == "" {
		p.c.Send(engine.Output{Text: "Please wait: the part of the world you are in is not running yet.\n", Prompt: "> "})
		return
	}
	g.publishLocked(p, Msg{Kind: KindLine, Text: text})
}

// Message passes a GMCP or MSDP message from the client to its scene, in order with its
// lines, with the client's state after it (its subscriptions).
func (g *Gateway) Message(c *engine.Client, m telnet.Message) {
	g.mu.Lock()
	p := g.players[c.ID()]
	g.mu.Unlock()
	if p == nil {
		return
	}
	info := c.Info()
	msg := Msg{Kind: KindOOB, OOB: &m, Info: &info}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.moving != "" || p.attach.Attach != "":
		p.pending = append(p.pending, msg)
	case p.scene != "":
		g.publishLocked(p, msg)
	}
}

// leave tells p's scene the client left. After an idle timeout it waits a moment for the
// scene's goodbye.
func (g *Gateway) leave(p *player, idle bool) {
	p.mu.Lock()
	on := p.scene != ""
	if on {
		g.publishLocked(p, Msg{Kind: KindLeave, Idle: idle})
		p.attach = Msg{} // not to be sent again
	}
	p.mu.Unlock()
	if idle && on {
		select {
		case <-p.c.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// publishLocked sends m about p to p's scene. p.mu is held, so messages about one player
// leave in order.
func (g *Gateway) publishLocked(p *player, m Msg) {
	if g.frozen.Load() {
		return // handed over: the new process sends what must still be sent
	}
	m.Gateway, m.Session, m.To = g.id, p.c.ID(), p.run
	if err := g.nc.Publish(sceneSubject(p.scene), encode(m)); err != nil {
		g.log.Warn("gateway: publish", "scene", p.scene, "kind", m.Kind, "err", err)
	}
}

// cmdCluster shows the registry: on the gateway, the operator console runs it.
func (g *Gateway) cmdCluster(c *engine.Context) {
	g.mu.Lock()
	held, moving := 0, 0
	for _, p := range g.players {
		p.mu.Lock()
		switch {
		case p.moving != "":
			moving++
		case p.scene == "":
			held++
		}
		p.mu.Unlock()
	}
	n := len(g.players)
	g.mu.Unlock()
	c.Send(clusterTable(g.Scenes(), ""))
	c.Sendf("Gateway %s: %d player(s) connected, %d waiting for their zone, %d moving between scenes.", g.id, n, held, moving)
}

// SceneStatus is one scene as the registry knows it.
type SceneStatus struct {
	SceneInfo
	LastHeartbeat time.Duration // ago
}

// Scenes lists the registered scenes by id.
func (g *Gateway) Scenes() []SceneStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	out := make([]SceneStatus, 0, len(g.scenes))
	for _, e := range g.scenes {
		out = append(out, SceneStatus{SceneInfo: e.info, LastHeartbeat: now.Sub(e.last)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
