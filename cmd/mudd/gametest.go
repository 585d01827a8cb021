package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mudd/mudd/engine"
)

// runTests runs the scenario tests of a game (tests/*.lua), each in a fresh in-process game,
// and reports each file as ok or FAIL with the position and output of the failed expectation.
func runTests(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("test", flag.ContinueOnError)
	fset.SetOutput(stderr)
	seed := fset.Uint64("seed", 1, "seed of math.random and the engine's random choices")
	words, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	game, err := gameDir(words, "usage: mudd test [--seed N] [DIR]")
	if err != nil {
		return err
	}
	files, err := engine.Scenarios(game)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no scenario tests: put Lua files in the game's tests/ folder")
	}
	failed := 0
	for _, f := range files {
		start := time.Now()
		r := engine.RunScenario(game, f, engine.Config{Seed: *seed})
		if r.Err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n%v\n", f, r.Err)
			continue
		}
		fmt.Fprintf(stdout, "ok   %s (%d checks, %s)\n", f, r.Checks, time.Since(start).Round(time.Millisecond))
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d scenario(s) failed\n", failed, len(files))
		return errProblems
	}
	fmt.Fprintf(stdout, "all %d scenario(s) passed\n", len(files))
	return nil
}
