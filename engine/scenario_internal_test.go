package engine

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	lua "github.com/yuin/gopher-lua"

	"github.com/mudd/mudd/engine/script"
)

// TestScenarioGuardReportsLine: a Go panic inside a scenario's call into the engine fails the
// scenario at the line that made the call; Lua errors keep their own message.
func TestScenarioGuardReportsLine(t *testing.T) {
	vm := script.New(script.Config{Game: fstest.MapFS{}})
	defer vm.Close()
	vm.L.SetGlobal("crash", vm.L.NewFunction(guard(func(L *lua.LState) int {
		panic(errors.New("the world is upside down"))
	})))
	vm.L.SetGlobal("fail", vm.L.NewFunction(guard(func(L *lua.LState) int {
		L.ArgError(1, "number expected")
		return 0
	})))
	err := vm.RunString("local x = 1\ncrash()", "tests/t.lua")
	if err == nil || !strings.Contains(err.Error(), "tests/t.lua:2: the engine failed") ||
		!strings.Contains(err.Error(), "the world is upside down") {
		t.Errorf("panic: %v", err)
	}
	err = vm.RunString("fail()", "tests/t.lua")
	if err == nil || !strings.Contains(err.Error(), "bad argument #1") || strings.Contains(err.Error(), "engine failed") {
		t.Errorf("Lua error: %v", err)
	}
}
