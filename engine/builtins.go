package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mudd/mudd/engine/world"
)

// registerBuiltins adds the built-in commands. Their order decides short prefixes: the first
// registered command starting with a typed word wins.
func registerBuiltins(r *Registry) {
	for _, d := range world.Directions {
		dir := d
		r.Add(Command{Name: dir, Aliases: []string{dirAbbrev(dir)},
			Help: "Walk " + dir + ".", Run: func(c *Context) { walk(c, dir) }})
	}
	for _, c := range []Command{
		{Name: "look", Aliases: []string{"l"}, Run: cmdLook,
			Help: "look [thing]\nShow the room, or look at a thing, a player or a direction."},
		{Name: "examine", Aliases: []string{"exa"}, Run: cmdExamine,
			Help: "examine <thing>\nLook closely at a thing, and into it if it is a container."},
		{Name: "get", Aliases: []string{"take"}, Run: cmdGet,
			Help: "get <thing> | get all | get <thing> from <container>\nPick things up."},
		{Name: "drop", Run: cmdDrop, Help: "drop <thing> | drop all\nPut things down on the floor."},
		{Name: "put", Run: cmdPut, Help: "put <thing> in <container>\nPut something into a container."},
		{Name: "give", Run: cmdGive, Help: "give <thing> to <someone>\nHand something over."},
		{Name: "inventory", Aliases: []string{"i"}, Run: cmdInventory, Help: "inventory\nList what you carry."},
		{Name: "say", Run: cmdSay, Help: "say <text>  (or 'text)\nSpeak to everyone in the room."},
		{Name: "ask", Run: cmdAsk, Help: "ask <someone> about <topic>\nAsk someone about something."},
		{Name: "tell", Run: cmdTell, Help: "tell <player> <text>\nSend a private message to a player anywhere."},
		{Name: "emote", Aliases: []string{":"}, Run: cmdEmote, Help: "emote <action>\nShow an action: 'emote grins' shows 'Alice grins'."},
		{Name: "who", Run: cmdWho, Help: "who\nList the players online."},
		{Name: "score", Run: cmdScore, Help: "score\nShow your character."},
		{Name: "open", Run: doorCmd((*world.Door).Open, false), Help: "open <door|direction>\nOpen a door."},
		{Name: "close", Run: doorCmd((*world.Door).Close, false), Help: "close <door|direction>\nClose a door."},
		{Name: "lock", Run: doorCmd((*world.Door).Lock, true), Help: "lock <door|direction>\nLock a door with its key."},
		{Name: "unlock", Run: doorCmd((*world.Door).Unlock, true), Help: "unlock <door|direction>\nUnlock a door with its key."},
		{Name: "go", Run: cmdGo, Help: "go <exit>\nLeave through an exit, including named ones: 'go hole'."},
		{Name: "help", Run: cmdHelp, Help: "help [topic|command]\nRead help about a command or a topic."},
		{Name: "commands", Run: cmdCommands, Help: "commands\nList the commands you can use."},
		{Name: "color", Aliases: []string{"colour"}, Run: cmdColor,
			Help: "color [off|16|256|true|auto]\nShow or choose how many colours you see; auto follows what your client reports."},
		{Name: "charset", Run: cmdCharset,
			Help: "charset [utf-8|ascii|auto]\nShow or choose how text reaches you: UTF-8, or plain ASCII for clients that garble accents."},
		{Name: "save", Run: cmdSave, Help: "save\nSave your character now; 'Saved.' comes once it is safely on disk (it is also saved every few seconds)."},
		{Name: "password", Run: cmdPassword, Help: "password\nChange your password."},
		{Name: "quit", Exact: true, Run: cmdQuit, Help: "quit\nSave and leave the game (type the whole word)."},
		{Name: "protocols", Run: cmdProtocols,
			Help: "protocols\nShow what your client negotiated: terminal, window size, prompt marks, GMCP, MSDP, MSSP, compression."},
		{Name: "stats", Role: RoleWizard, Run: cmdStats,
			Help: "stats\nShow the game loop's pulse and command latency, players, memory and goroutines."},
	} {
		r.Add(c)
	}
	registerWizard(r)
	registerBuildCommands(r)
}

