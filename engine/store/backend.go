package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// backend is what differs between the databases: how to connect and set up, and how to
// keep two processes from creating the tables at once. Everything else is shared.
type backend struct {
	name      string
	dialector func(dsn string) gorm.Dialector
	setup     func(db *gorm.DB) error
	// readers, if not nil, opens a second pool for reads, set up by setupReaders; writes
	// then go through a committer on the first (see write). Without it the one pool serves
	// both.
	readers      func(dsn string) gorm.Dialector
	setupReaders func(db *gorm.DB) error
	// retryable reports whether a write that failed with err may succeed if run again.
	retryable func(err error) bool
	// lockMigration runs first in the transaction that creates the tables and holds a lock
	// that the same transaction in another process waits for, until commit.
	lockMigration func(tx *gorm.DB) error
}

// sqlitePragmas configures every pooled SQLite connection: WAL so readers never wait for
// the writer, synchronous=FULL so that a commit is on stable storage when it returns (the
// WAL is synced at every commit: a save reported done survives a power cut), a busy
// timeout instead of immediate "database is locked" errors, and immediate transactions so
// that a transaction takes the write lock when it begins: a read-then-write transaction
// never fails on lock upgrade, nor sees rows change under it.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)&_txlock=immediate"

// sqliteReaderPragmas configures the connections that read: they wait for a lock as the
// writer does (WAL readers rarely need one), and cannot write.
const sqliteReaderPragmas = "_pragma=busy_timeout(5000)&_pragma=query_only(1)"

// sqliteReaders is how many connections of a process read a SQLite file at once. WAL readers
// do not wait for the writer or for each other; more would only hold more files open.
const sqliteReaders = 4

var sqliteBackend = backend{
	name:      "sqlite",
	dialector: func(path string) gorm.Dialector { return sqlite.Open(path + "?" + sqlitePragmas) },
	// One connection writes: SQLite has one writer at a time anyway, and connections of one
	// process waiting for each other's lock in the busy handler starve under load.
	setup:        func(db *gorm.DB) error { return maxConns(db, 1) },
	readers:      func(path string) gorm.Dialector { return sqlite.Open(path + "?" + sqliteReaderPragmas) },
	setupReaders: func(db *gorm.DB) error { return maxConns(db, sqliteReaders) },
	retryable:    sqliteRetryable,
	// BEGIN IMMEDIATE has already taken the database's write lock.
	lockMigration: func(*gorm.DB) error { return nil },
}

// postgresMaxConns bounds the connections one process opens to PostgreSQL, so that several
// processes stay well under the server's max_connections (100 by default).
const postgresMaxConns = 10

// postgresMigrationLock is the key of the transaction-level advisory lock held while the
// tables are created: any fixed number unlikely to be used by something else.
const postgresMigrationLock = 0x6d756464 // "mudd"

var postgresBackend = backend{
	name:      "postgres",
	dialector: func(dsn string) gorm.Dialector { return postgres.New(postgres.Config{DSN: dsn}) },
	setup: func(db *gorm.DB) error {
		sqlDB, err := db.DB()
		if err != nil {
			return err
		}
		sqlDB.SetMaxOpenConns(postgresMaxConns)
		sqlDB.SetMaxIdleConns(postgresMaxConns / 2)
		return nil
	},
	retryable: postgresRetryable,
	lockMigration: func(tx *gorm.DB) error {
		return tx.Exec("SELECT pg_advisory_xact_lock(?)", postgresMigrationLock).Error
	},
}

// maxConns bounds db's pool to n connections, all kept open.
func maxConns(db *gorm.DB, n int) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	return nil
}

// SQLite's result codes (the low byte of an extended code) of a database locked by another
// connection.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// sqliteRetryable reports whether err is SQLite's "database is locked": another process
// held the write lock for longer than the busy timeout.
func sqliteRetryable(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	code := coded.Code() & 0xff
	return code == sqliteBusy || code == sqliteLocked
}

// postgresRetryable reports whether err is a serialization failure or a deadlock, after
// which PostgreSQL expects the transaction to be run again.
func postgresRetryable(err error) bool {
	var pgErr interface{ SQLState() string }
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.SQLState() {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return true
	}
	return false
}

// backendOf tells which database dsn names.
func backendOf(dsn string) (backend, error) {
	switch {
	case isPostgres(dsn):
		return postgresBackend, nil
	case strings.Contains(dsn, "://"):
		return backend{}, errors.New("unsupported database: want a postgres:// URL or the path of a SQLite file")
	case dsn == "" || strings.ContainsAny(dsn, "?#"):
		return backend{}, errors.New("invalid database file name")
	}
	return sqliteBackend, nil
}

