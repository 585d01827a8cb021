package engine

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

type luaMethod = func(*luaBindings, *lua.LState) int

// checkThing returns the live thing of argument n, or raises an error.
func (b *luaBindings) checkThing(L *lua.LState, n int) *world.Thing {
	t, ok := L.CheckUserData(n).Value.(*world.Thing)
	if !ok {
		L.ArgError(n, "thing expected")
	}
	if !b.e.world.Alive(t) {
		L.ArgError(n, "that thing no longer exists")
	}
	return t
}

func (b *luaBindings) checkRoom(L *lua.LState, n int) *world.Room {
	r, ok := L.CheckUserData(n).Value.(*world.Room)
	if !ok {
		L.ArgError(n, "room expected")
	}
	return r
}

// toRoom reads a room argument given as a room or a room key.
func (b *luaBindings) toRoom(L *lua.LState, n int) *world.Room {
	switch v := L.CheckAny(n).(type) {
	case lua.LString:
		return b.e.world.Rooms[string(v)]
	case *lua.LUserData:
		r, _ := v.Value.(*world.Room)
		return r
	}
	return nil
}

func (b *luaBindings) thingIndex(L *lua.LState, ud *lua.LUserData, key string) bool {
	t, _ := ud.Value.(*world.Thing)
	var v lua.LValue
	switch key {
	case "id":
		v = lua.LNumber(t.ID)
	case "kind":
		v = lua.LString(t.Kind.String())
	case "key":
		v = b.value(t.Key())
	case "name":
		v = lua.LString(t.Name)
	case "room":
		v = b.roomUD(t.Room)
	case "holder":
		v = b.thingUD(t.Holder)
	case "data":
		v = b.dataTable(t)
	case "def":
		v = b.def(t.Proto)
	case "slot":
		v = b.value(t.Slot)
	case "zone":
		if z := t.Zone(); z != nil {
			v = lua.LString(z.Key)
		}
	default:
		return false
	}
	if v == nil {
		v = lua.LNil
	}
	L.Push(v)
	return true
}

// def returns a prototype's definition table, or nil.
func (b *luaBindings) def(p *world.Proto) lua.LValue {
	if p == nil {
		return lua.LNil
	}
	if t, ok := p.Script.(*lua.LTable); ok {
		return t
	}
	return lua.LNil
}

func (b *luaBindings) roomIndex(L *lua.LState, ud *lua.LUserData, key string) bool {
	r, _ := ud.Value.(*world.Room)
	var v lua.LValue
	switch key {
	case "key":
		v = lua.LString(r.Key)
	case "name":
		v = lua.LString(r.Name)
	case "desc":
		v = lua.LString(r.Desc)
	case "zone":
		v = lua.LString(r.Zone.Key)
	case "def":
		v = lua.LNil
		if t, ok := r.Script.(*lua.LTable); ok {
			v = t
		}
	default:
		return false
	}
	L.Push(v)
	return true
}

