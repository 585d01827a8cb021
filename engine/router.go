package engine

import (
	"errors"
	"sort"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/world"
)

// Router carries everything that crosses a zone boundary: a thing entering a room that may be
// in another zone, messages between players wherever they are, and the list of who is online.
// A zone is the unit of partition: in one process every zone is local and the router acts on
// the world directly; a clustered deployment implements the same interface across processes.
// Its methods are called on the game loop.
type Router interface {
	// Enter moves t into room to, which may be in another zone than t's current room.
	Enter(t *world.Thing, to *world.Room) error
	// Tell delivers a private message from one player to the player named to.
	Tell(from *Player, to, text string) error
	// Who lists the players online in every zone.
	Who() []WhoEntry
}

// WhoEntry is one line of `who`: plain data so it can come from another process.
type WhoEntry struct {
	Name     string
	Role     Role
	Zone     string
	Idle     time.Duration
	LinkDead bool
}

// Errors of Router.Tell.
var (
	ErrNoSuchPlayer = errors.New("no such player is online")
	ErrLinkDead     = errors.New("that player has lost the link")
)

// localRouter is the Router of a single process: every zone is here.
type localRouter struct{ e *Engine }

func (r localRouter) Enter(t *world.Thing, to *world.Room) error {
	world.MoveTo(t, to)
	if p := playerOf(t); p != nil {
		p.dirty = true
	}
	return nil
}

func (r localRouter) Tell(from *Player, to, text string) error {
	p := r.e.players[state.Key(to)]
	switch {
	case p == nil:
		return ErrNoSuchPlayer
	case !p.Online():
		return ErrLinkDead
	}
	p.Sendf("{m}%s tells you,{x} \"%s\"", from.Name, text)
	return nil
}

func (r localRouter) Who() []WhoEntry {
	now := r.e.now()
	out := make([]WhoEntry, 0, len(r.e.players))
	for _, p := range r.e.players {
		w := WhoEntry{Name: p.Name, Role: p.Role, Idle: p.Idle(now), LinkDead: !p.Online()}
		if z := p.Thing.Zone(); z != nil {
			w.Zone = z.Name
		}
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
