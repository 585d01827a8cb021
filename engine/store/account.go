package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mudd/mudd/engine/state"
)

// Account is a login. One account owns one character of the same name; names are unique
// case-insensitively.
type Account struct {
	Name         string // display form of the name
	PasswordHash string
	Role         string // "player", "builder", "wizard" or "admin"
	CreatedAt    time.Time
	LastLoginAt  time.Time // zero if the account never logged in
	LastAddr     string    // remote address of the last login
}

// defaultRole is the role of an account created without one.
const defaultRole = "player"

// accountRow is the accounts table.
type accountRow struct {
	Key          string `gorm:"primaryKey"` // state.Key(Name)
	Name         string `gorm:"not null"`
	PasswordHash string `gorm:"not null"`
	Role         string `gorm:"not null"`
	CreatedAt    time.Time
	LastLoginAt  time.Time
	LastAddr     string `gorm:"not null"`
}

func (accountRow) TableName() string { return "accounts" }

// CreateAccount adds a new account. It fails with ErrExists if an account with the same
// name in any letter case exists. A zero CreatedAt means now; an empty Role "player".
func (s *Store) CreateAccount(ctx context.Context, a Account) error {
	if a.Name == "" {
		return errors.New("store: create account: empty name")
	}
	row := accountRow{
		Key:          state.Key(a.Name),
		Name:         a.Name,
		PasswordHash: a.PasswordHash,
		Role:         a.Role,
		CreatedAt:    dbTime(a.CreatedAt),
		LastLoginAt:  dbTime(a.LastLoginAt),
		LastAddr:     a.LastAddr,
	}
	if row.Role == "" {
		row.Role = defaultRole
	}
	if row.CreatedAt.IsZero() {
		row.CreatedAt = dbTime(time.Now())
	}
	var created bool
	err := s.writeStatement(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		created = res.RowsAffected > 0
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: create account %q: %w", a.Name, err)
	}
	if !created {
		return fmt.Errorf("store: create account %q: %w", a.Name, ErrExists)
	}
	return nil
}

// Account returns the account called name (in any letter case), or ErrNotFound.
func (s *Store) Account(ctx context.Context, name string) (Account, error) {
	var row accountRow
	err := s.read.WithContext(ctx).Where(byKey(name)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: load account %q: %w", name, err)
	}
	return row.account(), nil
}

func (row accountRow) account() Account {
	return Account{
		Name:         row.Name,
		PasswordHash: row.PasswordHash,
		Role:         row.Role,
		CreatedAt:    row.CreatedAt.UTC(),
		LastLoginAt:  row.LastLoginAt.UTC(),
		LastAddr:     row.LastAddr,
	}
}

// Staff lists the accounts whose role is not the default player role, by name.
func (s *Store) Staff(ctx context.Context) ([]Account, error) {
	var rows []accountRow
	if err := s.read.WithContext(ctx).Where(clause.Neq{Column: clause.Column{Name: "role"}, Value: defaultRole}).Order(orderBy("key")).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list staff: %w", err)
	}
	out := make([]Account, len(rows))
	for i, row := range rows {
		out[i] = row.account()
	}
	return out, nil
}

// SetRole changes the role of an account. It fails with ErrNotFound if there is none.
func (s *Store) SetRole(ctx context.Context, name, role string) error {
	if role == "" {
		return fmt.Errorf("store: set role of %q: empty role", name)
	}
	return s.updateAccount(ctx, "set role of", name, map[string]any{"role": role})
}

// UpdateRole changes the role of the account called name to what decide returns, given the
// account as stored. It returns the account as it was read. If decide fails, nothing changes
// and its error is returned as it is; ErrNotFound if there is no such account. The account's
// row is locked from the read to the write (SELECT ... FOR UPDATE in PostgreSQL; SQLite's
// transaction holds the write lock), so a change made meanwhile by another process waits
// instead of being overwritten or judged on stale data.
func (s *Store) UpdateRole(ctx context.Context, name string, decide func(Account) (string, error)) (Account, error) {
	var acct Account
	var decided error
	err := s.write(ctx, func(tx *gorm.DB) error {
		decided = nil
		var row accountRow
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where(byKey(name)).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		acct = row.account()
		role, err := decide(acct)
		if err != nil {
			decided = err
			return err
		}
		if role == "" {
			return errors.New("empty role")
		}
		return tx.Model(&accountRow{}).Where(byKey(name)).Update("role", role).Error
	})
	if decided != nil {
		return acct, decided
	}
	if err != nil {
		return acct, fmt.Errorf("store: update role of %q: %w", name, err)
	}
	return acct, nil
}

// SetPassword replaces the password hash of an account. It fails with ErrNotFound if there
// is none.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.updateAccount(ctx, "set password of", name, map[string]any{"password_hash": hash})
}

// RecordLogin notes a successful login from addr at the given time (kept to the microsecond). It fails with
// ErrNotFound if there is no such account.
func (s *Store) RecordLogin(ctx context.Context, name, addr string, at time.Time) error {
	return s.updateAccount(ctx, "record login of", name,
		map[string]any{"last_login_at": dbTime(at), "last_addr": addr})
}

func (s *Store) updateAccount(ctx context.Context, op, name string, set map[string]any) error {
	var found bool
	err := s.writeStatement(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&accountRow{}).Where(byKey(name)).Updates(set)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: %s %q: %w", op, name, err)
	}
	if !found {
		return fmt.Errorf("store: %s %q: %w", op, name, ErrNotFound)
	}
	return nil
}