var thingMethods = map[string]luaMethod{
	"is_player": func(b *luaBindings, L *lua.LState) int { return b.kindIs(L, world.Player) },
	"is_npc":    func(b *luaBindings, L *lua.LState) int { return b.kindIs(L, world.NPC) },
	"is_item":   func(b *luaBindings, L *lua.LState) int { return b.kindIs(L, world.Item) },
	"send": func(b *luaBindings, L *lua.LState) int {
		if p := playerOf(b.checkThing(L, 1)); p != nil {
			p.Send(L.CheckString(2))
		}
		return 0
	},
	"say": func(b *luaBindings, L *lua.LState) int {
		b.e.say(b.checkThing(L, 1), L.CheckString(2))
		return 0
	},
	"emote": func(b *luaBindings, L *lua.LState) int {
		t := b.checkThing(L, 1)
		b.e.tellRoom(t.OuterRoom(), nil, mudCap(t.Name)+" "+L.CheckString(2))
		return 0
	},
	"move": func(b *luaBindings, L *lua.LState) int {
		L.Push(lua.LBool(b.moveThing(L, b.checkThing(L, 1))))
		return 1
	},
	"wander": func(b *luaBindings, L *lua.LState) int {
		L.Push(lua.LBool(b.wander(b.checkThing(L, 1))))
		return 1
	},
	"contents": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.list(b.checkThing(L, 1).Contents, nil))
		return 1
	},
	"has": func(b *luaBindings, L *lua.LState) int {
		t, key := b.checkThing(L, 1), L.CheckString(2)
		for _, x := range t.Contents {
			if x.Key() == key {
				L.Push(b.thingUD(x))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	},
	"give": func(b *luaBindings, L *lua.LState) int {
		t, proto := b.checkThing(L, 1), b.checkProto(L, 2)
		if proto.Kind != world.Item {
			L.ArgError(2, proto.Key+" is not an item")
		}
		item := b.e.spawnNowhere(proto)
		b.e.world.MoveInto(item, t)
		if p := playerOf(t); p != nil {
			p.touch()
		}
		L.Push(b.thingUD(item))
		return 1
	},
	"destroy": func(b *luaBindings, L *lua.LState) int {
		t := b.checkThing(L, 1)
		if t.Kind == world.Player {
			L.RaiseError("players cannot be destroyed")
		}
		if p := playerOf(t.Holder); p != nil {
			p.touch()
		}
		b.e.world.Destroy(t)
		return 0
	},
	"alive": func(b *luaBindings, L *lua.LState) int {
		t, _ := L.CheckUserData(1).Value.(*world.Thing)
		L.Push(lua.LBool(b.e.world.Alive(t)))
		return 1
	},
	"matches": func(b *luaBindings, L *lua.LState) int {
		L.Push(lua.LBool(b.checkThing(L, 1).Matches(L.CheckString(2))))
		return 1
	},
	"find": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.thingUD(findCarried(b.checkThing(L, 1).Contents, L.CheckString(2))))
		return 1
	},
	"gmcp": func(b *luaBindings, L *lua.LState) int {
		t, pkg := b.checkThing(L, 1), L.CheckString(2)
		p := playerOf(t)
		if p == nil {
			L.ArgError(1, "player expected")
		}
		var data any
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			var ok bool
			if data, ok = plainValue(L.Get(3), 0); !ok {
				L.ArgError(3, "string, number, boolean or table of them expected")
			}
		}
		p.GMCP(pkg, data)
		return 0
	},
	"after": func(b *luaBindings, L *lua.LState) int { return b.ownedTimer(L, false) },
	"every": func(b *luaBindings, L *lua.LState) int { return b.ownedTimer(L, true) },
	"move_into": func(b *luaBindings, L *lua.LState) int {
		t, holder := b.checkThing(L, 1), b.checkThing(L, 2)
		ok := t.Kind != world.Player && !world.Contains(t, holder) &&
			(holder.Kind != world.Item || holder.IsContainer())
		if ok {
			b.markHolder(t)
			b.e.world.MoveInto(t, holder)
			b.markHolder(t)
		}
		L.Push(lua.LBool(ok))
		return 1
	},
	"wear": func(b *luaBindings, L *lua.LState) int {
		t, slot := b.checkThing(L, 1), L.CheckString(2)
		h := t.Holder
		ok := slot != "" && t.Kind == world.Item && h != nil && h.Kind != world.Item &&
			(h.Worn(slot) == nil || h.Worn(slot) == t)
		if ok {
			t.Slot = slot
			b.markHolder(t)
		}
		L.Push(lua.LBool(ok))
		return 1
	},
	"unwear": func(b *luaBindings, L *lua.LState) int {
		t := b.checkThing(L, 1)
		t.Slot = ""
		b.markHolder(t)
		return 0
	},
	"worn": func(b *luaBindings, L *lua.LState) int {
		tbl := L.NewTable()
		for _, x := range b.checkThing(L, 1).Contents {
			if x.Slot != "" {
				tbl.RawSetString(x.Slot, b.thingUD(x))
			}
		}
		L.Push(tbl)
		return 1
	},
	"describe": func(b *luaBindings, L *lua.LState) int {
		t, d := b.checkThing(L, 1), L.CheckTable(2)
		if t.Kind == world.Player {
			L.RaiseError("players cannot be described")
		}
		if v := field(d, "name"); v != "" {
			t.Name = v
		}
		if v := field(d, "ground"); v != "" {
			t.Ground = v
		}
		if v := field(d, "desc"); v != "" {
			t.Desc = v
		}
		if v := strList(d, "keywords"); len(v) > 0 {
			t.Keywords = v
		}
		return 0
	},
}

