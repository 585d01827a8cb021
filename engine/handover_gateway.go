package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"

	"github.com/mudd/mudd/engine/store"
)

// GatewayHandover is implemented by a Gateway whose clients can follow a copyover reboot:
// their connections are handed to the new process with the listeners, as a player's are,
// and what the gateway knows of them (which process plays each, what is under way) goes in
// the hand-over document.
type GatewayHandover interface {
	Gateway
	// Quiesce runs on a worker before the clients pause. Once it returns nil nothing new
	// arrives for the clients from elsewhere (it is held there) until Thaw, or until the
	// new process's Resume.
	Quiesce() error
	// Clients lists the clients the gateway plays.
	Clients() []*Client
	// Freeze runs on the loop once the clients have paused. It returns the gateway's state
	// for the new process; from then on the gateway sends nothing, unless Thaw.
	Freeze() (json.RawMessage, error)
	// Thaw is called on the loop when the reboot fails after Quiesce: the gateway goes on.
	Thaw()
	// Resume runs in the new process once the old one has let go and before the clients'
	// sessions start: state is what Freeze returned, clients the restored connections.
	Resume(state json.RawMessage, clients []*Client) error
}

// gatewayHandover returns the Gateway's hand-over, or nil when there is no Gateway or it
// cannot follow a reboot.
func (e *Engine) gatewayHandover() GatewayHandover {
	gh, _ := e.cfg.Gateway.(GatewayHandover)
	return gh
}

// quiesceGateway asks the gateway, on a worker, to have its clients' traffic held, then
// begins the hand-over. It runs on the loop.
func (e *Engine) quiesceGateway(gh GatewayHandover, reply func(string)) {
	e.reboot.handing = true // a second reboot is refused meanwhile
	e.work(func() {
		err := gh.Quiesce()
		e.post(funcEvent(func(e *Engine) {
			e.reboot.handing = false
			if err != nil {
				reply(fmt.Sprintf("Cannot reboot: %v.", err))
				return
			}
			e.reboot.quiesced = true
			e.beginHandover(reply)
		}))
	})
}

// heldClients pauses the gateway's clients for the hand-over. It runs on the loop.
func (e *Engine) heldClients(gh GatewayHandover) []*session {
	var held []*session
	e.reboot.clients = make(map[*session]*Client)
	for _, c := range gh.Clients() {
		s := c.s
		if err := s.conn.Movable(); err != nil {
			s.trySend(Output{Text: "\nYour connection cannot follow the reboot (your client compresses what it sends); " +
				"please connect again in a moment.\n"})
			continue
		}
		s.trySend(Output{Text: "\nThe world shimmers... (reboot)\n"})
		e.reboot.clients[s] = c
		held = append(held, s)
	}
	return held
}

// handClient describes one paused client of the gateway, whose socket is file number file.
func (e *Engine) handClient(c *Client, file int) (handedSession, int, error) {
	s := c.s
	tel, err := s.conn.Snapshot()
	if err != nil {
		return handedSession{}, -1, fmt.Errorf("client %d (%s): %w", s.id, c.acct.Name, err)
	}
	fd, err := fileOf(s.raw)
	if err != nil {
		return handedSession{}, -1, fmt.Errorf("client %d (%s): %w", s.id, c.acct.Name, err)
	}
	return handedSession{File: file, ID: s.id, Addr: s.addr, Name: c.acct.Name, Role: c.acct.Role,
		Telnet: tel, Client: true}, fd, nil
}

// restoreClient rebuilds a handed client of the gateway. Its session starts once the gateway
// has resumed.
func (e *Engine) restoreClient(h *Handover, hs handedSession) (*Client, error) {
	f := h.file(hs.File)
	if f == nil {
		return nil, errors.New("no such file")
	}
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	s := e.newSession(conn, hs.Telnet.Raw)
	s.id, s.addr = hs.ID, hs.Addr
	if err := s.conn.Restore(hs.Telnet); err != nil {
		conn.Close()
		return nil, err
	}
	acct, err := e.store.Account(context.Background(), hs.Name)
	if err != nil {
		e.log.Warn("copyover: account not read; keeping what the old process knew", "name", hs.Name, "err", err)
		acct = store.Account{Name: hs.Name, Role: hs.Role}
	}
	c := &Client{e: e, s: s, acct: acct, idle: newIdleTimer(e.cfg.IdleTimeout)}
	s.client = c
	return c, nil
}

// resumeClients lets the gateway take its handed clients back and starts their sessions.
// It runs in takeOver, after the old process let go.
func (e *Engine) resumeClients(doc handoverDoc, clients []*Client) {
	if len(clients) == 0 && doc.Gateway == nil {
		return
	}
	gh := e.gatewayHandover()
	var err error
	if gh == nil {
		err = errors.New("this process has no gateway to play them")
	} else {
		err = gh.Resume(doc.Gateway, clients)
	}
	if err != nil {
		e.log.Error("copyover: the gateway could not take its clients back", "clients", len(clients), "err", err)
		for _, c := range clients {
			c.s.close()
		}
		return
	}
	for _, c := range clients {
		e.startSession(c.s, func(s *session) {
			c.Send(Output{Text: "Reboot complete.\n"})
			e.cfg.Gateway.Play(context.Background(), c)
			s.finish()
		})
	}
}
