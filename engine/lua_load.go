package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing/fstest"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
	"github.com/mudd/mudd/engine/world"
)

// loadGame reads the game's files and loads them into an empty world. It runs before the
// loop starts, so reading the files here blocks nothing.
func (e *Engine) loadGame() error {
	files, err := readGameFiles(e.cfg.Game, "")
	if err != nil {
		return fmt.Errorf("game: %w", err)
	}
	_, err = e.loadFiles(files)
	return err
}

// loadFiles builds a new Lua VM and world from files and, if they load without a problem,
// puts them in place of the running ones (see migrate). Loading the game at start is the same
// with no running world. Until everything has loaded and linked, nothing of the running game
// changes: on any problem the new VM and world are dropped and every problem is returned as a
// *LoadError, each "file:line: message".
func (e *Engine) loadFiles(files fstest.MapFS) (*loader, error) {
	old := e.running()
	seed, err := e.pcg.MarshalBinary() // math.randomseed in a load that fails changes nothing
	if err != nil {
		return nil, fmt.Errorf("game: %w", err)
	}
	l := e.build(files)
	if len(l.errs) > 0 {
		e.vm.Close()
		e.restoreRunning(old)
		if err := e.pcg.UnmarshalBinary(seed); err != nil {
			e.log.Error("restoring the random source", "err", err)
		}
		return l, &LoadError{Errs: l.errs}
	}
	e.commit(l, old)
	return l, nil
}

// build loads files into a new Lua VM and world, which it puts in place of the running ones
// (kept aside by the caller). The loader it returns lists the problems found.
func (e *Engine) build(files fstest.MapFS) *loader {
	prev := e.world
	e.vm = script.New(script.Config{Game: files, Budget: e.cfg.LuaBudget, Log: e.log, Cache: &e.compiled})
	e.world = world.NewAfter(prev)
	e.world.OnDestroy = e.timers.dropOwner
	e.world.OnCarry = e.carried
	e.timers = timerQueue{}
	e.game = GameInfo{}
	e.topics = make(map[string]string)
	e.lua = newLuaBindings(e)
	l := &loader{b: e.lua, cmds: e.cmds.withoutLua(), pos: make(map[any]string), files: files}
	e.lua.loading = l
	e.vm.SetBudget(loadBudget(e.cfg.LuaBudget))
	l.loadAll(files)
	e.lua.loading = nil
	e.vm.SetBudget(e.cfg.LuaBudget)
	return l
}

// commit completes a load that had no problem: the new commands and kept state take effect,
// the things of the old world move into the new one with the state of its doors, and zones
// reset: every zone when the game starts, on a reload only the zones that are new or whose
// reset rules changed. The others keep their state and the time left to their next reset.
func (e *Engine) commit(l *loader, old runningGame) {
	e.files, e.zoneDirs = l.files, l.zoneDirs
	e.olc.defs = l.builds().result
	for k, v := range l.kept {
		e.kept[k] = v
	}
	e.cmds.replace(l.cmds)
	if e.game.Name == "" {
		e.game.Name = "mudd"
	}
	shown := e.game
	e.shown.Store(&shown)
	e.checkRoomNums()
	e.looks, e.descs = nil, nil // kept for the old world's rooms, which they would keep alive
	resets := zonesToReset(old.world, e.world)
	l.b.startRoomTicks()
	l.b.startZoneResets(resetsDue(old.timers, resets))
	if t := e.countdown; t != nil && !t.cancelled {
		e.timers.schedule(t) // the engine's own timer, not the game's: the shutdown goes on
	}
	if old.world != nil {
		l.migrated = e.migrate(old)
		keepDoors(old.world, e.world)
		if old.vm != e.hostVM {
			old.vm.Close()
		}
	}
	for _, z := range sortedZones(e.world) {
		if resets[z.Key] && e.runs(z) {
			e.resetZone(z)
		}
	}
	if old.world != nil {
		e.lua.emit("reload")
	}
}

// runningGame is what a load replaces: kept aside while new code loads, put back if it fails.
type runningGame struct {
	vm     *script.VM
	world  *world.World
	timers timerQueue
	game   GameInfo
	topics map[string]string
	lua    *luaBindings
}

func (e *Engine) running() runningGame {
	return runningGame{vm: e.vm, world: e.world, timers: e.timers, game: e.game, topics: e.topics, lua: e.lua}
}

func (e *Engine) restoreRunning(g runningGame) {
	e.vm, e.world, e.timers, e.game, e.topics, e.lua = g.vm, g.world, g.timers, g.game, g.topics, g.lua
}

