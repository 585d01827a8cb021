package engine

import (
	"github.com/mudd/mudd/engine/store"
)

// audited records a command of role cmdRole run (or refused) in c in the audit log, if the
// command is of builder role or above. The entry is written off the loop.
func (e *Engine) audited(c *Context, cmdRole Role, result string) {
	if cmdRole < RoleBuilder || e.audit == nil {
		return
	}
	e.audit.Add(store.AuditEntry{At: e.now(), Who: c.Player.Name, Role: c.Role.String(), By: c.by,
		Room: c.room, Line: c.Line, Result: result})
}
