// Package store keeps accounts and characters in SQLite through GORM.
//
// A Store is safe for concurrent use. Its methods do database I/O and must not be called
// from the game loop; the loop hands character snapshots to a Writer instead, which saves
// them in batches on its own goroutine.
//
// The model code is portable GORM: only Open knows it talks to SQLite (the pure Go
// glebarez driver, in WAL mode with immediate transactions).
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
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

// pragmas configures every pooled SQLite connection: WAL so readers never wait for the
// writer, a busy timeout instead of immediate "database is locked" errors, and immediate
// transactions so read-then-write transactions do not fail on lock upgrade.
const pragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)&_txlock=immediate"

// slowQuery is how long a statement may take before GORM logs it as a warning.
const slowQuery = 500 * time.Millisecond

// Store is the database of accounts and characters.
type Store struct {
	db  *gorm.DB
	log *slog.Logger
}

// Open opens the SQLite database file at path, creating it and its tables if needed.
// log receives GORM's warnings and errors; nil discards them.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: open %q: invalid database file name", path)
	}
	db, err := gorm.Open(sqlite.Open(path+"?"+pragmas), &gorm.Config{
		Logger: logger.NewSlogLogger(log, logger.Config{
			SlowThreshold:             slowQuery,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
			LogLevel:                  logger.Warn,
		}),
		TranslateError:         true,
		SkipDefaultTransaction: true, // transactions are explicit where they matter
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	s := &Store{db: db, log: log}
	if err := db.WithContext(ctx).AutoMigrate(&accountRow{}, &characterRow{}, &zoneBuilderRow{}, &banRow{},
		&auditRow{}); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %q: create tables: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// byKey selects the row of the account or character called name (in any letter case).
func byKey(name string) clause.Expression {
	return clause.Eq{Column: clause.Column{Name: "key"}, Value: state.Key(name)}
}
