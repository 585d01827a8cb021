package store

import (
	"errors"
	"testing"
)

func TestZoneBuilders(t *testing.T) { forEachBackend(t, testZoneBuilders) }

func testZoneBuilders(t *testing.T, db testDB) {
	ctx := t.Context()
	dsn := db.new(t)
	s := openAt(t, dsn)
	for _, name := range []string{"Bob", "Carol"} {
		if err := s.CreateAccount(ctx, Account{Name: name, PasswordHash: "h"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		zone, name string
		want       error
	}{
		{"town", "bob", nil},
		{"field", "BOB", nil},
		{"town", "carol", nil},
		{"town", "Bob", ErrExists},
		{"town", "nobody", ErrNotFound},
	} {
		got, err := s.AssignZone(ctx, tc.zone, tc.name, "Wendy")
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("AssignZone(%s, %s) err = %v, want %v", tc.zone, tc.name, err, tc.want)
		}
		if err == nil && got == tc.name {
			t.Errorf("AssignZone(%s, %s) returned %q, want the display name", tc.zone, tc.name, got)
		}
	}
	if err := s.UnassignZone(ctx, "town", "carol"); err != nil {
		t.Fatal(err)
	}
	if err := s.UnassignZone(ctx, "town", "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second UnassignZone err = %v, want ErrNotFound", err)
	}
	s.Close()

	s = openAt(t, dsn) // assignments persist
	list, err := s.ZoneBuilders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, zb := range list {
		got = append(got, zb.Zone+"/"+zb.Name+"/"+zb.AssignedBy)
	}
	want := []string{"field/Bob/Wendy", "town/Bob/Wendy"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ZoneBuilders = %v, want %v", got, want)
	}
}
