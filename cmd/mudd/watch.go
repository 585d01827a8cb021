package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloader is what the watcher drives: engine.Engine's Reload.
type reloader interface {
	Reload(zoneDir string) bool
}

// watchDebounce is how long the game directory must be quiet after a change before it reloads:
// long enough for an editor's write-and-rename or a git checkout to finish.
const watchDebounce = 300 * time.Millisecond

// watchGame reloads the game when a Lua file under dir changes, until ctx is done. It watches
// every directory (editors often save by writing a new file and renaming it over the old one,
// which a watch on the file itself would lose), waits for quiet, then reloads the one zone
// whose folder changed, or the whole game when scripts/ or several zones changed. Changes
// under tests/ reload nothing. The engine reports each result to the log and online builders.
func watchGame(ctx context.Context, dir string, eng reloader, log *slog.Logger, debounce time.Duration) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if err := addTree(w, dir); err != nil {
		w.Close()
		return err
	}
	go func() {
		defer w.Close()
		zones := map[string]bool{}
		whole := false
		quiet := time.NewTimer(time.Hour)
		quiet.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Warn("watch error", "err", err)
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					addTree(w, ev.Name) // a new folder (a new zone): watch it too
				}
				zone, all, relevant := classify(dir, ev.Name)
				if !relevant {
					continue
				}
				if all {
					whole = true
				} else {
					zones[zone] = true
				}
				quiet.Reset(debounce)
			case <-quiet.C:
				switch {
				case whole || len(zones) > 1:
					log.Info("game files changed; reloading the game")
					eng.Reload("")
				case len(zones) == 1:
					for z := range zones {
						log.Info("zone files changed; reloading", "zone", z)
						eng.Reload(z)
					}
				}
				clear(zones)
				whole = false
			}
		}
	}()
	return nil
}

// addTree watches root and every directory under it. A root that is not a directory is ignored.
func addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return nil // gone already, or a file
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir // .git and the like
		}
		if err := w.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}

// classify tells what a changed path means: a change in zone folder world/<zone>/, a change
// that needs the whole game reloaded (scripts/), or nothing to reload (tests/, files that are
// not Lua such as editors' swap files).
func classify(dir, name string) (zone string, whole, relevant bool) {
	rel, err := filepath.Rel(dir, name)
	if err != nil {
		return "", false, false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	isLua := strings.HasSuffix(rel, ".lua")
	switch {
	case parts[0] == "world" && len(parts) == 2:
		return parts[1], false, !strings.HasPrefix(parts[1], ".") // a zone folder appeared or went
	case parts[0] == "world" && len(parts) > 2:
		return parts[1], false, isLua
	case parts[0] == "scripts":
		return "", true, isLua || len(parts) > 1 && !strings.Contains(parts[len(parts)-1], ".")
	}
	return "", false, false
}
