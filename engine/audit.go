package engine

import (
	"github.com/mudd/mudd/engine/store"
)

// audited records a command of role cmdRole run (or refused) in c in the audit log, if the
// command is of builder role or above. The entry is written off the loop.
func (e *Engine) audited(c *Context, cmdRole Role, result string) {
	if cmdRole < RoleBuilder {
		return
	}
	a := store.AuditEntry{At: e.now(), Who: c.Player.Name, Role: c.Role.String(), By: c.by,
		Line: c.Line, Result: result}
	if r := c.Player.Thing.OuterRoom(); r != nil {
		a.Room = r.Key
	}
	e.audit.Add(a)
}
