// Package world holds the game world's data model: zones, rooms, exits and doors, prototypes,
// and things (items, NPCs, players) arranged in one containment tree.
//
// The model is plain Go with no I/O and no scripting. It is owned by the game loop goroutine
// and is not safe for concurrent use.
package world

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// World is the whole game world: every zone, room and prototype, and every thing in it.
type World struct {
	Zones  map[string]*Zone
	Rooms  map[string]*Room
	Protos map[string]*Proto

	// OnDestroy, if set, is called for every thing Destroy removes, innermost first.
	OnDestroy func(*Thing)
	// OnCarry, if set, is called when MoveTo or MoveInto passes an item from one player to
	// another: from carried it, at any depth, or was the last player to carry it before it
	// was left somewhere no player carries; to carries it now.
	OnCarry func(t, from, to *Thing)

	things map[uint64]*Thing
	nextID uint64
}

// New returns an empty world.
func New() *World {
	return &World{
		Zones:  make(map[string]*Zone),
		Rooms:  make(map[string]*Room),
		Protos: make(map[string]*Proto),
		things: make(map[uint64]*Thing),
	}
}

// NewAfter returns an empty world whose things get IDs after those of prev, so that prev's
// things can later be moved into it with Adopt. A nil prev gives New().
func NewAfter(prev *World) *World {
	w := New()
	if prev != nil {
		w.nextID = prev.nextID
	}
	return w
}

// Adopt moves every thing of prev into w, keeping IDs. The things still point at prev's rooms
// and prototypes: the caller moves them to w's.
func (w *World) Adopt(prev *World) {
	for id, t := range prev.things {
		w.things[id] = t
	}
	w.nextID = max(w.nextID, prev.nextID)
	clear(prev.things)
}

// Zone is the unit of partition: a named group of rooms with its own reset rules.
type Zone struct {
	Key        string
	Name       string
	Desc       string
	Rooms      []*Room
	Resets     []Reset
	ResetEvery time.Duration // 0: reset only when the game loads
	ResetEmpty bool          // reset only when no player is in the zone
	// Script is the scripting layer's handle for the zone's definition.
	Script any
}

// Reset is one rule applied when a zone resets: keep Max instances of Proto in Room,
// inside the first instance of Into, or carried by the last NPC placed with key NPC (worn
// in slot Wear, if set).
type Reset struct {
	Proto string
	Room  string
	Into  string
	NPC   string
	Wear  string
	Max   int
}

// Room is a place. Things in it are listed in Things, in arrival order.
type Room struct {
	Key    string
	Name   string
	Desc   string
	Zone   *Zone
	Exits  []*Exit
	Things []*Thing
	Script any
}

// Exit leads from a room to another room, optionally through a door.
type Exit struct {
	Dir  string
	To   string
	Door *Door
}

// Door is shared by both sides of a passage.
type Door struct {
	Name     string
	Keywords []string
	Closed   bool
	Locked   bool
	Key      string // prototype key of the item that locks and unlocks it
}

// Why a door could not change.
var (
	ErrDoorOpen      = errors.New("is already open")
	ErrDoorClosed    = errors.New("is already closed")
	ErrDoorLocked    = errors.New("is locked")
	ErrDoorUnlocked  = errors.New("isn't locked")
	ErrDoorNotClosed = errors.New("must be closed first")
)

// Open opens a closed, unlocked door.
func (d *Door) Open() error {
	switch {
	case !d.Closed:
		return ErrDoorOpen
	case d.Locked:
		return ErrDoorLocked
	}
	d.Closed = false
	return nil
}

// Close closes an open door.
func (d *Door) Close() error {
	if d.Closed {
		return ErrDoorClosed
	}
	d.Closed = true
	return nil
}

// Lock locks a closed door. Whether the locker has the key is the caller's rule.
func (d *Door) Lock() error {
	switch {
	case d.Locked:
		return ErrDoorLocked
	case !d.Closed:
		return ErrDoorNotClosed
	}
	d.Locked = true
	return nil
}