// markHolder marks the player carrying t, at any depth, as changed.
func (b *luaBindings) markHolder(t *world.Thing) {
	for h := t.Holder; h != nil; h = h.Holder {
		if p := playerOf(h); p != nil {
			p.touch()
		}
	}
}

func (b *luaBindings) kindIs(L *lua.LState, k world.Kind) int {
	L.Push(lua.LBool(b.checkThing(L, 1).Kind == k))
	return 1
}

func (b *luaBindings) checkProto(L *lua.LState, n int) *world.Proto {
	key := L.CheckString(n)
	p := b.e.world.Protos[key]
	if p == nil {
		L.ArgError(n, fmt.Sprintf("no prototype %q", key))
	}
	return p
}

// moveThing moves t through an exit direction, or to a room given as a key or a room.
func (b *luaBindings) moveThing(L *lua.LState, t *world.Thing) bool {
	if s, ok := L.Get(2).(lua.LString); ok && t.Room != nil && t.Room.Exit(string(s)) != nil {
		return b.e.move(t, string(s)) == ""
	}
	to := b.toRoom(L, 2)
	if to == nil {
		L.ArgError(2, "a direction, room key or room expected")
	}
	if from := t.OuterRoom(); from != nil {
		b.e.tellRoom(from, t, mudCap(t.Name)+" leaves.")
	}
	if err := b.e.router.Enter(t, to); err != nil {
		return false
	}
	b.e.tellRoom(to, t, mudCap(t.Name)+" arrives.")
	if p := playerOf(t); p != nil {
		b.e.look(p)
	}
	b.e.roomEntered(t, "")
	return true
}

// wander moves an NPC through a random open exit that stays in its zone.
func (b *luaBindings) wander(t *world.Thing) bool {
	r := t.Room
	if r == nil || t.Kind != world.NPC {
		return false
	}
	var ways []string
	for _, ex := range r.Exits {
		to := b.e.world.Rooms[ex.To]
		if to != nil && to.Zone == r.Zone && (ex.Door == nil || !ex.Door.Closed) {
			ways = append(ways, ex.Dir)
		}
	}
	if len(ways) == 0 {
		return false
	}
	return b.e.move(t, ways[b.e.rand.IntN(len(ways))]) == ""
}

// list makes a Lua array of the things in list that keep returns true for (all if keep is nil).
func (b *luaBindings) list(things []*world.Thing, keep func(*world.Thing) bool) *lua.LTable {
	tbl := b.L.CreateTable(len(things), 0)
	for _, t := range things {
		if keep == nil || keep(t) {
			tbl.Append(b.thingUD(t))
		}
	}
	return tbl
}

func ofKind(k world.Kind) func(*world.Thing) bool {
	return func(t *world.Thing) bool { return t.Kind == k }
}

