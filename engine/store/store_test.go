package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/internal/pgtest"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// testDB is a database backend the tests run against.
type testDB struct {
	name string
	new  func(t testing.TB) string // the DSN of a new, empty database, removed when t ends
}

// testDBs are the backends. PostgreSQL needs a server (see pgtest); without one its tests
// skip, saying so.
var testDBs = []testDB{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "mudd.db") }},
	{"postgres", pgtest.DSN},
}

// forEachBackend runs test once for each backend, as subtests named after them.
func forEachBackend(t *testing.T, test func(t *testing.T, db testDB)) {
	for _, db := range testDBs {
		t.Run(db.name, func(t *testing.T) { test(t, db) })
	}
}

// openAt opens the store at dsn and closes it when the test ends.
func openAt(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// openTest opens a new, empty database of the backend.
func openTest(t testing.TB, db testDB) *Store {
	return openAt(t, db.new(t))
}

func TestOpenPragmas(t *testing.T) {
	s := openTest(t, testDBs[0])
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"synchronous", "2"}, // FULL: a commit is durable when it returns
		{"foreign_keys", "1"},
	} {
		var got string
		if err := s.db.Raw("PRAGMA " + tc.pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, path := range []string{"", "a.db?mode=ro", filepath.Join(t.TempDir(), "missing", "dir", "x.db")} {
		if s, err := Open(t.Context(), path, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

var errAny = errors.New("any error")

func TestAccounts(t *testing.T) { forEachBackend(t, testAccounts) }

func testAccounts(t *testing.T, db testDB) {
	ctx := t.Context()
	dsn := db.new(t)
	s := openAt(t, dsn)
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := s.CreateAccount(ctx, Account{Name: "Alice", PasswordHash: "h1", CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, Account{Name: "Bob", PasswordHash: "h2", Role: "builder"}); err != nil {
		t.Fatal(err)
	}

	login := time.Date(2024, 6, 2, 8, 30, 15, 123456789, time.FixedZone("CEST", 2*3600))
	for _, tc := range []struct {
		name string
		err  error
		want error // errAny: any error
	}{
		{"duplicate", s.CreateAccount(ctx, Account{Name: "Alice"}), ErrExists},
		{"duplicate other case", s.CreateAccount(ctx, Account{Name: "aLICE"}), ErrExists},
		{"empty name", s.CreateAccount(ctx, Account{}), errAny},
		{"set role", s.SetRole(ctx, "ALICE", "wizard"), nil},
		{"set empty role", s.SetRole(ctx, "alice", ""), errAny},
		{"set password", s.SetPassword(ctx, "alice", "h3"), nil},
		{"record login", s.RecordLogin(ctx, "Alice", "192.0.2.1:4000", login), nil},
		{"set role missing", s.SetRole(ctx, "carol", "admin"), ErrNotFound},
		{"set password missing", s.SetPassword(ctx, "carol", "x"), ErrNotFound},
		{"record login missing", s.RecordLogin(ctx, "carol", "x", login), ErrNotFound},
	} {
		switch {
		case tc.want == nil && tc.err != nil:
			t.Errorf("%s: %v", tc.name, tc.err)
		case tc.want == errAny && tc.err == nil:
			t.Errorf("%s: succeeded", tc.name)
		case tc.want != nil && tc.want != errAny && !errors.Is(tc.err, tc.want):
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if _, err := s.Account(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Account(carol) err = %v, want ErrNotFound", err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dsn)
	want := map[string]Account{
		"alice": {Name: "Alice", PasswordHash: "h3", Role: "wizard", CreatedAt: created,
			LastLoginAt: login.Truncate(time.Microsecond), LastAddr: "192.0.2.1:4000"}, // both keep µs
		"BOB": {Name: "Bob", PasswordHash: "h2", Role: "builder"},
	}
	for name, w := range want {
		a, err := s.Account(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != w.Name || a.PasswordHash != w.PasswordHash || a.Role != w.Role || a.LastAddr != w.LastAddr ||
			!a.LastLoginAt.Equal(w.LastLoginAt) || (!w.CreatedAt.IsZero() && !a.CreatedAt.Equal(w.CreatedAt)) {
			t.Errorf("Account(%q) = %+v, want %+v", name, a, w)
		}
		if a.CreatedAt.IsZero() || time.Since(a.CreatedAt) < 0 {
			t.Errorf("Account(%q).CreatedAt = %v", name, a.CreatedAt)
		}
	}
}

func TestAccountDefaultRole(t *testing.T) { forEachBackend(t, testAccountDefaultRole) }

func testAccountDefaultRole(t *testing.T, db testDB) {
	s := openTest(t, db)
	if err := s.CreateAccount(t.Context(), Account{Name: "Dan"}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Account(t.Context(), "dan")
	if err != nil {
		t.Fatal(err)
	}
	if a.Role != "player" || !a.LastLoginAt.IsZero() {
		t.Errorf("new account = %+v, want role player and no login", a)
	}
}

func character(name string, version uint64) state.Character {
	return state.Character{
		Name: name,
		Room: "town:square",
		Items: []state.Item{
			{Proto: "town:bag", Contents: []state.Item{
				{Proto: "town:coin", Data: map[string]any{"value": 5.0}},
				{Proto: "town:pouch", Contents: []state.Item{{Proto: "town:gem"}}},
			}},
			{Proto: "town:sword", Data: map[string]any{"sharp": true, "runes": []any{"fire", 2.5}}},
		},
		Stats: map[string]int{"hp": 20, "str": 12},
		Data: map[string]any{
			"title": "the Brave",
			"quest": map[string]any{"step": 3.0, "log": []any{"met guard", map[string]any{"at": 1.5}}},
		},
		Color:   "true",
		Played:  90*time.Minute + 7*time.Second,
		Version: version,
	}
}

func TestCharacterRoundTrip(t *testing.T) { forEachBackend(t, testCharacterRoundTrip) }

func testCharacterRoundTrip(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	if _, err := s.Character(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Character before save: err = %v, want ErrNotFound", err)
	}
	want := []state.Character{character("Alice", 1), {Name: "Bob", Version: 3}}
	if err := s.SaveCharacters(ctx, want); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		got, err := s.Character(ctx, strings.ToUpper(w.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("Character(%q):\n got %#v\nwant %#v", w.Name, got, w)
		}
	}
}

func TestCharacterVersions(t *testing.T) { forEachBackend(t, testCharacterVersions) }

func testCharacterVersions(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	at := func(room string, v uint64) state.Character {
		return state.Character{Name: "Alice", Room: room, Version: v}
	}
	if err := s.SaveCharacters(ctx, []state.Character{at("a:1", 5)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		save []state.Character
		want state.Character
	}{
		{"older is skipped", []state.Character{at("a:old", 3)}, at("a:1", 5)},
		{"same version replaces", []state.Character{at("a:2", 5)}, at("a:2", 5)},
		{"newer replaces", []state.Character{at("a:3", 6)}, at("a:3", 6)},
		{"highest in one call wins", []state.Character{at("a:8", 8), at("a:7", 7)}, at("a:8", 8)},
		{"other case is the same character", []state.Character{{Name: "ALICE", Room: "a:9", Version: 9}},
			state.Character{Name: "ALICE", Room: "a:9", Version: 9}},
	} {
		if err := s.SaveCharacters(ctx, tc.save); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := s.Character(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: stored %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestCharacterVersionsManyRows checks the version rule in every INSERT of a large batch.
func TestCharacterVersionsManyRows(t *testing.T) { forEachBackend(t, testCharacterVersionsManyRows) }

func testCharacterVersionsManyRows(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	const n = 2*rowsPerInsert + 7
	batch := func(v uint64) []state.Character {
		cs := make([]state.Character, n)
		for i := range cs {
			cs[i] = state.Character{Name: fmt.Sprintf("P%04d", i), Version: v}
		}
		return cs
	}
	if err := s.SaveCharacters(ctx, batch(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCharacters(ctx, batch(1)); err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := s.db.Model(&characterRow{}).Where("version = ?", 2).Count(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("%d rows at version 2, want %d", count, n)
	}
}

func TestSaveCharactersInvalid(t *testing.T) { forEachBackend(t, testSaveCharactersInvalid) }

func testSaveCharactersInvalid(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	bad := state.Character{Name: "Bob", Data: map[string]any{"n": 1}}
	err := s.SaveCharacters(ctx, []state.Character{character("Alice", 1), bad})
	if err == nil || !strings.Contains(err.Error(), "data.n") {
		t.Fatalf("SaveCharacters with invalid data: err = %v", err)
	}
	if _, err := s.Character(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("valid character of a failed batch was saved: err = %v", err)
	}
}

func TestContextCancelled(t *testing.T) { forEachBackend(t, testContextCancelled) }

func testContextCancelled(t *testing.T, db testDB) {
	s := openTest(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.SaveCharacters(ctx, []state.Character{{Name: "Alice"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("SaveCharacters with cancelled ctx: err = %v", err)
	}
	if _, err := s.Account(ctx, "alice"); !errors.Is(err, context.Canceled) {
		t.Errorf("Account with cancelled ctx: err = %v", err)
	}
}

func TestUpdateRole(t *testing.T) { forEachBackend(t, testUpdateRole) }

func testUpdateRole(t *testing.T, db testDB) {
	ctx := t.Context()
	s := openTest(t, db)
	if err := s.CreateAccount(ctx, Account{Name: "Alice", Role: "builder"}); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	if _, err := s.UpdateRole(ctx, "alice", func(Account) (string, error) { return "admin", refused }); err != refused {
		t.Errorf("UpdateRole refused by decide: err = %v, want decide's error as is", err)
	}
	if _, err := s.UpdateRole(ctx, "carol", func(Account) (string, error) { return "admin", nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateRole of a missing account: err = %v, want ErrNotFound", err)
	}
	was, err := s.UpdateRole(ctx, "ALICE", func(a Account) (string, error) { return "wizard", nil })
	if err != nil || was.Name != "Alice" || was.Role != "builder" {
		t.Errorf("UpdateRole = %+v, %v; want Alice as she was, a builder", was, err)
	}
	if a, _ := s.Account(ctx, "alice"); a.Role != "wizard" {
		t.Errorf("role after UpdateRole = %q, want wizard", a.Role)
	}
}

// TestUpdateRoleConcurrent counts in the role from two processes at once: every decision
// must see the previous one's result, or a count is lost.
func TestUpdateRoleConcurrent(t *testing.T) { forEachBackend(t, testUpdateRoleConcurrent) }

func testUpdateRoleConcurrent(t *testing.T, db testDB) {
	dsn := db.new(t)
	stores := []*Store{openAt(t, dsn), openAt(t, dsn)}
	if err := stores[0].CreateAccount(t.Context(), Account{Name: "Counter", Role: "0"}); err != nil {
		t.Fatal(err)
	}
	const each = 10
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 2 {
			wg.Go(func() {
				for range each {
					_, err := s.UpdateRole(t.Context(), "counter", func(a Account) (string, error) {
						n, err := strconv.Atoi(a.Role)
						return strconv.Itoa(n + 1), err
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	if a, err := stores[1].Account(t.Context(), "counter"); err != nil || a.Role != strconv.Itoa(4*each) {
		t.Errorf("after %d concurrent updates, role = %q (%v)", 4*each, a.Role, err)
	}
}
