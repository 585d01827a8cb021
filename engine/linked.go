package engine

import (
	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/world"
)

// Characters that something passed between are saved together.
//
// A transfer between two characters (an item given, gold a script moves from one purse to
// another) changes both. Saved at different moments, a crash between the two saves would
// persist one side only: the item twice, or not at all. So the loop links the players a
// transfer touches, and snapshots a linked group at one moment and hands it to the writer in
// one Save call, which writes it in one transaction (store.Writer). A link lasts until the
// group is saved.
//
// Two players are linked when
//   - both are touched (marked changed, see Player.touch) by one unit of work: one command
//     line, one event, one timer's call (a script's transfer is covered whatever it does), or
//   - an item one of them carried passes to the other, however it went (World.OnCarry: given,
//     dropped and picked up, left in a container and taken out, through an NPC's hands).
//
// Linking more players than a transfer needs costs nothing but saving them together.
//
// A script that visits players independently (regeneration, a sweep) calls each visit as a
// unit of its own with mud.separately, so that those players are not linked needlessly.

// saveGroup is a set of linked players. Every member's group field points at it.
type saveGroup struct{ members []*Player }

// beginUnit starts a unit of work: players touched from now on are linked with each other,
// not with those touched before.
func (e *Engine) beginUnit() { e.unitFirst = nil }

// touchedInUnit links p with the first player touched in the current unit of work.
func (e *Engine) touchedInUnit(p *Player) {
	switch first := e.unitFirst; {
	case first == nil || first.gone:
		e.unitFirst = p
	case first != p:
		e.link(first, p)
	}
}

// carried is World.OnCarry: an item passed from one player's hands to another's.
func (e *Engine) carried(_, from, to *world.Thing) {
	a, b := playerOf(from), playerOf(to)
	if a != nil && b != nil {
		e.link(a, b)
	}
}

// link puts a and b in one save group, merging the smaller group into the larger.
func (e *Engine) link(a, b *Player) {
	if a == b || a.gone || b.gone {
		return
	}
	ga, gb := a.groupOf(), b.groupOf()
	if ga == gb {
		return
	}
	if len(ga.members) < len(gb.members) {
		ga, gb = gb, ga
	}
	for _, m := range gb.members {
		m.group = ga
	}
	ga.members = append(ga.members, gb.members...)
}

// groupOf returns p's save group, making one of p alone if p has none.
func (p *Player) groupOf() *saveGroup {
	if p.group == nil {
		p.group = &saveGroup{members: []*Player{p}}
	}
	return p.group
}

// snapshotLinked appends to batch a snapshot of p and of every player linked with it, taken
// now, and dissolves their group: the batch must be handed to the writer in one Save call.
func (e *Engine) snapshotLinked(batch []state.Character, p *Player) []state.Character {
	g := p.group
	if g == nil {
		return append(batch, e.snapshot(p))
	}
	for _, m := range g.members {
		m.group = nil
		batch = append(batch, e.snapshot(m))
	}
	return batch
}

// saveLinked saves p and every player linked with it, in one Save call.
func (e *Engine) saveLinked(p *Player) {
	e.save(e.snapshotLinked(nil, p)...)
}
