package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
)

// runEngine builds the engine from cfg and serves until ctx is done, with a console on the
// terminal if stdin is one. With a watchDir, the game reloads when files under it change. A
// process started by a copyover that cannot load the game tells the old process why, which
// then goes on.
func runEngine(ctx context.Context, cfg engine.Config, watchDir string, stderr io.Writer) error {
	eng, err := engine.New(cfg)
	if err != nil {
		cfg.Handover.Fail(err)
		return err
	}
	if watchDir != "" {
		if err := watchGame(ctx, watchDir, eng, cfg.Logger, watchDebounce); err != nil {
			err = errors.Join(err, eng.Close())
			cfg.Handover.Fail(err)
			return err
		}
		cfg.Logger.Info("watching the game directory for changes", "dir", watchDir)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	console := make(chan func(), 1)
	go func() {
		<-eng.Ready()
		if cfg.Handover != nil { // after a copyover the terminal belongs to the shell again
			console <- func() {}
			return
		}
		console <- startTerminalConsole(eng, cfg.DataDir, stderr, cancel)
	}()
	err = eng.Run(ctx)
	if err != nil {
		cfg.Handover.Fail(err) // if it has not reported ready yet
	}
	select {
	case <-eng.Ready():
		stop := <-console
		stop()
	default:
	}
	return err
}

// parseArgs parses args with fset and returns the other words. Flags may come before, between
// or after them ("mudd user promote Alice admin --data DIR"); after "--" every word is one.
func parseArgs(fset *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		rest := fset.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(words, rest...), nil
		}
		if len(rest) == 0 {
			return words, nil
		}
		words, args = append(words, rest[0]), rest[1:]
	}
}

// initGame writes the embedded default game into a new or empty directory.
func initGame(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	fset.SetOutput(stderr)
	words, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	if len(words) != 1 {
		return errors.New("usage: mudd init DIR")
	}
	dir := words[0]
	n, err := mudd.WriteDefaultGame(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote the default game (%d files) to %s. Run it with: mudd serve --game %s\n", n, dir, dir)
	return nil
}

// user manages accounts from the machine the server runs on.
func user(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("user", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", "data", "data directory of the SQLite database")
	db := fset.String("db", "", dbUsage)
	words, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	if len(words) != 3 || words[0] != "promote" {
		return errors.New("usage: mudd user promote NAME ROLE [--data DIR | --db DSN]")
	}
	name := words[1]
	role, err := engine.ParseRole(words[2])
	if err != nil {
		return err
	}
	dsn := *db
	if dsn == "" {
		dsn = filepath.Join(*data, "mudd.db")
	}
	if !store.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return fmt.Errorf("no database at %s (start the server once, or pass --data or --db)", dsn)
		}
	}
	ctx := context.Background()
	log, _ := newLogger(stderr, "warn")
	st, err := store.Open(ctx, dsn, log)
	if err != nil {
		return err
	}
	defer st.Close()
	line := fmt.Sprintf("mudd user promote %s %s", name, role)
	if err := st.SetRole(ctx, name, role.String()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("no character named %q", name)
		}
		auditOperator(ctx, st, line, "error: "+err.Error(), stderr)
		return err
	}
	auditOperator(ctx, st, line, "ok", stderr)
	fmt.Fprintf(stdout, "%s is now %s. The change applies at their next login.\n", name, role)
	return nil
}

// auditOperator records a change made on the machine in the audit log, as the operator's.
func auditOperator(ctx context.Context, st *store.Store, line, result string, stderr io.Writer) {
	a := store.AuditEntry{At: time.Now(), Who: "operator", Role: engine.RoleOperator.String(), Line: line, Result: result}
	if err := st.AddAudit(ctx, a); err != nil {
		fmt.Fprintf(stderr, "mudd: the audit log could not record this: %v\n", err)
	}
}
