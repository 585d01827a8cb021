//go:build !unix

package engine

import (
	"errors"
	"os"
)

var errNoCopyover = errors.New("copyover reboots need a Unix system")

func (e *Engine) startSuccessor(string, handoverDoc, []int) error { return errNoCopyover }

func fileOf(any) (int, error) { return -1, errNoCopyover }

func closeFiles([]int) {}

func redirectStderr(*os.File) error { return errNoCopyover }
