// Package pgtest gives tests a PostgreSQL database of their own on the server named by the
// MUDD_TEST_POSTGRES environment variable, and skips them, saying why, when it is unset.
// .ci/run starts a throwaway server and sets the variable.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the environment variable holding the URL of the test server's database, such as
// postgres://mudd:secret@127.0.0.1:5432/mudd_test?sslmode=disable.
const Env = "MUDD_TEST_POSTGRES"

// SkipMessage is what a test skipped for want of a server says.
const SkipMessage = "PostgreSQL tests skipped: set " + Env + "=postgres://... (.ci/run starts a server)"

// DSN returns the URL of a new, empty schema on the test server: the server's database URL
// with the schema as search_path, so that everything the test creates lands in it and tests
// never see each other's tables. The schema is dropped when the test ends. DSN skips the
// test if Env is unset, and fails it if the server cannot be reached.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skip(SkipMessage)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s: want a postgres:// URL", Env)
	}
	schema := "mudd_test_" + strings.ToLower(rand.Text()[:16])
	if err := exec(base, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("PostgreSQL test server (%s): create schema: %v", Env, err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("PostgreSQL test server (%s): drop schema %s: %v", Env, schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on its own connection to the database at dsn.
func exec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