// isPostgres reports whether dsn is a PostgreSQL connection URL.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool { return isPostgres(dsn) }

const hidden = "xxxxx"

// kvPassword matches a password in key=value text.
var kvPassword = regexp.MustCompile(`(?i)((?:^|\s)(?:ssl)?password=)('[^']*'|\S*)`)

// isPasswordParam reports whether a connection parameter holds a password.
func isPasswordParam(key string) bool {
	return strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")
}

// Redact returns dsn fit for logs and error messages: any password in it, in the user
// information of a URL or as a password parameter, is replaced by "xxxxx". Text it cannot
// make sense of is hidden along with the password rather than shown.
func Redact(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return kvPassword.ReplaceAllString(dsn, "${1}"+hidden)
	}
	u, err := url.Parse(dsn)
	// An @ after the end of the host may still be meant to end the user information, after
	// a password with characters that needed escaping: then all up to it is hidden.
	at := strings.LastIndex(rest, "@")
	if end := strings.IndexAny(rest, "/?#"); err != nil || (end >= 0 && at > end) {
		user, tail := "", rest
		if name, _, ok := strings.Cut(rest[:max(at, 0)], ":"); ok && !strings.ContainsAny(name, "/?#") {
			user, tail = name+":"+hidden+"@", rest[at+1:]
		}
		if before, query, ok := strings.Cut(tail, "?"); ok &&
			(strings.Contains(query, "%") || strings.Contains(strings.ToLower(query), "password")) {
			tail = before + "?" + hidden
		}
		return scheme + "://" + user + tail
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), hidden)
	}
	if u.Fragment != "" { // drivers ignore it: it can only be a mistyped part of something
		u.Fragment, u.RawFragment = hidden, ""
	}
	if q, err := url.ParseQuery(u.RawQuery); err != nil {
		u.RawQuery = hidden
	} else {
		for k := range q {
			if isPasswordParam(k) {
				q[k] = []string{hidden}
				u.RawQuery = q.Encode()
			}
		}
	}
	return u.String()
}

// secrets returns the passwords in dsn as they may appear in an error message: as written
// and decoded.
func secrets(dsn string) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
			if d, err := url.QueryUnescape(s); err == nil && d != s {
				out = append(out, d)
			}
		}
	}
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				add(pw)
			}
		}
		if u, err := url.Parse(dsn); err == nil && u.User != nil {
			pw, _ := u.User.Password()
			add(pw)
		}
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		add(strings.Trim(m[2], "'"))
	}
	if u, err := url.Parse(dsn); err == nil {
		for k, vs := range u.Query() {
			if isPasswordParam(k) {
				for _, v := range vs {
					add(v)
				}
			}
		}
	}
	return out
}

// scrub returns err, its message cleared of the passwords in dsn in case a driver quoted
// them; errors.Is and errors.As still see the original.
func scrub(err error, dsn string) error {
	msg := err.Error()
	for _, s := range secrets(dsn) {
		msg = strings.ReplaceAll(msg, s, hidden)
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubHandler is a slog.Handler that hides passwords in messages and attributes, for the
// drivers' own log lines.
type scrubHandler struct {
	slog.Handler
	secrets []string
}

// scrubLog returns log, hiding the passwords in dsn from everything logged through it.
func scrubLog(log *slog.Logger, dsn string) *slog.Logger {
	ss := secrets(dsn)
	if len(ss) == 0 {
		return log
	}
	return slog.New(scrubHandler{log.Handler(), ss})
}

func (h scrubHandler) hide(s string) string {
	for _, secret := range h.secrets {
		s = strings.ReplaceAll(s, secret, hidden)
	}
	return s
}

func (h scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.hide(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		as := v.Group()
		scrubbed := make([]any, len(as))
		for i, g := range as {
			scrubbed[i] = h.attr(g)
		}
		return slog.Group(a.Key, scrubbed...)
	case slog.KindString, slog.KindAny:
		if s := fmt.Sprint(v.Any()); h.hide(s) != s {
			return slog.String(a.Key, h.hide(s))
		}
	}
	return a
}

func (h scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	scrubbed := make([]slog.Attr, len(as))
	for i, a := range as {
		scrubbed[i] = h.attr(a)
	}
	return scrubHandler{h.Handler.WithAttrs(scrubbed), h.secrets}
}

func (h scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{h.Handler.WithGroup(name), h.secrets}
}
