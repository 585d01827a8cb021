package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/engine/world"
)

// building is the state of in-game building, owned by the loop (but for files, which has
// its own lock).
type building struct {
	defs     *builds             // what the loaded files define, kept current by edits
	builders map[string][]string // zone key → names of the builders assigned to it, sorted
	files    fileWriter
	gen      uint64            // counts the files building commands wrote (writeGameFile)
	written  map[string]uint64 // game file → gen when building commands last wrote it
}

// loadZoneBuilders reads the zone assignments. It runs in New, before the loop starts.
func (e *Engine) loadZoneBuilders() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := e.store.ZoneBuilders(ctx)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	e.olc.builders = make(map[string][]string)
	for _, zb := range list {
		e.olc.builders[zb.Zone] = append(e.olc.builders[zb.Zone], zb.Name)
	}
	return nil
}

const noGameDir = "This game runs from the embedded default game, which cannot be changed in game.\n" +
	"To build, copy it to a directory and serve that: run 'mudd init DIR', then 'mudd serve --game DIR'."

func registerBuildCommands(r *Registry) {
	for _, c := range []Command{
		{Name: "dig", Role: RoleBuilder, Exact: true, Run: cmdDig, Help: "dig <direction> <name>\n" +
			"Create a room in your zone through a new exit, with an exit back, and walk into it.\n" +
			"The room's key comes from its name: 'dig north The Old Mill' makes <zone>:old_mill."},
		{Name: "redit", Role: RoleBuilder, Exact: true, Run: cmdRedit, Help: "redit [subcommand]\n" +
			"Edit the room you are in. Alone, shows its definition.\n" +
			"  redit name <name>\n" +
			"  redit desc <text>        (or 'redit desc' alone, then lines, then '.' alone)\n" +
			"  redit exit add <direction> <room key>      redit exit remove <direction>\n" +
			"  redit door add <direction> [name] [closed|locked] [key <item key>]\n" +
			"  redit door remove <direction>\n" +
			"  redit reset add <npc or item key> [max]    redit reset list    redit reset remove <number>"},
		{Name: "zcreate", Role: RoleWizard, Exact: true, Run: cmdZcreate, Help: "zcreate <zone key> <zone name>\n" +
			"Start a new zone: world/<zone key>/ with a zone.lua and a first room named like the zone,\n" +
			"and go there. Connect it to the world with 'redit exit add'."},
		{Name: "zones", Role: RoleBuilder, Run: cmdZones, Help: "zones | zones assign <zone> <name> | zones unassign <zone> <name>\n" +
			"List the zones with their rooms and builders. Wizards assign builders to zones."},
	} {
		r.Add(c)
	}
}

// buildRoom returns the room the builder stands in if they may edit it, or tells them why not.
func buildRoom(c *Context) *world.Room {
	if c.Engine.cfg.GameDir == "" {
		c.Fail(noGameDir)
		return nil
	}
	r := c.Actor().Room
	if r == nil || r.Zone == nil {
		c.Fail("You are not in a room.")
		return nil
	}
	if !c.Engine.mayBuild(c.Player, r.Zone.Key) {
		c.Fail("You may not build in zone %s. A wizard can assign it to you: zones assign %s %s",
			r.Zone.Key, r.Zone.Key, c.Player.Name)
		return nil
	}
	return r
}

// mayBuild reports whether p may edit zone: wizards and admins everywhere, builders in the
// zones assigned to them.
func (e *Engine) mayBuild(p *Player, zone string) bool {
	if p.Role >= RoleWizard {
		return true
	}
	return slices.ContainsFunc(e.olc.builders[zone], func(n string) bool { return strings.EqualFold(n, p.Name) })
}

// saveZone renders zone z's generated file on the loop and hands it to a writer goroutine.
// A failure is reported to the builder.
func (e *Engine) saveZone(z *world.Zone, builder string) {
	dir := e.zoneDirs[z.Key]
	if dir == "" {
		dir = z.Key
	}
	rel := path.Join("world", dir, builtFile)
	e.writeGameFile(rel, e.olc.defs.render(e.world, z, rel), builder)
}

