package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
)

// Player is a character in the world together with its link to a session. A player whose
// connection dropped stays in the world link-dead (sess == nil) for a grace period.
type Player struct {
	e     *Engine
	Name  string
	Role  Role
	Thing *world.Thing

	sess       *session
	linkDeadAt time.Time
	idleSince  time.Time
	loginAt    time.Time
	played     time.Duration // before this login
	version    uint64

	lines      []queuedLine
	out        strings.Builder
	kept       keptSpan // where out holds a kept look, if it does (see keptSpan)
	atPrompt   bool     // the last thing sent was a prompt and no line came since
	needPrompt bool
	flushing   bool // p is in the engine's flush list
	inRunq     bool // p is in the engine's round-robin queue
	pwFailures int  // wrong current passwords typed to the password command
	dirty      bool
	listed     bool              // p is in a save round's list (see saveDue)
	group      *saveGroup        // the players p must be saved with, or nil (see linked.go)
	gone       bool              // p left the game (dropPlayer): nothing of it is saved again
	input      func(line string) // if set, takes the next line instead of the command parser
	askPrompt  string            // prompt for input, instead of the usual one
	hideInput  bool              // input is hidden (a password): echo goes off with the prompt
	showInput  bool              // echo goes back on with the next output
	oob        oobState          // GMCP/MSDP state and messages for the next batch
	frozen     bool              // staff froze the player: no command but quit runs
	snooping   *Player           // the player this one watches
	snoopedBy  *Player           // the admin who watches this player
	color      string            // colour level the player chose ("off", "16"...); "" is automatic
	charset    string            // character set the player chose ("utf-8", "ascii"); "" is automatic
}

type queuedLine struct {
	text string
	at   time.Time
}

// Send queues text (one or more lines) for the player. It is written when the loop flushes.
func (p *Player) Send(text string) { p.sendCut(text, 0, 0, nil) }

// sendCut is Send(text[:cut0] + text[cut1:]) without making that string. If text is kept's
// text, the batch notes where it is, so that the session's writer can copy its rendering.
func (p *Player) sendCut(text string, cut0, cut1 int, kept *lookText) {
	if p.sess == nil {
		return
	}
	if p.atPrompt && p.out.Len() == 0 {
		p.out.WriteByte('\n')
		p.atPrompt = false
	}
	if kept != nil && p.kept.look == nil {
		p.kept = keptSpanAt(kept, p.out.Len(), cut0, cut1)
	}
	p.out.Grow(len(text) - (cut1 - cut0) + 1)
	p.out.WriteString(text[:cut0])
	p.out.WriteString(text[cut1:])
	end := text[cut1:]
	if end == "" {
		end = text[:cut0]
	}
	if !strings.HasSuffix(end, "\n") {
		p.out.WriteByte('\n')
	}
	p.markFlush()
	if p.snoopedBy != nil {
		p.snoopedBy.Send(snooped(p.Name, text[:cut0]+text[cut1:]))
	}
}

// addPlayer puts p in the game's list of players.
func (e *Engine) addPlayer(p *Player) {
	e.players[state.Key(p.Name)] = p
	e.sortedNames = nil
}

// dropPlayer takes p out of the game's list of players.
func (e *Engine) dropPlayer(p *Player) {
	delete(e.players, state.Key(p.Name))
	e.sortedNames = nil
	p.gone = true
}

// playerKeys returns the keys of e.players in order, sorted again only when they changed.
// The caller must not change the slice.
func (e *Engine) playerKeys() []string {
	if e.sortedNames == nil {
		e.sortedNames = sortedKeys(e.players)
	}
	return e.sortedNames
}

// touch marks p changed since its last save, so that a save round saves it (see saveDue).
func (p *Player) touch() {
	p.dirty = true
	p.e.touchedInUnit(p)
	if !p.listed {
		p.listed = true
		p.e.changed = append(p.e.changed, p)
	}
}

// markFlush puts p on the engine's list of players with output to send.
func (p *Player) markFlush() {
	if !p.flushing {
		p.flushing = true
		p.e.flushq = append(p.e.flushq, p)
	}
}

// Sendf formats and queues a line for the player.
func (p *Player) Sendf(format string, args ...any) { p.Send(fmt.Sprintf(format, args...)) }

// Online reports whether the player has a connection (is not link-dead).
func (p *Player) Online() bool { return p.sess != nil }

// Idle is how long since the player's last command.
func (p *Player) Idle(now time.Time) time.Duration { return now.Sub(p.idleSince) }

// Addr is the player's network address, or "" when link-dead.
func (p *Player) Addr() string {
	if p.sess == nil {
		return ""
	}
	return p.sess.addr
}

// ask shows prompt and hands the player's next line to fn instead of the command parser.
// A hidden question turns the client's echo off until the answer arrives.
func (p *Player) ask(prompt string, hidden bool, fn func(answer string)) {
	p.input, p.askPrompt, p.hideInput = fn, prompt, hidden
	p.needPrompt = true
	p.markFlush()
}

