package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mudd/mudd/engine/world"
)

// builtFile is the name of the generated file in each zone's folder that holds what building
// commands changed: rooms created in game, edits of hand-written rooms, placement rules.
const builtFile = "built.lua"

// roomSpec is a room's definition as Lua declares it: what building commands edit and what
// a generated file writes back. Exits hold their doors' initial state; live doors that
// players open and close are not part of it.
type roomSpec struct {
	Name  string
	Desc  string
	Exits []*world.Exit // sorted with world.SortExits; doors are private copies
}

func specOf(r *world.Room) *roomSpec {
	s := &roomSpec{Name: r.Name, Desc: r.Desc}
	for _, ex := range r.Exits {
		s.Exits = append(s.Exits, copyExit(ex))
	}
	world.SortExits(s.Exits)
	return s
}

func (s *roomSpec) clone() *roomSpec {
	c := &roomSpec{Name: s.Name, Desc: s.Desc}
	for _, ex := range s.Exits {
		c.Exits = append(c.Exits, copyExit(ex))
	}
	return c
}

// exit returns the exit in direction dir, or nil.
func (s *roomSpec) exit(dir string) *world.Exit {
	for _, ex := range s.Exits {
		if ex.Dir == dir {
			return ex
		}
	}
	return nil
}

// setExit replaces the exit in ex.Dir with ex, or removes it when ex.To is "".
func (s *roomSpec) setExit(ex *world.Exit) {
	s.Exits = slices.DeleteFunc(s.Exits, func(x *world.Exit) bool { return x.Dir == ex.Dir })
	if ex.To != "" {
		s.Exits = append(s.Exits, copyExit(ex))
		world.SortExits(s.Exits)
	}
}

func copyExit(ex *world.Exit) *world.Exit {
	c := &world.Exit{Dir: ex.Dir, To: ex.To}
	if ex.Door != nil {
		d := *ex.Door
		d.Keywords = slices.Clone(d.Keywords)
		c.Door = &d
	}
	return c
}

func sameExit(a, b *world.Exit) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.To != b.To || (a.Door == nil) != (b.Door == nil) {
		return false
	}
	if a.Door == nil {
		return true
	}
	da, db := a.Door, b.Door
	return da.Name == db.Name && da.Closed == db.Closed && da.Locked == db.Locked && da.Key == db.Key &&
		slices.Equal(da.Keywords, db.Keywords)
}

// builds is what the loaded game's files say about building: every room's definition, which
// rooms and placement rules come from generated files, and which folder holds each zone.
// Building commands keep it current as they change the world.
type builds struct {
	base   map[string]*roomSpec     // hand-written definition of each room (after hand-written amends)
	cur    map[string]*roomSpec     // current definition of rooms created or edited in game
	built  map[string]bool          // rooms whose whole definition is in a generated file
	resets map[string][]world.Reset // zone key → placement rules from its generated file, in order
}

func newBuilds() *builds {
	return &builds{base: make(map[string]*roomSpec), cur: make(map[string]*roomSpec),
		built: make(map[string]bool), resets: make(map[string][]world.Reset)}
}

// edit returns the definition of room r for changing, starting from its hand-written one.
func (b *builds) edit(r *world.Room) *roomSpec {
	if s := b.cur[r.Key]; s != nil {
		return s
	}
	s := b.spec(r).clone()
	b.cur[r.Key] = s
	return s
}

// spec returns the current definition of room r. A room no file defined (made by code at run
// time) is taken as it is now.
func (b *builds) spec(r *world.Room) *roomSpec {
	if s := b.cur[r.Key]; s != nil {
		return s
	}
	if b.base[r.Key] == nil {
		b.base[r.Key] = specOf(r)
	}
	return b.base[r.Key]
}

// render writes the generated file of zone z, file: its rooms created in game, its edits of
// hand-written rooms as amend calls, and its placement rules. The output is stable: rooms
// in key order, fields and exits in a fixed order.
func (b *builds) render(wld *world.World, z *world.Zone, file string) string {
	var w strings.Builder
	fmt.Fprintf(&w, "-- %s: written by the game's building commands (dig, redit, zcreate).\n", file)
	w.WriteString("-- The game rewrites this whole file after every change made in game: don't edit it while\n")
	w.WriteString("-- the game runs. Hand-written definitions belong in the zone's other files.\n")
	var built, amended []string
	for _, r := range z.Rooms {
		switch {
		case b.built[r.Key]:
			built = append(built, r.Key)
		case b.cur[r.Key] != nil:
			amended = append(amended, r.Key)
		}
	}
	slices.Sort(built)
	slices.Sort(amended)
	for _, key := range built {
		s := b.cur[key]
		fmt.Fprintf(&w, "\nroom {\n  key = %s,\n  name = %s,\n", luaString(shortKey(z.Key, key)), luaString(s.Name))
		if s.Desc != "" {
			fmt.Fprintf(&w, "  desc = %s,\n", luaString(s.Desc))
		}
		writeExits(&w, z.Key, s.Exits, nil)
		w.WriteString("}\n")
	}
	for _, key := range amended {
		writeAmend(&w, z.Key, key, b.base[key], b.cur[key])
	}
	if rules := b.resets[z.Key]; len(rules) > 0 {
		w.WriteString("\n")
		for _, r := range rules {
			writeReset(&w, wld.Protos, z.Key, r)
		}
	}
	return w.String()
}

