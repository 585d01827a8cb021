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
// The loop owns a roomLook; session writers share only its lookText.
type roomLook struct {
	name, desc string
	exits      []exitSeen
	things     []thingSeen
	*lookText
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
func (e *Engine) roomText(r *world.Room, viewer *world.Thing) (text string, cut0, cut1 int, kept *lookText) {
	if len(r.Things) < lookCacheMin || (viewer != nil && viewer.Kind != world.Player) {
		return e.describeRoom(r, viewer), 0, 0, nil
	}
	if c := e.looks[r]; c != nil {
		if i, ok := c.current(r, viewer); ok {
			if i < 0 {
				return c.text, 0, 0, c.lookText
			}
			return c.text, c.things[i].start, c.things[i].end, c.lookText
		}
	}
	c := e.keepLook(r)
	for _, s := range c.things {
		if s.t == viewer {
			return c.text, s.start, s.end, c.lookText
		}
	}
	return c.text, 0, 0, c.lookText
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
	text := b.String()
	c.lookText = &lookText{text: text, lines: lineStarts(text)}
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

// A lookText is a kept look's text as session writers share it: the text never changes once
// made, and its renderings for each kind of client are published as writers make them.
type lookText struct {
	text    string
	lines   []int32                       // the offset in text of each line's start, then len(text)
	renders atomic.Pointer[[]*lookRender] // text rendered for each kind of client seen
}

// A keptSpan marks where a batch of output holds a kept look's text: Text[at:] begins with
// look.text without its lines line0 to line1 (the viewer's own line, if any). A session
// writer copies the look's rendering for its kind of client (rendered once by the first
// writer of that kind) instead of rendering that part of Text again. A batch without a span,
// or a writer that ignores it, gets the same bytes from Text.
type keptSpan struct {
	look         *lookText
	at           int
	line0, line1 int32
}

// keptSpanAt returns the span of look at offset at of a batch, without text[cut0:cut1]; it
// has no look if the cut is not whole lines.
func keptSpanAt(look *lookText, at, cut0, cut1 int) keptSpan {
	i, ok0 := slices.BinarySearch(look.lines, int32(cut0))
	j, ok1 := slices.BinarySearch(look.lines, int32(cut1))
	if !ok0 || !ok1 || i > j {
		return keptSpan{}
	}
	return keptSpan{look: look, at: at, line0: int32(i), line1: int32(j)}
}

// len is the length of the span's text in the batch.
func (k keptSpan) len() int {
	return len(k.look.text) - int(k.look.lines[k.line1]-k.look.lines[k.line0])
}

// appendTo appends the span's look to dst as lr renders it, without the cut lines.
func (k keptSpan) appendTo(dst []byte, lr *lookRender) []byte {
	dst = append(dst, lr.buf[:lr.lines[k.line0]]...)
	return append(dst, lr.buf[lr.lines[k.line1]:]...)
}

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
// kinds render their text themselves, as for any other text.
const maxRenders = 8

// renderFor returns t rendered for key by render (which renders and encodes whole lines),
// or nil once t has renderings for maxRenders other kinds. It runs on session writers, any
// number at once: the first writer of a kind renders the text line by line and publishes
// it; should two race, both use the first published.
func (t *lookText) renderFor(key renderKey, render func(dst []byte, text string) []byte) *lookRender {
	if lr, full := t.rendered(key); lr != nil || full {
		return lr
	}
	lr := &lookRender{key: key, buf: make([]byte, 0, len(t.text)+len(t.text)/4+64),
		lines: make([]int32, len(t.lines))}
	for i, at := range t.lines[:len(t.lines)-1] {
		lr.lines[i] = int32(len(lr.buf))
		lr.buf = render(lr.buf, t.text[at:t.lines[i+1]])
	}
	lr.lines[len(t.lines)-1] = int32(len(lr.buf))
	return t.publish(lr)
}

// rendered returns t's rendering for key, if a writer made one, and whether t has as many
// renderings as it keeps.
func (t *lookText) rendered(key renderKey) (lr *lookRender, full bool) {
	list := t.renders.Load()
	if list == nil {
		return nil, false
	}
	for _, lr := range *list {
		if lr.key == key {
			return lr, true
		}
	}
	return nil, len(*list) >= maxRenders
}

// publish adds lr to t's renderings and returns it, or returns the rendering for lr's key
// that another writer published first. lr is returned unpublished if t keeps no more.
func (t *lookText) publish(lr *lookRender) *lookRender {
	for {
		old := t.renders.Load()
		var list []*lookRender
		if old != nil {
			list = *old
		}
		for _, o := range list {
			if o.key == lr.key {
				return o
			}
		}
		if len(list) >= maxRenders {
			return lr
		}
		next := append(list[:len(list):len(list)], lr)
		if t.renders.CompareAndSwap(old, &next) {
			return lr
		}
	}
}
