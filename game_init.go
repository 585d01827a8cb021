package mudd

import (
	"fmt"
	"io/fs"
	"os"
)

// WriteDefaultGame writes the default game into dir, which must be missing or empty, and
// returns how many files it wrote. It is what `mudd init` does.
func WriteDefaultGame(dir string) (int, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return 0, fmt.Errorf("%s is not empty", dir)
	}
	if err := os.CopyFS(dir, defaultGame); err != nil {
		return 0, err
	}
	n := 0
	err := fs.WalkDir(defaultGame, ".", func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	return n, err
}
