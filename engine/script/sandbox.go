package script

import (
	"context"
	"log/slog"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// removedGlobals are base functions that reach the file system or the
// compiler, change environments, drive the Go collector, or print to stdout.
var removedGlobals = []string{
	"dofile", "loadfile", "load", "loadstring", "module",
	"getfenv", "setfenv", "collectgarbage", "newproxy", "_printregs",
}

func (vm *VM) openLibs() {
	L := vm.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range removedGlobals {
		L.SetGlobal(name, lua.LNil)
	}
	L.SetGlobal("print", L.NewFunction(vm.print))
	L.SetGlobal("error", L.NewFunction(luaError))
	L.SetGlobal("require", L.NewFunction(vm.require))
	L.SetGlobal("pcall", L.NewFunction(vm.guard(vm.luaPcall)))
	L.SetGlobal("xpcall", L.NewFunction(vm.guard(goFunc(L.GetGlobal("xpcall")))))
	L.SetGlobal("unpack", L.NewFunction(vm.unpack))
	L.SetGlobal("os", vm.osTable())

	co := L.GetGlobal(lua.CoroutineLibName).(*lua.LTable)
	co.RawSetString("create", L.NewFunction(vm.coCreate(goFunc(co.RawGetString("create")))))
	co.RawSetString("wrap", L.NewFunction(vm.coWrap(goFunc(co.RawGetString("wrap")))))
	co.RawSetString("resume", L.NewFunction(vm.nested(goFunc(co.RawGetString("resume")))))

	tab := L.GetGlobal(lua.TabLibName).(*lua.LTable)
	tab.RawSetString("concat", L.NewFunction(vm.tableConcat))
	tab.RawSetString("sort", L.NewFunction(vm.tableSort))

	// This table is also the __index of strings, so s:rep(n) is covered.
	str := L.GetGlobal(lua.StringLibName).(*lua.LTable)
	str.RawSetString("rep", L.NewFunction(vm.strRep))
	str.RawSetString("byte", L.NewFunction(vm.strByte(goFunc(str.RawGetString("byte")))))
	str.RawSetString("format", L.NewFunction(vm.strFormat))
	str.RawSetString("find", L.NewFunction(vm.strFind))
	str.RawSetString("match", L.NewFunction(vm.strMatch))
	str.RawSetString("gsub", L.NewFunction(vm.strGsub))
	gmatch := L.NewFunction(vm.strGmatch)
	str.RawSetString("gmatch", gmatch)
	str.RawSetString("gfind", gmatch)
}

// goFunc returns the Go implementation of a library function.
func goFunc(v lua.LValue) lua.LGFunction {
	return v.(*lua.LFunction).GFunction
}

// osTable returns an os table with only time and clock.
func (vm *VM) osTable() *lua.LTable {
	L := vm.L
	L.Push(L.NewFunction(lua.OpenOs))
	L.Call(0, 1)
	full := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	os := L.NewTable()
	os.RawSetString("time", full.RawGetString("time"))
	os.RawSetString("clock", full.RawGetString("clock"))
	return os
}

// print writes its arguments to the log at debug level, with the position of
// the caller.
func (vm *VM) print(L *lua.LState) int {
	if !vm.log.Enabled(context.Background(), slog.LevelDebug) {
		return 0
	}
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	vm.log.Debug("lua print", "at", strings.TrimSuffix(L.Where(1), ":"), "text", b.String())
	return 0
}

// luaError is Lua's error. gopher-lua's counts levels above 1 from the
// function that called error, so error(msg, 2) would blame that function
// instead of its caller.
func luaError(L *lua.LState) int {
	obj := L.CheckAny(1)
	level := L.OptInt(2, 1)
	if level > 1 {
		level++
	}
	L.Error(obj, level)
	return 0
}

// checkBudget raises the budget error if the current call has run out of
// time. Go functions that loop call it so that the budget still applies.
func (vm *VM) checkBudget(L *lua.LState) {
	if vm.budget.expired() {
		L.RaiseError("%s", vm.budget.err)
	}
}

// Protected calls go through an entry function that installs the VM's own
// panic function. gopher-lua's PCall otherwise builds a traceback listing
// every tail call, which after a long tail-recursive loop takes longer than
// the loop did. VM calls keep a short traceback; Lua's pcall, which discards
// it, keeps none.

// enter calls its first argument with the others, raising errors with
// raiseTraced.
func (vm *VM) enter(L *lua.LState) int {
	L.Panic = vm.raiseTraced
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

// enterQuiet is enter for Lua's pcall.
func enterQuiet(L *lua.LState) int {
	L.Panic = raiseQuiet
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

func (vm *VM) raise(L *lua.LState) {
	panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: vm.traceback(L)})
}

func raiseQuiet(L *lua.LState) {
	panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: "(none)"})
}

// luaPcall is Lua's pcall.
func (vm *VM) luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	L.Insert(vm.enterQuietFn, 1)
	if err := L.PCall(L.GetTop()-1, lua.MultRet, nil); err != nil {
		L.Push(lua.LFalse)
		L.Push(errorValue(err))
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// errorValue returns the Lua value of an error of PCall.
func errorValue(err error) lua.LValue {
	if e, ok := err.(*lua.ApiError); ok {
		return e.Object
	}
	return lua.LString(err.Error())
}

// guard wraps pcall or xpcall so that they cannot catch the budget error:
// gopher-lua raises it as an ordinary error, which a pcall inside the
// runaway code would otherwise return as false, msg.
func (vm *VM) guard(protected lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := protected(L)
		vm.checkBudget(L)
		return n
	}
}

// Coroutines. gopher-lua gives a new thread a child context of its parent's,
// made by context.WithCancel: it is never cancelled (with a context other
// than the standard ones that leaks a goroutine per coroutine) and keeps
// following the Done channel of the call that created it. Instead a new
// thread is made while its parent has no context and then gets the VM's
// budget itself, so that it follows whichever call resumes it.

// newThread runs coroutine.create or coroutine.wrap, which leave their
// result on the stack, and returns the new thread.
func (vm *VM) newThread(L *lua.LState, create lua.LGFunction, thread func(lua.LValue) *lua.LState) *lua.LState {
	L.CheckFunction(1)
	vm.charge(L, threadCost, "coroutine")
	if ctx := L.RemoveContext(); ctx != nil {
		defer L.SetContext(ctx)
	}
	create(L)
	th := thread(L.Get(-1))
	th.SetContext(vm.budget)
	return th
}

func (vm *VM) coCreate(create lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		vm.newThread(L, create, func(v lua.LValue) *lua.LState { return v.(*lua.LState) })
		return 1
	}
}

// coWrap wraps coroutine.wrap, whose result is a Go closure over the thread,
// and gives the closure the same nesting bound as coroutine.resume.
func (vm *VM) coWrap(wrap lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		var resume lua.LGFunction
		th := vm.newThread(L, wrap, func(v lua.LValue) *lua.LState {
			f := v.(*lua.LFunction)
			resume = f.GFunction
			return f.Upvalues[0].Value().(*lua.LState)
		})
		L.Pop(1)
		L.Push(L.NewClosure(vm.nested(resume), th))
		return 1
	}
}

// nested bounds how deeply coroutines resume one another: each level nests
// Go calls, and unwinding an error through them costs time in the square of
// the depth.
func (vm *VM) nested(resume lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if vm.resumes >= maxResumeDepth {
			L.RaiseError("coroutine: more than %d nested resumes", maxResumeDepth)
		}
		vm.resumes++
		defer func() { vm.resumes-- }()
		return resume(L)
	}
}