var roomMethods = map[string]luaMethod{
	"send": func(b *luaBindings, L *lua.LState) int {
		r, text := b.checkRoom(L, 1), L.CheckString(2)
		except := make(map[*world.Thing]bool)
		for i := 3; i <= L.GetTop(); i++ {
			if ud, ok := L.Get(i).(*lua.LUserData); ok {
				if t, ok := ud.Value.(*world.Thing); ok {
					except[t] = true
				}
			}
		}
		for _, t := range r.Things {
			if p := playerOf(t); p != nil && !except[t] {
				p.Send(text)
			}
		}
		return 0
	},
	"players": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.list(b.checkRoom(L, 1).Things, ofKind(world.Player)))
		return 1
	},
	"npcs": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.list(b.checkRoom(L, 1).Things, ofKind(world.NPC)))
		return 1
	},
	"items": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.list(b.checkRoom(L, 1).Things, ofKind(world.Item)))
		return 1
	},
	"exits": func(b *luaBindings, L *lua.LState) int {
		r := b.checkRoom(L, 1)
		tbl := L.NewTable()
		for _, ex := range r.Exits {
			tbl.RawSetString(ex.Dir, lua.LString(ex.To))
		}
		L.Push(tbl)
		return 1
	},
	"matches": func(b *luaBindings, L *lua.LState) int {
		L.Push(lua.LBool(b.checkThing(L, 1).Matches(L.CheckString(2))))
		return 1
	},
	"find": func(b *luaBindings, L *lua.LState) int {
		L.Push(b.thingUD(find(b.checkRoom(L, 1).Things, L.CheckString(2))))
		return 1
	},
	"spawn": func(b *luaBindings, L *lua.LState) int {
		r, proto := b.checkRoom(L, 1), b.checkProto(L, 2)
		L.Push(b.thingUD(b.e.spawn(proto, r)))
		return 1
	},
	"open":   doorMethod((*world.Door).Open),
	"close":  doorMethod((*world.Door).Close),
	"lock":   doorMethod((*world.Door).Lock),
	"unlock": doorMethod((*world.Door).Unlock),
	"is_open": func(b *luaBindings, L *lua.LState) int {
		ex := b.checkRoom(L, 1).ExitByDoor(L.CheckString(2))
		L.Push(lua.LBool(ex == nil || ex.Door == nil || !ex.Door.Closed))
		return 1
	},
}

// doorMethod makes r:open(dir)-style methods: change the door, report whether it changed.
func doorMethod(change func(*world.Door) error) luaMethod {
	return func(b *luaBindings, L *lua.LState) int {
		ex := b.checkRoom(L, 1).ExitByDoor(L.CheckString(2))
		L.Push(lua.LBool(ex != nil && ex.Door != nil && change(ex.Door) == nil))
		return 1
	}
}