func dirAbbrev(dir string) string {
	for a, full := range map[string]string{"n": "north", "e": "east", "s": "south", "w": "west",
		"ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest", "u": "up", "d": "down"} {
		if full == dir {
			return a
		}
	}
	return dir
}

func walk(c *Context, dir string) {
	if msg := c.Engine.move(c.Actor(), dir); msg != "" {
		c.Send(string(msg))
	}
}

func cmdGo(c *Context) {
	if c.Args == "" {
		c.Send("Go where?")
		return
	}
	walk(c, c.Args)
}

func cmdLook(c *Context) {
	if c.Args == "" {
		c.Engine.look(c.Player)
		return
	}
	lookAt(c, strings.TrimPrefix(strings.TrimPrefix(c.Args, "at "), "in "))
}

func cmdExamine(c *Context) {
	if c.Args == "" {
		c.Send("Examine what?")
		return
	}
	lookAt(c, c.Args)
}

// lookAt describes a direction, or a thing carried or in the room; containers show contents.
func lookAt(c *Context, word string) {
	me := c.Actor()
	if r := me.Room; r != nil {
		if ex := r.Exit(word); ex != nil {
			c.Send(describeExit(c.Engine, ex))
			return
		}
	}
	t := find(me.Contents, word)
	if t == nil && me.Room != nil {
		t = find(me.Room.Things, word)
	}
	if t == nil {
		c.Sendf("You see no %q here.", word)
		return
	}
	desc := strings.TrimSpace(t.Desc)
	if desc == "" {
		desc = "You see nothing special about " + t.Name + "."
	}
	c.Send(strings.Join(strings.Fields(desc), " "))
	if t.IsContainer() {
		c.Sendf("%s contains:\n%s", mudCap(t.Name), listNames(t.Contents))
	}
	if t.Kind != world.Item && len(t.Contents) > 0 {
		c.Sendf("%s is carrying:\n%s", mudCap(t.Name), listNames(t.Contents))
	}
}

func describeExit(e *Engine, ex *world.Exit) string {
	if ex.Door != nil && ex.Door.Closed {
		return fmt.Sprintf("The %s is closed.", ex.Door.Name)
	}
	if to := e.world.Rooms[ex.To]; to != nil {
		return fmt.Sprintf("Looking %s, you see %s.", ex.Dir, to.Name)
	}
	return "You see nothing special that way."
}

func cmdInventory(c *Context) {
	var loose []*world.Thing
	for _, t := range c.Actor().Contents {
		if t.Slot == "" {
			loose = append(loose, t)
		}
	}
	c.Send("You are carrying:\n" + listNames(loose))
}

func cmdAsk(c *Context) {
	who, topic, ok := splitOn(c.Args, "about")
	if !ok {
		who, topic, _ = strings.Cut(c.Args, " ")
	}
	topic = strings.TrimSpace(topic)
	if who == "" || topic == "" {
		c.Send("Ask whom about what?")
		return
	}
	npc := find(c.Actor().Room.Things, who)
	if npc == nil || npc.Kind != world.NPC {
		c.Sendf("You see nobody called %q here to ask.", who)
		return
	}
	c.Sendf("You ask %s about %s.", npc.Name, topic)
	c.Engine.tellRoom(c.Actor().Room, c.Actor(), fmt.Sprintf("%s asks %s about %s.", mudCap(c.Player.Name), npc.Name, topic))
	if !c.Engine.lua.hasHook(npc, "on_ask") {
		c.Sendf("%s has nothing to say about that.", mudCap(npc.Name))
		return
	}
	c.Engine.lua.thingHook(npc, "on_ask", c.Actor(), strings.ToLower(topic))
}

func cmdSay(c *Context) {
	if c.Args == "" {
		c.Send("Say what?")
		return
	}
	c.Engine.say(c.Actor(), c.Args)
}

