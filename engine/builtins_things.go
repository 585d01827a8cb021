package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mudd/mudd/engine/world"
)

// splitOn splits "a from b" style arguments at the first of the given words.
func splitOn(args string, words ...string) (left, right string, ok bool) {
	fields := strings.Fields(args)
	for i, f := range fields {
		for _, w := range words {
			if strings.EqualFold(f, w) && i > 0 && i < len(fields)-1 {
				return strings.Join(fields[:i], " "), strings.Join(fields[i+1:], " "), true
			}
		}
	}
	return args, "", false
}

// takeable is what `get` may pick up from list: items that are not fixed.
func takeable(list []*world.Thing, word string) []*world.Thing {
	if word == "all" {
		var out []*world.Thing
		for _, t := range list {
			if t.Kind == world.Item && !t.Fixed() && t.Slot == "" {
				out = append(out, t)
			}
		}
		return out
	}
	if t := findCarried(list, word); t != nil {
		return []*world.Thing{t}
	}
	return nil
}

// findCarried finds a thing by word, preferring things that are not worn, so that "drop
// sword" drops the spare one rather than the wielded one.
func findCarried(list []*world.Thing, word string) *world.Thing {
	var loose []*world.Thing
	for _, t := range list {
		if t.Slot == "" {
			loose = append(loose, t)
		}
	}
	if t := find(loose, word); t != nil {
		return t
	}
	return find(list, word)
}

// loose finds a carried thing the player may hand over or put away, or tells them why not.
func loose(c *Context, word string) *world.Thing {
	t := findCarried(c.Actor().Contents, word)
	if t == nil {
		c.Sendf("You aren't carrying %q.", word)
		return nil
	}
	if inUse(c, t) {
		return nil
	}
	return t
}

// inUse tells the player that t is worn and must be removed first.
func inUse(c *Context, t *world.Thing) bool {
	if t.Slot == "" {
		return false
	}
	c.Sendf("You are using %s; remove it first.", t.Name)
	return true
}

func cmdGet(c *Context) {
	what, from, hasFrom := splitOn(c.Args, "from", "in")
	if what == "" {
		c.Send("Get what?")
		return
	}
	me := c.Actor()
	source := me.Room.Things
	var container *world.Thing
	if hasFrom {
		container = find(me.Contents, from)
		if container == nil {
			container = find(me.Room.Things, from)
		}
		if container == nil || !container.IsContainer() {
			c.Sendf("You see no container %q here.", from)
			return
		}
		source = container.Contents
	}
	things := takeable(source, what)
	switch {
	case len(things) == 0 && what == "all":
		c.Send("There is nothing there you can take.")
		return
	case len(things) == 0:
		c.Sendf("You see no %q there.", what)
		return
	}
	for _, t := range things {
		c.Engine.pickUp(c.Player, t, container)
	}
}

// pickUp moves t into p's inventory, telling p and the room.
func (e *Engine) pickUp(p *Player, t *world.Thing, from *world.Thing) {
	me := p.Thing
	switch {
	case t.Fixed():
		p.Sendf("You can't take %s.", t.Name)
		return
	case len(me.Contents) >= carryLimit:
		p.Sendf("You can't carry any more; %s stays where it is.", t.Name)
		return
	}
	room := t.Room // nil when t comes out of a container
	e.world.MoveInto(t, me)
	if room != nil {
		p.sendItem("Remove", "room", t)
		e.roomItem(room, "Remove", t, me)
	}
	p.sendItem("Add", "inv", t)
	if from != nil {
		p.Sendf("You take %s from %s.", t.Name, from.Name)
		e.tellRoom(me.Room, me, fmt.Sprintf("%s takes %s from %s.", mudCap(p.Name), t.Name, from.Name))
	} else {
		p.Sendf("You pick up %s.", t.Name)
		e.tellRoom(me.Room, me, fmt.Sprintf("%s picks up %s.", mudCap(p.Name), t.Name))
	}
	e.lua.thingHook(t, "on_get", me)
	e.lua.roomHook(me.Room, "on_get", me, t)
}

// carryLimit is how many things a player can carry (containers count as one).
const carryLimit = 25

func cmdDrop(c *Context) {
	if c.Args == "" {
		c.Send("Drop what?")
		return
	}
	me := c.Actor()
	things := takeable(me.Contents, c.Args)
	switch {
	case len(things) == 0 && c.Args == "all":
		c.Send("You aren't carrying anything.")
		return
	case len(things) == 0:
		c.Sendf("You aren't carrying %q.", c.Args)
		return
	}
	for _, t := range things {
		if inUse(c, t) {
			continue
		}
		c.Engine.world.MoveTo(t, me.Room)
		c.Player.sendItem("Remove", "inv", t)
		c.Player.sendItem("Add", "room", t)
		c.Engine.roomItem(me.Room, "Add", t, me)
		c.Sendf("You drop %s.", t.Name)
		c.Engine.tellRoom(me.Room, me, fmt.Sprintf("%s drops %s.", mudCap(c.Player.Name), t.Name))
		c.Engine.lua.thingHook(t, "on_drop", me)
		c.Engine.lua.roomHook(me.Room, "on_drop", me, t)
	}
}

