package cluster

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRegistry: which claims of zones the gateway accepts, and when a silent scene is dead.
func TestRegistry(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	g := NewGateway(nil, "gw", slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.now = func() time.Time { return now }
	steps := []struct {
		scene   SceneInfo
		refused string // "" when accepted
		busy    bool
	}{
		{SceneInfo{ID: "village", Run: "1", Zones: []string{"millbrook", "riverside"}}, "", false},
		{SceneInfo{ID: "forest", Run: "1", Zones: []string{"eldwood"}}, "", false},
		{SceneInfo{ID: "forest", Run: "1", Zones: []string{"eldwood"}}, "", false}, // a heartbeat
		{SceneInfo{ID: "rival", Run: "1", Zones: []string{"eldwood"}}, `zone "eldwood" is already owned by scene "forest"`, false},
		{SceneInfo{ID: "forest", Run: "2", Zones: []string{"eldwood"}}, `scene "forest" is running already`, true},
		{SceneInfo{ID: "hills", Run: "1", Zones: []string{"hills", "riverside"}}, `zone "riverside" is already owned by scene "village"`, false},
	}
	for _, s := range steps {
		got, busy := g.register(s.scene, true)
		if s.refused == "" && got != "" || s.refused != "" && !strings.Contains(got, s.refused) || busy != s.busy {
			t.Errorf("register %s (run %s, zones %v) = %q, %v; want %q, %v", s.scene.ID, s.scene.Run, s.scene.Zones,
				got, busy, s.refused, s.busy)
		}
	}
	if len(g.Scenes()) != 2 {
		t.Fatalf("scenes: %+v", g.Scenes())
	}

	now = now.Add(DeadAfter / 2)
	g.register(SceneInfo{ID: "village", Run: "1", Zones: []string{"millbrook", "riverside"}}, false)
	now = now.Add(DeadAfter/2 + time.Millisecond)
	g.reap() // the forest has been silent for longer than DeadAfter
	if list := g.Scenes(); len(list) != 1 || list[0].ID != "village" {
		t.Fatalf("after the forest fell silent: %+v", list)
	}
	if got, _ := g.register(SceneInfo{ID: "forest", Run: "2", Zones: []string{"eldwood"}}, true); got != "" {
		t.Fatalf("the forest's new process was refused: %s", got)
	}
}
