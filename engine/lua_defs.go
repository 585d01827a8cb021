package engine

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/world"
)

// registerDefinitions installs the globals that declare the world: game, zone, room, item,
// npc, command and topic. They only work while the game loads.
func (b *luaBindings) registerDefinitions() {
	defs := map[string]func(l *loader, L *lua.LState, def *lua.LTable){
		"game":    defGame,
		"zone":    defZone,
		"room":    defRoom,
		"item":    func(l *loader, L *lua.LState, def *lua.LTable) { defProto(l, L, def, world.Item) },
		"npc":     func(l *loader, L *lua.LState, def *lua.LTable) { defProto(l, L, def, world.NPC) },
		"command": defCommand,
		"topic":   defTopic,
	}
	for name, fn := range defs {
		name, fn := name, fn
		b.L.SetGlobal(name, b.L.NewFunction(func(L *lua.LState) int {
			if b.loading == nil {
				L.RaiseError("%s{} can only be used while the game loads", name)
			}
			fn(b.loading, L, L.CheckTable(1))
			return 0
		}))
	}
	b.registerBuildDefinitions()
}

func field(def *lua.LTable, name string) string {
	if s, ok := def.RawGetString(name).(lua.LString); ok {
		return string(s)
	}
	return ""
}

func numField(def *lua.LTable, name string, dflt int) int {
	if n, ok := def.RawGetString(name).(lua.LNumber); ok {
		return int(n)
	}
	return dflt
}

func strList(def *lua.LTable, name string) []string {
	t, ok := def.RawGetString(name).(*lua.LTable)
	if !ok {
		return nil
	}
	var out []string
	for i := 1; i <= t.Len(); i++ {
		if s, ok := t.RawGetInt(i).(lua.LString); ok {
			out = append(out, strings.ToLower(string(s)))
		}
	}
	return out
}

// requireKey reads the key field, qualified in the current zone, or records an error.
func requireKey(l *loader, L *lua.LState, def *lua.LTable, what string) string {
	key := field(def, "key")
	if key == "" {
		l.fail(L, "%s without a key", what)
		return ""
	}
	return l.qualify(key)
}

func defGame(l *loader, L *lua.LState, def *lua.LTable) {
	l.gamePos = whereOf(L, 1)
	g := &l.b.e.game
	if v := field(def, "name"); v != "" {
		g.Name = v
	}
	if v := field(def, "start"); v != "" {
		g.Start = v
	}
	if v := field(def, "greeting"); v != "" {
		g.Greeting = v
	}
	if v := field(def, "motd"); v != "" {
		g.MOTD = v
	}
}

func defZone(l *loader, L *lua.LState, def *lua.LTable) {
	key := field(def, "key")
	if key == "" {
		key = l.b.dirZone
	}
	if !validKey(key) {
		l.fail(L, "zone key %q: use letters, digits and _ only", key)
		return
	}
	w := l.b.e.world
	if w.Zones[key] != nil {
		l.fail(L, "zone %q is defined twice", key)
		return
	}
	z := &world.Zone{Key: key, Name: field(def, "name"), Desc: field(def, "desc"), Script: def}
	if z.Name == "" {
		z.Name = key
	}
	if secs, ok := def.RawGetString("reset_every").(lua.LNumber); ok && secs > 0 {
		z.ResetEvery = time.Duration(float64(secs) * float64(time.Second))
	}
	switch mode := field(def, "reset_mode"); mode {
	case "", "always":
	case "empty":
		z.ResetEmpty = true
	default:
		l.fail(L, "zone %s: reset_mode %q: want \"always\" or \"empty\"", key, mode)
	}
	l.zone = key
	where := l.where(L)
	l.pos[z] = where
	if resets, ok := def.RawGetString("resets").(*lua.LTable); ok {
		if l.resetPos == nil {
			l.resetPos = make(map[*world.Zone][]string)
		}
		for i := 1; i <= resets.Len(); i++ {
			if r, ok := resets.RawGetInt(i).(*lua.LTable); ok {
				z.Resets = append(z.Resets, resetRule(l, L, r))
				l.resetPos[z] = append(l.resetPos[z], where)
			}
		}
	}
	w.Zones[key] = z
}

func resetRule(l *loader, L *lua.LState, r *lua.LTable) world.Reset {
	rule := world.Reset{Proto: l.qualify(field(r, "npc")), Room: l.qualify(field(r, "room")),
		Into: l.qualify(field(r, "into")), Max: numField(r, "max", 1), Wear: field(r, "wear")}
	if item := field(r, "item"); item != "" {
		rule.Proto = l.qualify(item)
		rule.NPC = l.qualify(field(r, "npc"))
	}
	if rule.Proto == "" || (rule.Room == "" && rule.Into == "" && rule.NPC == "") {
		l.fail(L, "reset rule needs npc or item, and room, into or npc")
	}
	return rule
}

