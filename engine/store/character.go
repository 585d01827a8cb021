package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mudd/mudd/engine/state"
)

// characterRow is the characters table: the columns worth querying, and the whole
// character as JSON so the schema does not change as the game grows.
type characterRow struct {
	Key       string `gorm:"primaryKey"` // state.Key(Name)
	Name      string `gorm:"not null"`
	Room      string `gorm:"not null"`
	Version   int64  `gorm:"not null"`
	UpdatedAt time.Time
	State     string `gorm:"not null"` // JSON of state.Character
	// Owner is the process that plays the character (a scene's id, or DefaultOwner), and
	// Epoch counts the times it was claimed: a save is refused unless it comes from the
	// owner of the current epoch (see Claim).
	Owner string `gorm:"not null;default:''"`
	Epoch int64  `gorm:"not null;default:0"`
}

func (characterRow) TableName() string { return "characters" }

// rowsPerInsert is how many rows one INSERT statement of a batch carries. With SQLite,
// 50 to 100 rows per statement save a batch of 5,000 characters fastest; 500 rows take half
// as long again and 1,000 twice as long.
const rowsPerInsert = 100

// DefaultOwner owns the characters of a game run by one process (`mudd serve`).
const DefaultOwner = "serve"

// ErrNotOwner is returned for a character another process has claimed.
var ErrNotOwner = errors.New("character owned by another process")

// Lease is a process's claim on a character row: saves made under it are written only
// while the row still has its owner and epoch.
type Lease struct {
	Owner string
	Epoch int64
}

// upsertOwned is upsertNewer that also requires the stored row to have the saved row's owner
// and epoch: a process that lost the character (another claimed it) cannot save over it.
var upsertOwned = clause.OnConflict{
	Columns:   upsertNewer.Columns,
	DoUpdates: upsertNewer.DoUpdates,
	Where: clause.Where{Exprs: append(slices.Clone(upsertNewer.Where.Exprs),
		clause.Expr{SQL: "? = ?", Vars: []any{
			clause.Column{Table: "characters", Name: "owner"}, clause.Column{Table: "excluded", Name: "owner"}}},
		clause.Expr{SQL: "? = ?", Vars: []any{
			clause.Column{Table: "characters", Name: "epoch"}, clause.Column{Table: "excluded", Name: "epoch"}}},
	)},
}

// Claim makes owner the owner of the character called name and returns the character (a
// new one, Version 0, when none is saved) with its lease. The row's epoch goes up by one in
// the same transaction, so that saves under any earlier lease, by another process or an
// earlier run of the same one, are refused from then on. A character never saved gets a row
// of its own to hold the lease, even when two processes claim it at once.
func (s *Store) Claim(ctx context.Context, name, owner string) (state.Character, Lease, error) {
	fresh, err := json.Marshal(state.Character{Name: name})
	if err != nil {
		return state.Character{}, Lease{}, fmt.Errorf("store: claim character %q: %w", name, err)
	}
	var row characterRow
	err = s.write(ctx, func(tx *gorm.DB) error {
		row = characterRow{}
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where(byKey(name)).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			row = characterRow{Key: state.Key(name), Name: name, UpdatedAt: dbTime(time.Now()), State: string(fresh),
				Owner: owner, Epoch: 1}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil || res.RowsAffected == 1 {
				return res.Error
			}
			// Another process inserted the row meanwhile (this insert waited for its
			// transaction): claim that row.
			row = characterRow{}
			err = tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where(byKey(name)).Take(&row).Error
		}
		if err != nil {
			return err
		}
		row.Owner, row.Epoch = owner, row.Epoch+1
		return tx.Model(&characterRow{}).Where(byKey(name)).
			Updates(map[string]any{"owner": row.Owner, "epoch": row.Epoch}).Error
	})
	if err != nil {
		return state.Character{}, Lease{}, fmt.Errorf("store: claim character %q for %s: %w", name, owner, err)
	}
	var c state.Character
	if err := json.Unmarshal([]byte(row.State), &c); err != nil {
		return state.Character{}, Lease{}, fmt.Errorf("store: claim character %q: decode: %w", name, err)
	}
	return c, Lease{Owner: row.Owner, Epoch: row.Epoch}, nil
}

// Owner returns the lease the character called name is held under, or ErrNotFound.
func (s *Store) Owner(ctx context.Context, name string) (Lease, error) {
	var row characterRow
	err := s.read.WithContext(ctx).Select("owner", "epoch").Where(byKey(name)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return Lease{}, fmt.Errorf("store: owner of %q: %w", name, err)
	}
	return Lease{Owner: row.Owner, Epoch: row.Epoch}, nil
}

