package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mudd/mudd/engine/store"
)

func TestParseArgs(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		words []string
		data  string
		err   bool
	}{
		{args: []string{"promote", "alice", "admin"}, words: []string{"promote", "alice", "admin"}, data: "data"},
		{args: []string{"--data", "d", "promote", "alice", "admin"}, words: []string{"promote", "alice", "admin"}, data: "d"},
		{args: []string{"promote", "alice", "admin", "--data", "d"}, words: []string{"promote", "alice", "admin"}, data: "d"},
		{args: []string{"promote", "-data=d", "alice", "admin"}, words: []string{"promote", "alice", "admin"}, data: "d"},
		{args: []string{"promote", "--", "-alice", "--data"}, words: []string{"promote", "-alice", "--data"}, data: "data"},
		{args: []string{"promote", "alice", "--bogus"}, err: true},
		{args: []string{"promote", "alice", "--data"}, err: true},
		{args: nil, data: "data"},
	} {
		fset := flag.NewFlagSet("user", flag.ContinueOnError)
		fset.SetOutput(io.Discard)
		data := fset.String("data", "data", "")
		words, err := parseArgs(fset, tt.args)
		if (err != nil) != tt.err {
			t.Errorf("parseArgs(%q): error %v, want error %v", tt.args, err, tt.err)
			continue
		}
		if err == nil && (!slices.Equal(words, tt.words) || *data != tt.data) {
			t.Errorf("parseArgs(%q) = %q with --data %q, want %q and %q", tt.args, words, *data, tt.words, tt.data)
		}
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("promote alice admin --data d")
	f.Add("-- --data x")
	f.Add("--data")
	f.Fuzz(func(t *testing.T, line string) {
		fset := flag.NewFlagSet("user", flag.ContinueOnError)
		fset.SetOutput(io.Discard)
		fset.String("data", "data", "")
		args := strings.Fields(line)
		words, err := parseArgs(fset, args)
		if err == nil && len(words) > len(args) {
			t.Fatalf("parseArgs(%q) = %q: more words than arguments", args, words)
		}
	})
}

// TestUserPromoteFlagsAnywhere runs `mudd user promote NAME ROLE --data DIR`, the flag after
// the words, as the docs write it.
func TestUserPromoteFlagsAnywhere(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(data, "mudd.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAccount(ctx, store.Account{Name: "Alice", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out bytes.Buffer
	if code := run([]string{"user", "promote", "Alice", "admin", "--data", data}, &out, &out); code != 0 {
		t.Fatalf("user promote with --data last exited %d: %s", code, out.String())
	}
	if code := run([]string{"user", "promote", "Alice", "--data", data, "wizard"}, &out, &out); code != 0 {
		t.Fatalf("user promote with --data between exited %d: %s", code, out.String())
	}
	st, err = store.Open(ctx, filepath.Join(data, "mudd.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, err := st.Account(ctx, "alice"); err != nil || a.Role != "wizard" {
		t.Fatalf("Alice: role %q, %v; want wizard", a.Role, err)
	}
	out.Reset()
	if code := run([]string{"console", "now", "--data", data}, &out, &out); code != 1 || !strings.Contains(out.String(), "unexpected arguments") {
		t.Errorf("console with a stray word: %d, %s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"check", "--", "-nope"}, &out, &out); code != 1 || !strings.Contains(out.String(), "-nope is not a game directory") {
		t.Errorf("check -- -nope: %d, %s", code, out.String())
	}
}