// Unlock unlocks a locked door.
func (d *Door) Unlock() error {
	if !d.Locked {
		return ErrDoorUnlocked
	}
	d.Locked = false
	return nil
}

// Kind tells what a thing is.
type Kind int

// The kinds of things.
const (
	Item Kind = iota
	NPC
	Player
)

func (k Kind) String() string {
	switch k {
	case NPC:
		return "npc"
	case Player:
		return "player"
	default:
		return "item"
	}
}

// Proto is the template of an item or NPC.
type Proto struct {
	Key       string
	Kind      Kind
	Name      string
	Keywords  []string
	Ground    string
	Desc      string
	Container bool
	Capacity  int
	Fixed     bool
	Zone      *Zone
	Script    any
}

// Thing is an item, an NPC or a player. It is in exactly one place: a room, a holder
// (a container or a carrier), or nowhere while it is being created or destroyed.
type Thing struct {
	ID       uint64
	Kind     Kind
	Proto    *Proto
	Name     string
	Keywords []string
	Ground   string
	Desc     string

	Room     *Room
	Holder   *Thing
	Contents []*Thing
	// Slot is where a carried item is worn or wielded ("" when it is not). The game's
	// scripts decide what slots mean; the model clears it when the item leaves its holder.
	Slot string

	// lastCarrier is the player that carried t last, kept while no player carries t (see
	// World.OnCarry).
	lastCarrier *Thing

	// Data is the scripting layer's per-thing data.
	Data any
	// Owner is the engine's handle for a player thing.
	Owner any
}

// IsContainer reports whether other things can be put into t.
func (t *Thing) IsContainer() bool { return t.Proto != nil && t.Proto.Container }

// Capacity is how many things t can contain or carry.
func (t *Thing) Capacity() int {
	if t.Proto == nil || t.Proto.Capacity <= 0 {
		return 10
	}
	return t.Proto.Capacity
}

// Key is t's prototype key, or "" for players.
func (t *Thing) Key() string {
	if t.Proto == nil {
		return ""
	}
	return t.Proto.Key
}

// Fixed reports whether t cannot be picked up.
func (t *Thing) Fixed() bool { return t.Kind != Item || (t.Proto != nil && t.Proto.Fixed) }

// Matches reports whether a player could call t by word: a keyword, or a prefix of one
// of at least two letters.
func (t *Thing) Matches(word string) bool {
	return matchWords(t.Keywords, word)
}

// OuterRoom is the room t is in, directly or through its holders.
func (t *Thing) OuterRoom() *Room {
	for t.Holder != nil {
		t = t.Holder
	}
	return t.Room
}

// Zone returns the zone key of t's outer room, or "".
func (t *Thing) Zone() *Zone {
	if r := t.OuterRoom(); r != nil {
		return r.Zone
	}
	return nil
}

func matchWords(keywords []string, word string) bool {
	word = strings.ToLower(word)
	if word == "" {
		return false
	}
	for _, k := range keywords {
		if k == word || (len(word) >= 2 && strings.HasPrefix(k, word)) {
			return true
		}
	}
	return false
}

// Spawn creates a thing from a prototype, placed nowhere.
func (w *World) Spawn(p *Proto) *Thing {
	t := w.newThing(p.Kind)
	t.Proto = p
	t.Name, t.Ground, t.Desc = p.Name, p.Ground, p.Desc
	t.Keywords = p.Keywords
	return t
}

// NewPlayer creates a player thing named name, placed nowhere.
func (w *World) NewPlayer(name string) *Thing {
	t := w.newThing(Player)
	t.Name = name
	t.Keywords = []string{strings.ToLower(name)}
	return t
}

func (w *World) newThing(k Kind) *Thing {
	w.nextID++
	t := &Thing{ID: w.nextID, Kind: k}
	w.things[t.ID] = t
	return t
}

