package engine

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/markup"
)

// registerWizard adds the staff commands. They are registered before the game's, so a
// prefix could take a staff member's abbreviation of a game command ("k" for kill, "b" for
// buy): every staff command that changes anything must be typed in full (Exact). Only those
// that look or move the caller (goto, transfer, stat, users; stats and zones elsewhere) may
// be abbreviated; docs/admin.md lists them.
func registerWizard(r *Registry) {
	for _, c := range []Command{
		{Name: "wiznet", Role: RoleBuilder, Exact: true, Run: cmdWiznet,
			Help: "wiznet <text>\nSay something on the staff channel, heard by builders and above anywhere."},
		{Name: "goto", Role: RoleWizard, Run: cmdGoto,
			Help: "goto <room|player>\nGo to a room (by key: 'goto town:square', or 'goto square' in your zone) or to a player."},
		{Name: "transfer", Role: RoleWizard, Run: cmdTransfer,
			Help: "transfer <player> [room]\nSummon a player to you, or send them to a room."},
		{Name: "at", Role: RoleWizard, Exact: true, Run: cmdAt,
			Help: "at <room|player> <command>\nRun a command as if you stood in a room or beside a player."},
		{Name: "stat", Role: RoleWizard, Run: cmdStat,
			Help: "stat <thing|player|room|here|#id>\nShow everything the engine knows about a thing, a player or a room, including its Lua data."},
		{Name: "set", Role: RoleWizard, Exact: true, Run: cmdSet,
			Help: "set <thing|player|here> <field> <value>\nChange a field: name, desc, ground, or data.<key> (a number, true/false, \"text\" or text; nil removes)."},
		{Name: "spawn", Role: RoleWizard, Exact: true, Run: cmdSpawn,
			Help: "spawn <prototype>\nCreate an NPC in the room, or an item in your inventory ('spawn town:coin', or 'spawn coin' in your zone)."},
		{Name: "purge", Role: RoleWizard, Exact: true, Run: cmdPurge,
			Help: "purge [thing]\nDestroy a thing here, or every NPC and item in the room. Players are never purged."},
		{Name: "force", Role: RoleWizard, Exact: true, Run: cmdForce,
			Help: "force <player> <command>\nMake a player of lower role run a command, with their own role."},
		{Name: "snoop", Role: RoleAdmin, Exact: true, Run: cmdSnoop,
			Help: "snoop [player]\nSee what a player of lower role types and is shown; they are not told. 'snoop' alone stops."},
		{Name: "kick", Role: RoleWizard, Exact: true, Run: cmdKick,
			Help: "kick <player> [reason]\nSave a player of lower role and disconnect them."},
		{Name: "freeze", Role: RoleWizard, Exact: true, Run: freezeCmd(ActFreeze),
			Help: "freeze <player>\nStop a player of lower role running any command but quit, until thawed (kept across logins)."},
		{Name: "thaw", Role: RoleWizard, Exact: true, Run: freezeCmd(ActThaw),
			Help: "thaw <player>\nLet a frozen player act again."},
		{Name: "users", Role: RoleWizard, Run: cmdUsers,
			Help: "users\nList connections: name, address, idle time, client and protocols."},
		{Name: "ban", Role: RoleWizard, Exact: true, Run: cmdBan,
			Help: "ban <name|ip|cidr> [duration] [reason]\nKeep a character, an address or a block out: 'ban Troll 7d spamming', 'ban 10.0.0.0/8'. Durations: 30m, 2h, 7d, 2w; none is permanent."},
		{Name: "unban", Role: RoleWizard, Exact: true, Run: cmdUnban,
			Help: "unban <name|ip|cidr>\nLift a ban."},
		{Name: "bans", Role: RoleWizard, Exact: true, Run: cmdBans, Help: "bans\nList the bans in force."},
		{Name: "promote", Role: RoleWizard, Exact: true, Run: roleCmd(true),
			Help: "promote <name> <role>\nRaise a character to builder, wizard or admin: never to or above your own role."},
		{Name: "demote", Role: RoleWizard, Exact: true, Run: roleCmd(false),
			Help: "demote <name> <role>\nLower the role of a character whose role is below yours."},
		{Name: "audit", Role: RoleAdmin, Exact: true, Run: cmdAudit,
			Help: "audit [player] [n]\nShow the last n (default 20) staff commands, of everyone or of one player."},
		{Name: "shutdown", Role: RoleAdmin, Exact: true, Run: cmdShutdown,
			Help: "shutdown [seconds] [reason] | shutdown cancel\nSave everyone and stop the server after a countdown (default now)."},
		{Name: "lua", Role: RoleAdmin, Exact: true, Run: cmdLua,
			Help: "lua <code>\nRun Lua in the live world under the script time budget and show the result. 'me' is you, 'here' your room."},
	} {
		r.Add(c)
	}
}