func cmdPut(c *Context) {
	what, into, ok := splitOn(c.Args, "in", "into")
	if !ok {
		c.Send("Put what in what?")
		return
	}
	me := c.Actor()
	t := loose(c, what)
	if t == nil {
		return
	}
	box := find(me.Contents, into)
	if box == nil {
		box = find(me.Room.Things, into)
	}
	switch {
	case box == nil:
		c.Sendf("You see no %q here.", into)
	case !box.IsContainer():
		c.Sendf("You can't put anything in %s.", box.Name)
	case world.Contains(t, box):
		c.Sendf("You can't put %s inside itself.", t.Name)
	case len(box.Contents) >= box.Capacity():
		c.Sendf("%s is full.", mudCap(box.Name))
	default:
		if t.Holder == me {
			c.Player.sendItem("Remove", "inv", t)
		}
		c.Engine.world.MoveInto(t, box)
		c.Sendf("You put %s in %s.", t.Name, box.Name)
		c.Engine.tellRoom(me.Room, me, fmt.Sprintf("%s puts %s in %s.", mudCap(c.Player.Name), t.Name, box.Name))
	}
}

func cmdGive(c *Context) {
	what, whom, ok := splitOn(c.Args, "to")
	if !ok {
		c.Send("Give what to whom?")
		return
	}
	me := c.Actor()
	t := loose(c, what)
	if t == nil {
		return
	}
	to := find(me.Room.Things, whom)
	switch {
	case to == nil || to == me:
		c.Sendf("You see nobody called %q here.", whom)
		return
	case to.Kind == world.Item:
		c.Sendf("%s can't take anything.", mudCap(to.Name))
		return
	case to.Kind == world.Player && len(to.Contents) >= carryLimit:
		c.Sendf("%s can't carry any more.", mudCap(to.Name))
		return
	}
	fromInv := t.Holder == me
	c.Engine.world.MoveInto(t, to)
	if fromInv {
		c.Player.sendItem("Remove", "inv", t)
	}
	c.Sendf("You give %s to %s.", t.Name, to.Name)
	if p := playerOf(to); p != nil {
		p.sendItem("Add", "inv", t)
		p.touch()
		p.Sendf("%s gives you %s.", mudCap(c.Player.Name), t.Name)
	}
	for _, other := range me.Room.Things {
		if op := playerOf(other); op != nil && other != me && other != to {
			op.Sendf("%s gives %s to %s.", mudCap(c.Player.Name), t.Name, to.Name)
		}
	}
	c.Engine.lua.thingHook(to, "on_give", me, t)
}

// doorCmd makes open/close/lock/unlock: find the door, apply the change, tell both sides.
// Locking and unlocking need the door's key.
func doorCmd(change func(*world.Door) error, needsKey bool) func(c *Context) {
	return func(c *Context) {
		if c.Args == "" {
			c.Sendf("%s what?", mudCap(c.Name))
			return
		}
		r := c.Actor().Room
		ex := r.ExitByDoor(c.Args)
		if ex == nil {
			c.Sendf("You see no door %q here.", c.Args)
			return
		}
		d := ex.Door
		if needsKey && !hasKey(c.Actor(), d) {
			c.Sendf("You don't have the key to the %s.", d.Name)
			return
		}
		if err := change(d); err != nil {
			c.Sendf("The %s %s.", d.Name, err)
			return
		}
		c.Sendf("You %s the %s.", c.Name, d.Name)
		c.Engine.tellRoom(r, c.Actor(), fmt.Sprintf("%s %ss the %s.", mudCap(c.Player.Name), c.Name, d.Name))
		if other := c.Engine.world.Rooms[ex.To]; other != nil {
			c.Engine.tellRoom(other, nil, fmt.Sprintf("The %s is %s from the other side.", d.Name, pastTense(c.Name)))
		}
	}
}

func pastTense(verb string) string {
	if strings.HasSuffix(verb, "e") {
		return verb + "d"
	}
	return verb + "ed"
}

func hasKey(t *world.Thing, d *world.Door) bool {
	if d.Key == "" {
		return false
	}
	for _, x := range t.Contents {
		if x.Key() == d.Key {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
