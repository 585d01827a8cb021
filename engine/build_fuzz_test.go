package engine

import (
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// FuzzLuaString checks that every string written into a generated file reads back the same.
func FuzzLuaString(f *testing.F) {
	for _, seed := range []string{"", "plain", "a\nb", "\nstarts with a newline", "]]", "a]", "x]=]\n]]",
		"quote \" and \\ backslash", "\x00\x01\x1f7", "tab\tand\r\n", "é ü", "\xff\xfe", "and", "2abc"} {
		f.Add(seed)
	}
	L := lua.NewState()
	defer L.Close()
	f.Fuzz(func(t *testing.T, s string) {
		for _, src := range []string{"return " + luaString(s), "return ({" + luaName(s) + " = 1})[...]"} {
			fn, err := L.LoadString(src)
			if err != nil {
				t.Fatalf("%q: %s does not parse: %v", s, src, err)
			}
			L.Push(fn)
			L.Push(lua.LString(s))
			if err := L.PCall(1, 1, nil); err != nil {
				t.Fatalf("%q: %s: %v", s, src, err)
			}
			got := L.Get(-1)
			L.Pop(1)
			if src[7] == '(' {
				if got != lua.LNumber(1) {
					t.Fatalf("%q: table key %s reads back as another key", s, luaName(s))
				}
			} else if got != lua.LString(s) {
				t.Fatalf("%q: %s reads back as %q", s, src, got)
			}
		}
	})
}

// FuzzBuildCommand runs arbitrary building commands for a wizard in a game on disk: no input
// may panic the loop, and every zone's generated file must stay valid Lua.
func FuzzBuildCommand(f *testing.F) {
	for _, seed := range []string{"dig north Attic", "dig up The ]] Room", "dig sideways x", "redit",
		"redit name \"Quoted\" \\ name", "redit desc One line.", "redit exit add west z:b", "redit exit add west b",
		"redit exit remove north", "redit door add north gate locked key gem", "redit door add north",
		"redit door remove north", "redit reset add cat 3", "redit reset add gem", "redit reset list",
		"redit reset remove 1", "zones", "zones assign z fuzz", "redit desc", "n", "s"} {
		f.Add(seed)
	}
	dir := f.TempDir()
	if err := os.CopyFS(dir, fuzzGame); err != nil {
		f.Fatal(err)
	}
	e := fuzzEngine(f, Config{Game: os.DirFS(dir), GameDir: dir})
	fp := &fuzzPlayer{e: e, role: RoleWizard}
	f.Fuzz(func(t *testing.T, line string) {
		fp.run(t, line)
		for _, z := range sortedZones(e.world) {
			src := e.olc.defs.render(e.world, z, "world/"+z.Key+"/built.lua")
			if _, err := parse.Parse(strings.NewReader(src), "built.lua"); err != nil {
				t.Fatalf("after %q the generated file of %s does not parse: %v\n%s", line, z.Key, err, src)
			}
		}
	})
}
