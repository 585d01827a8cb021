package engine

import (
	"fmt"
	"strings"
)

// Role is what a character may do. Every command declares the least role that may run it.
type Role int

// The roles, from least to most trusted.
const (
	RolePlayer Role = iota
	RoleBuilder
	RoleWizard
	RoleAdmin
	// RoleOperator is the machine's operator (the console and tools on the server). It is
	// above every account's role and is never an account's role: ParseRole refuses it.
	RoleOperator
)

var roleNames = []string{"player", "builder", "wizard", "admin", "operator"}

func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole reads a role name, case-insensitively. An empty name is RolePlayer.
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return RolePlayer, nil
	}
	for i, n := range roleNames[:RoleOperator] {
		if n == s {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("unknown role %q (want one of %s)", s, strings.Join(roleNames[:RoleOperator], ", "))
}
