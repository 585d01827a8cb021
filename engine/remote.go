package engine

import (
	"context"
	"errors"
	"os"
	"slices"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// A game can run in more than one process: a gateway holds the clients' connections (telnet,
// login, rendering, compression) and scenes run the world's zones (package cluster). The
// engine offers both halves: Config.Gateway hands every logged-in connection to a Gateway
// instead of this engine's loop, as a Client; AttachRemote plays a character here for a
// client connected elsewhere, as a Remote. A session's output goes to its writer goroutine in
// the first case and to the Remote's forwarding function in the second; the loop cannot tell
// them apart.

// Gateway plays logged-in clients somewhere else than this engine's loop. Play runs on the
// client's reader goroutine from the end of the login until the client leaves; when it
// returns the connection is closed after the output already queued. Message gets each GMCP or
// MSDP message the client sends while Play runs, on the same goroutine, in order with its
// lines (during Client.ReadLine); Client.Early holds those sent while it logged in.
type Gateway interface {
	Play(ctx context.Context, c *Client)
	Message(c *Client, m telnet.Message)
}

// Client is a logged-in connection handed to a Gateway. ReadLine belongs to the goroutine
// running Play; the other methods are safe from any goroutine.
type Client struct {
	e     *Engine
	s     *session
	acct  store.Account
	early []telnet.Message
	idle  idleTimer // owned by the reader goroutine (ReadLine)
}

// ID identifies the connection within this process.
func (c *Client) ID() uint64 { return c.s.id }

// Addr is the client's network address (without port).
func (c *Client) Addr() string { return c.s.addr }

// Account is the account the client logged in as.
func (c *Client) Account() store.Account { return c.acct }

// Info is what the client reported through telnet (window size, terminal type, GMCP...).
func (c *Client) Info() telnet.Info { return c.s.conn.Info() }

// Early returns the GMCP and MSDP messages the client sent while it logged in (Core.Hello,
// Core.Supports...), for the process that plays it.
func (c *Client) Early() []telnet.Message { return c.early }

// TCP reports a plain TCP connection (not telnet).
func (c *Client) TCP() bool { return c.s.tcp }

// ReadLine reads the client's next line. It fails with os.ErrDeadlineExceeded when the
// client stays idle for Config.IdleTimeout; a line over Config.MaxLine is refused with a
// message and skipped.
//
// A copyover pauses the reader here, at a line boundary: once the client is handed to a new
// process, ReadLine fails with net.ErrClosed.
func (c *Client) ReadLine() (string, error) { return c.s.nextLine(&c.idle) }

// Role is the role of the client's account.
func (c *Client) Role() Role { return c.e.roleOf(c.acct) }

// Send queues o for the client without blocking. If the queue is full the client, which is
// not reading, is cut off and Send reports false.
func (c *Client) Send(o Output) bool {
	if c.s.trySend(o) {
		return true
	}
	c.s.close()
	return false
}

// SetPreferences records the player's choice of colour level and character set ("" for
// automatic), as the color and charset commands save them; text is rendered accordingly.
func (c *Client) SetPreferences(color, charset string) {
	c.s.setColor(color)
	c.s.setCharset(charset)
}

// Close closes the connection at once.
func (c *Client) Close() { c.s.close() }

// Done is closed when the connection has closed.
func (c *Client) Done() <-chan struct{} { return c.s.done }

// playElsewhere hands a logged-in session to the gateway and closes it when the gateway is
// done.
func (e *Engine) playElsewhere(ctx context.Context, s *session, acct store.Account) {
	c := &Client{e: e, s: s, acct: acct, early: s.early, idle: newIdleTimer(e.cfg.IdleTimeout)}
	s.client, s.early = c, nil
	e.cfg.Gateway.Play(ctx, c)
	s.finish()
}

// RemoteOutput is a batch of output for a Remote's client, with the player's current choice
// of colour level and character set for the gateway that renders it.
type RemoteOutput struct {
	Output
	Color, Charset string
}

// Remote is a character played here for a client connected to another process. Its methods
// are safe from any goroutine.
type Remote struct {
	e *Engine
	s *session
}

// RemoteClient describes a client connected to another process.
type RemoteClient struct {
	Account store.Account
	Addr    string           // network address
	TCP     bool             // a plain TCP connection, not telnet
	Info    telnet.Info      // what the client reported when it logged in
	Early   []telnet.Message // GMCP and MSDP messages it sent while logging in
	// Arrive: the character comes from a zone another process runs; it arrives in its room
	// rather than logging in.
	Arrive bool
}

// AttachRemote logs c's account in for a client connected elsewhere: the
// character loads and enters the world as on any login. Every batch of output for it is passed
// to forward, in order, on a goroutine of the Remote's own, until a batch that closes the
// connection or Close. It reports false once the engine has stopped.
func (e *Engine) AttachRemote(c RemoteClient, forward func(RemoteOutput)) (*Remote, bool) {
	s := &session{id: e.nextSessionID(), addr: c.Addr, tcp: c.TCP, remoteInfo: c.Info, arrive: c.Arrive,
		out: make(chan Output, e.cfg.OutputQueue), done: make(chan struct{})}
	acct := c.Account
	r := &Remote{e: e, s: s}
	s.remote = r
	e.live.add(s)
	e.sessions.Add(1)
	go func() {
		defer e.sessions.Done()
		defer e.live.remove(s)
		r.forward(forward)
	}()
	if !e.post(loginEvent{s: s, acct: acct, early: c.Early}) {
		s.close()
		return nil, false
	}
	return r, true
}

// forward passes the session's output batches to fn until the session closes.
func (r *Remote) forward(fn func(RemoteOutput)) {
	s := r.s
	defer s.close()
	for {
		select {
		case o := <-s.out:
			if o.after != nil {
				o.after()
				continue
			}
			fn(RemoteOutput{Output: o, Color: colorPref(s.color.Load()), Charset: charsetPref(s.charset.Load())})
			if o.Close {
				return
			}
		case <-s.done:
			return
		}
	}
}

// AfterOutput runs fn on the Remote's forwarding goroutine once every batch of output queued
// so far has been passed on: what fn sends then follows the client's output. It reports false
// when the client is gone or its queue is full (output waits in its backlog on the loop).
func (r *Remote) AfterOutput(fn func()) bool {
	if r.s.backlogLen.Load() > 0 { // fn would go ahead of what waits there
		return false
	}
	return r.s.trySend(Output{after: fn})
}

// Line posts a line the client typed. A client flooding the game is cut off as a connected
// one would be; Line reports false when the line was not taken.
func (r *Remote) Line(text string) bool {
	s, e := r.s, r.e
	if s.closed() {
		return false
	}
	if !e.admitLine(s) {
		r.closeWith(reasonFlood)
		return false
	}
	return e.post(lineEvent{s: s, line: text, at: time.Now()})
}

// Message posts a GMCP or MSDP message the client sent, with what its connection reported
// after taking it (subscriptions change with Core.Supports messages).
func (r *Remote) Message(m telnet.Message, info telnet.Info) bool {
	return r.e.post(remoteOOBEvent{s: r.s, msg: m, info: info})
}

// remoteOOBEvent: a remote client sent an out-of-band message.
type remoteOOBEvent struct {
	s    *session
	msg  telnet.Message
	info telnet.Info
}

func (ev remoteOOBEvent) run(e *Engine) {
	ev.s.remoteInfo = ev.info
	oobEvent{s: ev.s, msg: ev.msg}.run(e)
}

// Close tells the game the client left: idle (the player is saved and removed), or dropped
// for any other reason (the character goes link-dead).
func (r *Remote) Close(idle bool) {
	reason := reasonDropped
	if idle {
		reason = reasonIdle
	}
	r.closeWith(reason)
}

func (r *Remote) closeWith(reason string) {
	if !r.e.post(closeEvent{s: r.s, reason: reason}) {
		r.s.close()
	}
}

// Closed is closed when the game has finished with the client.
func (r *Remote) Closed() <-chan struct{} { return r.s.done }

// IsIdle reports whether err, from Client.ReadLine, means the client was idle too long.
func IsIdle(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func colorPref(v int32) string {
	if v <= 0 {
		return ""
	}
	return markup.Level(v - 1).String()
}

func charsetPref(v int32) string {
	switch v {
	case charsetUTF8:
		return "utf-8"
	case charsetASCII:
		return "ascii"
	}
	return ""
}

// Call runs fn on the game loop, as an event. It reports false once the engine has stopped.
func (e *Engine) Call(fn func(*Engine)) bool { return e.post(funcEvent(fn)) }

// runs reports whether this engine runs zone z (Config.Zones).
func (e *Engine) runs(z *world.Zone) bool {
	return e.cfg.Zones == nil || z != nil && slices.Contains(e.cfg.Zones, z.Key)
}

// MissingZones returns the names in zones that are not zones of the game. Call it before Serve.
func (e *Engine) MissingZones(zones []string) []string {
	var missing []string
	for _, z := range zones {
		if e.world.Zones[z] == nil {
			missing = append(missing, z)
		}
	}
	return missing
}

// ErrElsewhere is what Router.Enter returns when the thing went to a room run by another
// process: it is no longer in this world.
var ErrElsewhere = errors.New("gone to another part of the world")

// PlayerOf returns the player a thing is, or nil.
func PlayerOf(t *world.Thing) *Player { return playerOf(t) }

// Runs reports whether this engine runs the zone called zone (Config.Zones).
func (e *Engine) Runs(zone string) bool {
	return e.cfg.Zones == nil || slices.Contains(e.cfg.Zones, zone)
}

// HandOff takes p out of this world to continue in room to, which another process runs: the
// character is saved there (with Lua's logout hooks run first, as for leaving the game) and
// removed, and its Remote stays open, keeping the lines that still come for it until Release.
// It must be called on the loop, and only for a player with a Remote (else it reports false).
func (e *Engine) HandOff(p *Player, to *world.Room) (*Remote, bool) {
	s := p.sess
	if s == nil || s.remote == nil {
		return nil, false
	}
	e.lua.emitThing("logout", p.Thing)
	batch := e.snapshotLinked(nil, p)
	for i := range batch {
		if batch[i].Name == p.Name {
			batch[i].Room = to.Key
		}
	}
	e.save(batch...)
	s.handedOff = true
	for _, l := range p.lines {
		s.held = append(s.held, l.text)
	}
	e.flushOutput() // what the player saw last goes out before the player leaves
	e.detach(p)
	e.dropPlayer(p)
	e.world.Destroy(p.Thing)
	return s.remote, true
}

// Release closes a Remote whose character was handed off, and passes fn (on the loop) the
// lines that came for it meanwhile, in order.
func (r *Remote) Release(fn func(lines []string)) {
	s := r.s
	if !r.e.post(funcEvent(func(*Engine) {
		lines := s.held
		s.held = nil
		s.close()
		fn(lines)
	})) {
		fn(nil)
	}
}

// OwnCharacters makes this engine one of several processes sharing the database, known
// there as owner (a scene's id): each character it loads is claimed for owner, and its saves
// are written only while that claim holds (store.Writer.Own). A player whose save is refused,
// since another process claimed the character meanwhile, is taken out of this world
// unsaved, its session closed without a word, and lost is called on the loop with the
// player's name and its Remote (nil for a client connected here). Call it before Serve.
func (e *Engine) OwnCharacters(owner string, lost func(name string, r *Remote)) {
	e.lost = lost
	e.saver.Own(owner, func(names []string) { e.post(lostEvent{names: names}) })
}

// lostEvent: saves of these characters were refused; another process plays them now.
type lostEvent struct{ names []string }

func (ev lostEvent) run(e *Engine) {
	for _, name := range ev.names {
		p := e.players[state.Key(name)]
		if p == nil {
			continue
		}
		e.log.Warn("character claimed by another process; dropped here unsaved", "name", p.Name)
		s := e.detach(p)
		if r := p.Thing.Room; r != nil {
			e.tellRoom(r, p.Thing, mudCap(p.Name)+" fades away.")
		}
		e.dropPlayer(p)
		e.world.Destroy(p.Thing)
		var r *Remote
		if s != nil {
			r = s.remote
		}
		if e.lost != nil {
			e.lost(p.Name, r) // before the session closes: r is still known as its client's
		}
		switch {
		case s != nil && r == nil:
			s.say("\nYour character is being played elsewhere. Goodbye.\n", true)
		case s != nil:
			s.close()
		}
	}
}

// FlushSaves waits until every character saved so far is written to the database.
func (e *Engine) FlushSaves(ctx context.Context) error { return e.saver.Flush(ctx) }

// arrived shows a character handed over from another process its new room.
func (e *Engine) arrived(p *Player) {
	e.look(p)
	e.tellRoom(p.Thing.Room, p.Thing, mudCap(p.Name)+" arrives.")
	e.roomItem(p.Thing.Room, "Add", p.Thing, nil)
	e.lua.emitThing("login", p.Thing)
	e.roomEntered(p.Thing, "")
}

// remotePlayers counts the players whose client is connected to another process: a copyover
// cannot move them (a scene restarts instead, its players held by the gateway).
func (e *Engine) remotePlayers() int {
	n := 0
	for _, p := range e.players {
		if p.sess != nil && p.sess.remote != nil {
			n++
		}
	}
	return n
}
