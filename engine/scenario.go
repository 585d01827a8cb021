package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// ScenarioResult is the outcome of one scenario test file.
type ScenarioResult struct {
	File   string
	Err    error // nil when every expectation held; else "file:line: what failed"
	Checks int   // expectations that held
}

// scenarioBudget is the time budget of a whole scenario file, which runs as one Lua call.
const scenarioBudget = time.Minute

// Scenarios lists the scenario test files of a game: tests/*.lua, sorted.
func Scenarios(game fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(game, "tests")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".lua") {
			files = append(files, path.Join("tests", e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// RunScenario runs one scenario test file of game in a fresh Sim (see docs/building.md for the
// Lua API it offers). A game that does not load fails the scenario with its load errors.
func RunScenario(game fs.FS, file string, cfg Config) ScenarioResult {
	res := ScenarioResult{File: file}
	cfg.Game = game
	sim, err := NewSim(cfg)
	if err != nil {
		res.Err = err
		return res
	}
	defer sim.Close()
	sc := &scenario{sim: sim, res: &res}
	sc.register()
	vm := sim.e.vm
	sim.drive(vm)
	vm.SetBudget(scenarioBudget)
	if err := vm.RunFile(file); err != nil {
		res.Err = err
		return res
	}
	if errs := sim.Errors(); len(errs) > 0 {
		res.Err = fmt.Errorf("%s: the game reported %d Lua error(s) while the scenario ran:\n  %s",
			file, len(errs), strings.Join(errs, "\n  "))
	}
	return res
}

// scenario is the Lua API of one scenario file.
type scenario struct {
	sim *Sim
	res *ScenarioResult
}

func (sc *scenario) register() {
	L := sc.sim.e.vm.L
	methods := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", methods)
	players := map[*lua.LTable]*SimPlayer{}
	check := func(L *lua.LState) *SimPlayer {
		sp := players[L.CheckTable(1)]
		if sp == nil {
			L.ArgError(1, "player expected (from player(name))")
		}
		return sp
	}
	expectText := func(L *lua.LState, sp *SimPlayer, text string, want bool) {
		if strings.Contains(sp.Recent(), text) == want {
			sc.res.Checks++
			return
		}
		verb := "to see"
		if !want {
			verb = "not to see"
		}
		L.RaiseError("expected %s %s %q%s; last output:\n%s", sp.p.Name, verb, text, callers(L), indent(sp.Recent()))
	}
	fns := map[string]lua.LGFunction{
		"cmd": func(L *lua.LState) int {
			sp := check(L)
			L.Push(lua.LString(sp.Do(L.CheckString(2))))
			return 1
		},
		"expect": func(L *lua.LState) int {
			expectText(L, check(L), L.CheckString(2), true)
			return 0
		},
		"expect_not": func(L *lua.LState) int {
			expectText(L, check(L), L.CheckString(2), false)
			return 0
		},
		"output": func(L *lua.LState) int {
			L.Push(lua.LString(check(L).Recent()))
			return 1
		},
	}
	for name, fn := range fns {
		methods.RawSetString(name, L.NewFunction(guard(fn)))
	}
	L.SetGlobal("player", L.NewFunction(guard(func(L *lua.LState) int {
		role, err := ParseRole(L.OptString(2, "player"))
		if err != nil {
			L.ArgError(2, err.Error())
		}
		sp, err := sc.sim.Player(L.CheckString(1), role)
		if err != nil {
			L.RaiseError("%v", err)
		}
		obj := L.NewTable()
		obj.RawSetString("name", lua.LString(sp.p.Name))
		obj.RawSetString("thing", sc.sim.e.lua.thingUD(sp.p.Thing))
		L.SetMetatable(obj, meta)
		players[obj] = sp
		L.Push(obj)
		return 1
	})))
	L.SetGlobal("expect_output", methods.RawGetString("expect"))
	L.SetGlobal("expect_room", L.NewFunction(func(L *lua.LState) int {
		sp, key := check(L), L.CheckString(2)
		if r := sp.p.Thing.OuterRoom(); r == nil || r.Key != key {
			where := "nowhere"
			if r != nil {
				where = r.Key
			}
			L.RaiseError("expected %s in room %s, but they are in %s%s; last output:\n%s", sp.p.Name, key, where, callers(L), indent(sp.Recent()))
		}
		sc.res.Checks++
		return 0
	}))
	L.SetGlobal("expect", L.NewFunction(func(L *lua.LState) int {
		if !lua.LVAsBool(L.Get(1)) {
			L.RaiseError("expectation failed: %s%s", L.OptString(2, "expect(false)"), callers(L))
		}
		sc.res.Checks++
		return 0
	}))
	L.SetGlobal("advance", L.NewFunction(guard(func(L *lua.LState) int {
		secs := L.CheckNumber(1)
		if secs < 0 || secs > 86400 {
			L.ArgError(1, "seconds between 0 and 86400 expected")
		}
		sc.sim.Advance(time.Duration(float64(secs) * float64(time.Second)))
		return 0
	})))
}

// guard turns a Go panic in fn, an engine bug the scenario ran into, into a Lua error at the
// scenario's line, so the failure says which step of which test hit it. Lua errors pass.
func guard(fn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if _, ok := r.(*lua.ApiError); ok {
				panic(r)
			}
			L.RaiseError("the engine failed (a bug in mudd, not in the game): %v%s", r, callers(L))
		}()
		return fn(L)
	}
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// callers lists where the function that called the running Go function was called from, when
// that is a helper of the scenario: " (called from tests/a.lua:12)".
func callers(L *lua.LState) string {
	var at []string
	for level := 2; level < 12; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			at = append(at, fmt.Sprintf("%s:%d", dbg.Source, dbg.CurrentLine))
		}
	}
	if len(at) == 0 {
		return ""
	}
	return " (called from " + strings.Join(at, ", ") + ")"
}
