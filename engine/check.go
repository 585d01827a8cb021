package engine

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/mudd/mudd/engine/world"
)

// Severity tells how bad a Problem is.
type Severity string

// The severities of Check's problems.
const (
	SevError   Severity = "error"   // the game will not load
	SevWarning Severity = "warning" // the game loads, but something is probably wrong
)

// Problem is one finding of Check, at a position "file:line" (or just a file).
type Problem struct {
	Pos      string
	Severity Severity
	Msg      string
}

// String is "file:line: severity: message".
func (p Problem) String() string {
	if p.Pos == "" {
		return string(p.Severity) + ": " + p.Msg
	}
	return p.Pos + ": " + string(p.Severity) + ": " + p.Msg
}

// Check validates a game directory without serving it: it loads the game as the server does
// (reporting syntax and runtime errors, exits to missing rooms, reset rules and mud.ref
// declarations naming missing things, duplicate keys, spawn/give/move calls with a literal
// key naming nothing) and then looks for rooms that cannot be reached from the start room,
// one-way exits and look-ups of literal keys naming nothing, which it reports as warnings. It opens no
// database and reads fsys on the calling goroutine. Problems are ordered by position.
func Check(fsys fs.FS) ([]Problem, error) {
	files, err := readGameFiles(fsys, "")
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	e := newEngine(Config{Game: fsys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.withDefaults())
	l := e.build(files)
	defer e.vm.Close()
	var out []Problem
	for _, err := range l.errs {
		pos, msg := splitPos(err.Error())
		out = append(out, Problem{Pos: pos, Severity: SevError, Msg: msg})
	}
	out = append(out, lint(e.world, e.game.Start, l.pos)...)
	if len(l.errs) == 0 {
		out = append(out, scanKeys(files, e.world)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return posLess(out[i].Pos, out[j].Pos) })
	return out, nil
}

var posRE = regexp.MustCompile(`^([^\s:]+\.lua(?::\d+)?): (.*)$`)

// splitPos splits "file:line: message" into its position and message.
func splitPos(s string) (pos, msg string) {
	if m := posRE.FindStringSubmatch(s); m != nil {
		return m[1], m[2]
	}
	return "", s
}

// posLess orders positions by file, then line as a number.
func posLess(a, b string) bool {
	fa, la := splitLine(a)
	fb, lb := splitLine(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitLine(pos string) (string, int) {
	for i := len(pos) - 1; i >= 0; i-- {
		if pos[i] == ':' {
			if n, err := strconv.Atoi(pos[i+1:]); err == nil {
				return pos[:i], n
			}
			break
		}
	}
	return pos, 0
}

// keyCall matches a call with a literal full key as its first argument: what a script spawns,
// gives, looks for or moves to. The engine cannot see these until the code runs.
var keyCall = regexp.MustCompile(`\b(spawn|give|has|proto|room|move)\s*\(\s*["']([A-Za-z0-9_]+:[A-Za-z0-9_]+)["']`)

// makes lists the calls of keyCall that create or move things: with a key that names nothing
// they fail when they run, so they are errors. The others (room, has, proto) only look, and a
// look-up of something that may not exist (if mud.room("arena:pit") then ...) is legitimate:
// those are warnings. Code that needs a key declares it with mud.ref, which fails the load.
var makes = map[string]bool{"spawn": true, "give": true, "move": true}

// scanKeys reports literal keys in calls (room:spawn("zone:key"), who:give(...), mud.room(...),
// t:move(...)) that name no prototype or room, at their line. Comment lines are skipped.
func scanKeys(files fstest.MapFS, w *world.World) []Problem {
	var out []Problem
	for _, name := range sortedKeys(files) {
		for i, line := range strings.Split(string(files[name].Data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "--") {
				continue
			}
			for _, m := range keyCall.FindAllStringSubmatch(line, -1) {
				if p, ok := keyProblem(m[1], m[2], w); !ok {
					p.Pos = fmt.Sprintf("%s:%d", name, i+1)
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// keyProblem checks the literal key of one call to fn.
func keyProblem(fn, key string, w *world.World) (Problem, bool) {
	what, ok := "prototype", w.Protos[key] != nil
	kind := "proto"
	if fn == "room" || fn == "move" {
		what, ok, kind = "room", w.Rooms[key] != nil, "room"
	}
	if ok {
		return Problem{}, true
	}
	if makes[fn] {
		return Problem{Severity: SevError, Msg: fmt.Sprintf("%s(%q): no %s %s", fn, key, what, key)}, false
	}
	return Problem{Severity: SevWarning, Msg: fmt.Sprintf("%s(%q): no %s %s (if the code needs it, declare it with mud.ref(%q, %q))",
		fn, key, what, key, kind, key)}, false
}

// lint finds what loads but is probably a mistake: rooms the start room does not lead to,
// and exits with no way back.
func lint(w *world.World, start string, pos map[any]string) []Problem {
	var out []Problem
	seen := map[string]bool{}
	if w.Rooms[start] != nil {
		queue := []string{start}
		seen[start] = true
		for len(queue) > 0 {
			r := w.Rooms[queue[0]]
			queue = queue[1:]
			for _, ex := range r.Exits {
				if w.Rooms[ex.To] != nil && !seen[ex.To] {
					seen[ex.To] = true
					queue = append(queue, ex.To)
				}
			}
		}
	}
	for _, key := range sortedKeys(w.Rooms) {
		r := w.Rooms[key]
		if w.Rooms[start] != nil && !seen[key] {
			out = append(out, Problem{pos[key], SevWarning, fmt.Sprintf("room %s cannot be reached from the start room %s", key, start)})
		}
		for _, ex := range r.Exits {
			to := w.Rooms[ex.To]
			if to == nil {
				continue
			}
			back := false
			for _, b := range to.Exits {
				back = back || b.To == key
			}
			if !back {
				out = append(out, Problem{pos[key], SevWarning, fmt.Sprintf("room %s: exit %s to %s is one-way (no exit leads back)", key, ex.Dir, ex.To)})
			}
		}
	}
	return out
}