// SaveOwned saves the characters as SaveCharacters does, each only if lease still holds its
// row (or the row does not exist). It returns the names of the characters refused because
// another lease holds them, unsaved.
func (s *Store) SaveOwned(ctx context.Context, lease Lease, cs []state.Character) (refused []string, err error) {
	rows := make([]characterRow, 0, len(cs))
	now := dbTime(time.Now())
	for _, c := range cs {
		row, err := encode(c, now)
		if err != nil {
			return nil, fmt.Errorf("store: save characters: %w", err)
		}
		row.Owner, row.Epoch = lease.Owner, lease.Epoch
		rows = append(rows, row)
	}
	keys, err := s.writeOwned(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("store: save characters: %w", err)
	}
	for _, k := range keys {
		for _, r := range rows {
			if r.Key == k {
				refused = append(refused, r.Name)
				break
			}
		}
	}
	return refused, nil
}

// writeOwned upserts rows (distinct keys), each only while its row has the row's owner and
// epoch, in one transaction, and returns the keys of the rows refused for that reason.
func (s *Store) writeOwned(ctx context.Context, rows []characterRow) (refused []string, err error) {
	if len(rows) == 0 {
		return nil, nil
	}
	slices.SortFunc(rows, func(a, b characterRow) int { return strings.Compare(a.Key, b.Key) })
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		refused = nil
		if err := tx.Clauses(upsertOwned).CreateInBatches(rows, rowsPerInsert).Error; err != nil {
			return err
		}
		// The upsert skips rows silently; the leases now stored tell which were refused.
		var held []characterRow
		for chunk := range slices.Chunk(anys(keys), 500) {
			var part []characterRow
			if err := tx.Select("key", "owner", "epoch").Where(clause.IN{Column: clause.Column{Name: "key"}, Values: chunk}).Find(&part).Error; err != nil {
				return err
			}
			held = append(held, part...)
		}
		lease := make(map[string]Lease, len(held))
		for _, h := range held {
			lease[h.Key] = Lease{h.Owner, h.Epoch}
		}
		for _, r := range rows {
			if lease[r.Key] != (Lease{r.Owner, r.Epoch}) {
				refused = append(refused, r.Key)
			}
		}
		return nil
	})
	return refused, err
}

// upsertNewer inserts a character row or, if the key exists, replaces it unless the stored
// row has a higher version.
var upsertNewer = clause.OnConflict{
	Columns:   []clause.Column{{Name: "key"}},
	DoUpdates: clause.AssignmentColumns([]string{"name", "room", "version", "updated_at", "state"}),
	Where: clause.Where{Exprs: []clause.Expression{clause.Expr{
		SQL: "? <= ?",
		Vars: []any{
			clause.Column{Table: "characters", Name: "version"},
			clause.Column{Table: "excluded", Name: "version"},
		},
	}}},
}

// Character returns the saved character called name (in any letter case), or ErrNotFound.
func (s *Store) Character(ctx context.Context, name string) (state.Character, error) {
	var row characterRow
	err := s.read.WithContext(ctx).Where(byKey(name)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return state.Character{}, fmt.Errorf("store: load character %q: %w", name, err)
	}
	var c state.Character
	if err := json.Unmarshal([]byte(row.State), &c); err != nil {
		return state.Character{}, fmt.Errorf("store: load character %q: decode: %w", name, err)
	}
	return c, nil
}

// SaveCharacters saves the characters in one transaction. A stored character is replaced
// only by a snapshot with the same or a higher Version; older snapshots are skipped. If
// several snapshots share a name, the highest Version is saved. If any snapshot is invalid
// (see state.Character.Validate), nothing is saved.
func (s *Store) SaveCharacters(ctx context.Context, cs []state.Character) error {
	latest := make(map[string]int, len(cs)) // key -> index in rows
	rows := make([]characterRow, 0, len(cs))
	now := dbTime(time.Now())
	for _, c := range cs {
		row, err := encode(c, now)
		if err != nil {
			return fmt.Errorf("store: save characters: %w", err)
		}
		if i, ok := latest[row.Key]; ok {
			if row.Version >= rows[i].Version {
				rows[i] = row
			}
			continue
		}
		latest[row.Key] = len(rows)
		rows = append(rows, row)
	}
	if err := s.writeRows(ctx, rows); err != nil {
		return fmt.Errorf("store: save characters: %w", err)
	}
	return nil
}

// encode turns a snapshot into its row, stamped with the time now.
func encode(c state.Character, now time.Time) (characterRow, error) {
	if err := c.Validate(); err != nil {
		return characterRow{}, err
	}
	if c.Version > math.MaxInt64 {
		return characterRow{}, fmt.Errorf("character %q: version %d out of range", c.Name, c.Version)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return characterRow{}, fmt.Errorf("character %q: %w", c.Name, err)
	}
	return characterRow{
		Key:       state.Key(c.Name),
		Name:      c.Name,
		Room:      c.Room,
		Version:   int64(c.Version),
		UpdatedAt: now,
		State:     string(b),
	}, nil
}

// writeRows upserts rows, whose keys must be distinct, in one transaction. It sorts them by
// key: each upsert locks its row until commit, and locking in one order everywhere keeps two
// processes saving overlapping batches from deadlocking in PostgreSQL.
func (s *Store) writeRows(ctx context.Context, rows []characterRow) error {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b characterRow) int { return strings.Compare(a.Key, b.Key) })
	return s.write(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(upsertNewer).CreateInBatches(rows, rowsPerInsert).Error
	})
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
