package engine

import (
	"fmt"
	"path"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/world"
)

// buildLoad is what a game load collects for building: where each room was defined, the
// amend calls (applied once every file has run), and placement rules of generated files.
type buildLoad struct {
	roomFiles map[string]string // room key → file that defined it
	amends    []roomPatch
	resets    map[string][]world.Reset // zone key → rules from its generated file
	result    *builds                  // made by finishBuilds
}

// roomPatch is one amend call: changes to a room defined elsewhere.
type roomPatch struct {
	where      string // "file:line: " of the call
	built      bool   // from a generated file
	key        string
	name, desc *string
	exits      []*world.Exit // an exit with To "" removes that direction
}

func (l *loader) builds() *buildLoad {
	if l.olc == nil {
		l.olc = &buildLoad{roomFiles: make(map[string]string), resets: make(map[string][]world.Reset)}
	}
	return l.olc
}

// noteRoom records which file defined room key.
func (l *loader) noteRoom(key string) {
	l.builds().roomFiles[key] = l.file
}

func (l *loader) inBuiltFile() bool { return path.Base(l.file) == builtFile }

// registerBuildDefinitions installs amend and reset, the definitions generated files use
// besides room. Hand-written files may use them too.
func (b *luaBindings) registerBuildDefinitions() {
	b.L.SetGlobal("amend", b.L.NewFunction(func(L *lua.LState) int {
		if b.loading == nil {
			L.RaiseError("amend() can only be used while the game loads")
		}
		b.loading.amend(L, L.CheckString(1), L.CheckTable(2))
		return 0
	}))
	b.L.SetGlobal("reset", b.L.NewFunction(func(L *lua.LState) int {
		if b.loading == nil {
			L.RaiseError("reset{} can only be used while the game loads")
		}
		defReset(b.loading, L, L.CheckTable(1))
		return 0
	}))
}

// amend records a change to a room defined in any file; it is applied after every file ran.
func (l *loader) amend(L *lua.LState, key string, def *lua.LTable) {
	p := roomPatch{where: l.where(L) + ": ", built: l.inBuiltFile(), key: l.qualify(key)}
	def.ForEach(func(k, v lua.LValue) {
		switch name := lua.LVAsString(k); name {
		case "name", "desc":
			s, ok := v.(lua.LString)
			if !ok {
				l.fail(L, "amend %s: %s must be a string", key, name)
				return
			}
			str := string(s)
			if name == "name" {
				p.name = &str
			} else {
				p.desc = &str
			}
		case "exits":
			t, ok := v.(*lua.LTable)
			if !ok {
				l.fail(L, "amend %s: exits must be a table", key)
				return
			}
			t.ForEach(func(dir, to lua.LValue) {
				if to == lua.LFalse {
					p.exits = append(p.exits, &world.Exit{Dir: world.NormalizeDir(lua.LVAsString(dir))})
				} else if ex := defExit(l, L, dir, to); ex != nil {
					p.exits = append(p.exits, ex)
				}
			})
		default:
			l.fail(L, "amend %s: unknown field %q (amend changes name, desc and exits)", key, name)
		}
	})
	l.builds().amends = append(l.builds().amends, p)
}

// defReset adds a placement rule to the zone being loaded: reset { npc = "guard", room = "gate", max = 2 }.
func defReset(l *loader, L *lua.LState, def *lua.LTable) {
	z := l.b.e.world.Zones[l.zone]
	if z == nil {
		l.fail(L, "reset{} is outside a zone (use it in world/<zone>/ files)")
		return
	}
	rule := resetRule(l, L, def)
	z.Resets = append(z.Resets, rule)
	if l.resetPos == nil {
		l.resetPos = make(map[*world.Zone][]string)
	}
	for len(l.resetPos[z]) < len(z.Resets)-1 {
		l.resetPos[z] = append(l.resetPos[z], l.pos[z]) // the zone's own rules without a position
	}
	l.resetPos[z] = append(l.resetPos[z], l.where(L))
	if l.inBuiltFile() {
		o := l.builds()
		o.resets[z.Key] = append(o.resets[z.Key], rule)
	}
}

// finishBuilds applies the amend calls of hand-written files, records every room's
// definition, then applies the amend calls of generated files, so building commands know
// what is hand-written and what was changed in game. It runs after every file, before Link.
func (l *loader) finishBuilds() {
	o := l.builds()
	w := l.b.e.world
	for _, p := range o.amends {
		if !p.built {
			l.applyPatch(w, p, nil)
		}
	}
	bs := newBuilds()
	for key, file := range o.roomFiles {
		r := w.Rooms[key]
		if r == nil {
			continue
		}
		if path.Base(file) == builtFile {
			bs.built[key] = true
			bs.cur[key] = specOf(r)
		} else {
			bs.base[key] = specOf(r)
		}
	}
	for _, p := range o.amends {
		if p.built {
			l.applyPatch(w, p, bs)
		}
	}
	bs.resets = o.resets
	o.result = bs
}

// applyPatch applies an amend to its room and, for a generated file's amend, to the room's
// recorded definition.
func (l *loader) applyPatch(w *world.World, p roomPatch, bs *builds) {
	r := w.Rooms[p.key]
	if r == nil {
		l.errs = append(l.errs, fmt.Errorf("%samend: no room %q", p.where, p.key))
		return
	}
	var spec *roomSpec
	if bs != nil {
		spec = bs.edit(r)
	}
	if p.name != nil {
		r.Name = *p.name
		if spec != nil {
			spec.Name = *p.name
		}
	}
	if p.desc != nil {
		r.Desc = *p.desc
		if spec != nil {
			spec.Desc = *p.desc
		}
	}
	for _, ex := range p.exits {
		for i, old := range r.Exits {
			if old.Dir == ex.Dir {
				r.Exits = append(r.Exits[:i], r.Exits[i+1:]...)
				break
			}
		}
		if ex.To != "" {
			r.Exits = append(r.Exits, copyExit(ex))
		}
		if spec != nil {
			spec.setExit(ex)
		}
	}
}
