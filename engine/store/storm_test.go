package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/mudd/mudd/engine/state"
)

// TestLoginStorm logs many new players in at once, as after a gateway restart: each
// goroutine creates an account, looks it up, claims its character, records the login,
// saves the character through the shared Writer and directly, and adds an audit entry,
// while a second store (another process) saves and claims on the same database, and both
// claim the same new characters at once. Every write
// must get through: none may fail with "database is locked" or for want of connections.
func TestLoginStorm(t *testing.T) { forEachBackend(t, testLoginStorm) }

func testLoginStorm(t *testing.T, db testDB) {
	const players = 1000
	dsn := db.new(t)
	s, other := openAt(t, dsn), openAt(t, dsn)
	w := NewWriter(s, testLogger(t))
	runWriter(t, w)
	audit := NewAuditLog(s, testLogger(t))
	stopAudit := runAuditLog(audit)
	defer stopAudit()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	start := make(chan struct{}) // everyone at once, as after a gateway restart
	errs := make(chan error, 8*players)
	for i := range players {
		wg.Go(func() {
			<-start
			if err := logIn(ctx, s, w, audit, fmt.Sprintf("Storm%04d", i)); err != nil {
				errs <- err
			}
		})
		if i%3 != 0 {
			continue
		}
		wg.Go(func() { // the other process plays characters of its own meanwhile
			<-start
			name := fmt.Sprintf("Other%04d", i)
			if _, _, err := other.Claim(ctx, name, "other"); err != nil {
				errs <- err
			}
			if err := other.SaveCharacters(ctx, []state.Character{{Name: name, Room: "z:b", Version: 1}}); err != nil {
				errs <- err
			}
		})
		for _, st := range []*Store{s, other} { // and both claim a new character at once
			wg.Go(func() {
				<-start
				if _, _, err := st.Claim(ctx, fmt.Sprintf("Both%04d", i), fmt.Sprint("owner-", st == s)); err != nil {
					errs <- err
				}
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed++; failed <= 5 {
			t.Error(err)
		}
	}
	if failed > 0 {
		t.Fatalf("%d of the storm's writes failed", failed)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := audit.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Storm0000", fmt.Sprintf("Storm%04d", players-1)} {
		if a, err := s.Account(ctx, name); err != nil || a.LastAddr != "127.0.0.1" {
			t.Errorf("account %s = %+v, %v; want its login recorded", name, a, err)
		}
	}
	wantStored(t, s, map[string]uint64{"storm0000": 2, fmt.Sprintf("storm%04d", players-1): 2})
	if lease, err := other.Owner(ctx, "Both0000"); err != nil || lease.Epoch != 2 {
		t.Errorf("after two claims, Both0000 is held under %+v (%v), want epoch 2", lease, err)
	}
	if entries, err := s.Audit(ctx, "", 2*players); err != nil || len(entries) != players {
		t.Errorf("audit has %d entries (%v), want %d", len(entries), err, players)
	}
}

// logIn does the store's part of a new player's first login.
func logIn(ctx context.Context, s *Store, w *Writer, audit *AuditLog, name string) error {
	if err := s.CreateAccount(ctx, Account{Name: name, PasswordHash: "x"}); err != nil {
		return err
	}
	if _, err := s.Account(ctx, name); err != nil {
		return err
	}
	c, err := w.Claim(ctx, name)
	if err != nil {
		return err
	}
	if err := s.RecordLogin(ctx, name, "127.0.0.1", time.Now()); err != nil {
		return err
	}
	c.Room, c.Version = "z:a", 1
	if err := s.SaveCharacters(ctx, []state.Character{c}); err != nil {
		return err
	}
	c.Version = 2
	w.Save(c)
	audit.Add(AuditEntry{At: time.Now(), Who: name, Role: "player", Line: "login", Result: "ok"})
	return nil
}

// runAuditLog runs a until the returned function is called; it returns after Run has.
func runAuditLog(a *AuditLog) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// TestFailedWriteAmongOthers makes writes that fail (a role change of a missing account, one
// refused by its decision, a new account whose name is taken) at the same time as writes
// that succeed: committed together or not, each gets its own result.
func TestFailedWriteAmongOthers(t *testing.T) { forEachBackend(t, testFailedWriteAmongOthers) }

func testFailedWriteAmongOthers(t *testing.T, db testDB) {
	const n = 300
	ctx := t.Context()
	s := openTest(t, db)
	if err := s.CreateAccount(ctx, Account{Name: "Taken"}); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			switch i % 4 {
			case 0:
				_, results[i] = s.UpdateRole(ctx, "nobody", func(Account) (string, error) { return "wizard", nil })
			case 1:
				_, results[i] = s.UpdateRole(ctx, "taken", func(Account) (string, error) { return "", refused })
			case 2:
				results[i] = s.CreateAccount(ctx, Account{Name: "Taken"})
			default:
				results[i] = s.CreateAccount(ctx, Account{Name: fmt.Sprintf("Fresh%04d", i)})
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range results {
		want := []error{ErrNotFound, refused, ErrExists, nil}[i%4]
		if !errors.Is(err, want) || (want == nil && err != nil) {
			t.Errorf("write %d: err = %v, want %v", i, err, want)
		}
	}
	for i := 3; i < n; i += 4 {
		if _, err := s.Account(ctx, fmt.Sprintf("Fresh%04d", i)); err != nil {
			t.Errorf("account %d: %v", i, err)
		}
	}
	if a, err := s.Account(ctx, "taken"); err != nil || a.Role != defaultRole {
		t.Errorf("Taken = %+v, %v; want unchanged", a, err)
	}
}

// TestSQLiteConnections checks the connections a SQLite store opens: one that writes, and a
// few that read and cannot write.
func TestSQLiteConnections(t *testing.T) {
	s := openTest(t, testDBs[0])
	for _, tc := range []struct {
		name string
		db   *gorm.DB
		max  int
	}{{"writer", s.db, 1}, {"readers", s.read, sqliteReaders}} {
		sqlDB, err := tc.db.DB()
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlDB.Stats().MaxOpenConnections; got != tc.max {
			t.Errorf("%s: at most %d connections, want %d", tc.name, got, tc.max)
		}
	}
	err := s.read.Create(&banRow{Kind: "name", Value: "x"}).Error
	if !strings.Contains(fmt.Sprint(err), "readonly") {
		t.Errorf("a write on a reading connection: err = %v, want a read-only database", err)
	}
}
