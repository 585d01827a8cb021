package script

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

const testBudget = 20 * time.Millisecond

// abortBound is how long an aborted call may take: a correctness bound (the
// call ends rather than running on), not a performance target, so it leaves
// room for a loaded machine that deschedules the test.
const abortBound = 100 * testBudget

// checkTimeout checks that err is a budget abort that came within abortBound
// and that the VM still runs code afterwards.
func checkTimeout(t *testing.T, vm *VM, err error, elapsed time.Duration) {
	t.Helper()
	e := asError(t, err)
	if !e.Timeout {
		t.Errorf("error %q is not a timeout", err)
	}
	if len(e.Traceback) > 2048 {
		t.Errorf("traceback of %d bytes", len(e.Traceback))
	}
	if !errors.Is(vm.budget.err, context.DeadlineExceeded) {
		t.Error("budget error does not match context.DeadlineExceeded")
	}
	if elapsed > abortBound {
		t.Errorf("aborted after %v, want under %v", elapsed, abortBound)
	}
	if got := eval(t, vm, `return 1 + 1`); got != lua.LNumber(2) {
		t.Errorf("next call = %v, want 2", got)
	}
}

func TestBudgetAborts(t *testing.T) {
	tests := []struct{ name, src string }{
		{"loop", `while true do end`},
		{"tail recursion", `local function f() return f() end f()`},
		{"pcall loop", `while true do pcall(function() end) end`},
		{"pcall catches the abort and loops", `while true do pcall(function() while true do end end) end`},
		{"pcall catches the abort and returns", `local ok = pcall(function() while true do end end) return "caught"`},
		{"xpcall catches the abort", `xpcall(function() while true do end end, function(e) return e end) return "caught"`},
		{"xpcall handler loops", `xpcall(function() error("x") end, function() while true do end end) return "caught"`},
		{"coroutine loop", `
			local co = coroutine.wrap(function() while true do coroutine.yield() end end)
			while true do co() end`},
		{"loop inside a coroutine", `
			local co = coroutine.create(function() while true do end end)
			coroutine.resume(co) return "resumed"`},
		{"table.sort comparator", `
			local t = {} for i = 1, 100 do t[i] = i end
			table.sort(t, function(a, b) while true do end end)`},
		{"string.gsub callback", `string.gsub("abc", "%w", function() while true do end end)`},
		{"__index metamethod", `local t = setmetatable({}, {__index = function() while true do end end}) return t.x`},
		{"pattern backtracking", `return string.find(string.rep("a", 30000), ".-.-.-b")`},
		{"pattern in a pcall loop", `
			local s = string.rep("a", 30000)
			while true do pcall(string.find, s, ".-.-.-b") end`},
	}
	vm := newVM(t, Config{Budget: testBudget})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := vm.RunString(tt.src, "loop.lua")
			checkTimeout(t, vm, err, time.Since(start))
		})
	}
}

func TestBudgetSortWithoutComparator(t *testing.T) {
	vm := newVM(t, Config{Budget: testBudget})
	big := vm.L.CreateTable(1_000_000, 0)
	for i := range 1_000_000 {
		big.Append(lua.LString(strconv.Itoa(i * 7919 % 1_000_003)))
	}
	vm.L.SetGlobal("big", big)
	start := time.Now()
	err := vm.RunString(`table.sort(big)`, "sort.lua")
	checkTimeout(t, vm, err, time.Since(start))
}

