package engine

import (
	"strings"

	"github.com/mudd/mudd/engine/world"
)

// A roomLook is a room's text as a look shows it to a player who is not in it, with
// everything the text was made from, so that the next look in the same room can check it
// is still current and reuse it. A viewer's own look is the same text without the viewer's
// line. Nothing outside needs to tell it about changes: a look compares the room with what
// the text was made from (name, description, exits and doors, and every thing there with
// its kind, name, ground line and link state), which costs a fraction of rendering the room
// again when many players are in it.
type roomLook struct {
	name, desc string
	exits      []exitSeen
	things     []thingSeen
	text       string
}

type exitSeen struct {
	dir      string
	door     *world.Door
	closed   bool
	doorName string
}

type thingSeen struct {
	t            *world.Thing
	kind         world.Kind
	name, ground string
	linkDead     bool
	start, end   int // a player's line in text
}

// lookCacheMin is the number of things from which a room's look is kept for reuse: below
// it, rendering the room is about as cheap as checking a kept text.
const lookCacheMin = 8

// maxLooks bounds the rooms whose looks are kept.
const maxLooks = 1024

// roomText returns r as viewer sees it: the text is text with text[cut0:cut1] (the viewer's
// own line, if any) left out.
func (e *Engine) roomText(r *world.Room, viewer *world.Thing) (text string, cut0, cut1 int) {
	if len(r.Things) < lookCacheMin || (viewer != nil && viewer.Kind != world.Player) {
		return e.describeRoom(r, viewer), 0, 0
	}
	if c := e.looks[r]; c != nil {
		if i, ok := c.current(r, viewer); ok {
			if i < 0 {
				return c.text, 0, 0
			}
			return c.text, c.things[i].start, c.things[i].end
		}
	}
	c := e.keepLook(r)
	for _, s := range c.things {
		if s.t == viewer {
			return c.text, s.start, s.end
		}
	}
	return c.text, 0, 0
}

// current reports whether c still shows r, and the index of viewer in c.things (-1 if
// viewer is not there).
func (c *roomLook) current(r *world.Room, viewer *world.Thing) (int, bool) {
	if c.name != r.Name || c.desc != r.Desc || len(c.exits) != len(r.Exits) || len(c.things) != len(r.Things) {
		return -1, false
	}
	for i, ex := range r.Exits {
		s := &c.exits[i]
		if s.dir != ex.Dir || s.door != ex.Door || (ex.Door != nil && (s.closed != ex.Door.Closed || s.doorName != ex.Door.Name)) {
			return -1, false
		}
	}
	at := -1
	for i, t := range r.Things {
		s := &c.things[i]
		if s.t != t || s.kind != t.Kind || s.name != t.Name || s.ground != t.Ground || s.linkDead != isLinkDead(t) {
			return -1, false
		}
		if t == viewer {
			at = i
		}
	}
	return at, true
}

// keepLook renders r for a viewer not in it, remembers what it was made from and returns it.
func (e *Engine) keepLook(r *world.Room) *roomLook {
	c := &roomLook{name: r.Name, desc: r.Desc}
	c.exits = make([]exitSeen, len(r.Exits))
	for i, ex := range r.Exits {
		c.exits[i] = exitSeen{dir: ex.Dir, door: ex.Door}
		if ex.Door != nil {
			c.exits[i].closed, c.exits[i].doorName = ex.Door.Closed, ex.Door.Name
		}
	}
	c.things = make([]thingSeen, len(r.Things))
	for i, t := range r.Things {
		c.things[i] = thingSeen{t: t, kind: t.Kind, name: t.Name, ground: t.Ground, linkDead: isLinkDead(t)}
	}
	var b strings.Builder
	b.Grow(len(r.Name) + len(r.Desc) + 64*len(r.Exits) + 32*len(r.Things) + 32)
	e.writeRoomHead(&b, r)
	writeGrouped(&b, r.Things, nil, func(i, start, end int) {
		c.things[i].start, c.things[i].end = start, end
	})
	c.text = b.String()
	if len(e.looks) >= maxLooks || e.looks == nil {
		e.looks = make(map[*world.Room]*roomLook) // rooms made by building: start again
	}
	e.looks[r] = c
	return c
}

func isLinkDead(t *world.Thing) bool {
	p := playerOf(t)
	return p != nil && !p.Online()
}
