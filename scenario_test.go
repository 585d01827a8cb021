package mudd_test

import (
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
)

// TestDefaultGameScenarios runs the scenario tests the default game ships in tests/.
func TestDefaultGameScenarios(t *testing.T) {
	files, err := engine.Scenarios(mudd.DefaultGame())
	if err != nil || len(files) < 2 {
		t.Fatalf("scenarios: %v %v", files, err)
	}
	for _, f := range files {
		r := engine.RunScenario(mudd.DefaultGame(), f, engine.Config{})
		if r.Err != nil {
			t.Errorf("%v", r.Err)
		} else if r.Checks == 0 {
			t.Errorf("%s checked nothing", f)
		}
	}
}