// writeGameFile hands content for the game file rel to the file writer, and puts it in the
// copy of the game's files that reloads start from, so a reload of another zone keeps it.
// A failure is reported to the builder.
func (e *Engine) writeGameFile(rel, content, builder string) {
	if e.files != nil {
		e.files[rel] = &fstest.MapFile{Data: []byte(content), Mode: 0o644}
	}
	e.olc.gen++
	if e.olc.written == nil {
		e.olc.written = make(map[string]uint64)
	}
	e.olc.written[rel] = e.olc.gen
	file := filepath.Join(e.cfg.GameDir, filepath.FromSlash(rel))
	e.olc.files.write(e, file, content, func(err error) {
		if err == nil {
			return
		}
		e.log.Error("building: save failed", "file", file, "err", err)
		again := ""
		if path.Base(rel) == builtFile {
			again = "; your next change in this zone writes the file again"
		}
		e.post(funcEvent(func(e *Engine) {
			e.tellPlayer(builder, "Could not save %s: %v\nThe change is live in the game but not on disk%s.", rel, err, again)
		}))
	})
}

func cmdDig(c *Context) {
	word, name, _ := strings.Cut(c.Args, " ")
	name = strings.TrimSpace(name)
	if word == "" || name == "" {
		c.Fail("Dig where? Usage: dig <direction> <room name>, e.g. dig north The Old Mill")
		return
	}
	from := buildRoom(c)
	if from == nil {
		return
	}
	dir, ok := direction(c, word)
	if !ok {
		return
	}
	if ex := from.Exit(dir); ex != nil {
		c.Fail("There is already an exit %s here, to %s. Remove it first: redit exit remove %s", dir, ex.To, dir)
		return
	}
	e := c.Engine
	z := from.Zone
	key := uniqueRoomKey(e.world, z.Key, name)
	r := &world.Room{Key: key, Name: name, Zone: z}
	e.world.Rooms[key] = r
	z.Rooms = append(z.Rooms, r)
	e.olc.defs.built[key] = true
	e.olc.defs.cur[key] = &roomSpec{Name: name}
	back := world.Opposite(dir)
	e.setExit(r, &world.Exit{Dir: back, To: from.Key})
	e.setExit(from, &world.Exit{Dir: dir, To: key})
	e.saveZone(z, c.Player.Name)
	c.Sendf("You dig %s: new room %s (%q), with an exit %s back to %s.", dir, key, name, back, from.Key)
	walk(c, dir)
}

// direction reads a standard direction or tells the builder it is not one.
func direction(c *Context, word string) (string, bool) {
	dir := world.NormalizeDir(word)
	if !world.IsDirection(dir) {
		c.Fail("Unknown direction %q: use one of %s (or n, e, s, w, ne, nw, se, sw, u, d).",
			word, strings.Join(world.Directions, ", "))
		return "", false
	}
	return dir, true
}

// uniqueRoomKey makes a key for a room called name in zone: its words in lower case joined
// by underscores, without a leading article, numbered if the key is taken.
func uniqueRoomKey(w *world.World, zone, name string) string {
	base := roomKeyFor(name)
	key := zone + ":" + base
	for n := 2; w.Rooms[key] != nil; n++ {
		key = zone + ":" + base + "_" + strconv.Itoa(n)
	}
	return key
}

func roomKeyFor(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if len(words) > 1 && (words[0] == "the" || words[0] == "a" || words[0] == "an") {
		words = words[1:]
	}
	key := ""
	for _, w := range words {
		if len(key)+len(w) > 32 {
			break
		}
		if key != "" {
			key += "_"
		}
		key += w
	}
	if key == "" {
		key = "room"
	}
	return key
}

