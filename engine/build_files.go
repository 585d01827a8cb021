package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// fileWriter writes generated files off the game loop. Each path has at most one write in
// flight; content handed over meanwhile replaces what is waiting, so the newest content is
// always written last and a burst of edits costs few writes.
type fileWriter struct {
	mu      sync.Mutex
	idle    *sync.Cond              // signalled when a path stops being busy
	pending map[string]pendingWrite // path → newest content not yet written
	busy    map[string]bool         // paths with a worker writing them
}

type pendingWrite struct {
	content string
	done    func(error) // called on the worker goroutine after the write
}

// write hands content for path to a worker goroutine of e. done runs on that goroutine with
// the result, unless newer content for the same path replaced this one first.
func (fw *fileWriter) write(e *Engine, path, content string, done func(error)) {
	fw.mu.Lock()
	fw.init()
	fw.pending[path] = pendingWrite{content, done}
	if fw.busy[path] {
		fw.mu.Unlock()
		return
	}
	fw.busy[path] = true
	fw.mu.Unlock()
	e.work(func() {
		for {
			fw.mu.Lock()
			pw, ok := fw.pending[path]
			delete(fw.pending, path)
			if !ok {
				delete(fw.busy, path)
				fw.idle.Broadcast()
				fw.mu.Unlock()
				return
			}
			fw.mu.Unlock()
			pw.done(writeAtomic(path, pw.content))
		}
	})
}

func (fw *fileWriter) init() {
	if fw.pending == nil {
		fw.pending, fw.busy = make(map[string]pendingWrite), make(map[string]bool)
		fw.idle = sync.NewCond(&fw.mu)
	}
}

// wait blocks until every write handed over so far is on disk (or failed). Goroutines that
// read the game's files call it first, so they never read a file older than the world. Never
// call it on the loop.
func (fw *fileWriter) wait() {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.init()
	for len(fw.busy) > 0 {
		fw.idle.Wait()
	}
}

// writeAtomic replaces the file at path with content: it writes a temporary file in the same
// directory and renames it, so a reader sees the old file or the new one, never half of one.
// The temporary file's name does not end in .lua, so a game loading meanwhile ignores it.
func writeAtomic(path, content string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
