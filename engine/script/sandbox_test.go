package script

import (
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func TestSandboxRemovesGlobals(t *testing.T) {
	vm := newVM(t, Config{})
	for _, name := range []string{
		"dofile", "loadfile", "load", "loadstring", "module", "getfenv", "setfenv",
		"collectgarbage", "newproxy", "_printregs", "io", "debug", "package", "channel",
	} {
		if v := vm.L.GetGlobal(name); v != lua.LNil {
			t.Errorf("global %s = %v, want nil", name, v)
		}
	}
}

func TestSandboxLibraries(t *testing.T) {
	tests := []struct{ name, src string }{
		{"os has only time and clock", `
			local n = 0
			for k in pairs(os) do n = n + 1; assert(k == "time" or k == "clock", k) end
			assert(n == 2)`},
		{"os.time", `assert(os.time() > 1.6e9)`},
		{"os.time of a date", `assert(os.time({year = 2020, month = 1, day = 1, hour = 12}) > 1.5e9)`},
		{"os.clock", `assert(type(os.clock()) == "number")`},
		{"base", `assert(tostring(12) == "12" and select("#", 1, 2) == 2 and type(pairs) == "function")`},
		{"table", `local t = {3, 1, 2}; table.sort(t); table.insert(t, 4); assert(table.concat(t, ",") == "1,2,3,4")`},
		{"table.sort with comparator", `local t = {1, 3, 2}; table.sort(t, function(a, b) return a > b end); assert(table.concat(t) == "321")`},
		{"table.sort errors", `assert(not pcall(table.sort, {1, "x", 2}))`},
		{"string", `assert(("abc"):upper() == "ABC" and string.byte("A") == 65 and #string.char(1, 2) == 2)`},
		{"string.dump fails", `assert(not pcall(string.dump, print))`},
		{"string methods use the wrapped builtins", `assert(not pcall(function() return ("x"):rep(2^30) end))`},
		{"math", `assert(math.floor(2.5) == 2 and math.random(3) <= 3)`},
		{"coroutine", `
			local co = coroutine.create(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
			local _, x = coroutine.resume(co, 1); local _, y = coroutine.resume(co, 5)
			assert(x == 2 and y == 10 and coroutine.status(co) == "dead")`},
		{"coroutine.wrap", `
			local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
			assert(gen() + gen() + gen() == 6)`},
		{"coroutine.wrap raises errors", `
			local f = coroutine.wrap(function() error("x") end)
			assert(not pcall(f))`},
		{"coroutine.create needs a function", `assert(not pcall(coroutine.create, 1))`},
		{"coroutine nesting is bounded", `
			local function f() coroutine.wrap(f)() end
			local ok, e = pcall(f)
			assert(not ok and e:find("more than 200 nested resumes"), e)`},
		{"pcall", `local ok, e = pcall(error, "x", 0); assert(not ok and e == "x")`},
		{"xpcall", `local ok, e = xpcall(function() error("x", 0) end, function(m) return m .. "!" end); assert(e == "x!")`},
		{"unpack", `local a, b, c = unpack({1, 2, 3}); assert(a + b + c == 6 and select("#", unpack({}, 1, 2)) == 2)`},
		{"print", `print("x")`},
	}
	// These are about what the sandbox offers, not the budget: a generous one keeps a loaded
	// machine (200 nested coroutines under the race detector) from turning them into timeouts.
	vm := newVM(t, Config{Budget: 10 * time.Second})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := vm.RunString(tt.src, "t.lua"); err != nil {
				t.Error(err)
			}
		})
	}
}
