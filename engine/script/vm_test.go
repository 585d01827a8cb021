package script

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	lua "github.com/yuin/gopher-lua"
)

func newVM(t testing.TB, cfg Config) *VM {
	t.Helper()
	vm := New(cfg)
	t.Cleanup(vm.Close)
	return vm
}

// eval runs src, which must return one value, and returns it.
func eval(t *testing.T, vm *VM, src string) lua.LValue {
	t.Helper()
	proto, err := compile([]byte(src), "eval.lua")
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	v, err := vm.Call(vm.L.NewFunctionFromProto(proto))
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	return v
}

// asError returns err as an *Error or fails.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}

func TestCall(t *testing.T) {
	vm := newVM(t, Config{})
	if err := vm.RunString(`function add(a, b) return a + b, a - b, a * b end`, "t.lua"); err != nil {
		t.Fatal(err)
	}
	add := vm.L.GetGlobal("add")
	top := vm.L.GetTop()

	v, err := vm.Call(add, lua.LNumber(5), lua.LNumber(3))
	if err != nil || v != lua.LNumber(8) {
		t.Errorf("Call = %v, %v; want 8, nil", v, err)
	}
	for _, tt := range []struct {
		nret int
		want []lua.LValue
	}{
		{0, []lua.LValue{}},
		{2, []lua.LValue{lua.LNumber(8), lua.LNumber(2)}},
		{4, []lua.LValue{lua.LNumber(8), lua.LNumber(2), lua.LNumber(15), lua.LNil}},
		{lua.MultRet, []lua.LValue{lua.LNumber(8), lua.LNumber(2), lua.LNumber(15)}},
	} {
		got, err := vm.CallN(add, tt.nret, lua.LNumber(5), lua.LNumber(3))
		if err != nil || !equalValues(got, tt.want) {
			t.Errorf("CallN(nret %d) = %v, %v; want %v", tt.nret, got, err, tt.want)
		}
	}
	if _, err := vm.Call(lua.LNil); err == nil || !strings.Contains(err.Error(), "attempt to call a non-function object") {
		t.Errorf("Call(nil) error = %v", err)
	}
	if got := vm.L.GetTop(); got != top {
		t.Errorf("stack top = %d after calls, want %d", got, top)
	}
}

func equalValues(a, b []lua.LValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNestedCall(t *testing.T) {
	vm := newVM(t, Config{})
	vm.L.SetGlobal("callback", vm.L.NewFunction(func(L *lua.LState) int {
		v, err := vm.Call(L.CheckFunction(1), lua.LNumber(20))
		if err != nil {
			L.RaiseError("callback: %v", err)
		}
		L.Push(v)
		return 1
	}))
	if got := eval(t, vm, `return callback(function(x) return x + 1 end) + 1`); got != lua.LNumber(22) {
		t.Errorf("nested call = %v, want 22", got)
	}
	inCoroutine := `
		local co = coroutine.wrap(function()
			local v = callback(function(x) return x + 1 end)
			coroutine.yield(v)
			return callback(function(x) return x * 2 end)
		end)
		return co() + co()`
	if got := eval(t, vm, inCoroutine); got != lua.LNumber(61) {
		t.Errorf("nested calls in a coroutine = %v, want 61", got)
	}
	err := vm.RunString(`callback(function() error("inner") end)`, "outer.lua")
	if e := asError(t, err); e.File != "outer.lua" || !strings.Contains(e.Msg, "inner") {
		t.Errorf("nested error = %q", err)
	}
}

func TestErrors(t *testing.T) {
	vm := newVM(t, Config{})
	vm.L.SetGlobal("fail", vm.L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("no %s", "way")
		return 0
	}))
	vm.L.SetGlobal("needint", vm.L.NewFunction(func(L *lua.LState) int {
		L.CheckInt(1)
		return 0
	}))
	tests := []struct {
		name, src string
		file      string
		line      int
		msg       string
		traceback bool
	}{
		{"runtime", "local x\n\nx.y = 1", "t.lua", 3, "attempt to index a non-table object(nil) with key 'y'", true},
		{"error", "error('boom')", "t.lua", 1, "boom", true},
		{"error level 0", "error('boom', 0)", "", 0, "boom", true},
		{"error level 2", "local function f() error('boom', 2) end\nf()", "t.lua", 2, "boom", true},
		{"error level 3", "local function f() error('boom', 3) end\nlocal function g() f() end\n\ng()", "t.lua", 4, "boom", true},
		{"error with a table", "error({})", "", 0, "(error object is a table value)", true},
		{"RaiseError in Go", "\nfail()", "t.lua", 2, "no way", true},
		{"ArgError in Go", "\n\nneedint('x')", "t.lua", 3, "bad argument #1 to needint (number expected, got string)", true},
		{"stack overflow", "local function f() return 1 + f() end\nf()", "t.lua", 1, "stack overflow", true},
		{"syntax", "x = 1\nx = = 1", "t.lua", 2, "syntax error near '='", false},
		{"syntax at end", "x = 1\nif x then", "t.lua", 2, "syntax error near <eof>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := asError(t, vm.RunString(tt.src, "t.lua"))
			if e.File != tt.file || e.Line != tt.line || e.Msg != tt.msg || e.Timeout {
				t.Errorf("got %+v, want %s:%d: %s", e, tt.file, tt.line, tt.msg)
			}
			if got := e.Traceback != ""; got != tt.traceback {
				t.Errorf("traceback %q, want one: %v", e.Traceback, tt.traceback)
			}
		})
	}
}