// setExit makes room r's live exit in ex.Dir match ex, or removes it when ex.To is "", and
// records the change in r's definition. A door defined on this side is shared with the
// exit leading back, as the loader shares it.
func (e *Engine) setExit(r *world.Room, ex *world.Exit) {
	spec := e.olc.defs.edit(r)
	if old := r.Exit(ex.Dir); old != nil {
		if own := spec.exit(ex.Dir); own != nil && own.Door != nil && old.Door != nil {
			if b := backExit(e.world, r, old); b != nil && b.Door == old.Door {
				b.Door = nil
			}
		}
		r.Exits = slices.DeleteFunc(r.Exits, func(x *world.Exit) bool { return x == old })
	}
	spec.setExit(ex)
	if ex.To == "" {
		return
	}
	n := copyExit(ex)
	if b := backExit(e.world, r, n); n.Door == nil && b != nil && b.Door != nil {
		// a door defined on the other side stays shared
		if own := e.olc.defs.spec(e.world.Rooms[n.To]).exit(b.Dir); own != nil && own.Door != nil {
			n.Door = b.Door
		}
	}
	r.Exits = append(r.Exits, n)
	world.SortExits(r.Exits)
	if ex.Door != nil {
		if b := backExit(e.world, r, n); b != nil && b.Door == nil {
			b.Door = n.Door
		}
	}
}

// backExit is the exit leading from ex's room back into r, preferring the opposite direction.
func backExit(w *world.World, r *world.Room, ex *world.Exit) *world.Exit {
	to := w.Rooms[ex.To]
	if to == nil {
		return nil
	}
	var back *world.Exit
	for _, b := range to.Exits {
		if b.To == r.Key && (back == nil || b.Dir == world.Opposite(ex.Dir)) {
			back = b
		}
	}
	return back
}