// firstWord splits args into the first word and the trimmed rest.
func firstWord(args string) (string, string) {
	w, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	return w, strings.TrimSpace(rest)
}

func cmdWiznet(c *Context) {
	if c.Args == "" {
		c.Fail("Say what on wiznet?")
		return
	}
	c.Engine.router.Broadcast(RoleBuilder, "wiznet", c.Player.Name, fmt.Sprintf("[wiznet] %s: %s", c.Player.Name, c.Args))
}

// findRoom finds a room by key, qualified ("town:square") or in the caller's zone ("square").
func (c *Context) findRoom(key string) *world.Room {
	w := c.Engine.world
	if r := w.Rooms[key]; r != nil {
		return r
	}
	if r := c.Actor().OuterRoom(); r != nil && !strings.Contains(key, ":") {
		return w.Rooms[r.Zone.Key+":"+key]
	}
	return nil
}

// target finds a room by key, or the room of a player anywhere (through the router).
func (c *Context) target(word string) (*world.Room, error) {
	if r := c.findRoom(word); r != nil {
		return r, nil
	}
	w, err := c.Engine.router.Locate(word)
	if err != nil {
		return nil, fmt.Errorf("there is no room or player called %q", word)
	}
	r := c.Engine.world.Rooms[w.Room]
	if r == nil {
		return nil, fmt.Errorf("%s is nowhere you can reach", w.Name)
	}
	return r, nil
}

func cmdGoto(c *Context) {
	if c.Args == "" {
		c.Fail("Go to which room or player?")
		return
	}
	r, err := c.target(c.Args)
	if err != nil {
		c.Fail("%s.", mudCap(err.Error()))
		return
	}
	c.Engine.teleport(c.Player, r, mudCap(c.Player.Name)+" vanishes in a flash.")
	c.Engine.look(c.Player)
}

func cmdTransfer(c *Context) {
	who, where := firstWord(c.Args)
	if who == "" {
		c.Fail("Transfer whom?")
		return
	}
	if strings.EqualFold(who, c.Player.Name) {
		c.Fail("Use goto to move yourself.")
		return
	}
	to := c.Actor().OuterRoom()
	if where != "" {
		if to = c.findRoom(where); to == nil {
			c.Fail("There is no room %q.", where)
			return
		}
	}
	if to == nil {
		c.Fail("You are nowhere to summon anyone to.")
		return
	}
	err := c.Engine.router.Act(who, Action{Kind: ActTransfer, By: c.Player.Name, ByRole: c.Role, Room: to.Key})
	if c.actFailed(ActTransfer, who, err) {
		return
	}
	c.Sendf("%s is now in %s (%s).", mudCap(who), to.Name, to.Key)
}

// actFailed reports a failed Router.Act of kind on the player called who, and whether it
// failed.
func (c *Context) actFailed(kind ActionKind, who string, err error) bool {
	if err == nil {
		return false
	}
	c.Fail("%s", ActionFailure(kind, who, err))
	return true
}

// ActionFailure is what the staff member who asked for an action of kind on the player
// called who is told when it failed with err: by the command, or by the process that
// applied it, if the player is in another.
func ActionFailure(kind ActionKind, who string, err error) string {
	switch {
	case errors.Is(err, ErrNoSuchPlayer):
		return fmt.Sprintf("Nobody called %q is in the game.", who)
	case errors.Is(err, ErrNotPermitted):
		return fmt.Sprintf("You can't do that to %s: their role is as high as yours.", mudCap(who))
	case kind == ActForce && !errors.Is(err, ErrLinkDead):
		return fmt.Sprintf("%s tried, but: %v", mudCap(who), err)
	default:
		return fmt.Sprintf("That failed for %s: %v.", mudCap(who), err)
	}
}