func writeAmend(w *strings.Builder, zone, key string, base, cur *roomSpec) {
	var body strings.Builder
	if cur.Name != base.Name {
		fmt.Fprintf(&body, "  name = %s,\n", luaString(cur.Name))
	}
	if cur.Desc != base.Desc {
		fmt.Fprintf(&body, "  desc = %s,\n", luaString(cur.Desc))
	}
	var changed []*world.Exit
	var removed []string
	for _, ex := range cur.Exits {
		if !sameExit(ex, base.exit(ex.Dir)) {
			changed = append(changed, ex)
		}
	}
	for _, ex := range base.Exits {
		if cur.exit(ex.Dir) == nil {
			removed = append(removed, ex.Dir)
		}
	}
	writeExits(&body, zone, changed, removed)
	if body.Len() == 0 {
		return
	}
	fmt.Fprintf(w, "\namend(%s, {\n%s})\n", luaString(key), body.String())
}

// writeExits writes an exits table; removed directions are written as false (for amend).
func writeExits(w *strings.Builder, zone string, exits []*world.Exit, removed []string) {
	if len(exits) == 0 && len(removed) == 0 {
		return
	}
	w.WriteString("  exits = {\n")
	for _, ex := range exits {
		fmt.Fprintf(w, "    %s = ", luaName(ex.Dir))
		to := luaString(shortKey(zone, ex.To))
		if ex.Door == nil {
			fmt.Fprintf(w, "%s,\n", to)
			continue
		}
		d := ex.Door
		fmt.Fprintf(w, "{ to = %s, door = { name = %s", to, luaString(d.Name))
		if len(d.Keywords) > 0 {
			q := make([]string, len(d.Keywords))
			for i, k := range d.Keywords {
				q[i] = luaString(k)
			}
			fmt.Fprintf(w, ", keywords = { %s }", strings.Join(q, ", "))
		}
		if d.Closed {
			w.WriteString(", closed = true")
		}
		if d.Locked {
			w.WriteString(", locked = true")
		}
		if d.Key != "" {
			fmt.Fprintf(w, ", key = %s", luaString(shortKey(zone, d.Key)))
		}
		w.WriteString(" } },\n")
	}
	for _, dir := range removed {
		fmt.Fprintf(w, "    %s = false,\n", luaName(dir))
	}
	w.WriteString("  },\n")
}

func writeReset(w *strings.Builder, protos map[string]*world.Proto, zone string, r world.Reset) {
	kind := "item"
	if p := protos[r.Proto]; p != nil && p.Kind == world.NPC && r.NPC == "" {
		kind = "npc"
	}
	fmt.Fprintf(w, "reset { %s = %s", kind, luaString(shortKey(zone, r.Proto)))
	for _, f := range []struct{ name, v string }{{"room", r.Room}, {"into", r.Into}, {"npc", r.NPC}, {"wear", r.Wear}} {
		if f.v != "" {
			v := f.v
			if f.name != "wear" {
				v = shortKey(zone, v)
			}
			fmt.Fprintf(w, ", %s = %s", f.name, luaString(v))
		}
	}
	if r.Max != 1 {
		fmt.Fprintf(w, ", max = %d", r.Max)
	}
	w.WriteString(" }\n")
}

// shortKey drops the zone from a key in that zone: the loader qualifies it again.
func shortKey(zone, key string) string {
	if z, k, ok := strings.Cut(key, ":"); ok && z == zone {
		return k
	}
	return key
}

// luaName writes a table key: bare when it is a Lua name, bracketed otherwise.
func luaName(s string) string {
	if isLuaName(s) {
		return s
	}
	return "[" + luaQuote(s) + "]"
}

var luaKeywords = map[string]bool{"and": true, "break": true, "do": true, "else": true, "elseif": true,
	"end": true, "false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true}

func isLuaName(s string) bool {
	if s == "" || luaKeywords[s] || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// luaString quotes s as a Lua string literal. Text of several lines becomes a long bracket
// string, which reads like the text itself; anything else a quoted string with escapes.
func luaString(s string) string {
	if strings.Contains(s, "\n") && printableText(s) {
		level := ""
		for strings.Contains(s+"]", "]"+level+"]") {
			level += "="
		}
		// A long bracket drops a newline right after the opening bracket: write one, so
		// text that starts with a newline keeps it.
		return "[" + level + "[\n" + s + "]" + level + "]"
	}
	return luaQuote(s)
}

// luaQuote quotes s as a Lua string literal in double quotes, with escapes.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < ' ' || c == 0x7f:
			fmt.Fprintf(&b, `\%03d`, c) // three digits, so a digit after it is not taken in
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// printableText reports whether s has no control bytes but newlines and tabs, and no \r
// (which Lua's long strings would turn into a newline).
func printableText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\n' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
