package script

import (
	"testing"
	"testing/fstest"

	lua "github.com/yuin/gopher-lua"
)

func TestCacheSharesUnchangedChunks(t *testing.T) {
	var cache Cache
	game := fstest.MapFS{"a.lua": {Data: []byte("N = (N or 0) + 1")}}
	run := func() (*VM, *lua.FunctionProto) {
		vm := New(Config{Game: game, Cache: &cache})
		if err := vm.RunFile("a.lua"); err != nil {
			t.Fatal(err)
		}
		if vm.L.GetGlobal("N") != lua.LNumber(1) {
			t.Fatalf("N = %v in a new VM", vm.L.GetGlobal("N"))
		}
		return vm, cache.chunks["a.lua"].proto
	}
	vm1, p1 := run()
	defer vm1.Close()
	vm2, p2 := run()
	defer vm2.Close()
	if p1 != p2 {
		t.Error("an unchanged file was compiled again")
	}
	game["a.lua"] = &fstest.MapFile{Data: []byte("N = 1")}
	vm3, p3 := run()
	defer vm3.Close()
	if p3 == p1 {
		t.Error("a changed file was not compiled again")
	}
	game["a.lua"] = &fstest.MapFile{Data: []byte("N = ")}
	vm4 := New(Config{Game: game, Cache: &cache})
	defer vm4.Close()
	if err := vm4.RunFile("a.lua"); err == nil {
		t.Error("a syntax error was hidden by the cache")
	}
}