func cmdAt(c *Context) {
	where, line := firstWord(c.Args)
	if where == "" || line == "" {
		c.Fail("At where, do what?")
		return
	}
	to, err := c.target(where)
	if err != nil {
		c.Fail("%s.", mudCap(err.Error()))
		return
	}
	p, e := c.Player, c.Engine
	me := p.Thing
	from := me.Room
	if from == nil {
		c.Fail("You are nowhere to come back to.")
		return
	}
	if err := e.router.Enter(me, to); err != nil {
		c.Fail("You can't reach there: %v.", err)
		return
	}
	c.err = c.sub(p, c.Role, line, c.by)
	if e.world.Alive(me) && me.Room == to { // unless the command took the caller elsewhere
		if err := e.router.Enter(me, from); err != nil {
			e.log.Error("at: could not return", "name", p.Name, "room", from.Key, "err", err)
		}
	}
}

func cmdForce(c *Context) {
	who, line := firstWord(c.Args)
	if who == "" || line == "" {
		c.Fail("Force whom to do what?")
		return
	}
	if strings.EqualFold(who, c.Player.Name) {
		c.Fail("Just do it yourself.")
		return
	}
	err := c.Engine.router.Act(who, Action{Kind: ActForce, By: c.Player.Name, ByRole: c.Role, Line: line,
		Depth: c.depth + 1})
	if !c.actFailed(ActForce, who, err) {
		c.Sendf("You force %s to: %s", mudCap(who), line)
	}
}

func cmdKick(c *Context) {
	who, reason := firstWord(c.Args)
	if who == "" {
		c.Fail("Kick whom?")
		return
	}
	if strings.EqualFold(who, c.Player.Name) {
		c.Fail("Use quit to leave.")
		return
	}
	err := c.Engine.router.Act(who, Action{Kind: ActKick, By: c.Player.Name, ByRole: c.Role, Reason: reason})
	if !c.actFailed(ActKick, who, err) {
		c.Sendf("You kick %s out of the game.", mudCap(who))
	}
}

func freezeCmd(kind ActionKind) func(*Context) {
	return func(c *Context) {
		who, _ := firstWord(c.Args)
		if who == "" {
			c.Fail("Whom?")
			return
		}
		err := c.Engine.router.Act(who, Action{Kind: kind, By: c.Player.Name, ByRole: c.Role})
		if c.actFailed(kind, who, err) {
			return
		}
		if kind == ActFreeze {
			c.Sendf("%s is frozen.", mudCap(who))
		} else {
			c.Sendf("%s is thawed.", mudCap(who))
		}
	}
}

func cmdSnoop(c *Context) {
	p, e := c.Player, c.Engine
	who, _ := firstWord(c.Args)
	if who == "" || strings.EqualFold(who, p.Name) {
		if t := p.snooping; t != nil {
			t.snoopedBy, p.snooping = nil, nil
			c.Sendf("You stop snooping %s.", t.Name)
			return
		}
		c.Fail("You are not snooping anyone.")
		return
	}
	t := e.players[state.Key(who)]
	switch {
	case t == nil:
		if _, err := e.router.Locate(who); err == nil {
			c.Fail("%s is in another part of the game; snoop works on players of this server.", mudCap(who))
			return
		}
		c.Fail("Nobody called %q is in the game.", who)
	case !t.Online():
		c.Fail("%s has lost the link.", t.Name)
	case t.Role >= c.Role:
		c.Fail("You can't snoop %s: their role is as high as yours.", t.Name)
	case t.snoopedBy != nil && t.snoopedBy != p:
		c.Fail("%s is already snooped by %s.", t.Name, t.snoopedBy.Name)
	case t.snooping != nil || p.snoopedBy != nil:
		c.Fail("Snoops can't be nested: %s is snooping, or you are snooped.", t.Name)
	default:
		if old := p.snooping; old != nil {
			old.snoopedBy = nil
		}
		p.snooping, t.snoopedBy = t, p
		c.Sendf("You are snooping %s.", t.Name)
	}
}

