package engine

import (
	"github.com/mudd/mudd/engine/store"
)

// audited records a command of role cmdRole run (or refused) in c in the audit log, if the
// command is of builder role or above. The entry is written off the loop.
func (e *Engine) audited(c *Context, cmdRole Role, result string) {
	if add := e.auditor(c, cmdRole); add != nil {
		add(result)
	}
}

// auditor returns the function that records c's command with its result, or nil if the
// command is not audited. It may be called from any goroutine: the entry is taken from c now,
// and the audit log is safe for concurrent use.
func (e *Engine) auditor(c *Context, cmdRole Role) func(result string) {
	if cmdRole < RoleBuilder || e.audit == nil {
		return nil
	}
	a := store.AuditEntry{Who: c.Player.Name, Role: c.Role.String(), By: c.by, Room: c.room, Line: c.Line}
	log, now := e.audit, e.now
	return func(result string) {
		a.At, a.Result = now(), result
		log.Add(a)
	}
}