func cmdRedit(c *Context) {
	r := buildRoom(c)
	if r == nil {
		return
	}
	sub, rest, _ := strings.Cut(c.Args, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(sub) {
	case "":
		showRoom(c, r)
	case "name":
		if rest == "" {
			c.Fail("Name it what? Usage: redit name <name>")
			return
		}
		c.Engine.olc.defs.edit(r).Name = rest
		r.Name = rest
		c.Engine.saveZone(r.Zone, c.Player.Name)
		c.Sendf("Room %s is now called %q.", r.Key, rest)
	case "desc", "description":
		if rest != "" {
			setDesc(c, r, rest)
			return
		}
		c.Send("Enter the description, one line at a time. End with a line holding only '.', or '~' to cancel.")
		readDesc(c, r.Key, nil)
	case "exit", "exits":
		reditExit(c, r, rest)
	case "door", "doors":
		reditDoor(c, r, rest)
	case "reset", "resets", "spawn":
		reditReset(c, r, rest)
	default:
		c.Fail("Unknown redit subcommand %q. Type 'help redit' for the list.", sub)
	}
}

func setDesc(c *Context, r *world.Room, desc string) {
	c.Engine.olc.defs.edit(r).Desc = desc
	r.Desc = desc
	c.Engine.saveZone(r.Zone, c.Player.Name)
	c.Sendf("Description of %s set (%d line(s)).", r.Key, strings.Count(desc, "\n")+1)
}

// readDesc asks for the next line of a description of room key being entered; "." ends it,
// "~" cancels. The room is looked up at the end: a reload meanwhile replaces room values.
func readDesc(c *Context, key string, lines []string) {
	p := c.Player
	p.ask("desc> ", false, func(line string) {
		switch line {
		case ".":
			if len(lines) == 0 {
				p.Send("Empty description: nothing changed.")
				return
			}
			r := c.Engine.world.Rooms[key]
			if r == nil {
				p.Send("The room is gone: nothing changed.")
				return
			}
			setDesc(c, r, strings.Join(lines, "\n"))
		case "~":
			p.Send("Description unchanged.")
		default:
			readDesc(c, key, append(lines, line))
		}
	})
}

func showRoom(c *Context, r *world.Room) {
	defs := c.Engine.olc.defs
	spec := defs.spec(r)
	var b strings.Builder
	origin := "hand-written; your edits are saved as amend(...) in " + builtFile
	if defs.built[r.Key] {
		origin = "created in game, defined in " + builtFile
	}
	fmt.Fprintf(&b, "Room %s in zone %s (%s)\n", r.Key, r.Zone.Key, origin)
	fmt.Fprintf(&b, "Name: %s\nDescription: %s\nExits:", spec.Name, strings.Join(strings.Fields(spec.Desc), " "))
	if len(spec.Exits) == 0 {
		b.WriteString(" none")
	}
	for _, ex := range spec.Exits {
		fmt.Fprintf(&b, "\n  %s -> %s", ex.Dir, ex.To)
		if d := ex.Door; d != nil {
			fmt.Fprintf(&b, " (door %q%s%s%s)", d.Name, flag(d.Closed && !d.Locked, ", closed"),
				flag(d.Locked, ", locked"), flag(d.Key != "", ", key "+d.Key))
		}
	}
	b.WriteString("\nPlacement rules here:")
	writeRules(&b, c.Engine, r)
	c.Send(b.String())
}

func flag(on bool, s string) string {
	if on {
		return s
	}
	return ""
}

// reditArgs reads the arguments of redit exit and redit door: add or remove, a direction and
// the words after it, of which add takes addWords (any number if negative). On a mistake it
// fails the command with usage, or says what is wrong with the direction.
func reditArgs(c *Context, args string, addWords int, usage string) (add bool, dir string, rest []string, ok bool) {
	f := strings.Fields(args)
	if len(f) < 2 || (f[0] != "add" && f[0] != "remove") || (f[0] == "add" && addWords >= 0 && len(f)-2 != addWords) {
		c.Fail("Usage: %s", usage)
		return false, "", nil, false
	}
	dir, ok = direction(c, f[1])
	return f[0] == "add", dir, f[2:], ok
}

func reditExit(c *Context, r *world.Room, args string) {
	add, dir, rest, ok := reditArgs(c, args, 1, "redit exit add <direction> <room key> | redit exit remove <direction>")
	if !ok {
		return
	}
	e := c.Engine
	old := e.olc.defs.spec(r).exit(dir)
	if !add {
		if old == nil {
			if r.Exit(dir) != nil {
				c.Fail("The exit %s here is not part of this room's definition.", dir)
			} else {
				c.Fail("There is no exit %s here.", dir)
			}
			return
		}
		e.setExit(r, &world.Exit{Dir: dir})
		e.saveZone(r.Zone, c.Player.Name)
		c.Sendf("Exit %s to %s removed (the way back, if any, stays).", dir, old.To)
		return
	}
	if r.Exit(dir) != nil {
		c.Fail("There is already an exit %s here, to %s. Remove it first: redit exit remove %s", dir, r.Exit(dir).To, dir)
		return
	}
	to := qualifyIn(r.Zone.Key, rest[0])
	if e.world.Rooms[to] == nil {
		c.Fail("There is no room %q. Room keys look like zone:key; a key without a zone is in this zone.", to)
		return
	}
	e.setExit(r, &world.Exit{Dir: dir, To: to})
	e.saveZone(r.Zone, c.Player.Name)
	c.Sendf("Exit %s to %s added. It is one way: add the way back from there with redit exit add.", dir, to)
}

func qualifyIn(zone, key string) string {
	key = strings.ToLower(key)
	if strings.Contains(key, ":") {
		return key
	}
	return zone + ":" + key
}

func reditDoor(c *Context, r *world.Room, args string) {
	add, dir, rest, ok := reditArgs(c, args, -1,
		"redit door add <direction> [name] [closed|locked] [key <item key>] | redit door remove <direction>")
	if !ok {
		return
	}
	e := c.Engine
	own := e.olc.defs.spec(r).exit(dir)
	if own == nil {
		c.Fail("There is no exit %s defined here%s.", dir, flag(add, " to put a door on"))
		return
	}
	if live := r.Exit(dir); own.Door == nil && live != nil && live.Door != nil {
		c.Fail("The %s %s is defined on the other side (in %s): edit it there.", live.Door.Name, dir, own.To)
		return
	}
	if !add {
		if own.Door == nil {
			c.Fail("There is no door on the exit %s.", dir)
			return
		}
		e.setExit(r, &world.Exit{Dir: dir, To: own.To})
		e.saveZone(r.Zone, c.Player.Name)
		c.Sendf("The %s %s is gone.", own.Door.Name, dir)
		return
	}
	door, err := parseDoor(rest, r.Zone.Key)
	if err != nil {
		c.Fail("%v", err)
		return
	}
	if door.Key != "" && e.world.Protos[door.Key] == nil {
		c.Fail("There is no item %q to be the door's key.", door.Key)
		return
	}
	verb := "added"
	if own.Door != nil {
		verb = "replaced"
	}
	e.setExit(r, &world.Exit{Dir: dir, To: own.To, Door: door})
	e.saveZone(r.Zone, c.Player.Name)
	c.Sendf("Door %q on the exit %s %s%s%s%s.", door.Name, dir, verb, flag(door.Closed && !door.Locked, ", closed"),
		flag(door.Locked, ", locked"), flag(door.Key != "", " with key "+door.Key))
}

// parseDoor reads the words after 'redit door add <dir>': an optional one-word name, closed
// or locked, and key <item key>.
func parseDoor(words []string, zone string) (*world.Door, error) {
	d := &world.Door{}
	for i := 0; i < len(words); i++ {
		switch w := strings.ToLower(words[i]); w {
		case "closed":
			d.Closed = true
		case "locked":
			d.Closed, d.Locked = true, true
		case "key":
			if i+1 == len(words) {
				return nil, errors.New("key of what? Usage: ... key <item key>")
			}
			i++
			d.Key = qualifyIn(zone, words[i])
		default:
			if d.Name != "" {
				return nil, fmt.Errorf("a door has a one-word name: %q or %q?", d.Name, w)
			}
			if !isDoorName(w) {
				return nil, fmt.Errorf("door name %q: use letters only", w)
			}
			d.Name = w
		}
	}
	if d.Name == "" {
		d.Name = "door"
	}
	return d, nil
}

func isDoorName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return s != ""
}

