package engine

import (
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/mudd/mudd/telnet"
)

// msspVars returns the MSSP variables: NAME, PLAYERS (players with a connection), UPTIME
// (when the server started, as Unix time), CODEBASE, PORT and the protocol flags, then
// Config.MSSP. It runs on session goroutines: it reads only the config and atomics.
func (e *Engine) msspVars() []telnet.Var {
	own := map[string]string{
		"NAME":     e.shown.Load().Name,
		"PLAYERS":  strconv.Itoa(int(e.online.Load())),
		"UPTIME":   strconv.FormatInt(e.started.Unix(), 10),
		"CODEBASE": "mudd",
		"ANSI":     "1",
		"UTF-8":    "1",
		"GMCP":     "1",
		"MSDP":     "1",
		"MCCP":     boolFlag(!e.cfg.NoCompress),
	}
	if addr, ok := e.TelnetAddr().(*net.TCPAddr); ok {
		own["PORT"] = strconv.Itoa(addr.Port)
	}
	for k, v := range e.cfg.MSSP {
		own[strings.ToUpper(strings.TrimSpace(k))] = v
	}
	first := []string{"NAME", "PLAYERS", "UPTIME"}
	vars := make([]telnet.Var, 0, len(own))
	for _, k := range first {
		vars = append(vars, telnet.Var{Name: k, Value: own[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(own)) {
		if !slices.Contains(first, k) {
			vars = append(vars, telnet.Var{Name: k, Value: own[k]})
		}
	}
	return vars
}

func boolFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// msspText is the plain-text MSSP answer to a crawler's MSSP-REQUEST line.
func (e *Engine) msspText() string {
	var b strings.Builder
	b.WriteString("\nMSSP-REPLY-START\n")
	for _, v := range e.msspVars() {
		s, _ := v.Value.(string)
		b.WriteString(strings.Map(msspSafe, v.Name) + "\t" + strings.Map(msspSafe, s) + "\n")
	}
	b.WriteString("MSSP-REPLY-END\n")
	return b.String()
}

// msspSafe drops control characters (tab and line ends would break the reply's format).
func msspSafe(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}
