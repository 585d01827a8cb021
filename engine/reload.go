package engine

import (
	"bytes"
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

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

// readGameFiles reads the game's Lua files into memory: every .lua file under scripts/,
// world/ and tests/ when zoneDir is "", or only those under world/<zoneDir>/. It does disk
// I/O, so the loop never calls it; the loop loads from the copy in memory. A file that
// disappears while it is read (an editor saving by rename) is skipped.
func readGameFiles(fsys fs.FS, zoneDir string) (fstest.MapFS, error) {
	files := fstest.MapFS{}
	roots := []string{"scripts", "world", "tests"}
	if zoneDir != "" {
		roots = []string{path.Join("world", zoneDir)}
	}
	for _, root := range roots {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".lua") {
				return nil
			}
			data, err := fs.ReadFile(fsys, p)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// withZone returns a copy of base with the files of world/<dir>/ replaced by zone's.
func withZone(base fstest.MapFS, dir string, zone fstest.MapFS) fstest.MapFS {
	prefix := path.Join("world", dir) + "/"
	out := make(fstest.MapFS, len(base)+len(zone))
	for p, f := range base {
		if !strings.HasPrefix(p, prefix) {
			out[p] = f
		}
	}
	for p, f := range zone {
		out[p] = f
	}
	return out
}

// sameFiles reports whether read, the files of zone folder dir (or of the game), are those
// the running game loaded (with the building commands' edits): then a reload has nothing to
// do. This is also how the game's own writes of generated files, which a watcher of the
// game directory sees, cause no reload.
func (e *Engine) sameFiles(dir string, read fstest.MapFS) bool {
	prefix := ""
	if dir != "" {
		prefix = path.Join("world", dir) + "/"
	}
	n := 0
	for name, f := range e.files {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		n++
		if g := read[name]; g == nil || !bytes.Equal(f.Data, g.Data) {
			return false
		}
	}
	return n == len(read)
}

// ReloadResult is the outcome of a reload.
type ReloadResult struct {
	Zone      string        // the zone folder reloaded, or "" for the whole game
	Unchanged bool          // the files are those the game runs: nothing was done
	Err       error         // nil on success; a *LoadError lists every problem
	Duration  time.Duration // time the loop spent loading and switching
	Moved     int           // players moved to the start room: their room is gone
	Removed   int           // NPCs and items removed: their prototype or room is gone
}

// String is the report shown to builders.
func (r ReloadResult) String() string {
	what := "the game"
	if r.Zone != "" {
		what = "zone " + r.Zone
	}
	if r.Unchanged {
		return fmt.Sprintf("Nothing changed in %s: its files are those the game runs.", what)
	}
	if r.Err == nil {
		msg := fmt.Sprintf("Reloaded %s in %s.", what, r.Duration.Round(time.Millisecond/10))
		if r.Moved > 0 || r.Removed > 0 {
			msg += fmt.Sprintf(" %d player(s) moved to the start room, %d thing(s) removed.", r.Moved, r.Removed)
		}
		return msg
	}
	var le *LoadError
	if errors.As(r.Err, &le) {
		return fmt.Sprintf("Reload of %s failed; the running game is unchanged. %d problem(s):\n%s",
			what, len(le.Errs), joinErrs(le.Errs))
	}
	return fmt.Sprintf("Reload of %s failed; the running game is unchanged: %v", what, r.Err)
}

func joinErrs(errs []error) string {
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = "  " + err.Error()
	}
	return strings.Join(msgs, "\n")
}

// Reload reloads zone folder dir (or the whole game when dir is "") from the game directory,
// as the reload command does. It may be called from any goroutine: the files are read on a
// worker goroutine and loaded on the loop. The result goes to the log and to online builders.
// It reports false when the loop has stopped.
func (e *Engine) Reload(dir string) bool {
	return e.post(funcEvent(func(e *Engine) {
		e.startReload(dir, func(r ReloadResult) { e.announceReload(r, nil) })
	}))
}

// ReloadZone reloads the zone called zone ("" for the whole game) as `reload zone` does, from
// any goroutine: a scene of a cluster reloads what a builder reloaded on another. It reports
// false when the loop has stopped.
func (e *Engine) ReloadZone(zone string) bool {
	return e.post(funcEvent(func(e *Engine) {
		dir, ok := e.zoneDirs[zone]
		if !ok {
			dir = zone // a new zone folder, or "" for the whole game
		}
		e.startReload(dir, func(r ReloadResult) { e.announceReload(r, nil) })
	}))
}

// startReload reads the files on a worker goroutine and hands them to the loop, which loads
// them and calls done with the result. It runs on the loop.
func (e *Engine) startReload(dir string, done func(ReloadResult)) {
	if dir != "" && (!fs.ValidPath(dir) || strings.Contains(dir, "/") || dir == ".") {
		done(ReloadResult{Zone: dir, Err: fmt.Errorf("%q is not a zone folder name", dir)})
		return
	}
	fsys, since := e.cfg.Game, e.olc.gen
	e.work(func() {
		e.olc.files.wait() // generated files the building commands are writing
		files, err := readGameFiles(fsys, dir)
		e.post(funcEvent(func(e *Engine) {
			if err == nil {
				e.laterEdits(dir, files, since)
			}
			done(e.reload(dir, files, err))
		}))
	})
}

// laterEdits puts into read, the files of zone folder dir (or of the game) that a worker
// read, the newer content of the files building commands wrote after generation since: the
// worker may have read them before those edits reached the disk, and loading the older copy
// would lose the edits.
func (e *Engine) laterEdits(dir string, read fstest.MapFS, since uint64) {
	prefix := ""
	if dir != "" {
		prefix = path.Join("world", dir) + "/"
	}
	for name, gen := range e.olc.written {
		if f := e.files[name]; gen > since && f != nil && strings.HasPrefix(name, prefix) {
			read[name] = f
		}
	}
}

// reload loads read (the files of zone folder dir, or of the whole game) on the loop.
func (e *Engine) reload(dir string, read fstest.MapFS, readErr error) ReloadResult {
	r := ReloadResult{Zone: dir}
	if readErr != nil {
		r.Err = fmt.Errorf("reading the game: %w", readErr)
		return r
	}
	if e.sameFiles(dir, read) {
		r.Unchanged = true
		return r
	}
	start := time.Now()
	files := read
	if dir != "" {
		files = withZone(e.files, dir, read)
	}
	var l *loader
	l, r.Err = e.loadFiles(files)
	r.Duration = time.Since(start)
	if r.Err == nil {
		r.Moved, r.Removed = l.migrated.moved, l.migrated.removed
	}
	return r
}

// announceReload logs a reload's result and tells online builders and the player who asked
// for it, if any.
func (e *Engine) announceReload(r ReloadResult, to *Player) {
	msg := markup.Escape(r.String()) // errors quote code: braces in it are text, not tags
	switch {
	case r.Unchanged:
		e.log.Debug("reload: nothing changed", "zone", r.Zone)
		if to != nil && e.players[state.Key(to.Name)] == to {
			to.Send(msg)
		}
		return // only who asked needs to hear of it
	case r.Err != nil:
		e.log.Warn("reload failed", "zone", r.Zone, "err", r.Err)
	default:
		e.log.Info("reloaded", "zone", r.Zone, "took", r.Duration)
	}
	for _, k := range e.playerKeys() {
		if p := e.players[k]; p.Role >= RoleBuilder && p != to {
			p.Send("[reload] " + msg)
		}
	}
	if to != nil && e.players[state.Key(to.Name)] == to {
		to.Send(msg)
	}
}

// migrate moves what lives on from the replaced game into the new one: every thing keeps its
// ID, place, contents and builder data; NPCs and items take their new prototype's
// descriptions (unless a script changed them) and hooks; those whose prototype or room is
// gone are removed; players whose room is gone go to the start room.
func (e *Engine) migrate(old runningGame) migration {
	w := e.world
	w.Adopt(old.world)
	var all []*world.Thing
	w.Each(func(t *world.Thing) bool { all = append(all, t); return true })
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })

	gone := make(map[*world.Thing]bool)
	for _, t := range all {
		e.moveData(t)
		if t.Kind == world.Player || t.Proto == nil {
			continue
		}
		p := w.Protos[t.Proto.Key]
		if p == nil || p.Kind != t.Kind {
			gone[t] = true
			continue
		}
		refresh(t, t.Proto, p)
		t.Proto = p
	}
	var displaced []*world.Thing
	for _, key := range sortedKeys(old.world.Rooms) {
		list := old.world.Rooms[key].Things
		old.world.Rooms[key].Things = nil
		to := w.Rooms[key]
		for _, t := range list {
			t.Room = nil
			switch {
			case to != nil:
				t.Room = to
				to.Things = append(to.Things, t)
			case t.Kind == world.Player:
				displaced = append(displaced, t)
			default:
				gone[t] = true
			}
		}
	}
	for _, t := range displaced {
		e.world.MoveTo(t, e.startRoom())
		if p := playerOf(t); p != nil {
			p.Send("The place where you stood has vanished from the world. You find yourself elsewhere.")
			p.touch()
			e.look(p)
		}
	}
	removed := e.removeGone(all, gone)
	for _, t := range all {
		if t.Kind != world.Player && w.Alive(t) {
			e.lua.startThingTick(t)
		}
	}
	return migration{moved: len(displaced), removed: removed}
}