func cmdTell(c *Context) {
	to, text, _ := strings.Cut(c.Args, " ")
	text = strings.TrimSpace(text)
	if to == "" || text == "" {
		c.Send("Tell whom what?")
		return
	}
	if strings.EqualFold(to, c.Player.Name) {
		c.Send("You mutter to yourself.")
		return
	}
	switch err := c.Engine.router.Tell(c.Player, to, text); {
	case errors.Is(err, ErrLinkDead):
		c.Sendf("%s has lost the link and can't hear you.", mudCap(strings.ToLower(to)))
		return
	case err != nil:
		c.Sendf("Nobody called %q is online.", to)
		return
	}
	line := fmt.Sprintf("You tell %s, \"%s\"", mudCap(strings.ToLower(to)), text)
	c.Send(line)
	c.Player.channelText("tell", c.Player.Name, line)
}

func cmdEmote(c *Context) {
	if c.Args == "" {
		c.Send("Emote what?")
		return
	}
	line := c.Player.Name + " " + c.Args
	c.Send(line)
	c.Engine.tellRoom(c.Actor().Room, c.Actor(), line)
}

func cmdWho(c *Context) {
	list := c.Engine.router.Who()
	var b strings.Builder
	fmt.Fprintf(&b, "Players online in %s:\n", c.Engine.game.Name)
	for _, w := range list {
		tag := ""
		if w.Role > RolePlayer {
			tag = " [" + w.Role.String() + "]"
		}
		if w.LinkDead {
			tag += " (link-dead)"
		}
		fmt.Fprintf(&b, "  %-16s %s%s\n", w.Name, w.Zone, tag)
	}
	fmt.Fprintf(&b, "%d player(s).", len(list))
	c.Send(b.String())
}

func cmdScore(c *Context) {
	p, e := c.Player, c.Engine
	var b strings.Builder
	fmt.Fprintf(&b, "You are %s, a %s.\n", p.Name, p.Role)
	if r := p.Thing.OuterRoom(); r != nil {
		fmt.Fprintf(&b, "You stand in %s (%s).\n", r.Name, r.Zone.Name)
	}
	fmt.Fprintf(&b, "You carry %d thing(s).\n", len(p.Thing.Contents))
	fmt.Fprintf(&b, "Time played: %s.", (p.played + e.now().Sub(p.loginAt)).Round(1e9))
	c.Send(b.String())
}

func cmdHelp(c *Context) {
	topic := strings.ToLower(c.Args)
	if topic == "" {
		topic = "help"
		if _, ok := c.Engine.topics["help"]; !ok {
			c.Send("Type 'commands' for the list of commands, and 'help <command>' for one of them.")
			if len(c.Engine.topics) > 0 {
				c.Send("Topics: " + strings.Join(sortedKeys(c.Engine.topics), ", ") + ".")
			}
			return
		}
	}
	if text, ok := c.Engine.topics[topic]; ok {
		c.Send(strings.TrimSpace(text))
		return
	}
	if cmd := c.Engine.cmds.Lookup(topic, c.Player.Role); cmd != nil {
		c.Send(strings.TrimSpace(cmd.Help))
		return
	}
	c.Sendf("There is no help on %q.", c.Args)
}

func cmdCommands(c *Context) {
	var b strings.Builder
	b.WriteString("Commands (type 'help <command>' for more):\n")
	for _, cmd := range c.Engine.cmds.Visible(c.Player.Role) {
		summary, _, _ := strings.Cut(cmd.Help, "\n")
		fmt.Fprintf(&b, "  %-12s %s\n", cmd.Name, summary)
	}
	c.Send(b.String())
}

func cmdSave(c *Context) {
	c.Engine.saveLinked(c.Player)
	c.Engine.ackSave(c.Player) // "Saved." once committed
}

func cmdQuit(c *Context) {
	c.Engine.removePlayer(c.Player, "Your character has been saved. Goodbye!")
}