func cmdUsers(c *Context) {
	e := c.Engine
	list := e.router.Who()
	var b strings.Builder
	const row = "%-16s %-7s %-15s %5s %-10s %s\n"
	fmt.Fprintf(&b, row, "Name", "Role", "Address", "Idle", "Client", "Protocols")
	for _, w := range list {
		addr := w.Addr
		if w.LinkDead {
			addr = "(link-dead)"
		}
		name := w.Name
		if w.Frozen {
			name += "*"
		}
		client := markup.Escape(orDash(w.Client)) // as the client sent it: tags in it are not markup
		fmt.Fprintf(&b, row, name, w.Role, addr, shortDuration(w.Idle), client, strings.Join(w.Protocols, " "))
	}
	e.live.mu.Lock()
	logging := 0
	for s := range e.live.m {
		if e.bySess[s] == nil {
			logging++
			fmt.Fprintf(&b, row, "(logging in)", "", s.addr, "", "", "")
		}
	}
	e.live.mu.Unlock()
	fmt.Fprintf(&b, "%d player(s), %d connection(s) logging in. * frozen.", len(list), logging)
	c.Send(b.String())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shortDuration formats d as 45s, 12m, 3h or 2d.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func cmdSpawn(c *Context) {
	e := c.Engine
	key := strings.TrimSpace(c.Args)
	proto := e.world.Protos[key]
	if r := c.Actor().OuterRoom(); proto == nil && r != nil && !strings.Contains(key, ":") {
		proto = e.world.Protos[r.Zone.Key+":"+key]
	}
	if proto == nil {
		c.Fail("There is no prototype %q.", key)
		return
	}
	room := c.Actor().OuterRoom()
	if room == nil {
		c.Fail("You are nowhere to spawn anything.")
		return
	}
	t := e.spawn(proto, room)
	if proto.Kind == world.Item && !t.Fixed() {
		e.world.MoveInto(t, c.Actor())
		c.Sendf("%s appears in your hands.", mudCap(t.Name))
		return
	}
	c.Sendf("You conjure %s (#%d).", t.Name, t.ID)
	e.tellRoom(room, c.Actor(), fmt.Sprintf("%s conjures %s.", mudCap(c.Player.Name), t.Name))
}

func cmdPurge(c *Context) {
	e, me := c.Engine, c.Actor()
	room := me.Room
	if room == nil {
		c.Fail("There is nothing here to purge.")
		return
	}
	if c.Args == "" {
		var doomed []*world.Thing
		for _, t := range room.Things {
			if t.Kind != world.Player {
				doomed = append(doomed, t)
			}
		}
		for _, t := range doomed {
			e.world.Destroy(t)
		}
		c.Sendf("You purge the room: %d thing(s) destroyed.", len(doomed))
		e.tellRoom(room, me, mudCap(c.Player.Name)+" purges the room.")
		return
	}
	t := find(me.Contents, c.Args)
	if t == nil {
		t = find(room.Things, c.Args)
	}
	switch {
	case t == nil:
		c.Fail("There is no %q here.", c.Args)
	case t.Kind == world.Player:
		c.Fail("Players can't be purged; see kick.")
	default:
		e.world.Destroy(t)
		c.Sendf("You purge %s.", t.Name)
	}
}

// statTarget is what stat and set act on: a room, or a thing (a player's is its Thing).
type statTarget struct {
	room  *world.Room
	thing *world.Thing
}

// resolve finds what word names: "here" or "room", a room key, #id, something carried, in
// the room, or a player in the game.
func (c *Context) resolve(word string) (statTarget, error) {
	e, me := c.Engine, c.Actor()
	switch {
	case word == "" || word == "here" || word == "room":
		if me.Room == nil {
			return statTarget{}, errors.New("you are in no room")
		}
		return statTarget{room: me.Room}, nil
	case word == "me" || word == "self":
		return statTarget{thing: me}, nil
	case strings.HasPrefix(word, "#"):
		id, err := strconv.ParseUint(word[1:], 10, 64)
		if t := e.world.Thing(id); err == nil && t != nil {
			return statTarget{thing: t}, nil
		}
		return statTarget{}, fmt.Errorf("there is no thing %s", word)
	}
	if t := find(me.Contents, word); t != nil {
		return statTarget{thing: t}, nil
	}
	if me.Room != nil {
		if t := find(me.Room.Things, word); t != nil {
			return statTarget{thing: t}, nil
		}
	}
	if p := e.players[state.Key(word)]; p != nil {
		return statTarget{thing: p.Thing}, nil
	}
	if r := c.findRoom(word); r != nil {
		return statTarget{room: r}, nil
	}
	if w, err := e.router.Locate(word); err == nil {
		return statTarget{}, fmt.Errorf("%s is in another part of the game (%s)", w.Name, w.Zone)
	}
	return statTarget{}, fmt.Errorf("there is nothing called %q here, nor such a player or room", word)
}

func cmdStat(c *Context) {
	t, err := c.resolve(strings.TrimSpace(c.Args))
	if err != nil {
		c.Fail("%s.", mudCap(err.Error()))
		return
	}
	var b strings.Builder
	if t.room != nil {
		c.Engine.statRoom(&b, t.room)
	} else {
		c.Engine.statThing(&b, t.thing)
	}
	c.Send(markup.Escape(strings.TrimRight(b.String(), "\n"))) // values as they are
}

func (e *Engine) statRoom(b *strings.Builder, r *world.Room) {
	fmt.Fprintf(b, "Room %s: %s\n", r.Key, r.Name)
	fmt.Fprintf(b, "Zone: %s (%s)\n", r.Zone.Key, r.Zone.Name)
	fmt.Fprintf(b, "Description: %s\n", strings.Join(strings.Fields(r.Desc), " "))
	for _, ex := range r.Exits {
		fmt.Fprintf(b, "Exit %s -> %s", ex.Dir, ex.To)
		if d := ex.Door; d != nil {
			fmt.Fprintf(b, " (door %q closed=%v locked=%v key=%s)", d.Name, d.Closed, d.Locked, orDash(d.Key))
		}
		b.WriteByte('\n')
	}
	for _, t := range r.Things {
		fmt.Fprintf(b, "Here: #%d %s %s [%s]\n", t.ID, t.Kind, t.Name, orDash(t.Key()))
	}
	writeScript(b, "Definition", r.Script)
}

func (e *Engine) statThing(b *strings.Builder, t *world.Thing) {
	fmt.Fprintf(b, "#%d %s: %s\n", t.ID, t.Kind, t.Name)
	if t.Proto != nil {
		fmt.Fprintf(b, "Prototype: %s\n", t.Proto.Key)
	}
	fmt.Fprintf(b, "Keywords: %s\n", strings.Join(t.Keywords, ", "))
	if t.Ground != "" {
		fmt.Fprintf(b, "Ground: %s\n", t.Ground)
	}
	if d := strings.Join(strings.Fields(t.Desc), " "); d != "" {
		fmt.Fprintf(b, "Description: %s\n", d)
	}
	switch {
	case t.Room != nil:
		fmt.Fprintf(b, "In room: %s\n", t.Room.Key)
	case t.Holder != nil:
		fmt.Fprintf(b, "Held by: #%d %s\n", t.Holder.ID, t.Holder.Name)
	}
	if t.Slot != "" {
		fmt.Fprintf(b, "Worn: %s\n", t.Slot)
	}
	if p := playerOf(t); p != nil {
		e.statPlayer(b, p)
	}
	for _, x := range t.Contents {
		fmt.Fprintf(b, "Contains: #%d %s [%s]%s\n", x.ID, x.Name, orDash(x.Key()), map[bool]string{true: " (" + x.Slot + ")"}[x.Slot != ""])
	}
	fmt.Fprintf(b, "Timers: %d\n", len(e.timers.byOwner[t]))
	writeData(b, "data", e.lua.dataOf(t))
	if t.Proto != nil {
		writeScript(b, "Prototype definition", t.Proto.Script)
	}
}

func (e *Engine) statPlayer(b *strings.Builder, p *Player) {
	w := p.whoEntry(e.now())
	fmt.Fprintf(b, "Player %s, role %s, frozen %v\n", p.Name, p.Role, p.frozen)
	if w.LinkDead {
		fmt.Fprintf(b, "Link-dead for %s\n", e.now().Sub(p.linkDeadAt).Round(time.Second))
	} else {
		fmt.Fprintf(b, "Connection: %s, client %s, %s; idle %s\n", w.Addr, orDash(w.Client),
			strings.Join(w.Protocols, " "), w.Idle.Round(time.Second))
	}
	fmt.Fprintf(b, "Played: %s; logged in %s ago; queued lines %d\n", (p.played + e.now().Sub(p.loginAt)).Round(time.Second),
		e.now().Sub(p.loginAt).Round(time.Second), len(p.lines))
	if p.snoopedBy != nil {
		fmt.Fprintf(b, "Snooped by: %s\n", p.snoopedBy.Name)
	}
	if p.snooping != nil {
		fmt.Fprintf(b, "Snooping: %s\n", p.snooping.Name)
	}
}

// writeData writes plain builder data as sorted "path = value" lines.
func writeData(b *strings.Builder, path string, v any) {
	switch v := v.(type) {
	case nil:
		if path == "data" {
			b.WriteString("data: (none)\n")
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			writeData(b, path+"."+k, v[k])
		}
	case []any:
		for i, x := range v {
			writeData(b, fmt.Sprintf("%s[%d]", path, i+1), x)
		}
	case string:
		fmt.Fprintf(b, "%s = %q\n", path, v)
	default:
		fmt.Fprintf(b, "%s = %v\n", path, v)
	}
}

// writeScript lists a definition table's plain fields and the names of its hooks.
func writeScript(b *strings.Builder, title string, script any) {
	def, _ := script.(*lua.LTable)
	if def == nil {
		return
	}
	var fields, hooks []string
	def.ForEach(func(k, v lua.LValue) {
		key := lua.LVAsString(k)
		switch v := v.(type) {
		case *lua.LFunction:
			hooks = append(hooks, key)
		case *lua.LTable:
			fields = append(fields, key+" = {…}")
		case lua.LString:
			if s := strings.Join(strings.Fields(string(v)), " "); len(s) > 60 {
				fields = append(fields, fmt.Sprintf("%s = %q…", key, s[:57]))
			} else {
				fields = append(fields, fmt.Sprintf("%s = %q", key, s))
			}
		default:
			fields = append(fields, key+" = "+v.String())
		}
	})
	sort.Strings(fields)
	sort.Strings(hooks)
	fmt.Fprintf(b, "%s: %s\n", title, strings.Join(fields, ", "))
	if len(hooks) > 0 {
		fmt.Fprintf(b, "Hooks: %s\n", strings.Join(hooks, ", "))
	}
}

func cmdSet(c *Context) {
	word, rest := firstWord(c.Args)
	field, value := firstWord(rest)
	if word == "" || field == "" {
		c.Fail("Set what? set <thing|player|here> <field> <value>")
		return
	}
	t, err := c.resolve(word)
	if err == nil {
		err = c.mayChange(t)
	}
	if err == nil {
		err = c.Engine.setField(t, strings.ToLower(field), value)
	}
	if err != nil {
		c.Fail("Not set: %v.", err)
		return
	}
	c.Sendf("Set %s of %s to %s.", field, word, value)
}

// mayChange refuses changes to a player's thing, or to anything a player holds, unless that
// player's role is below the caller's (as Router.Act does) or the player is the caller.
func (c *Context) mayChange(t statTarget) error {
	h := t.thing
	for h != nil && playerOf(h) == nil {
		h = h.Holder
	}
	p := playerOf(h)
	if p == nil || p == c.Player || p.Role < c.Role {
		return nil
	}
	if h == t.thing {
		return fmt.Errorf("%s's role is as high as yours", p.Name)
	}
	return fmt.Errorf("%s holds it, and their role is as high as yours", p.Name)
}

// setField changes one settable field of t: name, desc, ground, or data.<key>.
func (e *Engine) setField(t statTarget, field, value string) error {
	if t.room != nil {
		switch field {
		case "name":
			t.room.Name = value
		case "desc", "description":
			t.room.Desc = value
		default:
			return fmt.Errorf("a room's settable fields are name and desc")
		}
		return nil
	}
	th := t.thing
	p := playerOf(th)
	if key, ok := strings.CutPrefix(field, "data."); ok {
		return e.setData(th, key, value)
	}
	if value == "" {
		return fmt.Errorf("%s needs a value", field)
	}
	switch field {
	case "name":
		if p != nil {
			return errors.New("a player's name is their account's")
		}
		th.Name = value
	case "desc", "description":
		th.Desc = value
	case "ground":
		if p != nil {
			return errors.New("players have no ground line")
		}
		th.Ground = value
	case "role":
		return errors.New("roles change with promote and demote")
	default:
		return fmt.Errorf("unknown field %q (name, desc, ground or data.<key>)", field)
	}
	return nil
}

// setData sets t.data[key] from value, which must keep the type a key already has.
func (e *Engine) setData(t *world.Thing, key, value string) error {
	if len(key) > 64 || !validKey(key) {
		return fmt.Errorf("%q is not a data key (letters, digits and _)", key)
	}
	v, err := parseValue(value)
	if err != nil {
		return err
	}
	tbl := e.lua.dataTable(t)
	old := tbl.RawGetString(key)
	nv := e.lua.luaValue(v, 0)
	if v != nil && old != lua.LNil && old.Type() != nv.Type() {
		return fmt.Errorf("data.%s is a %s, and %q is a %s", key, old.Type(), value, nv.Type())
	}
	tbl.RawSetString(key, nv)
	return nil
}

// parseValue reads a value typed to set: nil (remove), true or false, a finite number,
// "quoted text", or any other text as a string.
func parseValue(s string) (any, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return nil, errors.New("a value is needed (nil removes the key)")
	case "nil":
		return nil, nil
	case "true", "false":
		return s == "true", nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1], nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a finite number", s)
		}
		return f, nil
	}
	return s, nil
}