// checkResets reports reset rules naming missing prototypes or rooms. It runs after loading.
func (l *loader) checkResets() {
	w := l.b.e.world
	for _, z := range sortedZones(w) {
		for i, r := range z.Resets {
			where := l.pos[z]
			if i < len(l.resetPos[z]) {
				where = l.resetPos[z][i]
			}
			if w.Protos[r.Proto] == nil {
				l.errs = append(l.errs, fmt.Errorf("%s: zone %s: reset names missing prototype %q", where, z.Key, r.Proto))
			}
			if r.Room != "" && w.Rooms[r.Room] == nil {
				l.errs = append(l.errs, fmt.Errorf("%s: zone %s: reset names missing room %q", where, z.Key, r.Room))
			}
			if r.Into != "" && w.Protos[r.Into] == nil {
				l.errs = append(l.errs, fmt.Errorf("%s: zone %s: reset names missing container prototype %q", where, z.Key, r.Into))
			}
		}
	}
}

// where is the "file:line" of the Lua code calling a definition function.
func (l *loader) where(L *lua.LState) string {
	if w := whereOf(L, 1); w != "" {
		return w
	}
	return l.file
}

func defRoom(l *loader, L *lua.LState, def *lua.LTable) {
	key := requireKey(l, L, def, "room")
	if key == "" {
		return
	}
	w := l.b.e.world
	z := w.Zones[l.zone]
	if z == nil {
		l.fail(L, "room %s is outside a zone (define rooms in world/<zone>/)", key)
		return
	}
	if w.Rooms[key] != nil {
		l.fail(L, "room %q is defined twice", key)
		return
	}
	r := &world.Room{Key: key, Name: field(def, "name"), Desc: field(def, "desc"), Zone: z, Script: def}
	l.pos[key] = l.where(L)
	if exits, ok := def.RawGetString("exits").(*lua.LTable); ok {
		exits.ForEach(func(k, v lua.LValue) {
			if ex := defExit(l, L, k, v); ex != nil {
				r.Exits = append(r.Exits, ex)
			}
		})
	}
	w.Rooms[key] = r
	z.Rooms = append(z.Rooms, r)
	l.noteRoom(key)
}

func defExit(l *loader, L *lua.LState, k, v lua.LValue) *world.Exit {
	dir := world.NormalizeDir(lua.LVAsString(k))
	switch v := v.(type) {
	case lua.LString:
		return &world.Exit{Dir: dir, To: l.qualify(string(v))}
	case *lua.LTable:
		ex := &world.Exit{Dir: dir, To: l.qualify(field(v, "to"))}
		if d, ok := v.RawGetString("door").(*lua.LTable); ok {
			ex.Door = &world.Door{Name: field(d, "name"), Keywords: strList(d, "keywords"),
				Closed: lua.LVAsBool(d.RawGetString("closed")), Locked: lua.LVAsBool(d.RawGetString("locked")),
				Key: l.qualify(field(d, "key"))}
			if ex.Door.Name == "" {
				ex.Door.Name = "door"
			}
			ex.Door.Closed = ex.Door.Closed || ex.Door.Locked
		}
		return ex
	}
	l.fail(L, "exit %s must be a room key or a table { to = ..., door = {...} }", dir)
	return nil
}

func defProto(l *loader, L *lua.LState, def *lua.LTable, kind world.Kind) {
	key := requireKey(l, L, def, kind.String())
	if key == "" {
		return
	}
	w := l.b.e.world
	if w.Protos[key] != nil {
		l.fail(L, "prototype %q is defined twice", key)
		return
	}
	p := &world.Proto{Key: key, Kind: kind, Name: field(def, "name"), Keywords: strList(def, "keywords"),
		Ground: field(def, "ground"), Desc: field(def, "desc"),
		Container: lua.LVAsBool(def.RawGetString("container")), Capacity: numField(def, "capacity", 10),
		Fixed: lua.LVAsBool(def.RawGetString("fixed")), Zone: w.Zones[l.zone], Script: def}
	if p.Name == "" {
		p.Name = key
	}
	if len(p.Keywords) == 0 {
		p.Keywords = strings.Fields(strings.ToLower(p.Name))
	}
	w.Protos[key] = p
	l.pos["proto "+key] = l.where(L)
}

func defCommand(l *loader, L *lua.LState, def *lua.LTable) {
	name := field(def, "name")
	run, ok := def.RawGetString("run").(*lua.LFunction)
	if name == "" || !ok {
		l.fail(L, "command needs a name and a run function")
		return
	}
	role, err := ParseRole(field(def, "role"))
	if err != nil {
		l.fail(L, "command %s: %v", name, err)
		return
	}
	b := l.b
	err = l.cmds.Add(Command{Name: name, Aliases: strList(def, "aliases"), Role: role, Help: field(def, "help"),
		fromLua: true, Run: func(c *Context) {
			if _, err := b.callErr(nil, run, b.thingUD(c.Actor()), lua.LString(c.Args)); err != nil {
				c.err = err // shown to online wizards by scriptError; recorded in the audit log
			}
		}})
	if err != nil {
		l.fail(L, "command %s: %v", name, err)
	}
}

func defTopic(l *loader, L *lua.LState, def *lua.LTable) {
	name := strings.ToLower(field(def, "name"))
	if name == "" {
		l.fail(L, "topic needs a name")
		return
	}
	l.b.e.topics[name] = field(def, "text")
}

// validKey reports whether key is a word of letters, digits and underscores, as zone keys
// and the keys of builder data set from the command line are.
func validKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
