package engine

import (
	"errors"
	"fmt"
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

// Context is what a running command gets: the engine, the player, the role it runs with,
// and the arguments.
type Context struct {
	Engine *Engine
	Player *Player
	Role   Role   // the role the line runs with: the player's own, or a forced player's
	Name   string // the command's registered name
	Args   string // the rest of the line, trimmed
	Line   string // the whole line as typed

	room  string // key of the room the line was typed in, for the audit log
	depth int    // nesting of lines run by at and force
	by    string // who made the player run this line (force), for the audit log
	err   error  // the command's failure, reported with Fail
	later bool   // the result comes later, through the function Later returned
}

// Send queues text for the player who typed the command.
func (c *Context) Send(text string) { c.Player.Send(text) }

// Sendf formats and queues a line for the player who typed the command.
func (c *Context) Sendf(format string, args ...any) { c.Player.Sendf(format, args...) }

// Fail tells the player why the command did not do what was asked, and records that as the
// command's result (the audit log shows it).
func (c *Context) Fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.Send(msg)
	c.err = errors.New(msg)
}

// Err is the failure reported with Fail, or nil.
func (c *Context) Err() error { return c.err }

// Later says that the command finishes later (after work off the loop) and returns the
// function to call, once, with its result; until then no audit entry is written for it. The
// function may be called on the loop or on the goroutine doing the work: called there right
// after a change to the database, it records the change even if the loop stops before it
// hears of it. The error it is given is not Dispatch's: that has returned already.
func (c *Context) Later() func(err error) {
	c.later = true
	add := c.Engine.auditor(c, c.cmdRole())
	return func(err error) {
		if add != nil {
			add(result(err))
		}
	}
}

// Actor is the player's thing in the world.
func (c *Context) Actor() *world.Thing { return c.Player.Thing }

func (c *Context) cmdRole() Role {
	if cmd := c.Engine.cmds.byWord[c.Name]; cmd != nil {
		return cmd.Role
	}
	return RolePlayer
}

// Registry holds every command: built-in, from Lua, and from Go programs embedding the engine.
// Lookup prefers an exact name or alias, then the first command in registration order whose
// name starts with the typed word, so built-ins registered early win short prefixes
// ("l" is look, "s" is south); Exact commands are never matched by a prefix. Commands above
// the player's role are invisible to them, and a prefix goes to a command of the lowest role
// it matches, so staff abbreviate the game's commands as players do ("r" is remove for a
// builder too, though redit starts with r and is registered first).
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
	var best *Command
	for _, c := range r.list {
		if c.Role <= role && !c.Exact && strings.HasPrefix(c.Name, word) && (best == nil || c.Role < best.Role) {
			if best = c; c.Role == RolePlayer {
				break
			}
		}
	}
	return best
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

// maxDepth bounds how deeply at and force may nest lines in each other.
const maxDepth = 3

// Results of commands in the audit log.
const (
	resultOK      = "ok"
	resultRefused = "refused: "
	resultError   = "error: "
)

func result(err error) string {
	if err == nil {
		return resultOK
	}
	return resultError + err.Error()
}

// execute runs one line typed by p, with p's role.
func (e *Engine) execute(p *Player, line string) {
	e.dispatch(&Context{Engine: e, Player: p, Role: p.Role, Line: line})
}

// Dispatch runs one command line for p with role, as if p had typed it, and returns the
// command's failure (see Context.Fail) or nil. It must be called on the game loop. Output
// goes to p. This is the one way lines reach commands: the role check, on_command hooks and
// the audit log apply to every caller (players, at, force, an operator's console).
func (e *Engine) Dispatch(p *Player, role Role, line string) error {
	c := &Context{Engine: e, Player: p, Role: role, Line: line}
	e.dispatch(c)
	return c.err
}

// dispatch looks up and runs c.Line. Commands of builder role or above are recorded in the
// audit log, and so are attempts to run one, by its full name, without the role.
func (e *Engine) dispatch(c *Context) {
	word, args := splitCommand(c.Line)
	if word == "" {
		return
	}
	p := c.Player
	p.touch()
	verb := strings.ToLower(word)
	cmd := e.cmds.Lookup(word, c.Role)
	if cmd != nil {
		verb = cmd.Name
	} else if hidden := e.cmds.byWord[verb]; hidden != nil && hidden.Role >= RoleBuilder {
		c.noteRoom()
		e.audited(c, hidden.Role, resultRefused+"needs role "+hidden.Role.String())
	}
	staff := cmd != nil && cmd.Role >= RoleBuilder
	if staff {
		c.noteRoom() // for the audit log: where the command was typed, before it runs
	}
	// A frozen player runs nothing but quit: no command, and no hook of the room or its NPCs,
	// which would act for them as a command does.
	if p.frozen && (cmd == nil || cmd.Name != "quit") && c.by == "" {
		c.Fail("You are frozen solid and cannot do that.")
		if staff {
			e.audited(c, cmd.Role, resultRefused+"frozen")
		}
		return
	}
	if !staff && e.intercepted(p, verb, args) {
		return
	}
	if cmd == nil {
		c.Fail("Huh? There is no command %q here. Type 'commands' for a list.", word)
		return
	}
	c.Name, c.Args = cmd.Name, args
	cmd.Run(c)
	if staff && !c.later {
		e.audited(c, cmd.Role, result(c.err))
	}
}

// noteRoom records the room c's player stands in, for the audit log.
func (c *Context) noteRoom() {
	if r := c.Player.Thing.OuterRoom(); r != nil {
		c.room = r.Key
	}
}

// sub runs line as a nested command of c (at, force) for player p with role.
func (c *Context) sub(p *Player, role Role, line, by string) error {
	if c.depth >= maxDepth {
		return errors.New("commands nested too deeply")
	}
	sc := &Context{Engine: c.Engine, Player: p, Role: role, Line: line, depth: c.depth + 1, by: by}
	c.Engine.dispatch(sc)
	return sc.err
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
