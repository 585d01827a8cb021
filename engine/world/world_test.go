package world

import "testing"

func TestMoveAndContainment(t *testing.T) {
	w := New()
	z := &Zone{Key: "z"}
	a, b := &Room{Key: "z:a", Zone: z}, &Room{Key: "z:b", Zone: z}
	box := w.Spawn(&Proto{Key: "z:box", Kind: Item, Container: true})
	gem := w.Spawn(&Proto{Key: "z:gem", Kind: Item, Keywords: []string{"gem"}})
	w.MoveTo(box, a)
	w.MoveInto(gem, box)
	if gem.OuterRoom() != a || !Contains(box, gem) {
		t.Fatalf("gem should be in the box in room a")
	}
	w.MoveTo(box, b)
	if len(a.Things) != 0 || len(b.Things) != 1 || gem.OuterRoom() != b {
		t.Fatalf("moving the box should carry the gem: a=%d b=%d", len(a.Things), len(b.Things))
	}
	w.MoveTo(gem, a)
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

// TestOnCarry follows an item passed between players directly, through the floor, in a
// container and through an NPC: OnCarry reports exactly the changes of hands between players.
func TestOnCarry(t *testing.T) {
	w := New()
	z := &Zone{Key: "z"}
	room := &Room{Key: "z:a", Zone: z}
	ann, bob, cid := w.NewPlayer("Ann"), w.NewPlayer("Bob"), w.NewPlayer("Cid")
	npc := w.Spawn(&Proto{Key: "z:npc", Kind: NPC})
	bag := w.Spawn(&Proto{Key: "z:bag", Kind: Item, Container: true})
	loaf := w.Spawn(&Proto{Key: "z:loaf", Kind: Item})
	for _, x := range []*Thing{ann, bob, cid, npc} {
		w.MoveTo(x, room)
	}
	type hand struct{ from, to *Thing }
	var got []hand
	w.OnCarry = func(t, from, to *Thing) {
		if t != loaf && t != bag {
			panic("OnCarry for " + t.Name)
		}
		got = append(got, hand{from, to})
	}
	steps := []struct {
		name string
		move func()
		want []hand
	}{
		{"spawned into a hand", func() { w.MoveInto(loaf, ann) }, nil},
		{"given", func() { w.MoveInto(loaf, bob) }, []hand{{ann, bob}}},
		{"dropped", func() { w.MoveTo(loaf, room) }, nil},
		{"picked up by another", func() { w.MoveInto(loaf, cid) }, []hand{{bob, cid}}},
		{"put in a bag on the floor", func() { w.MoveTo(bag, room); w.MoveInto(loaf, bag) }, nil},
		{"taken out of the bag", func() { w.MoveInto(loaf, ann) }, []hand{{cid, ann}}},
		{"bag carried away with the loaf", func() { w.MoveInto(loaf, bag); w.MoveInto(bag, bob) }, []hand{{ann, bob}}},
		{"moved within one player", func() { w.MoveInto(loaf, bob) }, nil},
		{"given to an NPC and back to another", func() { w.MoveInto(loaf, npc); w.MoveInto(loaf, cid) }, []hand{{bob, cid}}},
		{"players walking", func() { w.MoveTo(ann, &Room{Key: "z:b", Zone: z}) }, nil},
	}
	for _, s := range steps {
		got = nil
		s.move()
		if len(got) != len(s.want) || (len(got) == 1 && got[0] != s.want[0]) {
			t.Errorf("%s: OnCarry calls %v, want %v", s.name, got, s.want)
		}
	}
}