// migration counts what a migrate did: players moved to the start room, things removed.
type migration struct{ moved, removed int }

// removeGone destroys the things whose prototype or room no longer exists. What they hold
// that still exists stays where they were; holders and onlookers are told. It returns how
// many it destroyed.
func (e *Engine) removeGone(all []*world.Thing, gone map[*world.Thing]bool) (removed int) {
	for _, t := range all {
		if !gone[t] || !e.world.Alive(t) {
			continue
		}
		for _, x := range slices.Clone(t.Contents) {
			switch {
			case gone[x]:
			case t.Room != nil:
				e.world.MoveTo(x, t.Room)
			case t.Holder != nil:
				e.world.MoveInto(x, t.Holder)
			}
		}
		if p := playerOf(t.Holder); p != nil {
			p.Send(mudCap(t.Name) + " crumbles to dust and is gone.")
		}
		e.lua.markHolder(t)
		if t.Room != nil {
			e.tellRoom(t.Room, nil, mudCap(t.Name)+" fades away.")
		}
		e.world.Destroy(t)
		removed++
	}
	return removed
}

// refresh gives t the descriptions of its new prototype, except those a script changed.
func refresh(t *world.Thing, old, p *world.Proto) {
	if t.Name == old.Name {
		t.Name = p.Name
	}
	if t.Ground == old.Ground {
		t.Ground = p.Ground
	}
	if t.Desc == old.Desc {
		t.Desc = p.Desc
	}
	if slices.Equal(t.Keywords, old.Keywords) {
		t.Keywords = p.Keywords
	}
}

