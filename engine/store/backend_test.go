package store

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/mudd/mudd/engine/state"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"data/mudd.db", "data/mudd.db"},
		{"postgres://db.example/mudd", "postgres://db.example/mudd"},
		{"postgres://mudd@db.example/mudd", "postgres://mudd@db.example/mudd"},
		{"postgres://mudd:s3cret@db.example:5432/mudd?sslmode=require",
			"postgres://mudd:xxxxx@db.example:5432/mudd?sslmode=require"},
		{"postgresql://mudd:p%40ss@db.example/mudd", "postgresql://mudd:xxxxx@db.example/mudd"},
		{"postgres://db.example/mudd?user=mudd&password=s3cret&sslmode=disable",
			"postgres://db.example/mudd?password=xxxxx&sslmode=disable&user=mudd"},
		{"postgres://db.example/mudd?pass%77ord=s3cret", "postgres://db.example/mudd?password=xxxxx"},
		{"postgres://db.example/mudd?password=s3cret&bad=%zz", "postgres://db.example/mudd?xxxxx"},
		{"postgres://db.example/mudd?sslpassword=s3cret", "postgres://db.example/mudd?sslpassword=xxxxx"},
		{"postgres://db.example/mudd?application_name=me@home", "postgres://db.example/mudd?application_name=me@home"},
		{"postgres://mudd:s3cret@db.example/mudd?application_name=me@home", "postgres://mudd:xxxxx@home"}, // hides too much
		// Not valid URLs: whatever could be the password is hidden.
		{"postgres://mudd:50%zz@db.example/mudd", "postgres://mudd:xxxxx@db.example/mudd"},
		{"postgres://mudd:a/b?c@d@db.example/mudd", "postgres://mudd:xxxxx@db.example/mudd"},
		{"postgres://mudd:12/x@db.example/mudd", "postgres://mudd:xxxxx@db.example/mudd"},
		{"postgres://mudd:50%zz@db.example/mudd?sslmode=disable&password=s3cret", "postgres://mudd:xxxxx@db.example/mudd?xxxxx"},
		{"host=db.example password=s3cret user=mudd", "host=db.example password=xxxxx user=mudd"},
	} {
		if got := Redact(tc.dsn); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

// fuzzURLParts is every piece of FuzzRedact's URLs but the password.
const fuzzURLParts = "postgres://mudd:xxxxx@db.example:5432/mudd?sslmode=disable&password=xxxxx"

// FuzzRedact checks that no password written into a URL, valid or not, survives Redact.
func FuzzRedact(f *testing.F) {
	for _, pw := range []string{"s3cret", "p%40ss", "50%zz", "a/b?c@d", "12/x", "with space", "x:y", "@", "päss"} {
		f.Add(pw)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		for _, dsn := range []string{
			"postgres://mudd:" + pw + "@db.example:5432/mudd?sslmode=disable",
			"postgres://db.example/mudd?password=" + pw,
		} {
			got := Redact(dsn)
			if Redact(got) != got {
				t.Errorf("Redact(%q) = %q, which Redact changes again", dsn, got)
			}
			// The password as written, unless the query syntax changes it.
			if strings.HasPrefix(dsn, "postgres://mudd:") || !strings.ContainsAny(pw, "&#+%;") {
				for _, secret := range []string{pw, unescaped(pw)} {
					// A password that is also a piece of the rest of the URL cannot be told apart.
					if len(secret) >= 3 && strings.Contains(got, secret) && !strings.Contains(fuzzURLParts, secret) {
						t.Errorf("Redact(%q) = %q: the password %q shows", dsn, got, secret)
					}
				}
			}
			// The password as a driver reads the result.
			if u, err := url.Parse(got); err == nil {
				if p, ok := u.User.Password(); ok && p != hidden {
					t.Errorf("Redact(%q) = %q: password %q", dsn, got, p)
				}
				for k, vs := range u.Query() {
					if isPasswordParam(k) && (len(vs) != 1 || vs[0] != hidden) {
						t.Errorf("Redact(%q) = %q: %s %q", dsn, got, k, vs)
					}
				}
			}
		}
	})
}

func unescaped(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// TestOpenErrorsHidePassword opens PostgreSQL URLs that cannot work (nothing listens on port
// 1); no server is needed.
func TestOpenErrorsHidePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://mudd:s3cret-pw@127.0.0.1:1/mudd?sslmode=disable&connect_timeout=5",
		"postgres://mudd:s3cret-pw%zz@127.0.0.1:1/mudd",
		"postgres://127.0.0.1:1/mudd?user=mudd&password=s3cret-pw&sslmode=disable",
		"postgres://mudd:s3cret-pw@127.0.0.1:1/mudd?sslmode=bogus",
	} {
		s, err := Open(t.Context(), dsn, nil)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", Redact(dsn))
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("Open error does not hide the password: %v", err)
		}
	}
	if _, err := Open(t.Context(), "mysql://mudd:s3cret@localhost/mudd", nil); err == nil ||
		!strings.Contains(err.Error(), "unsupported database") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open(mysql://...) err = %v, want unsupported database without the password", err)
	}
}

// TestSharedDatabase plays several processes sharing one new database: they create the
// tables at the same time, then save overlapping batches of characters in opposite orders.
func TestSharedDatabase(t *testing.T) { forEachBackend(t, testSharedDatabase) }

func testSharedDatabase(t *testing.T, db testDB) {
	dsn := db.new(t)
	const processes, players, rounds = 3, 30, 8
	stores := make([]*Store, processes)
	var wg sync.WaitGroup
	errs := make(chan error, processes*rounds)
	for i := range stores {
		wg.Go(func() {
			s, err := Open(t.Context(), dsn, testLogger(t))
			if err != nil {
				errs <- err
				return
			}
			stores[i] = s
		})
	}
	wg.Wait()
	for _, s := range stores {
		if s != nil {
			t.Cleanup(func() { s.Close() })
		}
	}
	if len(errs) > 0 {
		t.Fatalf("opening a new database from %d processes at once: %v", processes, <-errs)
	}

	for i, s := range stores {
		wg.Go(func() {
			for r := range rounds {
				cs := make([]state.Character, players)
				for p := range cs {
					name := fmt.Sprintf("P%02d", p)
					if i%2 == 1 {
						name = fmt.Sprintf("P%02d", players-1-p)
					}
					cs[p] = state.Character{Name: name, Room: fmt.Sprint("z:", i), Version: uint64(r*processes + i)}
				}
				if err := s.SaveCharacters(t.Context(), cs); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := make(map[string]uint64)
	for p := range players {
		want[fmt.Sprintf("P%02d", p)] = rounds*processes - 1
	}
	wantStored(t, stores[0], want)
}

// TestLogHidesPassword logs what a driver might through the store's logger.
func TestLogHidesPassword(t *testing.T) {
	var buf strings.Builder
	log := scrubLog(slog.New(slog.NewTextHandler(&buf, nil)), "postgres://mudd:s3cret%21@db.example/mudd")
	log.With("dsn", "mudd:s3cret!@db.example").Error("connect mudd:s3cret%21@db.example failed",
		"err", errors.New("password s3cret! refused"), slog.Group("g", "x", "s3cret!"))
	if got := buf.String(); strings.Contains(got, "s3cret") || strings.Count(got, hidden) != 4 {
		t.Errorf("logged %q", got)
	}
}
