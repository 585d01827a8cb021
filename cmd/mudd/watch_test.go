package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// startWatched serves the default game from a directory of its own, watched as by
// serve --watch, with building enabled and log records going to logs (if not nil). It
// returns the directory and the server.
func startWatched(t *testing.T, logs slog.Handler) (string, *mudtest.Server) {
	t.Helper()
	dir := t.TempDir()
	if _, err := mudd.WriteDefaultGame(dir); err != nil {
		t.Fatal(err)
	}
	cfg := engine.Config{Game: os.DirFS(dir), GameDir: dir, DataDir: t.TempDir()}
	if logs != nil {
		cfg.Logger = slog.New(logs)
	}
	s := mudtest.Start(t, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := watchGame(ctx, dir, s.Eng, slog.New(slog.NewTextHandler(io.Discard, nil)), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

// staffLogin creates a character with role and logs it in.
func staffLogin(t *testing.T, s *mudtest.Server, name, role string) *mudtest.Client {
	t.Helper()
	mudtest.Create(t, s, name, "password1")
	if err := s.Eng.Store().SetRole(context.Background(), name, role); err != nil {
		t.Fatal(err)
	}
	return mudtest.Login(t, s, name, "password1")
}

func TestWatchReloadsChangedZone(t *testing.T) {
	dir, s := startWatched(t, nil)
	bea := staffLogin(t, s, "Bea", "builder")
	alice := mudtest.Create(t, s, "Alice", "password2")

	rooms := filepath.Join(dir, "world", "millbrook", "rooms.lua")
	data, err := os.ReadFile(rooms)
	if err != nil {
		t.Fatal(err)
	}
	// Save the way editors do: write a new file, then rename it over the old one.
	edited := strings.Replace(string(data), "Grey cobbles, worn smooth", "Red bricks, freshly laid", 1)
	tmp := rooms + ".tmp"
	if err := os.WriteFile(tmp, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, rooms); err != nil {
		t.Fatal(err)
	}
	bea.Hear("[reload] Reloaded zone millbrook")
	if out := alice.Do("look"); !strings.Contains(out, "Red bricks, freshly laid") {
		t.Fatalf("after the automatic reload:\n%s", out)
	}

	// A broken save is reported to builders with its position; the world stays.
	if err := os.WriteFile(rooms, []byte(edited+"\nroom {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := bea.Expect("[reload] Reload of zone millbrook failed")
	out += bea.Expect("\n> ")
	if !strings.Contains(out, "world/millbrook/rooms.lua:") {
		t.Fatalf("failed reload report:\n%s", out)
	}
	if out := alice.Do("look"); !strings.Contains(out, "Red bricks, freshly laid") {
		t.Fatalf("after a failed reload:\n%s", out)
	}
}

// TestWatchIgnoresInGameEdits: the game's own writes of built.lua when a builder digs reload
// nothing (a reload would reset the zone and tell every builder); a hand edit still does.
func TestWatchIgnoresInGameEdits(t *testing.T) {
	unchanged := &logWaiter{msg: "reload: nothing changed", seen: make(chan struct{}, 16)}
	dir, s := startWatched(t, unchanged)
	wes := staffLogin(t, s, "Wes", "wizard")
	if out := wes.Do("dig up Loft"); !strings.Contains(out, "You dig up") {
		t.Fatalf("dig:\n%s", out)
	}
	select { // the watcher saw the game write built.lua, and the engine found nothing new
	case <-unchanged.seen:
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher's reload after the dig did not find the files unchanged")
	}
	rooms := filepath.Join(dir, "world", "millbrook", "rooms.lua")
	data, err := os.ReadFile(rooms)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rooms, []byte(strings.Replace(string(data), "Grey cobbles", "Red bricks", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := wes.Hear("[reload] Reloaded zone millbrook")
	if strings.Count(out, "[reload]") != 1 {
		t.Fatalf("reload lines before the hand edit's:\n%s", out)
	}
	if out := wes.Do("look"); !strings.Contains(out, "Loft") {
		t.Fatalf("after the reload:\n%s", out)
	}
}

func TestWatchNeedsAGameDirectory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run([]string{"serve", "--watch", "--telnet", "-", "--tcp", "-", "--data", t.TempDir()}, &stdout, &stderr)
	if status != 1 || !strings.Contains(stderr.String(), "mudd init DIR") {
		t.Fatalf("status %d, stderr %q", status, stderr.String())
	}
}

func TestClassifyChanges(t *testing.T) {
	dir := filepath.FromSlash("/g")
	tests := []struct {
		path     string
		zone     string
		whole    bool
		relevant bool
	}{
		{"/g/world/town/rooms.lua", "town", false, true},
		{"/g/world/town/.rooms.lua.swp", "town", false, false},
		{"/g/world/newzone", "newzone", false, true},
		{"/g/scripts/systems/combat.lua", "", true, true},
		{"/g/scripts/init.lua~", "", true, false},
		{"/g/tests/warden.lua", "", false, false},
		{"/g/README", "", false, false},
	}
	for _, tt := range tests {
		zone, whole, relevant := classify(dir, filepath.FromSlash(tt.path))
		if zone != tt.zone || whole != tt.whole || relevant != tt.relevant {
			t.Errorf("classify(%s) = %q %v %v, want %q %v %v", tt.path, zone, whole, relevant, tt.zone, tt.whole, tt.relevant)
		}
	}
}

// FuzzClassify feeds the watcher's path classifier arbitrary paths: it must not panic, and a
// relevant change is either a zone's or the whole game's.
func FuzzClassify(f *testing.F) {
	for _, p := range []string{"/g/world/town/rooms.lua", "/g/scripts/x.lua", "/g/world", "/g/../x", "", "/g/world//a.lua"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		zone, whole, relevant := classify("/g", path)
		if relevant && !whole && zone == "" {
			t.Fatalf("classify(%q): relevant, but no zone and not the whole game", path)
		}
	})
}

// logWaiter is a log handler that signals seen for each record with message msg.
type logWaiter struct {
	msg  string
	seen chan struct{}
}

func (h *logWaiter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logWaiter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.seen <- struct{}{}:
		default:
		}
	}
	return nil
}
func (h *logWaiter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logWaiter) WithGroup(string) slog.Handler      { return h }
