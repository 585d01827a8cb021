package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMuddTestPassesOnDefaultGame(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"test"}, &stdout, &stderr); status != 0 {
		t.Fatalf("mudd test on the default game: status %d\n%s%s", status, stdout.String(), stderr.String())
	}
	for _, want := range []string{"ok   tests/warden.lua", "ok   tests/pelts.lua", "all 2 scenario(s) passed"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestMuddTestReportsAFailedExpectation(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run([]string{"test", "testdata/scenarios"}, &stdout, &stderr)
	out := stdout.String()
	if status != 1 {
		t.Errorf("status %d, want 1", status)
	}
	for _, want := range []string{
		"ok   tests/good.lua (2 checks",
		"FAIL tests/broken.lua\ntests/broken.lua:3: expected Bob to see \"A dragon sleeps here.\"; last output:\n    Room B\n",
		"A coin lies here.",
		"1 of 2 scenario(s) failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