// Thing returns the live thing with id, or nil.
func (w *World) Thing(id uint64) *Thing { return w.things[id] }

// Count returns how many things exist.
func (w *World) Count() int { return len(w.things) }

// Each calls fn for every thing (in no particular order) until fn returns false.
func (w *World) Each(fn func(*Thing) bool) {
	for _, t := range w.things {
		if !fn(t) {
			return
		}
	}
}

// Destroy removes t and everything inside it from the world.
func (w *World) Destroy(t *Thing) {
	for len(t.Contents) > 0 {
		w.Destroy(t.Contents[len(t.Contents)-1])
	}
	Remove(t)
	delete(w.things, t.ID)
	if w.OnDestroy != nil {
		w.OnDestroy(t)
	}
}

// Alive reports whether t is still in the world.
func (w *World) Alive(t *Thing) bool { return t != nil && w.things[t.ID] == t }

// Remove takes t out of wherever it is.
func Remove(t *Thing) {
	if t.Room != nil {
		t.Room.Things = without(t.Room.Things, t)
		t.Room = nil
	}
	if t.Holder != nil {
		t.Holder.Contents = without(t.Holder.Contents, t)
		t.Holder = nil
		t.Slot = ""
	}
}

// Worn returns what t wears in slot, or nil.
func (t *Thing) Worn(slot string) *Thing {
	for _, x := range t.Contents {
		if x.Slot == slot && slot != "" {
			return x
		}
	}
	return nil
}

// MoveTo puts t in room r.
func (w *World) MoveTo(t *Thing, r *Room) {
	from := t.provenance()
	Remove(t)
	t.Room = r
	r.Things = append(r.Things, t)
	w.carried(t, from)
}

// MoveInto puts t inside (or into the inventory of) holder.
func (w *World) MoveInto(t, holder *Thing) {
	from := t.provenance()
	Remove(t)
	t.Holder = holder
	holder.Contents = append(holder.Contents, t)
	w.carried(t, from)
}

// Carrier returns the player carrying t at any depth, or nil.
func (t *Thing) Carrier() *Thing {
	for h := t.Holder; h != nil; h = h.Holder {
		if h.Kind == Player {
			return h
		}
	}
	return nil
}

// provenance returns the player that carries t, or else the player that last carried t or
// what holds it; nil if there is none.
func (t *Thing) provenance() *Thing {
	if t.Kind != Item {
		return nil
	}
	if c := t.Carrier(); c != nil {
		return c
	}
	for x := t; x != nil; x = x.Holder {
		if x.lastCarrier != nil {
			return x.lastCarrier
		}
	}
	return nil
}

// carried records where an item that came from player from (or from none) is now. Left
// where no player carries it, it remembers from; taken by a player, it and everything it
// holds change hands, which OnCarry hears of.
func (w *World) carried(t, from *Thing) {
	if t.Kind != Item {
		return
	}
	to := t.Carrier()
	if to == nil {
		t.lastCarrier = from
		return
	}
	w.handed(t, from, to)
	for _, x := range t.Contents {
		w.handedInside(x, to)
	}
}

// handedInside reports the items inside a thing that player to took which other players
// left there.
func (w *World) handedInside(t, to *Thing) {
	w.handed(t, t.lastCarrier, to)
	for _, x := range t.Contents {
		w.handedInside(x, to)
	}
}

// handed clears t's memory of its last carrier and reports a change of hands to OnCarry.
func (w *World) handed(t, from, to *Thing) {
	t.lastCarrier = nil
	if from != nil && from != to && w.OnCarry != nil {
		w.OnCarry(t, from, to)
	}
}

// Contains reports whether inner is t or is inside t at any depth.
func Contains(t, inner *Thing) bool {
	for x := inner; x != nil; x = x.Holder {
		if x == t {
			return true
		}
	}
	return false
}

func without(list []*Thing, t *Thing) []*Thing {
	for i, x := range list {
		if x == t {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			return list[:len(list)-1]
		}
	}
	return list
}

