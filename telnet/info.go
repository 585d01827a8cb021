package telnet

import (
	"strconv"
	"strings"
)

// WantsGMCP answers Conn.WantsGMCP from an Info taken from the Conn: whether the client
// agreed to GMCP and subscribed to pkg or to a package that contains it (Core messages need
// no subscription). It serves a process that has the client's Info but not its connection.
func (i Info) WantsGMCP(pkg string) bool {
	if !i.GMCP {
		return false
	}
	p := strings.ToLower(pkg)
	if strings.HasPrefix(p, "core.") {
		return true
	}
	for {
		for _, s := range i.GMCPSupports {
			name, v, _ := strings.Cut(s, " ")
			if n, err := strconv.Atoi(v); err == nil && n > 0 && strings.EqualFold(name, p) {
				return true
			}
		}
		dot := strings.LastIndexByte(p, '.')
		if dot < 0 {
			return false
		}
		p = p[:dot]
	}
}
