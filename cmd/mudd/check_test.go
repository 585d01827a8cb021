package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheck runs mudd check on one fixture game per problem (testdata/check/<name>) and on
// the default game.
func TestCheck(t *testing.T) {
	tests := []struct {
		fixture string // "" is the embedded default game
		status  int
		want    []string // lines of the report
	}{
		{"", 0, []string{"0 error(s), 0 warning(s)"}},
		{"ok", 0, []string{"0 error(s), 0 warning(s)"}},
		{"syntax", 1, []string{"world/z/rooms.lua:4: error: syntax error near <eof>"}},
		{"runtime", 1, []string{"world/z/rooms.lua:4: error: attempt to index a non-table object(nil) with key 'y'"}},
		{"missing_room", 1, []string{`world/z/rooms.lua:1: error: room z:a: exit east leads to missing room "z:c"`}},
		{"unreachable", 0, []string{"world/z/rooms.lua:3: warning: room z:c cannot be reached from the start room z:a",
			"0 error(s), 1 warning(s)"}},
		{"one_way", 0, []string{"world/z/rooms.lua:2: warning: room z:b: exit down to z:c is one-way (no exit leads back)"}},
		{"missing_proto", 1, []string{`world/z/zone.lua:1: error: zone z: reset names missing prototype "z:ghost"`}},
		{"duplicate_key", 1, []string{`world/z/rooms.lua:3: error: room "z:a" is defined twice`}},
		{"missing_spawn", 1, []string{`world/z/rooms.lua:5: error: spawn("z:ghost"): no prototype z:ghost`, "1 error(s), 0 warning(s)"}},
		{"lookup_key", 0, []string{
			`world/z/rooms.lua:4: warning: room("arena:pit"): no room arena:pit (if the code needs it, declare it with mud.ref("room", "arena:pit"))`,
			`world/z/rooms.lua:4: warning: has("z:badge"): no prototype z:badge (if the code needs it, declare it with mud.ref("proto", "z:badge"))`,
			"0 error(s), 2 warning(s)"}},
		{"quest_ref", 1, []string{`world/z/quests.lua:2: error: npc "z:nobody" does not exist`}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			args := []string{"check"}
			if tt.fixture != "" {
				args = append(args, filepath.Join("testdata", "check", tt.fixture))
			}
			var stdout, stderr bytes.Buffer
			status := run(args, &stdout, &stderr)
			if status != tt.status {
				t.Errorf("exit status %d, want %d", status, tt.status)
			}
			lines := strings.Split(stdout.String(), "\n")
			for _, want := range tt.want {
				found := false
				for _, l := range lines {
					found = found || l == want
				}
				if !found {
					t.Errorf("report lacks %q:\n%s%s", want, stdout.String(), stderr.String())
				}
			}
		})
	}
}

func TestCheckRefusesAMissingDirectory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"check", filepath.Join(t.TempDir(), "nope")}, &stdout, &stderr); status != 1 ||
		!strings.Contains(stderr.String(), "is not a game directory") {
		t.Fatalf("status %d, stderr %q", status, stderr.String())
	}
}