// roomRules lists the placement rules of r: hand-written ones (from zone.lua or reset{}
// calls in other files) and those of the generated file, which building commands may remove.
func roomRules(e *Engine, r *world.Room) (hand []world.Reset, built []int) {
	mine := e.olc.defs.resets[r.Zone.Key]
	for _, rule := range r.Zone.Resets {
		if rule.Room == r.Key && !slices.Contains(mine, rule) {
			hand = append(hand, rule)
		}
	}
	for i, rule := range mine {
		if rule.Room == r.Key {
			built = append(built, i)
		}
	}
	return hand, built
}

func writeRules(b *strings.Builder, e *Engine, r *world.Room) {
	hand, built := roomRules(e, r)
	if len(hand) == 0 && len(built) == 0 {
		b.WriteString(" none")
	}
	for _, rule := range hand {
		fmt.Fprintf(b, "\n  -  %s, max %d (hand-written)", rule.Proto, rule.Max)
	}
	for n, i := range built {
		rule := e.olc.defs.resets[r.Zone.Key][i]
		fmt.Fprintf(b, "\n  %d. %s, max %d", n+1, rule.Proto, rule.Max)
	}
}

func reditReset(c *Context, r *world.Room, args string) {
	f := strings.Fields(args)
	switch {
	case len(f) == 0 || f[0] == "list":
		var b strings.Builder
		fmt.Fprintf(&b, "Placement rules of %s (zone %s resets put these back):", r.Key, r.Zone.Key)
		writeRules(&b, c.Engine, r)
		c.Send(b.String())
	case f[0] == "add" && (len(f) == 2 || len(f) == 3):
		limit := "1"
		if len(f) == 3 {
			limit = f[2]
		}
		addRule(c, r, qualifyIn(r.Zone.Key, f[1]), limit)
	case f[0] == "remove" && len(f) == 2:
		removeRule(c, r, f[1])
	default:
		c.Fail("Usage: redit reset add <npc or item key> [max] | redit reset list | redit reset remove <number>")
	}
}