// takeAnswer takes the pending question's handler, if there is one, restoring echo.
func (p *Player) takeAnswer() func(string) {
	fn := p.input
	if p.hideInput {
		p.showInput = true
	}
	p.input, p.askPrompt, p.hideInput = nil, "", false
	return fn
}

func (p *Player) prompt() string {
	if p.askPrompt != "" {
		return p.askPrompt
	}
	return "> "
}

// flushOutput sends every player's pending output as one batch ending with the prompt.
func (e *Engine) flushOutput() {
	e.drainBacklogs()
	list := e.flushq
	e.flushq, e.flushSpare = e.flushSpare[:0], nil
	defer func() { e.flushSpare = list[:0] }()
	for i, p := range list {
		list[i] = nil
		p.flushing = false
		if p.sess == nil || (p.out.Len() == 0 && !p.needPrompt && len(p.oob.queue) == 0) {
			continue
		}
		o := Output{Text: p.out.String(), Prompt: p.prompt(), Hide: p.hideInput, Show: p.showInput,
			OOB: p.oob.queue, kept: p.kept}
		if p.out.Len() == 0 && !p.needPrompt {
			o.Prompt = "" // only out-of-band data: no new prompt
		}
		p.out.Reset()
		p.kept = keptSpan{}
		p.oob.queue = nil
		p.needPrompt, p.showInput = false, false
		if s := p.sess; !e.deliver(s, o) {
			if s.closed() && !s.console {
				e.linkDead(p)
			} else {
				e.cutOff(s) // a console is let go; a player's character goes link-dead
			}
			continue
		}
		if o.Prompt != "" {
			p.atPrompt = true
		}
	}
}

func (ev loginEvent) run(e *Engine) {
	if len(ev.early) > 0 {
		e.earlyOOB[ev.s] = ev.early // handled on attach, before the first look
	}
	if p := e.players[state.Key(ev.acct.Name)]; p != nil {
		e.reattach(p, ev.s, e.roleOf(ev.acct))
		return
	}
	e.loading[ev.s] = nil // lines typed while the character loads wait here
	e.work(func() {
		c, err := e.saver.Claim(context.Background(), ev.acct.Name)
		e.post(loadedEvent{s: ev.s, acct: ev.acct, char: c, err: err})
	})
}

func (ev loadedEvent) run(e *Engine) {
	if _, ok := e.loading[ev.s]; !ok {
		return // the connection closed while the character was loading
	}
	if ev.err != nil {
		delete(e.loading, ev.s)
		delete(e.earlyOOB, ev.s)
		e.log.Error("load character failed", "name", ev.acct.Name, "err", ev.err)
		e.tell(ev.s, Output{Text: "Your character could not be loaded. Please try again later.\n", Close: true})
		return
	}
	if p := e.players[state.Key(ev.acct.Name)]; p != nil {
		e.reattach(p, ev.s, e.roleOf(ev.acct))
		return
	}
	p := e.restore(ev.char, e.roleOf(ev.acct))
	e.attach(p, ev.s)
	e.addPlayer(p)
	if ev.s.arrive {
		e.arrived(p)
		return
	}
	if motd := strings.TrimSpace(e.game.MOTD); motd != "" {
		p.Send(motd + "\n")
	}
	e.look(p)
	e.tellRoom(p.Thing.Room, p.Thing, mudCap(p.Name)+" has entered the game.")
	e.lua.emitThing("login", p.Thing)
	e.roomEntered(p.Thing, "")
}

// roleOf reads an account's role; the account read at login is the authority on it.
func (e *Engine) roleOf(acct store.Account) Role {
	role, err := ParseRole(acct.Role)
	if err != nil {
		e.log.Warn("account has an unknown role; treating as player", "name", acct.Name, "err", err)
	}
	return role
}

// reattach gives an in-world character a new session: after a dropped link, or taking over
// from another connection (which is told and closed).
func (e *Engine) reattach(p *Player, s *session, role Role) {
	p.Role = role
	if old := e.detach(p); old != nil {
		e.log.Info("session takeover", "name", p.Name, "old", old.id, "new", s.id)
		e.tell(old, Output{Text: "\nYour character was taken over by a new connection. Goodbye.\n", Close: true})
	}
	e.attach(p, s)
	p.Send("Reconnected.")
	e.look(p)
	e.tellRoom(p.Thing.Room, p.Thing, mudCap(p.Name)+" has reconnected.")
	e.lua.emitThing("login", p.Thing)
}

func (e *Engine) attach(p *Player, s *session) {
	p.sess = s
	e.online.Add(1)
	s.setColor(p.color)
	s.setCharset(p.charset)
	p.idleSince = e.now()
	p.atPrompt = false
	e.bySess[s] = p
	if early := e.loading[s]; len(early) > 0 {
		p.lines = append(p.lines, early...)
		e.schedule(p)
	}
	delete(e.loading, s)
	early := e.earlyOOB[s]
	delete(e.earlyOOB, s)
	for _, m := range early {
		e.handleOOB(p, m)
	}
	p.loginOOB()
}

// schedule puts p in the round-robin queue unless it is there already.
func (e *Engine) schedule(p *Player) {
	if !p.inRunq {
		p.inRunq = true
		e.runq = append(e.runq, p)
	}
}

