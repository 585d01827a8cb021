// Package store keeps accounts and characters in a SQL database through GORM: a SQLite file
// for one machine, or PostgreSQL when several processes on several machines share it.
//
// A Store is safe for concurrent use, and several processes may share one database. Its
// methods do database I/O and must not be called from the game loop; the loop hands
// character snapshots to a Writer instead, which saves them in batches on its own goroutine.
//
// The model code is portable GORM and the same for both backends: only the setup in
// backend.go knows which one it talks to (SQLite through the pure Go glebarez driver, in
// WAL mode with immediate transactions; PostgreSQL through pgx).
//
// # Concurrency
//
// Every write goes through Store.write (commit.go). With SQLite one connection writes, owned
// by a goroutine that commits the writes queued meanwhile in one transaction (group commit),
// and a few other connections read; with PostgreSQL each write is a transaction on the pool.
// A write that fails for contention (SQLite's "database is locked" from another process, a
// PostgreSQL serialization failure or deadlock) is run again a bounded number of times.
//
// Every write is either one statement that decides by itself (an insert that does nothing
// on a conflict, an upsert guarded by the stored version, an update or delete by key), or a
// transaction that reads rows and then writes. In SQLite a transaction starts by taking the
// database's write lock (BEGIN IMMEDIATE), so such a transaction never sees data change
// under it. PostgreSQL runs at its default isolation, read committed: a transaction that
// reads a row to decide what to write locks that row first (SELECT ... FOR UPDATE in
// UpdateRole, FOR SHARE in AssignZone, through clause.Locking; SQLite drops the clause). Batches lock rows in key order,
// so two processes saving overlapping batches wait for each other instead of deadlocking.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/mudd/mudd/engine/state"
)

// Errors returned (wrapped) by Store methods; test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// slowQuery is how long a statement may take before GORM logs it as a warning.
const slowQuery = 500 * time.Millisecond

// Store is the database of accounts and characters.
type Store struct {
	db      *gorm.DB // writes go here, through write
	read    *gorm.DB // reads: db itself, or a pool of reading connections
	group   *committer
	log     *slog.Logger
	backend backend
}

// Open opens the database named by dsn, creating its tables if needed. A dsn that starts
// with postgres:// or postgresql:// is a PostgreSQL connection URL (see
// https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS; the
// password may also come from PGPASSWORD or ~/.pgpass); anything else is the path of a
// SQLite file, created if missing. Errors and logs never show the password (see Redact).
// log receives GORM's warnings and errors; nil discards them.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := open(ctx, dsn, scrubLog(log, dsn))
	if err != nil {
		return nil, scrub(fmt.Errorf("store: open %s: %w", Redact(dsn), err), dsn)
	}
	return s, nil
}

func open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	b, err := backendOf(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(b.dialector(dsn), gormConfig(log))
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, read: db, log: log, backend: b}
	if err := b.setup(db); err != nil {
		s.Close()
		return nil, err
	}
	// Creating the tables is one transaction holding the backend's migration lock, so that
	// processes starting together on a new database do not race to create the same table.
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := b.lockMigration(tx); err != nil {
			return err
		}
		return tx.AutoMigrate(&accountRow{}, &characterRow{}, &zoneBuilderRow{}, &banRow{}, &auditRow{})
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create tables: %w", err)
	}
	if b.readers != nil {
		if s.read, err = gorm.Open(b.readers(dsn), gormConfig(log)); err == nil {
			err = b.setupReaders(s.read)
		}
		if err != nil {
			s.read = db
			s.Close()
			return nil, fmt.Errorf("open readers: %w", err)
		}
		s.group = newCommitter(db, log, b.retryable)
	}
	return s, nil
}

func gormConfig(log *slog.Logger) *gorm.Config {
	return &gorm.Config{
		Logger: logger.NewSlogLogger(log, logger.Config{
			SlowThreshold:             slowQuery,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never log values: they hold password hashes
			LogLevel:                  logger.Warn,
		}),
		TranslateError:         true,
		SkipDefaultTransaction: true, // transactions are explicit where they matter
		NowFunc:                func() time.Time { return dbTime(time.Now()) },
	}
}

// Close finishes the writes under way and closes the database. Writes made after Close fail.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	pools := []*gorm.DB{s.db}
	if s.read != s.db {
		pools = append(pools, s.read)
	}
	var errs []error
	for _, db := range pools {
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Backend names the kind of database: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.backend.name }

// byKey selects the row of the account or character called name (in any letter case).
func byKey(name string) clause.Expression {
	return clause.Eq{Column: clause.Column{Name: "key"}, Value: state.Key(name)}
}

// orderBy sorts by the named columns, ascending.
func orderBy(columns ...string) clause.OrderBy {
	var ob clause.OrderBy
	for _, c := range columns {
		ob.Columns = append(ob.Columns, clause.OrderByColumn{Column: clause.Column{Name: c}})
	}
	return ob
}

// dbTime is t as both backends store it: in UTC, to the microsecond (PostgreSQL's
// precision), so that what is read back equals what was written on either.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
