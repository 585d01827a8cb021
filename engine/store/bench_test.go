package store

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mudd/mudd/engine/state"
)

func benchCharacters(n int) []state.Character {
	cs := make([]state.Character, n)
	for i := range cs {
		cs[i] = character(fmt.Sprintf("Player%05d", i), 1)
	}
	return cs
}

// BenchmarkSaveBatch5000 upserts 5,000 changed characters in one transaction, as a
// periodic save of a full server does.
func BenchmarkSaveBatch5000(b *testing.B) {
	for _, db := range testDBs {
		b.Run(db.name, func(b *testing.B) { benchmarkSaveBatch(b, db, 5000) })
	}
}

// BenchmarkSaveBatch10 upserts 10 changed characters in one transaction, as a periodic save
// of a quiet server does: the commit's sync to disk is most of its cost.
func BenchmarkSaveBatch10(b *testing.B) {
	for _, db := range testDBs {
		b.Run(db.name, func(b *testing.B) { benchmarkSaveBatch(b, db, 10) })
	}
}

func benchmarkSaveBatch(b *testing.B, db testDB, n int) {
	s := openTest(b, db)
	cs := benchCharacters(n)
	if err := s.SaveCharacters(b.Context(), cs); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range cs {
			cs[i].Version++
			cs[i].Stats["hp"]++
		}
		if err := s.SaveCharacters(b.Context(), cs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriterSave5000 measures what the game loop pays to hand 5,000 snapshots to the
// Writer: into an empty queue (the previous batch was taken) and over 5,000 still pending.
func BenchmarkWriterSave5000(b *testing.B) {
	cs := benchCharacters(5000)
	b.Run("empty", func(b *testing.B) {
		w := NewWriter(openTest(b, testDBs[0]), nil)
		b.ReportAllocs()
		for b.Loop() {
			w.Save(cs...)
			b.StopTimer()
			w.take()
			w.finish(0, 0, 0, nil)
			b.StartTimer()
		}
	})
	b.Run("replace", func(b *testing.B) {
		w := NewWriter(openTest(b, testDBs[0]), nil)
		w.Save(cs...)
		b.ReportAllocs()
		for b.Loop() {
			w.Save(cs...)
		}
	})
}

// BenchmarkLoginWrites makes the writes of a new player's first login (create the account,
// claim the character, record the login) from many goroutines at once, as in a login storm:
// an op is one login.
func BenchmarkLoginWrites(b *testing.B) {
	for _, db := range testDBs {
		b.Run(db.name, func(b *testing.B) {
			s := openTest(b, db)
			var n atomic.Int64
			b.SetParallelism(64) // goroutines per core, like sessions logging in
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					name := fmt.Sprintf("Bench%07d", n.Add(1))
					err := s.CreateAccount(b.Context(), Account{Name: name, PasswordHash: "x"})
					if err == nil {
						_, _, err = s.Claim(b.Context(), name, DefaultOwner)
					}
					if err == nil {
						err = s.RecordLogin(b.Context(), name, "127.0.0.1", time.Now())
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
