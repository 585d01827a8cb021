package engine

import "strings"

// registerReload adds the reload command.
func registerReload(r *Registry) {
	r.Add(Command{Name: "reload", Role: RoleBuilder, Exact: true, Run: cmdReload,
		Help: "reload [zone]\nLoad the game's code again from disk: one zone, or the whole game with its\n" +
			"scripts. Nothing changes unless all of it loads; every problem is shown as file:line."})
}

func cmdReload(c *Context) {
	e := c.Engine
	zone := strings.TrimSpace(c.Args)
	dir := ""
	if zone != "" {
		dir = e.zoneDirs[zone]
		if dir == "" && !validKey(zone) {
			c.Fail("There is no zone %q.", zone)
			return
		}
		if dir == "" {
			dir = zone // a new zone folder
		}
	}
	what := "the game"
	if dir != "" {
		what = "zone " + dir
	}
	c.Sendf("Reloading %s...", what)
	p, finish := c.Player, c.Later()
	e.startReload(dir, func(r ReloadResult) {
		e.announceReload(r, p)
		finish(r.Err) // the audit log records the outcome
	})
}