// Exit returns the exit of r named dir (a full direction, an abbreviation, or a named exit).
func (r *Room) Exit(dir string) *Exit {
	dir = NormalizeDir(dir)
	for _, e := range r.Exits {
		if e.Dir == dir {
			return e
		}
	}
	return nil
}

// ExitByDoor returns the exit whose door the word names, or the exit in direction word.
func (r *Room) ExitByDoor(word string) *Exit {
	if e := r.Exit(word); e != nil && e.Door != nil {
		return e
	}
	for _, e := range r.Exits {
		if e.Door != nil && (strings.EqualFold(e.Door.Name, word) || matchWords(e.Door.Keywords, word)) {
			return e
		}
	}
	return nil
}

// Directions lists the standard directions in display order.
var Directions = []string{"north", "east", "south", "west", "northeast", "northwest",
	"southeast", "southwest", "up", "down"}

var abbrev = map[string]string{"n": "north", "e": "east", "s": "south", "w": "west",
	"ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest", "u": "up", "d": "down"}

var opposite = map[string]string{"north": "south", "south": "north", "east": "west", "west": "east",
	"northeast": "southwest", "southwest": "northeast", "northwest": "southeast",
	"southeast": "northwest", "up": "down", "down": "up"}

// NormalizeDir maps abbreviations to full direction names and lower-cases the rest.
func NormalizeDir(dir string) string {
	dir = strings.ToLower(strings.TrimSpace(dir))
	if full, ok := abbrev[dir]; ok {
		return full
	}
	return dir
}

// Opposite returns the reverse of a standard direction, or "".
func Opposite(dir string) string { return opposite[dir] }

// IsDirection reports whether dir is one of the ten standard directions.
func IsDirection(dir string) bool { _, ok := opposite[dir]; return ok }

// SortExits orders exits: standard directions first in display order, then named exits by name.
func SortExits(exits []*Exit) {
	rank := func(d string) int {
		for i, x := range Directions {
			if x == d {
				return i
			}
		}
		return len(Directions)
	}
	sort.SliceStable(exits, func(i, j int) bool {
		ri, rj := rank(exits[i].Dir), rank(exits[j].Dir)
		if ri != rj {
			return ri < rj
		}
		return exits[i].Dir < exits[j].Dir
	})
}

// LinkError is a problem Link found in a room's exits.
type LinkError struct {
	Room string // key of the room with the exit
	Msg  string
}

func (e *LinkError) Error() string { return "room " + e.Room + ": " + e.Msg }

// Link resolves the world after definitions are loaded: it checks that every exit leads to
// an existing room, shares doors between the two sides of a passage, and orders exits.
// It returns every problem found.
func (w *World) Link() []*LinkError {
	var errs []*LinkError
	keys := make([]string, 0, len(w.Rooms))
	for k := range w.Rooms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := w.Rooms[k]
		SortExits(r.Exits)
		for _, e := range r.Exits {
			to := w.Rooms[e.To]
			if to == nil {
				errs = append(errs, &LinkError{r.Key, fmt.Sprintf("exit %s leads to missing room %q", e.Dir, e.To)})
				continue
			}
			if e.Door != nil && e.Door.Key != "" && w.Protos[e.Door.Key] == nil {
				errs = append(errs, &LinkError{r.Key, fmt.Sprintf("door %s needs missing key item %q", e.Dir, e.Door.Key)})
			}
			shareDoor(r, e, to)
		}
	}
	return errs
}

// shareDoor gives the exit leading back from to into r the same door as e, unless it has its own.
func shareDoor(r *Room, e *Exit, to *Room) {
	if e.Door == nil {
		return
	}
	var back *Exit
	for _, b := range to.Exits {
		if b.To == r.Key && (back == nil || b.Dir == Opposite(e.Dir)) {
			back = b
		}
	}
	if back != nil && back.Door == nil {
		back.Door = e.Door
	}
}
