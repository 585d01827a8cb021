package script

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	vm := newVM(t, Config{Limits: Limits{MaxString: 1024, MaxUnpack: 100, MaxAlloc: 64 << 10}})
	tests := []struct {
		name, src string
		err       string // "" if the code must run
	}{
		{"string.rep at the limit", `assert(#string.rep("ab", 512) == 1024)`, ""},
		{"string.rep over the limit", `string.rep("ab", 513)`, "string.rep: result longer than 1 KiB"},
		{"string.rep as a method", `("ab"):rep(513)`, "string.rep: result longer than 1 KiB"},
		{"string.rep huge count", `string.rep("x", 2^53)`, "string.rep: result longer than"},
		{"string.rep of nothing", `assert(string.rep("x", -1) == "" and string.rep("", 1e9) == "")`, ""},
		{"string.format", `assert(string.format("%5.2f|%-3d|%s|%q|%%|%x", 1.5, 2, "x", "y", 255) == ' 1.50|2  |x|"y"|%|ff')`, ""},
		{"string.format wide", `string.format("%100d", 1)`, "width or precision too long"},
		{"string.format precise", `string.format("%.100f", 1)`, "width or precision too long"},
		{"string.format star width", `string.format("%*d", 5, 1)`, "invalid conversion"},
		{"string.format argument index", `string.format("%[1]d", 1)`, "invalid conversion"},
		{"string.format Go verb", `string.format("%v", 1)`, "invalid conversion"},
		{"string.format trailing percent", `string.format("50%")`, "invalid conversion"},
		{"string.format flags", `string.format("%-+ #0-d", 1)`, "repeated flags"},
		{"string.format %u and %i", `assert(string.format("%u %i %5.1s", 3, 4, "xyz") == "3 4     x")`, ""},
		{"string.format missing argument", `string.format("%d %d", 1)`, "bad argument #3 to format (no value)"},
		{"string.format long result", `string.format("%s%s", string.rep("x", 600), string.rep("y", 600))`, "string.format: result longer than 1 KiB"},
		{"table.concat", `assert(table.concat({1, 2, "a"}, ", ") == "1, 2, a" and table.concat({1, 2, 3}, "", 2, 3) == "23")`, ""},
		{"table.concat of nothing", `assert(table.concat({}) == "" and table.concat({1}, ",", 3) == "")`, ""},
		{"table.concat long result", `table.concat({string.rep("x", 600), string.rep("y", 600)})`, "table.concat: result longer than 1 KiB"},
		{"table.concat long separator", `table.concat({1, 2, 3}, string.rep("x", 600))`, "table.concat: result longer than 1 KiB"},
		{"table.concat bad value", `table.concat({1, {}, 3})`, "invalid value (a table) at index 2"},
		{"table.concat far range", `table.concat({}, "", 1, 2^40)`, "invalid value (a nil) at index 1"},
		{"unpack", `local a, b, c = unpack({1, 2, 3}) assert(a + b + c == 6)`, ""},
		{"unpack at the limit", `local t = {} for i = 1, 100 do t[i] = i end assert(select("#", unpack(t)) == 100)`, ""},
		{"unpack over the limit", `local t = {} for i = 1, 101 do t[i] = i end unpack(t)`, "unpack: too many results (limit 100)"},
		{"unpack huge range", `unpack({}, 1, 1e9)`, "too many results"},
		{"unpack extreme range", `unpack({}, -2^62, 2^62)`, "too many results"},
		{"string.byte", `assert(select("#", string.byte("abc", 1, -1)) == 3 and string.byte("abc", -1) == 99)`, ""},
		{"string.byte over the limit", `local s = string.rep("x", 101) s:byte(1, -1)`, "string.byte: too many results (limit 100)"},
		{"string.gsub long result", `string.gsub(string.rep("x", 600), "x", "yy")`, "string.gsub: result longer than 1 KiB"},
		{"string.gsub long replacement", `string.gsub("x", "x", string.rep("y", 1000) .. string.rep("y", 25))`, "string.gsub: result longer than 1 KiB"},
		{"allocation per call", `for i = 1, 100 do local s = string.rep("x", 1000) end`, "string.rep: call allocated more than 64 KiB"},
		{"allocation resets per call", `for i = 1, 40 do local s = string.rep("x", 1000) end`, ""},
		{"allocation resets per call again", `for i = 1, 40 do local s = string.rep("x", 1000) end`, ""},
		{"coroutines count", `for i = 1, 10 do coroutine.create(function() end) end`, "coroutine: call allocated more than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := vm.RunString(tt.src, "t.lua")
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error = %v, want one containing %q", err, tt.err)
			case tt.err != "":
				if e := asError(t, err); e.File != "t.lua" || e.Timeout {
					t.Errorf("error %+v does not point at t.lua or is a timeout", e)
				}
			}
		})
	}
}

// Memory bombs end with an error, within about the budget, having allocated
// a bounded amount. Builders stop at Limits.MaxAlloc or, on a slow machine,
// at the budget; the others only at the budget.
func TestMemoryBombs(t *testing.T) {
	const limit, budget = "call allocated more than 4 MiB", "time budget"
	tests := []struct {
		name, src string
		errs      []string // the error contains one of these
	}{
		{"string.rep into a table", `local t = {} while true do t[#t+1] = string.rep("x", 1000000) end`, []string{limit, budget}},
		{"coroutines into a table", `local t = {} while true do t[#t+1] = coroutine.create(print) end`, []string{limit, budget}},
		{"string.format into a table", `local s, t = string.rep("x", 100000), {} while true do t[#t+1] = s:format() end`, []string{limit, budget}},
		{"doubling a string", `local s = "x" while true do s = s .. s end`, []string{budget}},
		{"filling a table", `local t = {} local i = 0 while true do i = i + 1 t[i] = i end`, []string{budget}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := newVM(t, Config{Budget: testBudget, Limits: Limits{MaxAlloc: 4 << 20}})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := vm.RunString(tt.src, "bomb.lua")
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			allocated := (after.TotalAlloc - before.TotalAlloc) >> 20
			t.Logf("%v, %d MiB allocated: %v", elapsed.Round(time.Millisecond), allocated, err)
			if err == nil || !slices.ContainsFunc(tt.errs, func(s string) bool { return strings.Contains(err.Error(), s) }) {
				t.Errorf("error = %v, want one containing one of %q", err, tt.errs)
			}
			if elapsed > abortBound {
				t.Errorf("ended after %v, want under %v", elapsed, abortBound)
			}
			if allocated > 512 {
				t.Errorf("allocated %d MiB", allocated)
			}
		})
	}
}

// A store to a large integer key goes to the hash part instead of growing
// the array part element by element.
func TestLargeArrayIndex(t *testing.T) {
	vm := newVM(t, Config{Budget: testBudget})
	start := time.Now()
	err := vm.RunString(`
		local t = {}
		t[60000000] = true
		t[1048576] = true
		assert(t[60000000] and t[1048576] and #t == 0)`,
		"big.lua")
	if err != nil || time.Since(start) > abortBound {
		t.Errorf("large keys: %v after %v", err, time.Since(start))
	}
}
