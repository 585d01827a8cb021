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

	"github.com/mudd/mudd/engine"
)

// HeartbeatEvery is how often a scene tells the registry it is alive.
const HeartbeatEvery = 500 * time.Millisecond

// ErrRefused is returned by Scene.Serve when the gateway refuses the scene's claim of zones.
var ErrRefused = errors.New("zone claim refused")

// Scene runs some of the world's zones for players connected to gateways: the engine's loop
// plays them, and their output goes back to their gateway.
type Scene struct {
	info SceneInfo
	nc   *nats.Conn
	e    *engine.Engine
	log  *slog.Logger

	mu      sync.Mutex
	remotes map[remoteKey]*engine.Remote
}

type remoteKey struct {
	gateway string
	session uint64
}

// NewScene returns a scene that runs eng for the zones in info, talking over nc.
func NewScene(nc *nats.Conn, eng *engine.Engine, info SceneInfo, log *slog.Logger) *Scene {
	return &Scene{info: info, nc: nc, e: eng, log: log, remotes: make(map[remoteKey]*engine.Remote)}
}

// Serve claims the scene's zones and plays them until ctx is cancelled; then it tells the
// gateways it is stopping (they hold its players), saves everyone and returns. It fails with
// ErrRefused if another scene owns one of its zones.
func (s *Scene) Serve(ctx context.Context) error {
	sub, err := s.nc.Subscribe(sceneSubject(s.info.ID), s.receive)
	if err != nil {
		return errors.Join(fmt.Errorf("scene: subscribe: %w", err), s.e.Close())
	}
	defer sub.Unsubscribe()
	if err := s.announce(ctx); err != nil {
		return errors.Join(err, s.e.Close())
	}
	loopCtx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- s.e.Serve(loopCtx) }()
	<-s.e.Ready()
	beats := make(chan struct{})
	go func() { defer close(beats); s.heartbeat(ctx) }()
	select {
	case <-ctx.Done():
	case err := <-served: // the shutdown command
		served <- err
	}
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
		reply, err := s.nc.Request(registrySubject, req, time.Second)
		switch {
		case err == nil:
			m, err := decode(reply.Data)
			if err != nil {
				return fmt.Errorf("scene: announce: %w", err)
			}
			refused := ""
			if m.Scene != nil {
				refused = m.Scene.Refused
			}
			if refused == "" {
				s.log.Info("scene announced", "scene", s.info.ID, "zones", s.info.Zones)
				return nil
			}
			if !strings.HasPrefix(refused, busyPrefix+" ") || time.Now().After(giveUp) {
				return fmt.Errorf("scene %s: %w: %s", s.info.ID, ErrRefused, refused)
			}
			s.log.Info("scene: waiting for the previous process to be gone", "scene", s.info.ID, "why", refused)
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

// heartbeat tells the registry the scene is alive, with its load, until ctx is done.
func (s *Scene) heartbeat(ctx context.Context) {
	tick := time.NewTicker(HeartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		loads := make(chan Load, 1)
		s.e.Call(func(e *engine.Engine) {
			st := e.Stats()
			loads <- Load{Players: st.Online + st.LinkDead, PulseP99: st.Pulse.Quantile(0.99),
				MemoryBytes: st.HeapBytes, Commands: st.Commands}
		})
		select {
		case <-ctx.Done():
			return
		case l := <-loads:
			info := s.info
			info.Load = l
			s.nc.Publish(registrySubject, encode(Msg{Kind: KindHeartbeat, Scene: &info}))
		}
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

// receive handles a gateway's message. The subscription delivers them one at a time, in order.
func (s *Scene) receive(nm *nats.Msg) {
	m, err := decode(nm.Data)
	if err != nil {
		s.log.Warn("scene: bad message", "err", err)
		return
	}
	k := remoteKey{m.Gateway, m.Session}
	s.mu.Lock()
	r := s.remotes[k]
	s.mu.Unlock()
	switch m.Kind {
	case KindAttach:
		if r != nil || m.Client == nil {
			return
		}
		s.attach(k, m.Client)
	case KindLine:
		if r != nil {
			r.Line(m.Text)
		}
	case KindLeave:
		if r != nil {
			r.Close(m.Idle)
		}
	}
}

// attach plays a gateway's client here; its output goes back to the gateway.
func (s *Scene) attach(k remoteKey, c *Client) {
	subj := gatewaySubject(k.gateway)
	r, ok := s.e.AttachRemote(c.remote(), func(o engine.RemoteOutput) {
		err := s.nc.Publish(subj, encode(Msg{Kind: KindOutput, Session: k.session, From: s.info.ID, Out: outputFrom(o)}))
		if err != nil {
			s.log.Warn("scene: publish output", "gateway", k.gateway, "err", err)
		}
	})
	if !ok {
		return
	}
	s.mu.Lock()
	s.remotes[k] = r
	s.mu.Unlock()
	go func() {
		<-r.Closed()
		s.mu.Lock()
		delete(s.remotes, k)
		s.mu.Unlock()
	}()
}