// loadAll runs scripts/init.lua, then each world/<zone>/ folder with zone.lua first, then
// links the world and checks what refers to what. It reads only files, in memory.
func (l *loader) loadAll(files fs.FS) {
	e := l.b.e
	if _, err := fs.Stat(files, "scripts/init.lua"); err == nil {
		l.run("scripts/init.lua", "")
	}
	zones, err := fs.ReadDir(files, "world")
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("game: %w", err))
		return
	}
	for _, z := range zones {
		if z.IsDir() {
			l.loadZone(path.Join("world", z.Name()), z.Name())
		}
	}
	l.finishBuilds()
	for _, err := range e.world.Link() {
		l.errs = append(l.errs, l.at(err.Room, err))
	}
	l.checkResets()
	l.checkRefs()
	if e.game.Start == "" || e.world.Rooms[e.game.Start] == nil {
		if l.gamePos == "" {
			l.gamePos = "scripts/init.lua"
		}
		l.errs = append(l.errs, fmt.Errorf("%s: game: start room %q does not exist (set game { start = \"zone:room\" })", l.gamePos, e.game.Start))
	}
}

// at prefixes err with the position where the room, prototype or zone key was defined.
func (l *loader) at(key any, err error) error {
	if p := l.pos[key]; p != "" {
		return fmt.Errorf("%s: %w", p, err)
	}
	return err
}

// zonesToReset lists the zones of w that reset now that it replaces prev: all of them when
// there is no prev (the game starts), else those that are new or whose reset rules changed.
func zonesToReset(prev, w *world.World) map[string]bool {
	out := make(map[string]bool)
	for key, z := range w.Zones {
		var was *world.Zone
		if prev != nil {
			was = prev.Zones[key]
		}
		if was == nil || !slices.Equal(was.Resets, z.Resets) {
			out[key] = true
		}
	}
	return out
}

// resetsDue is when the periodic resets of the zones in q fall due, but for the zones that
// reset now: their next reset comes a whole period later.
func resetsDue(q timerQueue, now map[string]bool) map[string]resetDue {
	out := make(map[string]resetDue)
	for _, t := range q.heap {
		if t.zone != "" && !t.cancelled && !now[t.zone] {
			out[t.zone] = resetDue{t.due, t.every}
		}
	}
	return out
}

// resetDue is the time of a zone's next periodic reset, and its period.
type resetDue struct {
	at    time.Time
	every time.Duration
}

// keepDoors gives the doors of w the state (open, closed, locked) of the same doors in prev:
// those on the exit in the same direction of the room with the same key. A door keeps its
// lock only if it still has a key, with which it can be opened.
func keepDoors(prev, w *world.World) {
	for key, r := range w.Rooms {
		was := prev.Rooms[key]
		if was == nil {
			continue
		}
		for _, ex := range r.Exits {
			old := was.Exit(ex.Dir)
			if ex.Door == nil || old == nil || old.Door == nil {
				continue
			}
			ex.Door.Closed = old.Door.Closed
			ex.Door.Locked = old.Door.Locked && ex.Door.Key != ""
		}
	}
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

// loader is the state of one game load: the current file and zone, what the code defines
// that only takes effect if the load succeeds, and the problems so far.
type loader struct {
	b        *luaBindings
	file     string
	zone     string
	errs     []error
	cmds     *Registry      // the commands the game will have
	pos      map[any]string // "file:line" where each room, prototype and zone key was defined
	resetPos map[*world.Zone][]string
	refs     []ref // keys the code declared it needs (mud.ref)
	gamePos  string
	zoneDirs map[string]string           // zone key → folder name
	kept     map[string]lua.LValue       // mud.keep values first asked for by this load
	migrated migration                   // what committing this load moved and removed
	copies   map[*lua.LTable]*lua.LTable // the running game's kept tables → this load's copies
	files    fstest.MapFS
	olc      *buildLoad // what building commands need to know: see lua_build.go
}

func (l *loader) loadZone(dir, name string) {
	files, err := fs.ReadDir(l.files, dir)
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
	if _, err := fs.Stat(l.files, path.Join(dir, "zone.lua")); err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s: missing zone.lua declaring the zone", dir))
		return
	}
	l.zone = ""
	l.run(path.Join(dir, "zone.lua"), name)
	if l.zone == "" {
		return // zone.lua failed; its error is recorded
	}
	if l.zoneDirs == nil {
		l.zoneDirs = make(map[string]string)
	}
	l.zoneDirs[l.zone] = name
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
	l.errs = append(l.errs, errors.New(l.where(L)+": "+fmt.Sprintf(format, args...)))
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
					e.world.MoveInto(e.spawnNowhere(proto), box)
				}
			}
		case r.NPC != "":
			if npc := placed[r.NPC]; npc != nil {
				item := e.spawnNowhere(proto)
				e.world.MoveInto(item, npc)
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
	e.world.MoveTo(t, r)
	return t
}

func (e *Engine) spawnNowhere(proto *world.Proto) *world.Thing {
	t := e.world.Spawn(proto)
	e.lua.startThingTick(t)
	return t
}
