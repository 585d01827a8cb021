package engine

import (
	"errors"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

// luaBindings connects the Lua VM to the world: userdata for things and rooms, the mud table,
// timers, and the calls of hooks. It lives on the game loop.
type luaBindings struct {
	e       *Engine
	L       *lua.LState
	loading *loader // non-nil while the game loads
	dirZone string  // the folder of the zone file being loaded

	thingMeta, roomMeta, timerMeta *lua.LTable
	rooms                          map[*world.Room]*lua.LUserData
	owner                          *world.Thing // owner of timers created by the running hook
	handlers                       map[string][]*handler
}

// handler is a function registered with mud.on.
type handler struct {
	fn        *lua.LFunction
	cancelled bool
}

// thingData is what the bindings keep on a thing: its userdata and its builder data table.
type thingData struct {
	ud   *lua.LUserData
	data *lua.LTable
}

func newLuaBindings(e *Engine) *luaBindings {
	b := &luaBindings{e: e, L: e.vm.L, rooms: make(map[*world.Room]*lua.LUserData)}
	b.registerDefinitions()
	b.thingMeta = b.newMeta("mudd.thing", b.thingIndex, thingMethods)
	b.roomMeta = b.newMeta("mudd.room", b.roomIndex, roomMethods)
	b.timerMeta = b.newMeta("mudd.timer", nil, map[string]func(*luaBindings, *lua.LState) int{
		"cancel": func(b *luaBindings, L *lua.LState) int {
			switch v := L.CheckUserData(1).Value.(type) {
			case *timer:
				v.cancelled = true
			case *handler:
				v.cancelled = true
			}
			return 0
		},
	})
	b.registerRuntime()
	return b
}

// newMeta builds a metatable whose __index serves fields through index and methods from methods.
func (b *luaBindings) newMeta(name string, index func(L *lua.LState, ud *lua.LUserData, key string) bool,
	methods map[string]func(*luaBindings, *lua.LState) int) *lua.LTable {
	L := b.L
	mt := L.NewTypeMetatable(name)
	fns := L.NewTable()
	for n, m := range methods {
		m := m
		fns.RawSetString(n, L.NewFunction(func(L *lua.LState) int { return m(b, L) }))
	}
	L.SetField(mt, "__index", L.NewFunction(func(L *lua.LState) int {
		ud, key := L.CheckUserData(1), L.CheckString(2)
		if index != nil && index(L, ud, key) {
			return 1
		}
		L.Push(fns.RawGetString(key))
		return 1
	}))
	L.SetField(mt, "__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("%s fields are read-only (use .data for your own values)", name)
		return 0
	}))
	return mt
}

// thingUD returns the one userdata that stands for t in Lua.
func (b *luaBindings) thingUD(t *world.Thing) lua.LValue {
	if t == nil {
		return lua.LNil
	}
	d, _ := t.Data.(*thingData)
	if d == nil {
		d = &thingData{}
		t.Data = d
	}
	if d.ud == nil {
		d.ud = b.L.NewUserData()
		d.ud.Value = t
		b.L.SetMetatable(d.ud, b.thingMeta)
	}
	return d.ud
}

// roomUD returns the one userdata that stands for r in Lua.
func (b *luaBindings) roomUD(r *world.Room) lua.LValue {
	if r == nil {
		return lua.LNil
	}
	ud := b.rooms[r]
	if ud == nil {
		ud = b.L.NewUserData()
		ud.Value = r
		b.L.SetMetatable(ud, b.roomMeta)
		b.rooms[r] = ud
	}
	return ud
}

// value converts a Go value passed to a hook into Lua.
func (b *luaBindings) value(v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case *world.Thing:
		return b.thingUD(v)
	case *world.Room:
		return b.roomUD(v)
	case string:
		if v == "" {
			return lua.LNil
		}
		return lua.LString(v)
	case lua.LValue:
		return v
	}
	return lua.LNil
}

// call runs fn under the time budget with owner as the owner of timers it creates. Errors are
// reported and never propagate: one broken hook never breaks another.
func (b *luaBindings) call(owner *world.Thing, fn lua.LValue, args ...lua.LValue) lua.LValue {
	ret, _ := b.callErr(owner, fn, args...)
	return ret
}

// callErr is call that also returns the error, which has been reported already.
func (b *luaBindings) callErr(owner *world.Thing, fn lua.LValue, args ...lua.LValue) (lua.LValue, error) {
	prev := b.owner
	b.owner = owner
	defer func() { b.owner = prev }()
	ret, err := b.e.vm.Call(fn, args...)
	if err != nil {
		b.e.scriptError(err)
		return lua.LNil, err
	}
	return ret, nil
}

// roomHook runs hook name of room r, if it has one, as hook(room, args...).
func (b *luaBindings) roomHook(r *world.Room, name string, args ...any) lua.LValue {
	def, _ := r.Script.(*lua.LTable)
	if def == nil {
		return lua.LNil
	}
	fn, ok := def.RawGetString(name).(*lua.LFunction)
	if !ok {
		return lua.LNil
	}
	return b.call(nil, fn, b.callArgs(b.roomUD(r), args)...)
}

// hasHook reports whether t's prototype defines hook name.
func (b *luaBindings) hasHook(t *world.Thing, name string) bool {
	if t.Proto == nil {
		return false
	}
	def, _ := t.Proto.Script.(*lua.LTable)
	if def == nil {
		return false
	}
	_, ok := def.RawGetString(name).(*lua.LFunction)
	return ok
}