// detach ends p's link with its session and returns the session. Queued lines, a pending
// question and hidden input belong to the connection, so they go with it.
func (e *Engine) detach(p *Player) *session {
	s := p.sess
	if s == nil {
		return nil
	}
	delete(e.bySess, s)
	e.online.Add(-1)
	e.endSnoops(p)
	s.queued.Add(-int32(len(p.lines)))
	p.sess, p.lines = nil, nil
	p.input, p.askPrompt, p.hideInput, p.showInput = nil, "", false, false
	p.out.Reset()
	p.kept = keptSpan{}
	p.oob.queue, p.oob.reported = nil, nil // MSDP reports belong to the connection
	return s
}

// closeEvent.run ends a session whose reader stopped. The loop owns the closing, so that a
// last message (the idle goodbye) is written before the connection closes.
func (ev closeEvent) run(e *Engine) {
	delete(e.loading, ev.s)
	delete(e.earlyOOB, ev.s)
	defer e.tell(ev.s, Output{Close: true})
	p := e.bySess[ev.s]
	if p == nil {
		return
	}
	if ev.reason == reasonIdle {
		e.removePlayer(p, "You have been idle too long. Goodbye.")
		return
	}
	e.log.Info("link-dead", "name", p.Name, "reason", ev.reason)
	e.linkDead(p)
}

// linkDead detaches p from its session and leaves the character in the world.
func (e *Engine) linkDead(p *Player) {
	if e.detach(p) == nil {
		return
	}
	p.linkDeadAt = e.now()
	p.touch()
	e.tellRoom(p.Thing.Room, p.Thing, mudCap(p.Name)+" has lost the link.")
}

// removePlayer saves p and takes the character out of the world. A non-empty goodbye is
// sent first and the connection closed after it.
func (e *Engine) removePlayer(p *Player, goodbye string) {
	e.lua.emitThing("logout", p.Thing)
	e.saveLinked(p)
	if goodbye != "" {
		p.Send(goodbye)
	}
	text := p.out.String()
	if s := e.detach(p); s != nil {
		e.tell(s, Output{Text: text, Close: true})
	}
	if r := p.Thing.Room; r != nil {
		e.tellRoom(r, p.Thing, mudCap(p.Name)+" has left the game.")
	}
	e.dropPlayer(p)
	e.world.Destroy(p.Thing)
}

// snapshot turns p into plain data for saving and marks it saved.
func (e *Engine) snapshot(p *Player) state.Character {
	p.version++
	p.dirty = false
	c := state.Character{
		Name:    p.Name,
		Items:   e.itemsOf(p.Thing.Contents),
		Data:    e.lua.dataOf(p.Thing),
		Color:   p.color,
		Charset: p.charset,
		Played:  p.played + e.now().Sub(p.loginAt),
		Frozen:  p.frozen,
		Version: p.version,
	}
	if r := p.Thing.OuterRoom(); r != nil {
		c.Room = r.Key
	}
	return c
}

// itemsOf turns carried items, their contents and their builder data into plain data.
func (e *Engine) itemsOf(things []*world.Thing) []state.Item {
	var items []state.Item
	for _, t := range things {
		if t.Kind != world.Item || t.Proto == nil {
			continue
		}
		items = append(items, state.Item{Proto: t.Proto.Key, Slot: t.Slot, Contents: e.itemsOf(t.Contents),
			Data: e.lua.dataOf(t)})
	}
	return items
}

// restore builds a player from saved state and places it in its room (or the start room).
func (e *Engine) restore(c state.Character, role Role) *Player {
	t := e.world.NewPlayer(c.Name)
	p := &Player{e: e, Name: c.Name, Role: role, Thing: t, version: c.Version, played: c.Played,
		loginAt: e.now(), color: c.Color, charset: c.Charset, frozen: c.Frozen}
	t.Owner = p
	e.restoreItems(t, c.Items)
	e.lua.setData(t, c.Data)
	room := e.world.Rooms[c.Room]
	if room == nil {
		if c.Room != "" {
			e.log.Warn("saved room is gone; using start room", "name", c.Name, "room", c.Room)
		}
		room = e.startRoom()
	}
	e.world.MoveTo(t, room)
	return p
}

func (e *Engine) restoreItems(holder *world.Thing, items []state.Item) {
	for _, it := range items {
		proto := e.world.Protos[it.Proto]
		if proto == nil || proto.Kind != world.Item {
			e.log.Warn("saved item has no prototype; dropped", "holder", holder.Name, "proto", it.Proto)
			continue
		}
		t := e.spawnNowhere(proto)
		e.world.MoveInto(t, holder)
		t.Slot = it.Slot
		e.lua.setData(t, it.Data)
		e.restoreItems(t, it.Contents)
	}
}

func (e *Engine) startRoom() *world.Room { return e.world.Rooms[e.game.Start] }

// playerOf returns the player a thing is, or nil.
func playerOf(t *world.Thing) *Player {
	if t == nil {
		return nil
	}
	p, _ := t.Owner.(*Player)
	return p
}