func TestTraceback(t *testing.T) {
	vm := newVM(t, Config{})
	src := "local function g() error('x') end\nlocal function f() g() return 1 end\nf()"
	e := asError(t, vm.RunString(src, "t.lua"))
	want := "stack traceback:\n\t[G]: in function 'error'\n\tt.lua:1: in function 'g'\n\tt.lua:2: in function 'f'\n\tt.lua:3: in main chunk"
	if e.Traceback != want {
		t.Errorf("traceback:\n%s\nwant:\n%s", e.Traceback, want)
	}
	e = asError(t, vm.RunString("local function f(n) if n == 0 then error('x') end return 1 + f(n - 1) end\nf(100)", "t.lua"))
	if n := strings.Count(e.Traceback, "\n"); n > maxTraceback+1 || !strings.HasSuffix(e.Traceback, "...") {
		t.Errorf("deep traceback has %d lines:\n%s", n, e.Traceback)
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		err  Error
		want string
	}{
		{Error{File: "world/town/rooms.lua", Line: 12, Msg: "attempt to call a nil value"}, "world/town/rooms.lua:12: attempt to call a nil value"},
		{Error{Msg: "boom"}, "boom"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestParseMessage(t *testing.T) {
	for _, tt := range []struct {
		in, file string
		line     int
		msg      string
	}{
		{"a.lua:3: boom", "a.lua", 3, "boom"},
		{"world/x.lua:12: a:1: b", "world/x.lua", 12, "a:1: b"},
		{" no position", "", 0, "no position"},
		{"note: x:1: y", "", 0, "note: x:1: y"},
		{"a.lua:x: y", "", 0, "a.lua:x: y"},
		{"a.lua:-3: y", "", 0, "a.lua:-3: y"},
		{"two\nlines:3: y", "", 0, "two\nlines:3: y"},
	} {
		e := parseMessage(tt.in)
		if e.File != tt.file || e.Line != tt.line || e.Msg != tt.msg {
			t.Errorf("parseMessage(%q) = %q %d %q", tt.in, e.File, e.Line, e.Msg)
		}
	}
}

func TestRunFile(t *testing.T) {
	game := fstest.MapFS{
		"world/town/rooms.lua": {Data: []byte("rooms = 1\nlocal x = nil\nx()\n")},
		"world/town/bad.lua":   {Data: []byte("loaded = true\nlocal = 1\n")},
		"world/town/ok.lua":    {Data: []byte("ok = 42\n")},
	}
	vm := newVM(t, Config{Game: game})

	if err := vm.RunFile("world/town/ok.lua"); err != nil || vm.L.GetGlobal("ok") != lua.LNumber(42) {
		t.Errorf("RunFile(ok.lua) = %v, ok = %v", err, vm.L.GetGlobal("ok"))
	}
	err := vm.RunFile("world/town/rooms.lua")
	if e := asError(t, err); e.File != "world/town/rooms.lua" || e.Line != 3 {
		t.Errorf("runtime error = %q, want world/town/rooms.lua:3", err)
	}
	err = vm.RunFile("world/town/bad.lua")
	if e := asError(t, err); e.File != "world/town/bad.lua" || e.Line != 2 {
		t.Errorf("syntax error = %q, want world/town/bad.lua:2", err)
	}
	if v := vm.L.GetGlobal("loaded"); v != lua.LNil {
		t.Errorf("a file with a syntax error ran: loaded = %v", v)
	}
	if _, err := vm.Compile("world/town/bad.lua"); err == nil {
		t.Error("Compile(bad.lua) succeeded")
	}
	if proto, err := vm.Compile("world/town/ok.lua"); err != nil || proto == nil {
		t.Errorf("Compile(ok.lua) = %v, %v", proto, err)
	}
	if err := vm.RunFile("world/none.lua"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RunFile(missing) = %v, want fs.ErrNotExist", err)
	}
	if err := newVM(t, Config{}).RunFile("x.lua"); err == nil {
		t.Error("RunFile without a game directory succeeded")
	}
}

func TestPrint(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	vm := newVM(t, Config{Log: log})
	if err := vm.RunString("\nprint('hello', 1, nil, true)", "world/x.lua"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"level=DEBUG", "at=world/x.lua:2", `text="hello\t1\tnil\ttrue"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
}

func TestEval(t *testing.T) {
	vm := newVM(t, Config{})
	rets, err := vm.Eval("local a, b = ... return a + b, 'x'", "eval", lua.LNumber(2), lua.LNumber(3))
	if err != nil || len(rets) != 2 || rets[0] != lua.LNumber(5) || rets[1] != lua.LString("x") {
		t.Fatalf("Eval = %v, %v; want [5 x]", rets, err)
	}
	var e *Error
	if _, err := vm.Eval("return (", "eval"); !errors.As(err, &e) || !e.Syntax || e.File != "eval" {
		t.Fatalf("syntax error = %#v, want an *Error with Syntax set", err)
	}
	if _, err := vm.Eval("error('no')", "eval"); !errors.As(err, &e) || e.Syntax || e.Msg != "no" {
		t.Fatalf("runtime error = %#v, want an *Error without Syntax", err)
	}
}
