package engine

import (
	"errors"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/world"
)

// Command is one entry of the command registry.
type Command struct {
	Name    string
	Aliases []string
	Role    Role   // the least role that may run it; checked for every invocation
	Help    string // first line is the summary shown by `commands`
	Exact   bool   // must be typed in full: no prefix runs it (quit)
	Run     func(c *Context)

	fromLua bool     // defined by the game's code: replaced when the game reloads
	shadows *Command // the command this one replaced, if any
}

// Context is what a running command gets: the engine, the player, and the arguments.
type Context struct {
	Engine *Engine
	Player *Player
	Name   string // the command's registered name
	Args   string // the rest of the line, trimmed
}

// Send queues text for the player who typed the command.
func (c *Context) Send(text string) { c.Player.Send(text) }

// Sendf formats and queues a line for the player who typed the command.
func (c *Context) Sendf(format string, args ...any) { c.Player.Sendf(format, args...) }

// Actor is the player's thing in the world.
func (c *Context) Actor() *world.Thing { return c.Player.Thing }

// Registry holds every command: built-in, from Lua, and from Go programs embedding the engine.
// Lookup prefers an exact name or alias, then the first command in registration order whose
// name starts with the typed word, so built-ins registered early win short prefixes
// ("l" is look, "s" is south); Exact commands are never matched by a prefix. Commands above
// the player's role are invisible to them.
type Registry struct {
	list   []*Command
	byWord map[string]*Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byWord: make(map[string]*Command)} }

// Add registers c. A command with the same name replaces the earlier one in its place, so a
// game can redefine a built-in. Its words then point to the new command.
func (r *Registry) Add(c Command) error {
	c.Name = strings.ToLower(strings.TrimSpace(c.Name))
	if c.Name == "" || strings.ContainsAny(c.Name, " \t") {
		return errors.New("command name must be one word")
	}
	if c.Run == nil {
		return errors.New("command " + c.Name + " has no Run function")
	}
	cmd := &c
	replaced := false
	for i, old := range r.list {
		if old.Name == c.Name {
			r.forget(old)
			cmd.shadows = old
			r.list[i] = cmd
			replaced = true
		}
	}
	if !replaced {
		r.list = append(r.list, cmd)
	}
	r.byWord[c.Name] = cmd
	for _, a := range c.Aliases {
		r.byWord[strings.ToLower(a)] = cmd
	}
	return nil
}

// withoutLua returns a copy of r without the commands the game's code defined, with the
// commands they replaced back in their place.
func (r *Registry) withoutLua() *Registry {
	out := NewRegistry()
	for _, c := range r.list {
		for c != nil && c.fromLua {
			c = c.shadows
		}
		if c != nil {
			c := *c
			c.shadows = nil
			out.Add(c)
		}
	}
	return out
}

// replace makes r hold what other holds. Holders of r see the change.
func (r *Registry) replace(other *Registry) { *r = *other }

func (r *Registry) forget(old *Command) {
	for w, c := range r.byWord {
		if c == old {
			delete(r.byWord, w)
		}
	}
}

// Lookup finds the command a word names for a player of role.
func (r *Registry) Lookup(word string, role Role) *Command {
	word = strings.ToLower(word)
	if c := r.byWord[word]; c != nil && c.Role <= role {
		return c
	}
	for _, c := range r.list {
		if c.Role <= role && !c.Exact && strings.HasPrefix(c.Name, word) {
			return c
		}
	}
	return nil
}

// Visible lists the commands a role may run, sorted by name.
func (r *Registry) Visible(role Role) []*Command {
	var out []*Command
	for _, c := range r.list {
		if c.Role <= role {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// splitCommand splits a line into the command word and its arguments. A leading ' is say.
func splitCommand(line string) (word, args string) {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "'") {
		return "say", strings.TrimSpace(line[1:])
	}
	word, args, _ = strings.Cut(line, " ")
	return word, strings.TrimSpace(args)
}

// execute parses and runs one command line for p.
func (e *Engine) execute(p *Player, line string) {
	word, args := splitCommand(line)
	if word == "" {
		return
	}
	p.dirty = true
	cmd := e.cmds.Lookup(word, p.Role)
	verb := strings.ToLower(word)
	if cmd != nil {
		verb = cmd.Name
	}
	if e.intercepted(p, verb, args) {
		return
	}
	if cmd == nil {
		p.Sendf("Huh? There is no command %q here. Type 'commands' for a list.", word)
		return
	}
	cmd.Run(&Context{Engine: e, Player: p, Name: cmd.Name, Args: args})
}

// intercepted runs the on_command hooks of p's room and the NPCs in it. A hook that
// returns true has handled the command, and it does not run.
func (e *Engine) intercepted(p *Player, verb, args string) bool {
	r := p.Thing.Room
	if r == nil {
		return false
	}
	if lua.LVAsBool(e.lua.roomHook(r, "on_command", p.Thing, verb, args)) {
		return true
	}
	for _, npc := range e.npcsWithHook(r, nil, "on_command") {
		if npc.Room == r && lua.LVAsBool(e.lua.thingHook(npc, "on_command", p.Thing, verb, args)) {
			return true
		}
	}
	return false
}
