package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ZoneBuilder says that the account Name may build in zone Zone.
type ZoneBuilder struct {
	Zone       string
	Name       string // display form of the account's name
	AssignedBy string
	AssignedAt time.Time
}

// zoneBuilderRow is the zone_builders table: one row per zone and builder.
type zoneBuilderRow struct {
	Zone       string `gorm:"primaryKey"`
	Key        string `gorm:"primaryKey"` // state.Key(Name)
	Name       string `gorm:"not null"`
	AssignedBy string `gorm:"not null"`
	AssignedAt time.Time
}

func (zoneBuilderRow) TableName() string { return "zone_builders" }

// AssignZone lets the account called name build in zone. The account must exist
// (ErrNotFound otherwise); assigning twice fails with ErrExists. It returns the account's
// name in its display form, also with ErrExists.
func (s *Store) AssignZone(ctx context.Context, zone, name, by string) (string, error) {
	var display string
	err := s.write(ctx, func(tx *gorm.DB) error {
		// The account row is locked until commit so that it cannot change in between
		// (PostgreSQL; in SQLite the transaction holds the write lock already).
		var acct accountRow
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).Where(byKey(name)).Take(&acct).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		display = acct.Name
		row := zoneBuilderRow{Zone: zone, Key: acct.Key, Name: acct.Name, AssignedBy: by, AssignedAt: dbTime(time.Now())}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrExists
		}
		return nil
	})
	if err != nil {
		return display, fmt.Errorf("store: assign zone %q to %q: %w", zone, name, err)
	}
	return display, nil
}

// UnassignZone takes zone away from the account called name. It fails with ErrNotFound if
// the account was not assigned to the zone.
func (s *Store) UnassignZone(ctx context.Context, zone, name string) error {
	var found bool
	err := s.writeStatement(ctx, func(tx *gorm.DB) error {
		res := tx.Where(clause.Eq{Column: clause.Column{Name: "zone"}, Value: zone}).Where(byKey(name)).
			Delete(&zoneBuilderRow{})
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: unassign zone %q from %q: %w", zone, name, err)
	}
	if !found {
		return fmt.Errorf("store: unassign zone %q from %q: %w", zone, name, ErrNotFound)
	}
	return nil
}

// ZoneBuilders lists every assignment, ordered by zone and name.
func (s *Store) ZoneBuilders(ctx context.Context) ([]ZoneBuilder, error) {
	var rows []zoneBuilderRow
	if err := s.read.WithContext(ctx).Order(orderBy("zone", "key")).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list zone builders: %w", err)
	}
	out := make([]ZoneBuilder, len(rows))
	for i, r := range rows {
		out[i] = ZoneBuilder{Zone: r.Zone, Name: r.Name, AssignedBy: r.AssignedBy, AssignedAt: r.AssignedAt.UTC()}
	}
	return out, nil
}
