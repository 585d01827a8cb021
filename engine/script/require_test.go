package script

import (
	"strings"
	"testing"
	"testing/fstest"

	lua "github.com/yuin/gopher-lua"
)

func requireGame() fstest.MapFS {
	return fstest.MapFS{
		"scripts/util.lua":      {Data: []byte("loads = (loads or 0) + 1\nreturn { twice = function(x) return 2 * x end }\n")},
		"scripts/util/text.lua": {Data: []byte("return { name = ... }\n")},
		"scripts/noreturn.lua":  {Data: []byte("noreturn_ran = true\n")},
		"scripts/broken.lua":    {Data: []byte("local t = {}\nreturn t.x.y\n")},
		"scripts/syntax.lua":    {Data: []byte("local x = 1\n\nreturn = x\n")},
		"scripts/cycle/a.lua":   {Data: []byte("return require('cycle.b')\n")},
		"scripts/cycle/b.lua":   {Data: []byte("return require('cycle.a')\n")},
		"scripts/retry.lua":     {Data: []byte("if not allow then error('not yet') end\nreturn 'ok'\n")},
		"world/town/rooms.lua":  {Data: []byte("return require('util').twice(21)\n")},
		"secret.lua":            {Data: []byte("return 'secret'\n")},
	}
}

func TestRequire(t *testing.T) {
	vm := newVM(t, Config{Game: requireGame()})
	tests := []struct{ name, src, want string }{
		{"module", `return require("util").twice(4)`, "8"},
		{"cached", `require("util"); require("util"); return loads`, "1"},
		{"same value", `return require("util") == require("util")`, "true"},
		{"dots are folders", `return require("util.text").name`, "util.text"},
		{"nil result becomes true", `return require("noreturn") == true and noreturn_ran`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eval(t, vm, tt.src); got.String() != tt.want {
				t.Errorf("%s = %v, want %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestRequireErrors(t *testing.T) {
	vm := newVM(t, Config{Game: requireGame()})
	tests := []struct {
		name, module string
		file         string // where the error must point
		line         int
		msg          string
	}{
		{"missing", "nothere", "t.lua", 1, `module "nothere" not found: no file scripts/nothere.lua`},
		{"runtime error", "broken", "scripts/broken.lua", 2, "attempt to index"},
		{"syntax error", "syntax", "scripts/syntax.lua", 3, "syntax error"},
		{"cycle", "cycle.a", "scripts/cycle/b.lua", 1, "cyclic require: scripts/cycle/a.lua -> scripts/cycle/b.lua -> scripts/cycle/a.lua"},
		{"empty", "", "t.lua", 1, "invalid module name"},
		{"parent", "..", "t.lua", 1, "invalid module name"},
		{"parent path", "../secret", "t.lua", 1, "invalid module name"},
		{"dot segments", "util..text", "t.lua", 1, "invalid module name"},
		{"leading dot", ".util", "t.lua", 1, "invalid module name"},
		{"trailing dot", "util.", "t.lua", 1, "invalid module name"},
		{"absolute", "/etc/passwd", "t.lua", 1, "invalid module name"},
		{"slash", "util/text", "t.lua", 1, "invalid module name"},
		{"backslash", `util\text`, "t.lua", 1, "invalid module name"},
		{"drive", "c:util", "t.lua", 1, "invalid module name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm.L.SetGlobal("name", lua.LString(tt.module))
			e := asError(t, vm.RunString("require(name)", "t.lua"))
			if e.File != tt.file || e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("require(%q) error = %q, want %s:%d: ...%s...", tt.module, e, tt.file, tt.line, tt.msg)
			}
		})
	}
}

func TestRequireRetriesAfterError(t *testing.T) {
	vm := newVM(t, Config{Game: requireGame()})
	if err := vm.RunString(`require("retry")`, "t.lua"); err == nil {
		t.Fatal("require(retry) succeeded")
	}
	if got := eval(t, vm, `allow = true; return require("retry")`); got != lua.LString("ok") {
		t.Errorf("second require = %v, want ok", got)
	}
}

func TestRequireFromWorldFile(t *testing.T) {
	vm := newVM(t, Config{Game: requireGame()})
	if err := vm.RunFile("world/town/rooms.lua"); err != nil {
		t.Fatal(err)
	}
	if err := newVM(t, Config{}).RunString(`require("util")`, "t.lua"); err == nil ||
		!strings.Contains(err.Error(), "no game directory") {
		t.Errorf("require without a game directory: %v", err)
	}
}