// thingHook runs hook name of t's prototype, if it has one, as hook(self, args...).
func (b *luaBindings) thingHook(t *world.Thing, name string, args ...any) lua.LValue {
	if t.Proto == nil {
		return lua.LNil
	}
	def, _ := t.Proto.Script.(*lua.LTable)
	if def == nil {
		return lua.LNil
	}
	fn, ok := def.RawGetString(name).(*lua.LFunction)
	if !ok {
		return lua.LNil
	}
	return b.call(t, fn, b.callArgs(b.thingUD(t), args)...)
}

func (b *luaBindings) callArgs(self lua.LValue, args []any) []lua.LValue {
	out := make([]lua.LValue, 0, len(args)+1)
	out = append(out, self)
	for _, a := range args {
		out = append(out, b.value(a))
	}
	return out
}

// on registers fn for event and returns a handle whose cancel() unregisters it.
func (b *luaBindings) on(event string, fn *lua.LFunction) lua.LValue {
	if b.handlers == nil {
		b.handlers = make(map[string][]*handler)
	}
	h := &handler{fn: fn}
	b.handlers[event] = append(b.handlers[event], h)
	ud := b.L.NewUserData()
	ud.Value = h
	b.L.SetMetatable(ud, b.timerMeta)
	return ud
}

// emit calls every live handler of event with args, dropping cancelled ones.
func (b *luaBindings) emit(event string, args ...lua.LValue) {
	list := b.handlers[event]
	if len(list) == 0 {
		return
	}
	live := list[:0]
	for _, h := range list {
		if !h.cancelled {
			live = append(live, h)
		}
	}
	b.handlers[event] = live
	for _, h := range append([]*handler(nil), live...) {
		if !h.cancelled {
			b.call(nil, h.fn, args...)
		}
	}
}

// emitThing emits a game event about a thing (login, logout, enter), if anyone listens.
func (b *luaBindings) emitThing(event string, t *world.Thing, more ...any) {
	if len(b.handlers[event]) > 0 {
		b.emit(event, b.callArgs(b.thingUD(t), more)...)
	}
}

// startZoneResets schedules the periodic resets of zones that have reset_every. A zone with
// the same period in due keeps the time of its next reset from there.
func (b *luaBindings) startZoneResets(due map[string]resetDue) {
	for _, z := range sortedZones(b.e.world) {
		if z.ResetEvery <= 0 || !b.e.runs(z) {
			continue
		}
		z := z
		at := b.e.now().Add(z.ResetEvery)
		if d, ok := due[z.Key]; ok && d.every == z.ResetEvery {
			at = d.at
		}
		b.e.timers.schedule(&timer{due: at, every: z.ResetEvery, zone: z.Key, fire: func() {
			if !z.ResetEmpty || !b.e.zoneHasPlayers(z) {
				b.e.resetZone(z)
			}
		}})
	}
}

// startThingTick schedules a thing's on_tick hook every `tick` seconds, starting at a random
// point of the first interval so that many NPCs don't all act on one pulse.
func (b *luaBindings) startThingTick(t *world.Thing) {
	def, _ := t.Proto.Script.(*lua.LTable)
	if every := tickInterval(def); every > 0 {
		b.e.timers.schedule(&timer{due: b.e.now().Add(jitter(every, t.ID)), every: every, owner: t,
			fire: func() { b.thingHook(t, "on_tick") }})
	}
}

// startRoomTicks schedules the on_tick hooks of rooms.
func (b *luaBindings) startRoomTicks() {
	for _, k := range sortedKeys(b.e.world.Rooms) {
		r := b.e.world.Rooms[k]
		def, _ := r.Script.(*lua.LTable)
		if every := tickInterval(def); every > 0 && b.e.runs(r.Zone) {
			b.e.timers.schedule(&timer{due: b.e.now().Add(every), every: every,
				fire: func() { b.roomHook(r, "on_tick") }})
		}
	}
}

func tickInterval(def *lua.LTable) time.Duration {
	if def == nil {
		return 0
	}
	if _, ok := def.RawGetString("on_tick").(*lua.LFunction); !ok {
		return 0
	}
	secs, _ := def.RawGetString("tick").(lua.LNumber)
	if secs <= 0 {
		secs = 10
	}
	return time.Duration(float64(secs) * float64(time.Second))
}

// jitter spreads first firings over the interval, deterministically per thing.
func jitter(every time.Duration, id uint64) time.Duration {
	return time.Duration((id*2654435761)%1000) * every / 1000
}

// scriptError reports a Lua error to the log and to online wizards. The same error is
// reported at most once every luaErrorQuiet, with a count of the repeats held back, so a
// broken on_tick cannot flood the log or the wizards.
func (e *Engine) scriptError(err error) {
	msg := err.Error()
	now := e.now()
	seen := e.luaErrors[msg]
	if seen != nil && now.Sub(seen.at) < luaErrorQuiet {
		seen.repeats++
		return
	}
	if seen == nil {
		if len(e.luaErrors) > 1000 {
			clear(e.luaErrors)
		}
		seen = &errorSeen{}
		e.luaErrors[msg] = seen
	}
	if seen.repeats > 0 {
		msg = fmt.Sprintf("%s (and %d more times)", msg, seen.repeats)
	}
	seen.at, seen.repeats = now, 0
	var se *script.Error
	e.log.Error("lua error", "err", msg, "timeout", errors.As(err, &se) && se.Timeout)
	for _, p := range e.players {
		if p.Role >= RoleWizard {
			p.Send("{R}[lua]{x} " + markup.Escape(msg))
		}
	}
}

// luaErrorQuiet is how long the same Lua error is held back after being reported.
const luaErrorQuiet = 10 * time.Second

type errorSeen struct {
	at      time.Time
	repeats int
}
