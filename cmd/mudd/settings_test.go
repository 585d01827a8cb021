package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mudd/mudd/engine"
)

func TestWithoutFlag(t *testing.T) {
	tests := []struct {
		args, rest []string
		value      string
		found      bool
	}{
		{[]string{"serve", "--data", "d"}, []string{"serve", "--data", "d"}, "", false},
		{[]string{"serve", "--db", "postgres://u:p@h/m", "--data", "d"}, []string{"serve", "--data", "d"}, "postgres://u:p@h/m", true},
		{[]string{"serve", "-db=x.db", "--watch"}, []string{"serve", "--watch"}, "x.db", true},
		{[]string{"serve", "--db=", "--db", "last.db"}, []string{"serve"}, "last.db", true},
		{[]string{"serve", "--dbx", "v"}, []string{"serve", "--dbx", "v"}, "", false},
		{[]string{"serve", "--", "--db", "v"}, []string{"serve", "--", "--db", "v"}, "", false},
		{[]string{"serve", "--db"}, []string{"serve"}, "", true},
	}
	for _, tt := range tests {
		rest, value, found := withoutFlag(tt.args, "db")
		if !slices.Equal(rest, tt.rest) || value != tt.value || found != tt.found {
			t.Errorf("withoutFlag(%q) = %q, %q, %v; want %q, %q, %v", tt.args, rest, value, found, tt.rest, tt.value, tt.found)
		}
	}
}

// TestSuccessorDB: --db goes to the process a copyover starts in its environment, never on
// its command line; a password in a --db URL is warned about, and never logged.
func TestSuccessorDB(t *testing.T) {
	tests := []struct {
		args     []string
		handed   bool
		db       string
		env      []string
		warnings int
	}{
		{[]string{"serve", "--data", "d"}, false, "", nil, 0},
		{[]string{"serve", "--db", "postgres://mudd:secret@db/mudd"}, false, "postgres://mudd:secret@db/mudd",
			[]string{handedDBEnv + "=postgres://mudd:secret@db/mudd"}, 1},
		{[]string{"serve", "--db", "postgres://mudd@db/mudd"}, false, "postgres://mudd@db/mudd",
			[]string{handedDBEnv + "=postgres://mudd@db/mudd"}, 0},
		{[]string{"serve", "--db=postgresql://mudd:secret@db/mudd"}, false, "postgresql://mudd:secret@db/mudd",
			[]string{handedDBEnv + "=postgresql://mudd:secret@db/mudd"}, 1},
		{[]string{"serve", "--db", "data/mudd.db"}, false, "data/mudd.db", []string{handedDBEnv + "=data/mudd.db"}, 0},
		{[]string{"serve"}, true, "other.db", []string{handedDBEnv + "=other.db"}, 0}, // handed on again
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		s := &settings{DB: tt.db, handedDB: tt.handed}
		var cfg engine.Config
		s.successor(&cfg, tt.args, slog.New(slog.NewTextHandler(&logs, nil)))
		if slices.ContainsFunc(cfg.SuccessorArgs, func(a string) bool { return strings.Contains(a, "db") }) {
			t.Errorf("%q: the new process's arguments are %q", tt.args, cfg.SuccessorArgs)
		}
		if !slices.Equal(cfg.SuccessorEnv, tt.env) {
			t.Errorf("%q: environment %q, want %q", tt.args, cfg.SuccessorEnv, tt.env)
		}
		if n := strings.Count(logs.String(), "has a password"); n != tt.warnings {
			t.Errorf("%q: %d warnings, want %d:\n%s", tt.args, n, tt.warnings, logs.String())
		}
		if strings.Contains(logs.String(), "secret") {
			t.Errorf("%q: the log shows the password:\n%s", tt.args, logs.String())
		}
	}
}

// TestTakeHandedDB: the process a copyover starts uses the database handed in its
// environment, and does not hand the variable down to anything it starts.
func TestTakeHandedDB(t *testing.T) {
	t.Setenv(handedDBEnv, "handed.db")
	s := &settings{DB: "from-config.db"}
	s.takeHandedDB()
	if s.DB != "handed.db" || !s.handedDB {
		t.Errorf("DB %q (handed %v), want handed.db", s.DB, s.handedDB)
	}
	if v, ok := os.LookupEnv(handedDBEnv); ok {
		t.Errorf("%s is still set (%q)", handedDBEnv, v)
	}
}

// serve and gateway both build their configuration through rebootableConfig, so a gateway
// replaced by a reboot opens the database its predecessor was given with --db, as serve does.
func TestRebootableConfigTakesHandedDB(t *testing.T) {
	for _, cmd := range []string{"serve", "gateway"} {
		t.Run(cmd, func(t *testing.T) {
			t.Setenv(handedDBEnv, "postgres://mudd@127.0.0.1:1/handed")
			s := defaultSettings()
			if err := s.parse(s.flags(cmd, io.Discard), []string{"--data", t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			cfg, _, err := s.rebootableConfig(io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DB != "postgres://mudd@127.0.0.1:1/handed" {
				t.Errorf("DB = %q, want the handed database", cfg.DB)
			}
			if env := strings.Join(cfg.SuccessorEnv, " "); !strings.Contains(env, handedDBEnv+"=") {
				t.Errorf("successor environment %q does not hand the database on", env)
			}
		})
	}
}
