package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/world"
)

// loadGame runs the game's Lua files and builds the world from their definitions:
// scripts/init.lua first, then each world/<zone>/ folder with zone.lua first.
// Every problem is reported, each as "file:line: message".
func (e *Engine) loadGame() error {
	e.vm = script.New(script.Config{Game: e.cfg.Game, Budget: e.cfg.LuaBudget, Log: e.log})
	e.world = world.New()
	e.world.OnDestroy = e.timers.dropOwner
	e.lua = newLuaBindings(e)
	l := &loader{b: e.lua}
	e.lua.loading = l
	e.vm.SetBudget(loadBudget(e.cfg.LuaBudget))
	defer func() {
		e.lua.loading = nil
		e.vm.SetBudget(e.cfg.LuaBudget)
	}()

	if _, err := fs.Stat(e.cfg.Game, "scripts/init.lua"); err == nil {
		l.run("scripts/init.lua", "")
	}
	zones, err := fs.ReadDir(e.cfg.Game, "world")
	if err != nil {
		return fmt.Errorf("game: %w", err)
	}
	for _, z := range zones {
		if z.IsDir() {
			l.loadZone(path.Join("world", z.Name()), z.Name())
		}
	}
	e.build.defs = l.finishBuilds()
	l.errs = append(l.errs, e.world.Link()...)
	for _, msg := range checkResets(e.world) {
		l.errs = append(l.errs, errors.New(msg))
	}
	if e.game.Start == "" || e.world.Rooms[e.game.Start] == nil {
		l.errs = append(l.errs, fmt.Errorf("game: start room %q does not exist (set game { start = \"zone:room\" })", e.game.Start))
	}
	if len(l.errs) > 0 {
		return &LoadError{Errs: l.errs}
	}
	if e.game.Name == "" {
		e.game.Name = "mudd"
	}
	for _, z := range sortedZones(e.world) {
		e.resetZone(z)
	}
	e.lua.startRoomTicks()
	e.lua.startZoneResets()
	return nil
}

// zoneHasPlayers reports whether any player (connected or link-dead) is in z.
func (e *Engine) zoneHasPlayers(z *world.Zone) bool {
	for _, p := range e.players {
		if p.Thing.Zone() == z {
			return true
		}
	}
	return false
}

// loadBudget is the time budget of each file while a game loads: loading is set-up work that
// runs once, before any player waits on the loop, so it gets more time than a hook (a second,
// or twenty hooks' worth if that is more). Runaway code at load is still stopped.
func loadBudget(hook time.Duration) time.Duration {
	return max(time.Second, 20*hook)
}

// LoadError lists every problem found while loading a game.
type LoadError struct{ Errs []error }

func (le *LoadError) Error() string {
	msgs := make([]string, len(le.Errs))
	for i, err := range le.Errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("game has %d error(s):\n%s", len(le.Errs), strings.Join(msgs, "\n"))
}

// loader is the state of one game load: the current file and zone, and the errors so far.
type loader struct {
	b    *luaBindings
	file string
	zone string
	errs []error
	olc  *buildLoad // what building commands need to know: see lua_build.go
}

func (l *loader) loadZone(dir, name string) {
	files, err := fs.ReadDir(l.b.e.cfg.Game, dir)
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s: %w", dir, err))
		return
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		if !f.IsDir() && strings.HasSuffix(f.Name(), ".lua") && f.Name() != "zone.lua" {
			names = append(names, f.Name())
		}
	}
	sort.Strings(names)
	if _, err := fs.Stat(l.b.e.cfg.Game, path.Join(dir, "zone.lua")); err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s: missing zone.lua declaring the zone", dir))
		return
	}
	l.zone = ""
	l.run(path.Join(dir, "zone.lua"), name)
	if l.zone == "" {
		return // zone.lua failed; its error is recorded
	}
	for _, n := range names {
		l.run(path.Join(dir, n), l.zone)
	}
	l.zone = ""
}

// run executes one file; dirZone is the folder's name, used as the zone key by default.
func (l *loader) run(file, dirZone string) {
	l.file = file
	l.b.dirZone = dirZone
	if err := l.b.e.vm.RunFile(file); err != nil {
		l.errs = append(l.errs, err)
	}
}

// fail records a definition problem at the Lua caller's position.
func (l *loader) fail(L *lua.LState, format string, args ...any) {
	where := l.where(L)
	l.errs = append(l.errs, errors.New(where+fmt.Sprintf(format, args...)))
}

// qualify turns a short key into a full one in the current zone.
func (l *loader) qualify(key string) string {
	if key == "" || strings.Contains(key, ":") || l.zone == "" {
		return key
	}
	return l.zone + ":" + key
}

func sortedZones(w *world.World) []*world.Zone {
	zs := make([]*world.Zone, 0, len(w.Zones))
	for _, k := range sortedKeys(w.Zones) {
		zs = append(zs, w.Zones[k])
	}
	return zs
}

// resetZone applies a zone's reset rules: missing NPCs and items are put back.
func (e *Engine) resetZone(z *world.Zone) {
	placed := make(map[string]*world.Thing) // NPC proto key → NPC placed by this reset
	for _, r := range z.Resets {
		proto := e.world.Protos[r.Proto]
		if proto == nil {
			continue
		}
		switch {
		case r.Room != "":
			room := e.world.Rooms[r.Room]
			if room == nil {
				continue
			}
			for n := countProto(room.Things, r.Proto); n < r.Max; n++ {
				t := e.spawn(proto, room)
				if t.Kind == world.NPC {
					placed[r.Proto] = t
				}
			}
		case r.Into != "":
			if box := findInZone(z, r.Into); box != nil {
				for n := countProto(box.Contents, r.Proto); n < r.Max; n++ {
					world.MoveInto(e.spawnNowhere(proto), box)
				}
			}
		case r.NPC != "":
			if npc := placed[r.NPC]; npc != nil {
				item := e.spawnNowhere(proto)
				world.MoveInto(item, npc)
				if r.Wear != "" && npc.Worn(r.Wear) == nil {
					item.Slot = r.Wear
				}
			}
		}
	}
}

func countProto(things []*world.Thing, key string) int {
	n := 0
	for _, t := range things {
		if t.Key() == key {
			n++
		}
	}
	return n
}

// findInZone returns the first thing with prototype key in the zone's rooms, at any depth.
func findInZone(z *world.Zone, key string) *world.Thing {
	var walk func([]*world.Thing) *world.Thing
	walk = func(list []*world.Thing) *world.Thing {
		for _, t := range list {
			if t.Key() == key {
				return t
			}
			if found := walk(t.Contents); found != nil {
				return found
			}
		}
		return nil
	}
	for _, r := range z.Rooms {
		if t := walk(r.Things); t != nil {
			return t
		}
	}
	return nil
}

// spawn creates a thing from proto in room r, starting its tick timer.
func (e *Engine) spawn(proto *world.Proto, r *world.Room) *world.Thing {
	t := e.spawnNowhere(proto)
	world.MoveTo(t, r)
	return t
}

func (e *Engine) spawnNowhere(proto *world.Proto) *world.Thing {
	t := e.world.Spawn(proto)
	e.lua.startThingTick(t)
	return t
}
