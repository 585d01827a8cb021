package script

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// require loads scripts/<name>.lua from the game directory, with the dots of
// name as folder separators, runs it once and returns what it returned (true
// if nothing), as Lua's require does.
func (vm *VM) require(L *lua.LState) int {
	name := L.CheckString(1)
	path, err := modulePath(name)
	if err != nil {
		L.ArgError(1, err.Error())
	}
	if v, ok := vm.loaded[path]; ok {
		L.Push(v)
		return 1
	}
	if i := slices.Index(vm.loading, path); i >= 0 {
		chain := append(slices.Clone(vm.loading[i:]), path)
		L.RaiseError("require %q: cyclic require: %s", name, strings.Join(chain, " -> "))
	}
	if vm.game == nil {
		L.RaiseError("require %q: no game directory", name)
	}
	src, err := fs.ReadFile(vm.game, path)
	if errors.Is(err, fs.ErrNotExist) {
		L.RaiseError("module %q not found: no file %s", name, path)
	} else if err != nil {
		L.RaiseError("require %q: %v", name, err)
	}
	proto, err := vm.cache.compile(src, path)
	if err != nil {
		// The module's position, not the caller's.
		L.Error(lua.LString(err.Error()), 0)
	}

	vm.loading = append(vm.loading, path)
	defer func() { vm.loading = vm.loading[:len(vm.loading)-1] }()
	L.Push(L.NewFunctionFromProto(proto))
	L.Push(lua.LString(name))
	L.Call(1, 1)
	v := L.Get(-1)
	L.Pop(1)
	if v == lua.LNil {
		v = lua.LTrue
	}
	vm.loaded[path] = v
	L.Push(v)
	return 1
}

// modulePath returns the file of a module: "a.b" is scripts/a/b.lua. A name
// is made of non-empty segments separated by dots, without slashes,
// backslashes or colons, so it cannot leave scripts/.
func modulePath(name string) (string, error) {
	segments := strings.Split(name, ".")
	if strings.ContainsAny(name, `/\:`) || slices.Contains(segments, "") {
		return "", fmt.Errorf("invalid module name %q", name)
	}
	return "scripts/" + strings.Join(segments, "/") + ".lua", nil
}
