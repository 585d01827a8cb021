package engine

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

// A roomLook is a room's text as a look shows it to a player who is not in it, with
// everything the text was made from, so that the next look in the same room can check it
// is still current and reuse it. A viewer's own look is the same text without the viewer's
// line. Nothing outside needs to tell it about changes: a look compares the room with what
// the text was made from (name, description, exits and doors, and every thing there with
// its kind, name, ground line and link state), which costs a fraction of rendering the room
// again when many players are in it.
//
// The loop owns a roomLook's fields but text, lines and renders; once made, text and lines
// never change, so session writers read them, and share renders (see keptSpan).
type roomLook struct {
	name, desc string
	exits      []exitSeen
	things     []thingSeen
	text       string
	lines      []int32 // the offset in text of each line's start, then len(text)

	renders atomic.Pointer[[]*lookRender] // text rendered for each kind of client seen
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
// own line, if any) left out. It is kept's text when r's look is kept (a crowded room).
func (e *Engine) roomText(r *world.Room, viewer *world.Thing) (text string, cut0, cut1 int, kept *roomLook) {
	if len(r.Things) < lookCacheMin || (viewer != nil && viewer.Kind != world.Player) {
		return e.describeRoom(r, viewer), 0, 0, nil
	}
	if c := e.looks[r]; c != nil {
		if i, ok := c.current(r, viewer); ok {
			if i < 0 {
				return c.text, 0, 0, c
			}
			return c.text, c.things[i].start, c.things[i].end, c
		}
	}
	c := e.keepLook(r)
	for _, s := range c.things {
		if s.t == viewer {
			return c.text, s.start, s.end, c
		}
	}
	return c.text, 0, 0, c
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
	c.lines = lineStarts(c.text)
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

// lineStarts returns the offset of each line's start in text, then len(text).
func lineStarts(text string) []int32 {
	lines := make([]int32, 0, strings.Count(text, "\n")+2)
	for at := 0; at < len(text); {
		lines = append(lines, int32(at))
		n := strings.IndexByte(text[at:], '\n')
		if n < 0 {
			break
		}
		at += n + 1
	}
	return append(lines, int32(len(text)))
}

// A keptSpan marks where a batch of output holds a kept look's text: Text[at:] begins with
// look.text without look.text[cut0:cut1] (the viewer's own line). A session writer copies the
// look's rendering for its kind of client (rendered once by the first writer of that kind)
// instead of rendering that part of Text again. A batch without a span, or a writer that
// ignores it, gets the same bytes from Text.
type keptSpan struct {
	look       *roomLook
	at         int
	cut0, cut1 int32
}

// len is the length of the span's text in the batch.
func (k keptSpan) len() int { return len(k.look.text) - int(k.cut1-k.cut0) }

// renderKey is everything a rendering of text depends on: the renderer, the width lines are
// wrapped at, and the telnet encoding (raw TCP or telnet).
type renderKey struct {
	r     markup.Renderer
	width int
	raw   bool
}

// A lookRender is a kept look's text rendered and encoded for one kind of client.
type lookRender struct {
	key   renderKey
	buf   []byte
	lines []int32 // the offset in buf of each line of the text, then len(buf)
}

// maxRenders bounds the kinds of client a kept look is rendered for; writers of further
// kinds render their text themselves.
const maxRenders = 8

// appendTo appends the look of k to dst as rendered for key by render (which renders
// and encodes text, one or more whole lines). It runs on session writers, any number at
// once: the first writer of a kind renders the whole text line by line and publishes it
// for the others.
func (k keptSpan) appendTo(dst []byte, key renderKey, render func(dst []byte, text string) []byte) []byte {
	c := k.look
	lr := c.rendered(key)
	if lr == nil {
		lr = &lookRender{key: key, lines: make([]int32, len(c.lines))}
		for i, at := range c.lines[:len(c.lines)-1] {
			lr.lines[i] = int32(len(lr.buf))
			lr.buf = render(lr.buf, c.text[at:c.lines[i+1]])
		}
		lr.lines[len(c.lines)-1] = int32(len(lr.buf))
		c.publish(lr)
	}
	if k.cut0 == k.cut1 {
		return append(dst, lr.buf...)
	}
	i, _ := slices.BinarySearch(c.lines, k.cut0)
	j, _ := slices.BinarySearch(c.lines, k.cut1)
	dst = append(dst, lr.buf[:lr.lines[i]]...)
	return append(dst, lr.buf[lr.lines[j]:]...)
}

// valid reports whether k's cut is whole lines of its look, as the writer needs.
func (k keptSpan) valid() bool {
	_, ok0 := slices.BinarySearch(k.look.lines, k.cut0)
	_, ok1 := slices.BinarySearch(k.look.lines, k.cut1)
	return ok0 && ok1 && k.cut0 <= k.cut1
}

// rendered returns c's text as rendered for key, or nil if no writer has rendered it yet.
func (c *roomLook) rendered(key renderKey) *lookRender {
	if list := c.renders.Load(); list != nil {
		for _, lr := range *list {
			if lr.key == key {
				return lr
			}
		}
	}
	return nil
}

// publish adds lr to c's renderings, unless c has as many as it keeps.
func (c *roomLook) publish(lr *lookRender) {
	for {
		old := c.renders.Load()
		var list []*lookRender
		if old != nil {
			list = *old
		}
		if len(list) >= maxRenders {
			return
		}
		next := append(list[:len(list):len(list)], lr)
		if c.renders.CompareAndSwap(old, &next) {
			return
		}
	}
}
