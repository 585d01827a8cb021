package loadgen_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mudd/mudd/loadgen"
)

func TestWalk(t *testing.T) {
	eng := startEngine(t)
	addr := eng.TCPAddr().String()
	acct := loadgen.Account{Name: "Walker", Password: "walker-password"}
	steps := []loadgen.Step{{Line: "west", Want: "Edge of the Eldwood"}, {Line: "east", Want: "The West Gate"}}
	lat, err := loadgen.Walk(context.Background(), addr, false, acct, []string{"west", "west"}, steps, 5)
	if err != nil {
		t.Fatal(err)
	}
	if lat.Count != 10 || lat.P50 <= 0 {
		t.Fatalf("walk latency %+v, want 10 steps measured", lat)
	}
	wrong := []loadgen.Step{{Line: "east", Want: "Edge of the Eldwood"}}
	if _, err := loadgen.Walk(context.Background(), addr, false, acct, nil, wrong, 1); err == nil ||
		!strings.Contains(err.Error(), "Edge of the Eldwood") {
		t.Fatalf("a step answered without its text: %v", err)
	}
}
