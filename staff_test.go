package mudd_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
)

// TestStaffKeepTheGamesAbbreviations: staff commands are registered before the game's, so a
// prefixable one could take over a player's abbreviation ("b" for buy). For every prefix of
// every command of the default game, staff get the command a player gets.
func TestStaffKeepTheGamesAbbreviations(t *testing.T) {
	eng, err := engine.New(engine.Config{Game: mudd.DefaultGame(), DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	reg := eng.Commands()
	for _, c := range reg.Visible(engine.RolePlayer) {
		for n := 1; n <= len(c.Name); n++ {
			prefix := c.Name[:n]
			want := reg.Lookup(prefix, engine.RolePlayer)
			for _, role := range []engine.Role{engine.RoleBuilder, engine.RoleWizard, engine.RoleAdmin, engine.RoleOperator} {
				if got := reg.Lookup(prefix, role); got != want {
					t.Errorf("%q is %s for a player but %s for role %s", prefix, name(want), name(got), role)
				}
			}
		}
	}
}

func name(c *engine.Command) string {
	if c == nil {
		return "nothing"
	}
	return c.Name
}
