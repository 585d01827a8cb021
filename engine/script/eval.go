package script

import lua "github.com/yuin/gopher-lua"

// EvalLine runs a line of Lua typed by an operator under the time budget and returns its
// results. The line is tried first as an expression ("1+1", "mud.room('town:square')"),
// then as statements ("x = 1").
func (vm *VM) EvalLine(src, chunkName string) ([]lua.LValue, error) {
	proto, err := compile([]byte("return "+src), chunkName)
	if err != nil {
		if proto, err = compile([]byte(src), chunkName); err != nil {
			return nil, err
		}
	}
	return vm.CallN(vm.L.NewFunctionFromProto(proto), lua.MultRet)
}
