//go:build !unix

package main

import (
	"runtime"
	"time"
)

// processCPU is not measured on this system.
func processCPU() time.Duration { return 0 }

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
