package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/internal/mudtest"
	"github.com/mudd/mudd/internal/pgtest"
)

// TestPostgresPersistence plays on a server whose database is PostgreSQL: a character made
// over TCP walks and picks up a coin, the server restarts on the same database, and the
// character is back where it was with the coin. No database is written to the data directory.
func TestPostgresPersistence(t *testing.T) {
	dsn := pgtest.DSN(t)
	data := t.TempDir()
	onPostgres := func(c *engine.Config) { c.DB = dsn }

	s := startServer(t, fixture(), data, onPostgres)
	c := mudtest.Create(t, s, "Alice", "password1")
	if out := c.Do("get coin"); !strings.Contains(out, "You pick up a gold coin.") {
		t.Fatalf("get coin:\n%s", out)
	}
	if out := c.Do("n"); !strings.Contains(out, "Great Hall") {
		t.Fatalf("n:\n%s", out)
	}
	c.Send("quit")
	c.Expect("Goodbye")
	s.Stop()

	st, err := store.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.Character(t.Context(), "alice")
	st.Close()
	if err != nil || saved.Room != "town:hall" || len(saved.Items) != 1 || saved.Items[0].Proto != "town:coin" {
		t.Fatalf("saved in PostgreSQL: %+v, %v; want Alice in town:hall with a coin", saved, err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("the data directory holds %v; the database is PostgreSQL", entries)
	}
	if _, err := os.Stat(filepath.Join(data, "mudd.db")); err == nil {
		t.Error("a SQLite file was written")
	}

	s = startServer(t, fixture(), data, onPostgres)
	c = mudtest.Login(t, s, "Alice", "password1")
	if out := c.Do("look"); !strings.Contains(out, "Great Hall") {
		t.Fatalf("after restart, not in the hall:\n%s", out)
	}
	if out := c.Do("i"); strings.Count(out, "a gold coin") != 1 {
		t.Fatalf("after restart, inventory:\n%s", out)
	}
}