// registerRuntime installs the mud table and the timer functions.
func (b *luaBindings) registerRuntime() {
	L := b.L
	mud := L.NewTable()
	fns := map[string]lua.LGFunction{
		"room": func(L *lua.LState) int { L.Push(b.roomUD(b.e.world.Rooms[L.CheckString(1)])); return 1 },
		"player": func(L *lua.LState) int {
			if p := b.e.players[state.Key(L.CheckString(1))]; p != nil {
				L.Push(b.thingUD(p.Thing))
			} else {
				L.Push(lua.LNil)
			}
			return 1
		},
		"players": func(L *lua.LState) int {
			keys := b.e.playerKeys()
			tbl := L.CreateTable(len(keys), 0)
			for _, k := range keys {
				tbl.Append(b.thingUD(b.e.players[k].Thing))
			}
			L.Push(tbl)
			return 1
		},
		"spawn": func(L *lua.LState) int {
			proto, r := b.checkProto(L, 1), b.toRoom(L, 2)
			if r == nil {
				L.ArgError(2, "room or room key expected")
			}
			L.Push(b.thingUD(b.e.spawn(proto, r)))
			return 1
		},
		"separately": func(L *lua.LState) int {
			list, fn := L.CheckTable(1), L.CheckFunction(2)
			defer b.e.beginUnit()
			for i, n := 1, list.Len(); i <= n; i++ {
				b.e.beginUnit()
				L.Push(fn)
				L.Push(list.RawGetInt(i))
				L.Call(1, 0)
			}
			return 0
		},
		"broadcast": func(L *lua.LState) int {
			text := L.CheckString(1)
			for _, p := range b.e.players {
				p.Send(text)
			}
			return 0
		},
		"log": func(L *lua.LState) int { b.e.log.Info("lua: " + L.CheckString(1)); return 0 },
		"proto": func(L *lua.LState) int {
			L.Push(b.def(b.e.world.Protos[L.CheckString(1)]))
			return 1
		},
		"on": func(L *lua.LState) int {
			L.Push(b.on(L.CheckString(1), L.CheckFunction(2)))
			return 1
		},
		"emit": func(L *lua.LState) int {
			args := make([]lua.LValue, 0, L.GetTop()-1)
			for i := 2; i <= L.GetTop(); i++ {
				args = append(args, L.Get(i))
			}
			b.emit(L.CheckString(1), args...)
			return 0
		},
		"reset": func(L *lua.LState) int {
			z := b.e.world.Zones[L.CheckString(1)]
			if z == nil {
				L.ArgError(1, "no such zone")
			}
			b.e.resetZone(z)
			return 0
		},
		"zone_players": func(L *lua.LState) int {
			key := L.CheckString(1)
			tbl := L.NewTable()
			for _, k := range b.e.playerKeys() {
				if z := b.e.players[k].Thing.Zone(); z != nil && z.Key == key {
					tbl.Append(b.thingUD(b.e.players[k].Thing))
				}
			}
			L.Push(tbl)
			return 1
		},
		"cap":    func(L *lua.LState) int { L.Push(lua.LString(mudCap(L.CheckString(1)))); return 1 },
		"escape": func(L *lua.LState) int { L.Push(lua.LString(markup.Escape(L.CheckString(1)))); return 1 },
		"strip":  func(L *lua.LState) int { L.Push(lua.LString(markup.Strip(L.CheckString(1)))); return 1 },
		"width":  func(L *lua.LState) int { L.Push(lua.LNumber(markup.Width(L.CheckString(1)))); return 1 },
		"keep":   b.keep,
		"ref":    b.ref,
	}
	for name, fn := range fns {
		mud.RawSetString(name, L.NewFunction(fn))
	}
	mud.RawSetString("carry_limit", lua.LNumber(carryLimit))
	L.SetGlobal("mud", mud)
	if m, ok := L.GetGlobal("math").(*lua.LTable); ok {
		m.RawSetString("random", L.NewFunction(b.random))
		m.RawSetString("randomseed", L.NewFunction(func(L *lua.LState) int {
			n := uint64(L.CheckNumber(1))
			b.e.pcg.Seed(n, n^0x9e3779b97f4a7c15)
			return 0
		}))
	}
	L.SetGlobal("after", L.NewFunction(func(L *lua.LState) int { return b.newTimer(L, 1, b.owner, false) }))
	L.SetGlobal("every", L.NewFunction(func(L *lua.LState) int { return b.newTimer(L, 1, b.owner, true) }))
}

// ownedTimer implements t:after(seconds, fn) and t:every(seconds, fn): timers owned by t.
func (b *luaBindings) ownedTimer(L *lua.LState, repeat bool) int {
	return b.newTimer(L, 2, b.checkThing(L, 1), repeat)
}

// newTimer reads (seconds, fn) from argument n on and schedules fn, owned by owner.
func (b *luaBindings) newTimer(L *lua.LState, n int, owner *world.Thing, repeat bool) int {
	secs, fn := L.CheckNumber(n), L.CheckFunction(n+1)
	d := time.Duration(float64(secs) * float64(time.Second))
	if d < b.e.cfg.Pulse {
		d = b.e.cfg.Pulse
	}
	t := &timer{due: b.e.now().Add(d), owner: owner}
	if repeat {
		t.every = d
	}
	t.fire = func() { b.call(owner, fn) }
	b.e.timers.schedule(t)
	ud := L.NewUserData()
	ud.Value = t
	L.SetMetatable(ud, b.timerMeta)
	L.Push(ud)
	return 1
}

// random implements math.random on the engine's random source, as Lua 5.1 defines it:
// random() is in [0,1), random(m) in [1,m], random(m,n) in [m,n].
func (b *luaBindings) random(L *lua.LState) int {
	r := b.e.rand
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r.Float64()))
		return 1
	case 1:
		m := L.CheckInt(1)
		if m < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(1 + r.IntN(m)))
	default:
		m, n := L.CheckInt(1), L.CheckInt(2)
		if m > n {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(m + r.IntN(n-m+1)))
	}
	return 1
}
