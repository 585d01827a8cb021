// Command mudd runs a mudd game server and its tools.
//
//	mudd [serve] [flags]          run the game (the embedded default game unless --game is given)
//	mudd init DIR                 write the default game into DIR as a starting point
//	mudd user promote NAME ROLE   set a character's role (player, builder, wizard, admin)
//	mudd console [--data DIR]     attach an operator console to a running server
//	mudd bench [flags]            load-test a server (an in-process one by default); see BENCHMARKS.md
//	mudd check [DIR]              validate a game directory (the default game without DIR)
//	mudd test [DIR]               run the scenario tests under DIR/tests/
//
// Run `mudd --help` for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args, stderr)
	case "gateway":
		err = gateway(args, stderr)
	case "scene":
		err = scene(args, stderr)
	case "init":
		err = initGame(args, stdout, stderr)
	case "user":
		err = user(args, stdout, stderr)
	case "console":
		err = consoleCommand(args, os.Stdin, stdout, stderr)
	case "bench":
		err = bench(args, stdout, stderr)
	case "check":
		err = check(args, stdout, stderr)
	case "test":
		err = runTests(args, stdout, stderr)
	case "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "mudd: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errProblems) {
		return 1 // already reported
	}
	if err != nil {
		fmt.Fprintf(stderr, "mudd %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  mudd [serve] [flags]          run the game server
  mudd gateway [flags]          accept players and route them to scenes (see docs/cluster.md)
  mudd scene --zones a,b [flags]  run some zones of the game for a gateway
  mudd init DIR                 write the default game into DIR
  mudd user promote NAME ROLE   set a character's role: player, builder, wizard or admin
  mudd console [--data DIR]     attach an operator console to the server running on DIR
  mudd bench [flags]            measure the server under load (mudd bench --help)
  mudd check [DIR]              validate a game directory: file:line: severity: message
  mudd test [DIR]               run the game's scenario tests (DIR/tests/*.lua)

Run 'mudd serve --help' for the server's flags.
`)
}

func serve(args []string, stderr io.Writer) error {
	s := defaultSettings()
	fs := s.flags("serve", stderr)
	if err := s.parse(fs, args); err != nil {
		return err
	}
	if s.Watch && s.Game == "" {
		return errors.New("--watch needs the game on disk: the embedded default game cannot change. " +
			"Write it out with `mudd init DIR`, then run `mudd serve --game DIR --watch`")
	}
	cfg, _, err := s.rebootableConfig(stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	watchDir := ""
	if s.Watch {
		watchDir = s.Game
	}
	return runEngine(ctx, cfg, watchDir, stderr)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