// moveData carries t's builder data into the new Lua state as plain data (what saving keeps)
// and forgets its old userdata.
func (e *Engine) moveData(t *world.Thing) {
	d, _ := t.Data.(*thingData)
	t.Data = nil
	if d == nil || d.data == nil {
		return
	}
	if tbl, ok := e.lua.luaValue(plainTable(d.data, 0), 0).(*lua.LTable); ok {
		t.Data = &thingData{data: tbl}
	}
}

// keep implements mud.keep(name, default): the value kept under the calling file and name,
// the same across reloads. The first call stores default (a new table if nil).
func (b *luaBindings) keep(L *lua.LState) int {
	name := L.CheckString(1)
	file := ""
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("S", dbg, lua.LNil); err == nil {
			file = dbg.Source
		}
	}
	key := file + "#" + name
	l := b.loading
	if l == nil {
		v, ok := b.e.kept[key]
		if !ok {
			v = keepDefault(L)
			b.e.kept[key] = v
		}
		L.Push(v)
		return 1
	}
	// While a game loads, its code works on a copy of what is kept: the load may still fail,
	// and then the running game's state must be as it was. The copy replaces it on commit.
	v, ok := l.kept[key]
	if !ok {
		if old, found := b.e.kept[key]; found {
			if l.copies == nil {
				l.copies = make(map[*lua.LTable]*lua.LTable)
			}
			v = copyValue(L, old, l.copies)
		} else {
			v = keepDefault(L)
		}
		if l.kept == nil {
			l.kept = make(map[string]lua.LValue)
		}
		l.kept[key] = v
	}
	L.Push(v)
	return 1
}

// keepDefault is the default argument of mud.keep, or a new table.
func keepDefault(L *lua.LState) lua.LValue {
	if v := L.Get(2); v != lua.LNil {
		return v
	}
	return L.NewTable()
}

// copyValue copies the tables of v, deeply, keeping what they share and their cycles; other
// values (strings, numbers, functions, things) are the same values. Metatables are shared.
func copyValue(L *lua.LState, v lua.LValue, seen map[*lua.LTable]*lua.LTable) lua.LValue {
	t, ok := v.(*lua.LTable)
	if !ok {
		return v
	}
	if c := seen[t]; c != nil {
		return c
	}
	c := L.NewTable()
	c.Metatable = t.Metatable
	seen[t] = c
	t.ForEach(func(k, v lua.LValue) { c.RawSet(copyValue(L, k, seen), copyValue(L, v, seen)) })
	return c
}

// ref is a key the game's code declared it needs, checked once the game has loaded.
type ref struct {
	kind, key, where string
}

// ref implements mud.ref(kind, key [, level]): while the game loads, it records that the code
// needs a room, npc, item or proto with key; the load fails if there is none. The position
// reported is the caller's, or level frames above it. At run time it reports whether the
// thing exists.
func (b *luaBindings) ref(L *lua.LState) int {
	kind, key, level := L.CheckString(1), L.CheckString(2), L.OptInt(3, 1)
	switch kind {
	case "room", "npc", "item", "proto":
	default:
		L.ArgError(1, "want room, npc, item or proto")
	}
	if l := b.loading; l != nil {
		where := whereOf(L, level)
		if where == "" {
			where = l.file
		}
		l.refs = append(l.refs, ref{kind, key, where})
		L.Push(lua.LTrue)
		return 1
	}
	L.Push(lua.LBool(refExists(b.e.world, kind, key)))
	return 1
}

func refExists(w *world.World, kind, key string) bool {
	if kind == "room" {
		return w.Rooms[key] != nil
	}
	p := w.Protos[key]
	return p != nil && (kind == "proto" || p.Kind.String() == kind)
}

// checkRefs reports the keys declared with mud.ref that name nothing.
func (l *loader) checkRefs() {
	for _, r := range l.refs {
		if !refExists(l.b.e.world, r.kind, r.key) {
			l.errs = append(l.errs, fmt.Errorf("%s: %s %q does not exist", r.where, r.kind, r.key))
		}
	}
}

// whereOf is "file:line" of the Lua function level frames up the stack, or "".
func whereOf(L *lua.LState, level int) string {
	return strings.TrimRight(strings.TrimSpace(L.Where(level)), ":")
}
