package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
)

// errProblems makes check exit 1 after its report, without another message.
var errProblems = errors.New("the game has errors")

// gameDir opens the game directory named by the only word, or the embedded default game.
func gameDir(words []string, usage string) (fs.FS, error) {
	switch len(words) {
	case 0:
		return mudd.DefaultGame(), nil
	case 1:
		dir := words[0]
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s is not a game directory", dir)
		}
		return os.DirFS(dir), nil
	}
	return nil, errors.New(usage)
}

// check validates a game directory and prints every problem as "file:line: severity: message".
// It fails (exit status 1) when there are errors; warnings alone pass.
func check(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	words, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	game, err := gameDir(words, "usage: mudd check [DIR]")
	if err != nil {
		return err
	}
	problems, err := engine.Check(game)
	if err != nil {
		return err
	}
	errs, warns := 0, 0
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
		if p.Severity == engine.SevError {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(stdout, "%d error(s), %d warning(s)\n", errs, warns)
	if errs > 0 {
		return errProblems
	}
	return nil
}
