package world

import "testing"

func TestMoveAndContainment(t *testing.T) {
	w := New()
	z := &Zone{Key: "z"}
	a, b := &Room{Key: "z:a", Zone: z}, &Room{Key: "z:b", Zone: z}
	box := w.Spawn(&Proto{Key: "z:box", Kind: Item, Container: true})
	gem := w.Spawn(&Proto{Key: "z:gem", Kind: Item, Keywords: []string{"gem"}})
	MoveTo(box, a)
	MoveInto(gem, box)
	if gem.OuterRoom() != a || !Contains(box, gem) {
		t.Fatalf("gem should be in the box in room a")
	}
	MoveTo(box, b)
	if len(a.Things) != 0 || len(b.Things) != 1 || gem.OuterRoom() != b {
		t.Fatalf("moving the box should carry the gem: a=%d b=%d", len(a.Things), len(b.Things))
	}
	MoveTo(gem, a)
	if len(box.Contents) != 0 || gem.Holder != nil || gem.Room != a {
		t.Fatalf("gem should have left the box")
	}
	w.Destroy(box)
	if w.Alive(box) || len(b.Things) != 0 || w.Count() != 1 {
		t.Fatalf("destroyed box still present (count %d)", w.Count())
	}
}

func TestMatches(t *testing.T) {
	th := &Thing{Keywords: []string{"sword", "rusty"}}
	tests := []struct {
		word string
		want bool
	}{
		{"sword", true}, {"SWORD", true}, {"sw", true}, {"s", false}, {"rust", true}, {"axe", false}, {"", false},
	}
	for _, tt := range tests {
		if got := th.Matches(tt.word); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

func TestLinkSharesDoorsAndReportsMissingRooms(t *testing.T) {
	w := New()
	z := &Zone{Key: "z"}
	door := &Door{Name: "gate", Closed: true}
	w.Rooms["z:a"] = &Room{Key: "z:a", Zone: z, Exits: []*Exit{{Dir: "north", To: "z:b", Door: door}, {Dir: "east", To: "z:nowhere"}}}
	w.Rooms["z:b"] = &Room{Key: "z:b", Zone: z, Exits: []*Exit{{Dir: "south", To: "z:a"}}}
	errs := w.Link()
	if len(errs) != 1 {
		t.Fatalf("Link() = %v, want one error for the missing room", errs)
	}
	if back := w.Rooms["z:b"].Exit("s"); back.Door != door {
		t.Fatalf("the way back does not share the door")
	}
}

func TestNormalizeDir(t *testing.T) {
	for in, want := range map[string]string{"n": "north", "NE": "northeast", " up ": "up", "hole": "hole"} {
		if got := NormalizeDir(in); got != want {
			t.Errorf("NormalizeDir(%q) = %q, want %q", in, got, want)
		}
	}
}
