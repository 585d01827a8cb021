package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestBans(t *testing.T) { forEachBackend(t, testBans) }

func testBans(t *testing.T, db testDB) {
	s, ctx := openTest(t, db), context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, b := range []Ban{
		{Kind: "name", Value: "troll", Reason: "rude", By: "Ada", At: now, Until: now.Add(time.Hour)},
		{Kind: "cidr", Value: "10.0.0.0/8", By: "Ada", At: now.Add(time.Second)},
		{Kind: "name", Value: "troll", Reason: "very rude", By: "Wes", At: now.Add(2 * time.Second), Until: now.Add(2 * time.Hour)},
	} {
		if err := s.AddBan(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Bans(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Value != "10.0.0.0/8" || !got[0].Until.IsZero() || got[1].Reason != "very rude" ||
		!got[1].Until.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("Bans = %+v", got)
	}
	if got, _ := s.Bans(ctx, now.Add(3*time.Hour)); len(got) != 1 {
		t.Fatalf("after expiry Bans = %+v, want the permanent one", got)
	}
	if err := s.RemoveBan(ctx, "cidr", "10.0.0.0/8"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBan(ctx, "cidr", "10.0.0.0/8"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second RemoveBan: %v, want ErrNotFound", err)
	}
	if got, _ := s.Bans(ctx, now); len(got) != 0 {
		t.Fatalf("Bans = %+v, want none (the expired one is pruned)", got)
	}
}

func TestStaff(t *testing.T) { forEachBackend(t, testStaff) }

func testStaff(t *testing.T, db testDB) {
	s, ctx := openTest(t, db), context.Background()
	for _, a := range []Account{{Name: "Pat"}, {Name: "Wes", Role: "wizard"}, {Name: "Ada", Role: "admin"}} {
		a.PasswordHash = "x"
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordLogin(ctx, "ada", "10.1.2.3", time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Staff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Ada" || got[0].Role != "admin" || got[0].LastAddr != "10.1.2.3" ||
		got[1].Name != "Wes" {
		t.Fatalf("Staff = %+v, want Ada (with her address) and Wes", got)
	}
}

func TestAuditLogWritesInBatches(t *testing.T) { forEachBackend(t, testAuditLogWritesInBatches) }

func testAuditLogWritesInBatches(t *testing.T, db testDB) {
	s := openTest(t, db)
	a := NewAuditLog(s, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 50 {
		who := []string{"Ada", "Wes"}[i%2]
		a.Add(AuditEntry{At: at, Who: who, Role: "wizard", Room: "town:square", Line: fmt.Sprintf("goto %d", i), Result: "ok"})
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Audit(ctx, "wes", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Line != "goto 49" || got[2].Line != "goto 45" || got[0].Who != "Wes" || !got[0].At.Equal(at) {
		t.Fatalf("Audit(wes, 3) = %+v", got)
	}
	a.Add(AuditEntry{At: at, Who: "Ada", Line: "shutdown", Result: "ok"})
	cancel()
	<-done
	if all, _ := s.Audit(context.Background(), "", 100); len(all) != 51 || all[0].Line != "shutdown" {
		t.Fatalf("after Run stopped, %d entries (latest %+v), want 51 ending with shutdown", len(all), all[0])
	}
	if err := a.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after everything was written: %v", err)
	}
}

// TestAuditFlushAfterDrop checks that entries dropped from a full backlog while a batch is
// being written are counted once, so that Flush still returns once the rest is written.
func TestAuditFlushAfterDrop(t *testing.T) {
	s := openTest(t, testDBs[0])
	a := NewAuditLog(s, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	tx := s.db.Begin() // holds SQLite's write lock: the next batch waits for it
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	entry := AuditEntry{At: time.Now(), Who: "Ada", Line: "goto 1", Result: "ok"}
	a.Add(entry)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		a.mu.Lock()
		taken := len(a.pending) == 0
		a.mu.Unlock()
		if taken {
			break // the writer has the batch and waits for the lock
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer never took the batch")
		}
	}
	for range maxAuditBacklog + 1 { // one over: the oldest waiting entry is dropped
		a.Add(entry)
	}
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer fcancel()
	if err := a.Flush(fctx); err != nil {
		t.Fatalf("Flush after a drop: %v", err)
	}
}
