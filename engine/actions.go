package engine

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mudd/mudd/engine/world"
)

// mudCap returns s with its first letter in upper case.
func mudCap(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// tellRoom sends text to every player in r except the things in except.
func (e *Engine) tellRoom(r *world.Room, except *world.Thing, text string) {
	if r == nil {
		return
	}
	for _, t := range r.Things {
		if t != except {
			if p := playerOf(t); p != nil {
				p.Send(text)
			}
		}
	}
}

// moveResult says why a move failed, or "" when it succeeded.
type moveResult string

// move takes t through the exit dir of its room, running leave and enter hooks and telling
// both rooms. It returns a message for the mover when the move is not possible.
func (e *Engine) move(t *world.Thing, dir string) moveResult {
	from := t.Room
	if from == nil {
		return "You can't move from here."
	}
	ex := from.Exit(dir)
	if ex == nil {
		return "You can't go that way."
	}
	if ex.Door != nil && ex.Door.Closed {
		return moveResult(fmt.Sprintf("The %s is closed.", ex.Door.Name))
	}
	to := e.world.Rooms[ex.To]
	if to == nil {
		e.log.Error("exit leads nowhere", "room", from.Key, "dir", ex.Dir, "to", ex.To)
		return "That way is blocked."
	}
	e.lua.roomHook(from, "on_leave", t, ex.Dir)
	if t.Room != from || !e.world.Alive(t) {
		return "" // a hook moved or destroyed t
	}
	e.tellRoom(from, t, fmt.Sprintf("%s leaves %s.", mudCap(t.Name), exitPhrase(ex.Dir)))
	if err := e.router.Enter(t, to); err != nil {
		return moveResult(err.Error())
	}
	e.roomItem(from, "Remove", t, nil)
	e.tellRoom(to, t, fmt.Sprintf("%s arrives%s.", mudCap(t.Name), arrivalPhrase(ex.Dir)))
	e.roomItem(to, "Add", t, nil)
	if p := playerOf(t); p != nil {
		e.look(p)
	}
	e.roomEntered(t, ex.Dir)
	return ""
}

// roomEntered runs the enter hooks of t's new room and of the NPCs in it.
func (e *Engine) roomEntered(t *world.Thing, dir string) {
	r := t.Room
	if r == nil {
		return
	}
	from := world.Opposite(dir)
	e.lua.roomHook(r, "on_enter", t, from)
	e.npcHooks(r, t, "on_enter", t, from)
	if t.Kind == world.Player {
		e.lua.emitThing("enter", t, r)
	}
}

// npcHooks runs hook name of every NPC in r but actor, as hook(npc, args...). NPCs that a hook
// moves away or destroys are skipped.
func (e *Engine) npcHooks(r *world.Room, actor *world.Thing, name string, args ...any) {
	for _, npc := range e.npcsWithHook(r, actor, name) {
		if npc.Room == r {
			e.lua.thingHook(npc, name, args...)
		}
	}
}

// npcsWithHook lists the NPCs in r, but actor, whose prototype defines hook name. It is a copy,
// so hooks may move things; in the common case, no NPC has the hook and nothing is allocated.
func (e *Engine) npcsWithHook(r *world.Room, actor *world.Thing, name string) []*world.Thing {
	var list []*world.Thing
	for _, t := range r.Things {
		if t != actor && t.Kind == world.NPC && e.lua.hasHook(t, name) {
			list = append(list, t)
		}
	}
	return list
}

func exitPhrase(dir string) string {
	switch {
	case dir == "up" || dir == "down":
		return dir
	case world.IsDirection(dir):
		return dir
	default:
		return "through the " + dir
	}
}

func arrivalPhrase(dir string) string {
	switch back := world.Opposite(dir); {
	case back == "up":
		return " from above"
	case back == "down":
		return " from below"
	case back != "":
		return " from the " + back
	default:
		return ""
	}
}

// say makes t say text in its room, then runs the room's and NPCs' speech hooks.
func (e *Engine) say(t *world.Thing, text string) {
	r := t.OuterRoom()
	if r == nil {
		return
	}
	if p := playerOf(t); p != nil {
		line := fmt.Sprintf("You say, \"%s\"", text)
		p.Send(line)
		p.channelText("say", mudCap(t.Name), line)
	}
	line := fmt.Sprintf("%s says, \"%s\"", mudCap(t.Name), text)
	for _, x := range r.Things {
		if p := playerOf(x); p != nil && x != t {
			p.Send(line)
			p.channelText("say", mudCap(t.Name), line)
		}
	}
	e.lua.roomHook(r, "on_say", t, text)
	e.npcHooks(r, t, "on_say", t, text)
}

// find returns the n-th thing in list that matches word ("2.key" is the second key).
func find(list []*world.Thing, word string) *world.Thing {
	n := 1
	if i := strings.IndexByte(word, '.'); i > 0 {
		if k, err := strconv.Atoi(word[:i]); err == nil && k > 0 {
			n, word = k, word[i+1:]
		}
	}
	for _, t := range list {
		if t.Matches(word) {
			if n--; n == 0 {
				return t
			}
		}
	}
	return nil
}

// look shows p the room it stands in.
func (e *Engine) look(p *Player) {
	r := p.Thing.Room
	if r == nil {
		p.Send("You are nowhere at all.")
		return
	}
	p.sendCut(e.roomText(r, p.Thing))
	p.sendRoomInfo(r)
}

// describeRoom renders r as seen by viewer: title, description, exits, and what is there.
func (e *Engine) describeRoom(r *world.Room, viewer *world.Thing) string {
	var b strings.Builder
	b.Grow(len(r.Name) + len(r.Desc) + 64*len(r.Exits) + 32*len(r.Things) + 32)
	e.writeRoomHead(&b, r)
	writeGrouped(&b, r.Things, viewer, nil)
	return b.String()
}

// writeRoomHead writes what a look shows of r before what is there.
func (e *Engine) writeRoomHead(b *strings.Builder, r *world.Room) {
	b.WriteString("{C}")
	b.WriteString(r.Name)
	b.WriteString("{x}\n")
	if d := e.descFields(r.Desc); d != "" {
		b.WriteString("  ")
		b.WriteString(d)
		b.WriteByte('\n')
	}
	writeExitLine(b, r)
	b.WriteByte('\n')
}

// descFields returns a room description as a look shows it: one line, its runs of white
// space (the line breaks and indentation of a long Lua string) turned into one space. Rooms
// keep their descriptions, so the result is remembered for the next look.
func (e *Engine) descFields(desc string) string {
	if d, ok := e.descs[desc]; ok {
		return d
	}
	if len(e.descs) >= maxDescs || e.descs == nil {
		e.descs = make(map[string]string) // descriptions changed by scripts or reloads: start again
	}
	var b strings.Builder
	writeFields(&b, strings.TrimSpace(desc))
	e.descs[desc] = b.String()
	return b.String()
}

// maxDescs bounds the descriptions descFields remembers.
const maxDescs = 8192

// writeFields writes s with every run of ASCII white space (the line breaks and indentation
// of a long Lua string) turned into one space, copying the words between them whole.
func writeFields(b *strings.Builder, s string) {
	first := true
	for i := 0; i < len(s); {
		for i < len(s) && asciiSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !asciiSpace(s[j]) {
			j++
		}
		if j > i {
			if !first {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:j])
			first = false
		}
		i = j
	}
}

func asciiSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// writeExitLine writes the exit line of a look at r.
func writeExitLine(b *strings.Builder, r *world.Room) {
	if len(r.Exits) == 0 {
		b.WriteString("There are no obvious exits.")
		return
	}
	b.WriteString("{g}Exits: ")
	for i, ex := range r.Exits {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ex.Dir)
		if ex.Door != nil && ex.Door.Closed {
			b.WriteString(" (closed ")
			b.WriteString(ex.Door.Name)
			b.WriteByte(')')
		}
	}
	b.WriteString("{x}")
}

// writeGrouped lists things as room lines. Identical item and NPC lines are counted once
// ("[3] A coin lies here."); players are listed one by one. If mark is not nil, it is told
// where in b each player's line (things[i]) starts and ends.
func writeGrouped(b *strings.Builder, things []*world.Thing, viewer *world.Thing, mark func(i, start, end int)) {
	var counts map[string]int
	for _, t := range things {
		if t.Kind != world.Player {
			if counts == nil {
				counts = make(map[string]int)
			}
			counts[groundLine(t)]++
		}
	}
	for i, t := range things {
		if t == viewer {
			continue
		}
		if t.Kind == world.Player {
			start := b.Len()
			writePlayerLine(b, t)
			if mark != nil {
				mark(i, start, b.Len())
			}
			continue
		}
		line := groundLine(t)
		switch n := counts[line]; {
		case n == 0: // written already
			continue
		case n > 1:
			fmt.Fprintf(b, "[%d] ", n)
		}
		b.WriteString(line)
		b.WriteByte('\n')
		counts[line] = 0
	}
}

func writePlayerLine(b *strings.Builder, t *world.Thing) {
	b.WriteString(mudCap(t.Name))
	if p := playerOf(t); p != nil && !p.Online() {
		b.WriteString(" is here, staring blankly (link-dead).\n")
		return
	}
	b.WriteString(" is here.\n")
}

func groundLine(t *world.Thing) string {
	if t.Ground != "" {
		return t.Ground
	}
	return mudCap(t.Name) + " is here."
}

// listNames renders things as an inventory list, counting duplicates.
func listNames(things []*world.Thing) string {
	if len(things) == 0 {
		return "  Nothing.\n"
	}
	counts := make(map[string]int)
	var order []string
	for _, t := range things {
		if counts[t.Name] == 0 {
			order = append(order, t.Name)
		}
		counts[t.Name]++
	}
	var b strings.Builder
	for _, n := range order {
		if c := counts[n]; c > 1 {
			fmt.Fprintf(&b, "  %s [%d]\n", n, c)
		} else {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	return b.String()
}
