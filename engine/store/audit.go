package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mudd/mudd/engine/state"
)

// AuditEntry is one staff action: a command of builder role or above, or a change of roles
// or bans made outside the game.
type AuditEntry struct {
	ID     uint64
	At     time.Time
	Who    string // the character who ran it (or "operator" for the machine's console and tools)
	Role   string // the role it ran with
	By     string // who made Who run it (force), or ""
	Room   string // room key where it ran; "" outside the world
	Line   string // the whole command line
	Result string // "ok", "refused: ..." or "error: ..."
}

// auditRow is the audit table.
type auditRow struct {
	ID     uint64    `gorm:"primaryKey;autoIncrement"`
	At     time.Time `gorm:"not null;index"`
	Who    string    `gorm:"not null;index"` // state.Key of the name
	Name   string    `gorm:"not null"`       // display form
	Role   string    `gorm:"not null"`
	By     string    `gorm:"not null"`
	Room   string    `gorm:"not null"`
	Line   string    `gorm:"not null"`
	Result string    `gorm:"not null"`
}

func (auditRow) TableName() string { return "audit" }

// AddAudit writes entries in one transaction.
func (s *Store) AddAudit(ctx context.Context, entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]auditRow, len(entries))
	for i, a := range entries {
		rows[i] = auditRow{At: dbTime(a.At), Who: state.Key(a.Who), Name: a.Who, Role: a.Role, By: a.By, Room: a.Room,
			Line: a.Line, Result: a.Result}
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		for i := range rows {
			rows[i].ID = 0 // set by an earlier run that was rolled back
		}
		return tx.CreateInBatches(rows, rowsPerInsert).Error
	})
	if err != nil {
		return fmt.Errorf("store: write %d audit entries: %w", len(rows), err)
	}
	return nil
}

// Audit returns the latest n entries, newest first; of one character if who is not "".
func (s *Store) Audit(ctx context.Context, who string, n int) ([]AuditEntry, error) {
	newest := clause.OrderBy{Columns: []clause.OrderByColumn{{Column: clause.Column{Name: "id"}, Desc: true}}}
	q := s.read.WithContext(ctx).Order(newest).Limit(n)
	if who != "" {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "who"}, Value: state.Key(who)})
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read audit of %q: %w", who, err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: r.At.UTC(), Who: r.Name, Role: r.Role, By: r.By, Room: r.Room, Line: r.Line, Result: r.Result}
	}
	return out, nil
}

// maxAuditBacklog bounds the entries an AuditLog holds while the database fails; past it
// the oldest are dropped (and logged).
const maxAuditBacklog = 10000

// AuditLog writes audit entries on its own goroutine, in batches, so that the game loop
// never waits for the database. All methods are safe for concurrent use.
type AuditLog struct {
	store *Store
	log   *slog.Logger
	wake  chan struct{}

	mu      sync.Mutex
	pending []AuditEntry
	seq     uint64        // entries added so far
	done    uint64        // entries written or dropped so far
	changed chan struct{} // closed and replaced when done advances or Run stops
	stopped bool
}

// NewAuditLog returns an AuditLog writing to s. Start it with Run.
func NewAuditLog(s *Store, log *slog.Logger) *AuditLog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AuditLog{store: s, log: log, wake: make(chan struct{}, 1), changed: make(chan struct{})}
}

// Add queues entries and returns at once.
func (a *AuditLog) Add(entries ...AuditEntry) {
	a.mu.Lock()
	a.pending = append(a.pending, entries...)
	a.seq += uint64(len(entries))
	if over := len(a.pending) - maxAuditBacklog; over > 0 {
		a.log.Error("audit backlog full; oldest entries dropped", "dropped", over)
		a.pending = append(a.pending[:0:0], a.pending[over:]...)
		a.advanceLocked(a.done + uint64(over))
	}
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// auditWriteTimeout bounds one batch write.
const auditWriteTimeout = 30 * time.Second

// Run writes queued entries until ctx is done, then writes what is left and returns. A batch
// being written when ctx is done is finished, not abandoned.
func (a *AuditLog) Run(ctx context.Context) {
	defer a.stop()
	var retry <-chan time.Time // nil: fires only after a failed write
	for {
		select {
		case <-ctx.Done():
			for range drainAttempts {
				if a.write() == nil {
					return
				}
			}
			return
		case <-a.wake:
		case <-retry:
		}
		retry = nil
		if a.write() != nil {
			retry = time.After(minBackoff)
		}
	}
}

// write writes everything pending in one transaction.
func (a *AuditLog) write() error {
	ctx, cancel := context.WithTimeout(context.Background(), auditWriteTimeout)
	defer cancel()
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := a.store.AddAudit(ctx, batch...); err != nil {
		a.log.Error("audit write failed; will retry", "entries", len(batch), "err", err)
		a.mu.Lock()
		a.pending = append(batch, a.pending...)
		a.mu.Unlock()
		return err
	}
	a.mu.Lock()
	a.advanceLocked(a.done + uint64(len(batch))) // done counts entries: Add may drop some meanwhile
	a.mu.Unlock()
	return nil
}

func (a *AuditLog) advanceLocked(upto uint64) {
	if upto > a.done {
		a.done = upto
		close(a.changed)
		a.changed = make(chan struct{})
	}
}

func (a *AuditLog) stop() {
	a.mu.Lock()
	a.stopped = true
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
}

// Flush waits until every entry added before the call is written.
func (a *AuditLog) Flush(ctx context.Context) error {
	a.mu.Lock()
	target := a.seq
	a.mu.Unlock()
	for {
		a.mu.Lock()
		done, stopped, changed := a.done, a.stopped, a.changed
		a.mu.Unlock()
		switch {
		case done >= target:
			return nil
		case stopped:
			return fmt.Errorf("audit log: %w", errStopped)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("audit log: flush: %w", ctx.Err())
		}
	}
}