// addRule adds a placement rule for proto key in r, and applies it at once.
func addRule(c *Context, r *world.Room, key, limit string) {
	e := c.Engine
	proto := e.world.Protos[key]
	if proto == nil {
		c.Fail("There is no NPC or item %q.", key)
		return
	}
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 || n > 100 {
		c.Fail("Max %q: give a number from 1 to 100.", limit)
		return
	}
	rule := world.Reset{Proto: key, Room: r.Key, Max: n}
	z := r.Zone
	e.olc.defs.resets[z.Key] = append(e.olc.defs.resets[z.Key], rule)
	z.Resets = append(z.Resets, rule)
	placed := 0
	for have := countProto(r.Things, key); have < n; have++ {
		t := e.spawn(proto, r)
		e.tellRoom(r, nil, mudCap(t.Name)+" appears.")
		placed++
	}
	e.saveZone(z, c.Player.Name)
	c.Sendf("Placement rule added: %s here, up to %d (%d placed now).", key, n, placed)
}

// removeRule removes the placement rule numbered num by 'redit reset list'. What the rule
// placed stays.
func removeRule(c *Context, r *world.Room, num string) {
	e := c.Engine
	z := r.Zone
	_, built := roomRules(e, r)
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > len(built) {
		c.Fail("No rule %q here: 'redit reset list' numbers the rules you can remove.", num)
		return
	}
	i := built[n-1]
	rule := e.olc.defs.resets[z.Key][i]
	e.olc.defs.resets[z.Key] = slices.Delete(slices.Clone(e.olc.defs.resets[z.Key]), i, i+1)
	// the last equal rule of the zone is the generated file's: it loads after hand-written ones
	for j := len(z.Resets) - 1; j >= 0; j-- {
		if z.Resets[j] == rule {
			z.Resets = slices.Delete(slices.Clone(z.Resets), j, j+1)
			break
		}
	}
	e.saveZone(z, c.Player.Name)
	c.Sendf("Placement rule removed: %s, max %d. What it placed stays until it is gone.", rule.Proto, rule.Max)
}

func cmdZones(c *Context) {
	f := strings.Fields(c.Args)
	if len(f) == 0 {
		listZones(c)
		return
	}
	assign := strings.ToLower(f[0])
	if assign != "assign" && assign != "unassign" || len(f) != 3 {
		c.Fail("Usage: zones | zones assign <zone> <name> | zones unassign <zone> <name>")
		return
	}
	if c.Player.Role < RoleWizard {
		c.Fail("Only wizards assign zones.")
		return
	}
	e := c.Engine
	if e.store == nil {
		c.Fail("This game runs without a database: zone assignments cannot be kept.")
		return
	}
	zone, name, by := strings.ToLower(f[1]), f[2], c.Player.Name
	if e.world.Zones[zone] == nil {
		c.Fail("There is no zone %q. Type 'zones' for the list.", zone)
		return
	}
	finish := c.Later() // the audit log records the store's answer
	e.work(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		display := name
		if assign == "assign" {
			display, err = e.store.AssignZone(ctx, zone, name, by)
		} else {
			err = e.store.UnassignZone(ctx, zone, name)
		}
		finish(err) // now, in case the loop stops before it hears of it
		e.post(funcEvent(func(e *Engine) {
			e.zoneAssigned(assign == "assign", zone, name, display, by, err)
		}))
	})
}

