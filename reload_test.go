package mudd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// editFile replaces old with new in a file of the game directory.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startDiskGame writes the default game to a temporary directory, as mudd init does, and
// serves it from there with a builder (Bea) and a player (Alice) online.
func startDiskGame(t *testing.T) (dir string, s *mudtest.Server, builder, player *mudtest.Client) {
	t.Helper()
	dir = t.TempDir()
	if _, err := mudd.WriteDefaultGame(dir); err != nil {
		t.Fatal(err)
	}
	s = mudtest.Start(t, engine.Config{Game: os.DirFS(dir), DataDir: t.TempDir()}, nil)
	mudtest.Create(t, s, "Bea", "password1")
	if err := s.Eng.Store().SetRole(context.Background(), "Bea", "builder"); err != nil {
		t.Fatal(err)
	}
	builder = mudtest.Login(t, s, "Bea", "password1")
	player = mudtest.Create(t, s, "Alice", "password2")
	return dir, s, builder, player
}

func TestReloadShowsEditedRoomToConnectedPlayer(t *testing.T) {
	dir, _, bea, alice := startDiskGame(t)
	if out := alice.Do("look"); !strings.Contains(out, "Grey cobbles") {
		t.Fatalf("start room:\n%s", out)
	}
	editFile(t, dir, "world/millbrook/rooms.lua", "Grey cobbles, worn smooth", "Red bricks, freshly laid")
	bea.Send("reload millbrook")
	bea.Expect("Reloaded zone millbrook")
	out := alice.Do("look")
	if !strings.Contains(out, "Red bricks, freshly laid") || !strings.Contains(out, "Millbrook Square") {
		t.Fatalf("after reload alice sees:\n%s", out)
	}
	if out := alice.Do("score"); !strings.Contains(out, "Alice") {
		t.Fatalf("alice's session after reload:\n%s", out)
	}
	// The whole game reloads too, scripts included.
	editFile(t, dir, "world/millbrook/rooms.lua", "Red bricks, freshly laid", "Red bricks, freshly swept")
	bea.Send("reload")
	bea.Expect("Reloaded the game")
	if out := alice.Do("look"); !strings.Contains(out, "Red bricks") {
		t.Fatalf("after whole reload:\n%s", out)
	}
}

func TestReloadWithSyntaxErrorKeepsOldWorld(t *testing.T) {
	dir, _, bea, alice := startDiskGame(t)
	editFile(t, dir, "world/millbrook/rooms.lua", "Grey cobbles, worn smooth", "Red bricks")
	f, err := os.OpenFile(filepath.Join(dir, "world/millbrook/rooms.lua"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nroom { key = \"oops\", name = \n")
	f.Close()
	bea.Send("reload millbrook")
	out := bea.Expect("the running game is unchanged")
	out += bea.Expect("\n> ")
	if !strings.Contains(out, "world/millbrook/rooms.lua:") {
		t.Fatalf("reload error lacks file:line:\n%s", out)
	}
	if out := alice.Do("look"); !strings.Contains(out, "Grey cobbles") || strings.Contains(out, "Red bricks") {
		t.Fatalf("a failed reload changed the world:\n%s", out)
	}
	// A quest naming an NPC that does not exist is refused the same way, at its definition.
	editFile(t, dir, "world/millbrook/rooms.lua", "\nroom { key = \"oops\", name = \n", "\n")
	editFile(t, dir, "world/millbrook/quests.lua", `to = "millbrook:innkeeper"`, `to = "millbrook:nobody"`)
	bea.Send("reload")
	out = bea.Expect("unchanged")
	out += bea.Expect("\n> ")
	if !strings.Contains(out, `world/millbrook/quests.lua:5: npc "millbrook:nobody"`) || !strings.Contains(out, `npc "millbrook:nobody" does not exist`) {
		t.Fatalf("quest reference not reported:\n%s", out)
	}
}

func TestReloadIsForBuilders(t *testing.T) {
	_, _, _, alice := startDiskGame(t)
	if out := alice.Do("reload"); !strings.Contains(out, "Huh?") {
		t.Fatalf("a player could reload:\n%s", out)
	}
}
