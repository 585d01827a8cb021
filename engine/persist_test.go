package engine_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/internal/mudtest"
)

// savedRoom reads a character's saved room straight from the database file.
func savedRoom(t *testing.T, data, name string) (string, []string) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(data, "mudd.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Character(context.Background(), name)
	if err != nil {
		return "", nil
	}
	var items []string
	for _, it := range c.Items {
		items = append(items, it.Proto)
	}
	return c.Room, items
}

func TestChangedCharactersSaveWhileOnline(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data, func(c *engine.Config) { c.SaveInterval = 50 * time.Millisecond })
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Do("get coin")
	c.Do("n")
	var room string
	var items []string
	for i := 0; i < 100; i++ {
		if room, items = savedRoom(t, data, "Alice"); room == "town:hall" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if room != "town:hall" || strings.Join(items, ",") != "town:coin" {
		t.Fatalf("saved while online: room %q items %v; want town:hall [town:coin]", room, items)
	}
}

func TestLinkDeadExpirySavesAndRemoves(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data, func(c *engine.Config) { c.LinkDeadGrace = 100 * time.Millisecond })
	a := mudtest.Create(t, s, "Alice", "password1")
	a.Do("get key")
	a.Do("e")
	watcher := mudtest.Create(t, s, "Bob", "password2")
	a.Conn.Close()
	gone := false
	for i := 0; i < 100 && !gone; i++ {
		watcher.Send("who")
		gone = !strings.Contains(watcher.Expect("player(s)."), "Alice")
		time.Sleep(20 * time.Millisecond)
	}
	if !gone {
		t.Fatal("link-dead character still online after its grace period")
	}
	a = mudtest.Login(t, s, "Alice", "password1")
	if out := a.Do("look"); !strings.Contains(out, "A Meadow") {
		t.Fatalf("expired character did not come back where it was:\n%s", out)
	}
	if out := a.Do("i"); !strings.Contains(out, "an iron key") {
		t.Fatalf("expired character lost its inventory:\n%s", out)
	}
}

func TestBuilderDataSurvivesOddValues(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Do("get coin")
	c.Do("odd")
	c.Do("n")
	c.Send("quit")
	c.Expect("Goodbye")
	s.Stop()
	s = startServer(t, fixture(), data)
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("look"); !strings.Contains(out, "Great Hall") {
		t.Fatalf("a NaN in builder data kept the character from being saved:\n%s", out)
	}
	if out := c.Do("showdata"); !strings.Contains(out, "list5=five name=kept ratio=nil minted=Millbrook") {
		t.Fatalf("builder data after restart: %s", out)
	}
}

func TestWornThingsStayPutAndAreSaved(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, fixture(), data)
	c := mudtest.Create(t, s, "Alice", "password1")
	c.Do("get key")
	c.Do("get coin")
	steps := []struct{ cmd, want string }{
		{"don iron key", "You wear an iron key."},
		{"drop key", "You are using an iron key; remove it first."},
		{"drop all", "You drop a gold coin."},
		{"i", "Nothing."},
		{"slots", "worn: hand=an iron key"},
	}
	for _, st := range steps {
		if out := c.Do(st.cmd); !strings.Contains(out, st.want) {
			t.Fatalf("%s: want %q in:\n%s", st.cmd, st.want, out)
		}
	}
	c.Send("quit")
	c.Expect("Goodbye")
	s.Stop()
	s = startServer(t, fixture(), data)
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("slots"); !strings.Contains(out, "worn: hand=an iron key") {
		t.Fatalf("worn slot lost over a restart:\n%s", out)
	}
}
