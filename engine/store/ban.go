package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Ban keeps a character name, an IP address or a CIDR block of addresses out of the game.
type Ban struct {
	Kind   string // "name", "ip" or "cidr"
	Value  string // canonical form: state.Key of a name, netip text of an address or prefix
	Reason string
	By     string // who banned
	At     time.Time
	Until  time.Time // zero: the ban does not expire
}

// banRow is the bans table. A value is banned at most once: a new ban replaces the old one.
type banRow struct {
	Kind    string `gorm:"primaryKey"`
	Value   string `gorm:"primaryKey"`
	Reason  string `gorm:"not null"`
	By      string `gorm:"not null"`
	At      time.Time
	Expires *time.Time
}

func (banRow) TableName() string { return "bans" }

// AddBan records b, replacing an earlier ban of the same kind and value.
func (s *Store) AddBan(ctx context.Context, b Ban) error {
	row := banRow{Kind: b.Kind, Value: b.Value, Reason: b.Reason, By: b.By, At: dbTime(b.At)}
	if !b.Until.IsZero() {
		u := dbTime(b.Until)
		row.Expires = &u
	}
	replace := clause.OnConflict{
		Columns:   []clause.Column{{Name: "kind"}, {Name: "value"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason", "by", "at", "expires"}),
	}
	err := s.writeStatement(ctx, func(tx *gorm.DB) error { return tx.Clauses(replace).Create(&row).Error })
	if err != nil {
		return fmt.Errorf("store: add ban of %s %q: %w", b.Kind, b.Value, err)
	}
	return nil
}

// RemoveBan deletes the ban of kind and value. It fails with ErrNotFound if there is none.
func (s *Store) RemoveBan(ctx context.Context, kind, value string) error {
	var found bool
	err := s.writeStatement(ctx, func(tx *gorm.DB) error {
		res := tx.Where(banKey(kind, value)).Delete(&banRow{})
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: remove ban of %s %q: %w", kind, value, err)
	}
	if !found {
		return fmt.Errorf("store: remove ban of %s %q: %w", kind, value, ErrNotFound)
	}
	return nil
}

// Bans returns every ban that has not expired at now, oldest first. Expired bans are deleted.
func (s *Store) Bans(ctx context.Context, now time.Time) ([]Ban, error) {
	expired := clause.Lte{Column: clause.Column{Name: "expires"}, Value: dbTime(now)} // never true of NULL
	err := s.writeStatement(ctx, func(tx *gorm.DB) error { return tx.Where(expired).Delete(&banRow{}).Error })
	if err != nil {
		return nil, fmt.Errorf("store: prune expired bans: %w", err)
	}
	var rows []banRow
	if err := s.read.WithContext(ctx).Order(orderBy("at", "kind", "value")).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: load bans: %w", err)
	}
	out := make([]Ban, len(rows))
	for i, r := range rows {
		out[i] = Ban{Kind: r.Kind, Value: r.Value, Reason: r.Reason, By: r.By, At: r.At.UTC()}
		if r.Expires != nil {
			out[i].Until = r.Expires.UTC()
		}
	}
	return out, nil
}

// banKey selects the ban of kind and value.
func banKey(kind, value string) clause.Expression {
	return clause.And(clause.Eq{Column: clause.Column{Name: "kind"}, Value: kind},
		clause.Eq{Column: clause.Column{Name: "value"}, Value: value})
}