// A Lua hook calling Go calling Lua again stays under the outer deadline:
// the nested call does not re-arm the budget. Each half spins for most of the
// budget, so the two together exceed it only if they share it. A machine that
// deschedules the test long enough for the outer half alone to time out never
// reaches the nested call; that attempt proves nothing and is made again.
func TestBudgetNestedCallsShareDeadline(t *testing.T) {
	const budget = 200 * time.Millisecond
	src := `
		local function spin(s) local t = os.clock() while os.clock() - t < s do end end
		spin(0.12)
		callback(function() spin(0.12) end)
		finished = true`
	for attempt := 1; ; attempt++ {
		vm := newVM(t, Config{Budget: budget})
		var inner error
		called := false
		vm.L.SetGlobal("callback", vm.L.NewFunction(func(L *lua.LState) int {
			called = true
			_, inner = vm.Call(L.CheckFunction(1))
			return 0
		}))
		start := time.Now()
		err := vm.RunString(src, "nested.lua")
		if !called && attempt < 5 {
			continue
		}
		checkTimeout(t, vm, err, time.Since(start))
		if e := asError(t, inner); !e.Timeout {
			t.Errorf("inner error %q is not a timeout", inner)
		}
		if v := vm.L.GetGlobal("finished"); v != lua.LNil {
			t.Error("the outer call finished: the nested call re-armed the budget")
		}
		return
	}
}

func TestBudgetPerCall(t *testing.T) {
	// Each call spins for a third of its budget, so a descheduled test still
	// finishes each one in time; the four together take longer than one budget.
	const budget = 300 * time.Millisecond
	vm := newVM(t, Config{Budget: budget})
	spin := `local t = os.clock() while os.clock() - t < 0.1 do end`
	for i := range 4 {
		if err := vm.RunString(spin, "spin.lua"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

// A coroutine created in one call follows the budget of the call that
// resumes it, even after another call has timed out.
func TestBudgetCoroutineAcrossCalls(t *testing.T) {
	vm := newVM(t, Config{Budget: testBudget})
	steps := []struct {
		src     string
		timeout bool
	}{
		{`gen = coroutine.wrap(function() while true do coroutine.yield(1) end end)
		  spinner = coroutine.create(function() while true do end end)`, false},
		{`while true do end`, true},
		{`assert(gen() == 1)`, false},
		{`coroutine.resume(spinner) return "resumed"`, true},
		{`assert(gen() == 1)`, false},
	}
	for i, s := range steps {
		start := time.Now()
		err := vm.RunString(s.src, "co.lua")
		if s.timeout {
			checkTimeout(t, vm, err, time.Since(start))
		} else if err != nil {
			t.Errorf("step %d: %v", i, err)
		}
	}
}

// Coroutines get the VM's budget itself, not a child context: no goroutine
// per coroutine.
func TestBudgetCoroutinesStartNoGoroutines(t *testing.T) {
	vm := newVM(t, Config{Budget: 5 * time.Second}) // counts goroutines, not time: a slow machine must not abort it
	before := runtime.NumGoroutine()
	err := vm.RunString(`
		keep = {}
		for i = 1, 500 do
			local co = coroutine.create(function() coroutine.yield() end)
			coroutine.resume(co)
			keep[i] = co
		end`, "co.lua")
	if err != nil {
		t.Fatal(err)
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after 500 coroutines", before, after)
	}
}

// TestNestedBudget: calls made through Nested inside a running call get a budget of their
// own, not what is left of the caller's, and the caller's clock resumes afterwards.
func TestNestedBudget(t *testing.T) {
	vm := newVM(t, Config{Budget: time.Minute})
	spin := `local t = os.clock() while os.clock() - t < 10 do end`
	var inner error
	vm.L.SetGlobal("game", vm.L.NewFunction(func(L *lua.LState) int {
		vm.Nested(testBudget, func() { inner = vm.RunString(spin, "game.lua") })
		return 0
	}))
	start := time.Now()
	if err := vm.RunString(`game() x = 1`, "test.lua"); err != nil {
		t.Fatalf("caller: %v", err)
	}
	checkTimeout(t, vm, inner, time.Since(start))
	if vm.Budget() != time.Minute {
		t.Errorf("budget after Nested = %v", vm.Budget())
	}
	// the caller's own budget still applies
	vm.SetBudget(testBudget)
	vm.L.SetGlobal("game", vm.L.NewFunction(func(L *lua.LState) int {
		vm.Nested(time.Minute, func() {})
		return 0
	}))
	start = time.Now()
	checkTimeout(t, vm, vm.RunString(`game() `+spin, "test.lua"), time.Since(start))
}
