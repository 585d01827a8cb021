package engine

import (
	"errors"
	"fmt"
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
	// Locate finds the player called name in any zone. It fails with ErrNoSuchPlayer.
	Locate(name string) (WhoEntry, error)
	// Act applies a staff action to the player called name wherever they are, and returns
	// its failure: ErrNoSuchPlayer, ErrNotPermitted, or the forced command's.
	Act(name string, a Action) error
	// Broadcast sends text to every player online whose role is at least min. A message on a
	// channel (wiznet) names it and its talker, for the clients that take Comm.Channel.Text;
	// an announcement has no channel.
	Broadcast(min Role, channel, talker, text string)
}

// ActionKind says what an Action does to its player.
type ActionKind int

// The staff actions on a player.
const (
	ActForce    ActionKind = iota + 1 // run Line as the player, with the player's role
	ActKick                           // save and disconnect the player, telling them Reason
	ActFreeze                         // stop the player running commands (saved with them)
	ActThaw                           // end a freeze
	ActTransfer                       // move the player to room Room
	ActSetRole                        // the account's role changed to Role
)

// Action is a staff action on a player, made by By (of role ByRole): plain data, so that it
// can reach a player in another process. Every action but ActSetRole applies only to players
// of a lower role than ByRole.
type Action struct {
	Kind   ActionKind
	By     string
	ByRole Role
	Line   string // ActForce
	Depth  int    // ActForce: nesting of the line that forces
	Reason string // ActKick
	Room   string // ActTransfer: a room key
	Role   Role   // ActSetRole
}

// WhoEntry is one line of `who`: plain data so it can come from another process.
type WhoEntry struct {
	Name     string
	Role     Role
	Zone     string
	Idle     time.Duration
	LinkDead bool

	Room      string   // room key
	Addr      string   // network address; "" when link-dead
	Client    string   // client name from telnet TTYPE
	Protocols []string // what the connection speaks: "telnet" or "tcp", and telnet options
	Frozen    bool
}

// Errors of Router.Tell.
var (
	ErrNoSuchPlayer = errors.New("no such player is online")
	ErrLinkDead     = errors.New("that player has lost the link")
	ErrNotPermitted = errors.New("that player's role is as high as yours or higher")
)

// localRouter is the Router of a single process: every zone is here.
type localRouter struct{ e *Engine }

func (r localRouter) Enter(t *world.Thing, to *world.Room) error {
	r.e.world.MoveTo(t, to)
	if p := playerOf(t); p != nil {
		p.touch()
	}
	return nil
}

func (r localRouter) Tell(from *Player, to, text string) error {
	return r.e.TellHere(from.Name, to, text)
}

// TellHere delivers a tell from the player called from (who may be in another process) to
// the player called to in this process. Call it on the loop.
func (e *Engine) TellHere(from, to, text string) error {
	p, err := e.onlineHere(to)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("{m}%s tells you,{x} \"%s\"", from, text)
	p.Send(line)
	p.channelText("tell", from, line)
	return nil
}

// NoticeHere shows text to the player called to in this process, if online: the outcome of
// something the player did that another process carried out. Call it on the loop.
func (e *Engine) NoticeHere(to, text string) error {
	p, err := e.onlineHere(to)
	if err != nil {
		return err
	}
	p.Send(text)
	return nil
}

// onlineHere returns the player called name in this process, failing with ErrNoSuchPlayer
// or ErrLinkDead.
func (e *Engine) onlineHere(name string) (*Player, error) {
	p := e.players[state.Key(name)]
	switch {
	case p == nil:
		return nil, ErrNoSuchPlayer
	case !p.Online():
		return nil, ErrLinkDead
	}
	return p, nil
}

func (r localRouter) Who() []WhoEntry {
	now := r.e.now()
	out := make([]WhoEntry, 0, len(r.e.players))
	for _, p := range r.e.players {
		out = append(out, p.whoEntry(now))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r localRouter) Locate(name string) (WhoEntry, error) {
	p := r.e.players[state.Key(name)]
	if p == nil {
		return WhoEntry{}, ErrNoSuchPlayer
	}
	return p.whoEntry(r.e.now()), nil
}

func (r localRouter) Act(name string, a Action) error {
	p := r.e.players[state.Key(name)]
	if p == nil {
		return ErrNoSuchPlayer
	}
	return r.e.applyAction(p, a)
}

func (r localRouter) Broadcast(min Role, channel, talker, text string) {
	for _, p := range r.e.players {
		if p.Role >= min {
			p.Send(text)
			if channel != "" {
				p.channelText(channel, talker, text)
			}
		}
	}
}