func cmdZcreate(c *Context) {
	key, name, _ := strings.Cut(c.Args, " ")
	key, name = strings.ToLower(key), strings.TrimSpace(name)
	if key == "" || name == "" {
		c.Fail("Usage: zcreate <zone key> <zone name>, e.g. zcreate docks The Docks")
		return
	}
	e := c.Engine
	if e.cfg.GameDir == "" {
		c.Fail(noGameDir)
		return
	}
	dir := path.Join("world", key)
	switch {
	case !validKey(key):
		c.Fail("Zone key %q: use letters, digits and _ only.", key)
		return
	case e.world.Zones[key] != nil:
		c.Fail("There is already a zone %s.", key)
		return
	case slices.Contains(slices.Collect(maps.Values(e.zoneDirs)), key):
		c.Fail("The folder %s already holds another zone.", dir)
		return
	}
	z := &world.Zone{Key: key, Name: name}
	e.world.Zones[key] = z
	if e.zoneDirs == nil {
		e.zoneDirs = make(map[string]string)
	}
	e.zoneDirs[key] = key
	roomKey := uniqueRoomKey(e.world, key, name)
	r := &world.Room{Key: roomKey, Name: name, Zone: z}
	e.world.Rooms[roomKey] = r
	z.Rooms = append(z.Rooms, r)
	e.olc.defs.built[roomKey] = true
	e.olc.defs.cur[roomKey] = &roomSpec{Name: name}
	e.writeGameFile(path.Join(dir, "zone.lua"), renderZoneFile(z), c.Player.Name)
	e.saveZone(z, c.Player.Name)
	c.Sendf("Zone %s (%q) created in %s/, with its first room %s. Connect it with 'redit exit add'.", key, name, dir, roomKey)
	if err := e.router.Enter(c.Actor(), r); err != nil {
		c.Fail("%v", err)
		return
	}
	e.look(c.Player)
}

// renderZoneFile is the zone.lua zcreate starts a zone with: the builder's from then on.
func renderZoneFile(z *world.Zone) string {
	return fmt.Sprintf(`-- world/%s/zone.lua: started by the zcreate command. This file is yours to edit: add
-- reset_every, reset_mode and hand-written reset rules here (see docs/lua-api.md).
zone {
  key = %s,
  name = %s,
}
`, z.Key, luaString(z.Key), luaString(z.Name))
}

// tellPlayer sends a line to the player called name, if they are in the game.
func (e *Engine) tellPlayer(name, format string, args ...any) {
	if p := e.players[state.Key(name)]; p != nil {
		p.Sendf(format, args...)
	}
}

// zoneAssigned reports the result of zones assign or unassign, back on the loop.
func (e *Engine) zoneAssigned(assign bool, zone, name, display, by string, err error) {
	tell := func(format string, args ...any) { e.tellPlayer(by, format, args...) }
	switch {
	case errors.Is(err, store.ErrNotFound) && assign:
		tell("There is no character called %q.", name)
	case errors.Is(err, store.ErrNotFound):
		tell("%s is not assigned to zone %s.", name, zone)
	case errors.Is(err, store.ErrExists):
		tell("%s is already assigned to zone %s.", display, zone)
	case err != nil:
		e.log.Error("zone assignment failed", "zone", zone, "name", name, "err", err)
		tell("Could not change the assignment: %v", err)
	case assign:
		list := append(e.olc.builders[zone], display)
		slices.SortFunc(list, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		e.olc.builders[zone] = list
		tell("%s may now build in zone %s.", display, zone)
		if !strings.EqualFold(name, by) {
			e.tellPlayer(name, "%s assigned zone %s to you: you may build there now.", by, zone)
		}
	default:
		e.olc.builders[zone] = slices.DeleteFunc(e.olc.builders[zone], func(n string) bool { return strings.EqualFold(n, name) })
		tell("%s may no longer build in zone %s.", name, zone)
	}
}

func listZones(c *Context) {
	e := c.Engine
	var b strings.Builder
	b.WriteString("Zones:")
	for _, z := range sortedZones(e.world) {
		builders := "none"
		if list := e.olc.builders[z.Key]; len(list) > 0 {
			builders = strings.Join(list, ", ")
		}
		mark := ""
		if e.mayBuild(c.Player, z.Key) {
			mark = " *"
		}
		rooms := fmt.Sprintf("%d room%s", len(z.Rooms), flag(len(z.Rooms) != 1, "s"))
		fmt.Fprintf(&b, "\n  %-12s %-24s %9s  builders: %s%s", z.Key, z.Name, rooms, builders, mark)
	}
	b.WriteString("\n* you may build there.")
	if c.Engine.cfg.GameDir == "" {
		b.WriteString("\n" + noGameDir)
	}
	c.Send(b.String())
}
