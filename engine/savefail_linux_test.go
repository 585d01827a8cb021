package engine_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/internal/mudtest"
)

// smallDisk mounts a tmpfs of size bytes for t, unmounted when t ends (after the servers
// the test starts later have stopped). It skips t where it cannot mount one.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a small filesystem to fill needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("skipped: cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes a file at path until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 20, 4 << 10, 1} {
		buf := bytes.Repeat([]byte{'x'}, chunk)
		for range 1 << 20 { // bounded: far more than the disk holds
			if _, err := f.Write(buf); errors.Is(err, syscall.ENOSPC) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// messageLog is a log handler that keeps the messages logged, at every level.
type messageLog struct {
	slog.Handler
	mu   sync.Mutex
	msgs []string
}

// Enabled keeps every level; Handle passes on only what the wrapped handler takes.
func (h *messageLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *messageLog) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *messageLog) has(msg string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.msgs, msg)
}

// TestSavesFailing plays a server whose database is on a disk that fills up, then has room
// again: the save command answers only after the commit, staff hear on wiznet and in the log
// that saving fails and works again, players are told once that their progress is not being
// saved and then that it is again, and what changed meanwhile is saved in the end.
func TestSavesFailing(t *testing.T) {
	disk := smallDisk(t, "16m")
	logs := &messageLog{Handler: slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})}
	s := startServer(t, fixture(), disk, func(c *engine.Config) {
		c.Logger = slog.New(logs)
		c.SaveInterval = 100 * time.Millisecond
	})
	wes := staff(t, s, "Wes", engine.RoleWizard)
	pat := mudtest.Create(t, s, "Pat", "password1")
	pat.Send("save")
	pat.Expect("Saved.")

	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	t.Cleanup(func() { os.Remove(filler) }) // before the server stops: its last save needs room
	pat.Send("get coin")                    // changed while saving fails: saved when it works again
	pat.Expect("You pick up a gold coin.")
	pat.Send("save") // answered when saving is found failing
	out := pat.Expect("Your character is not saved yet")
	out += pat.Expect("not being saved")
	if strings.Contains(out, "Saved.") {
		t.Errorf("Pat's save was confirmed while the disk was full:\n%s", out)
	}
	wes.Expect("Saving characters is failing")
	wes.Expect("not being saved")
	do(t, wes, "stats", "Saving is failing: ", "database or disk")
	if !logs.has("saves keep failing: players' progress is not being saved") {
		t.Error("the log does not say that saves keep failing")
	}
	pat.Send("save") // known failing: answered at once
	pat.Expect("Your character is not saved yet")
	for range 3 { // a few checks of the Writer later, nobody is told again
		time.Sleep(500 * time.Millisecond)
		if out := pat.Do("look"); strings.Contains(out, "not being saved") {
			t.Fatalf("Pat was told twice that progress is not being saved:\n%s", out)
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	pat.Expect("Your progress is being saved again.")
	wes.Expect("Saving characters works again.")
	if !logs.has("saving characters works again") {
		t.Error("the log does not say that saving works again")
	}
	pat.Send("save")
	pat.Expect("Saved.")
	c, err := s.Eng.Store().Character(t.Context(), "Pat")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(c.Items, func(it state.Item) bool { return it.Proto == "town:coin" }) {
		t.Errorf("Pat's saved items after the disk had room again = %+v, want the coin taken meanwhile", c.Items)
	}
}
