package script

import (
	"context"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// benchFunc returns a trivial Lua function.
func benchFunc(b *testing.B, vm *VM) lua.LValue {
	if err := vm.RunString(`function hook(x) return x end`, "bench.lua"); err != nil {
		b.Fatal(err)
	}
	return vm.L.GetGlobal("hook")
}

// BenchmarkCall is a Go→Lua call through VM.Call, re-arming the VM's one
// budget context.
func BenchmarkCall(b *testing.B) {
	vm := newVM(b, Config{})
	fn := benchFunc(b, vm)
	arg := lua.LNumber(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.Call(fn, arg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallWithContextPerCall is the same call with a new
// context.WithTimeout per call, for comparison.
func BenchmarkCallWithContextPerCall(b *testing.B) {
	vm := newVM(b, Config{})
	fn := benchFunc(b, vm)
	arg := lua.LNumber(1)
	L := vm.L
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), DefaultBudget)
		L.SetContext(ctx)
		L.Push(fn)
		L.Push(arg)
		if err := L.PCall(1, 1, nil); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
		cancel()
	}
}

// BenchmarkPCallNoBudget is a bare PCall without any context, the floor.
func BenchmarkPCallNoBudget(b *testing.B) {
	vm := newVM(b, Config{})
	fn := benchFunc(b, vm)
	arg := lua.LNumber(1)
	L := vm.L
	L.RemoveContext()
	b.ReportAllocs()
	for b.Loop() {
		L.Push(fn)
		L.Push(arg)
		if err := L.PCall(1, 1, nil); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
	}
}

// BenchmarkLoop measures a Lua loop polling the budget on every instruction.
func BenchmarkLoop(b *testing.B) {
	vm := newVM(b, Config{Budget: time.Second})
	if err := vm.RunString(`function loop() local n = 0 for i = 1, 1000 do n = n + i end return n end`, "bench.lua"); err != nil {
		b.Fatal(err)
	}
	fn := vm.L.GetGlobal("loop")
	for b.Loop() {
		if _, err := vm.Call(fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGsub is string.gsub over a room description.
func BenchmarkGsub(b *testing.B) {
	vm := newVM(b, Config{})
	if err := vm.RunString(`
		desc = string.rep("Cobbles worn smooth by generations of feet surround a dry fountain. ", 20)
		function wrap() return (desc:gsub("%s+", " ")) end`, "bench.lua"); err != nil {
		b.Fatal(err)
	}
	fn := vm.L.GetGlobal("wrap")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.Call(fn); err != nil {
			b.Fatal(err)
		}
	}
}
