package engine

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/mudd/mudd"
)

// reloadSim is the default game with 200 players online, spread over its rooms, each carrying
// what the game gives a new character.
func reloadSim(b *testing.B) *Sim {
	sim, err := NewSim(Config{Game: mudd.DefaultGame()})
	if err != nil {
		b.Fatal(err)
	}
	rooms := sortedKeys(sim.e.world.Rooms)
	for i := range 200 {
		sp, err := sim.Player(fmt.Sprintf("Player%c%c", 'a'+i/26, 'a'+i%26), RolePlayer)
		if err != nil {
			b.Fatal(err)
		}
		sim.e.world.MoveTo(sp.p.Thing, sim.e.world.Rooms[rooms[i%len(rooms)]])
	}
	return sim
}

// benchReload reloads zone folder dir (the whole game if "") b.N times. Before each reload
// every file read is edited (a comment is appended), as a builder's save changes it, so
// each is compiled again; the files of other zones come from the compiled cache, as in a
// server.
func benchReload(b *testing.B, dir string) {
	sim := reloadSim(b)
	defer sim.Close()
	e := sim.e
	files, err := readGameFiles(mudd.DefaultGame(), dir)
	if err != nil {
		b.Fatal(err)
	}
	things := e.world.Count()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		edited := make(fstest.MapFS, len(files))
		for name, f := range files {
			edited[name] = &fstest.MapFile{Data: fmt.Appendf(bytes.Clone(f.Data), "\n-- edit %d\n", i)}
		}
		b.StartTimer()
		if r := e.reload(dir, edited, nil); r.Err != nil {
			b.Fatal(r.Err)
		}
		sim.settle() // drop the output (nobody's room vanished: there is none)
	}
	b.StopTimer()
	if len(e.players) != 200 || e.world.Count() != things {
		b.Fatalf("after reloads: %d players, %d things (want 200, %d)", len(e.players), e.world.Count(), things)
	}
}

// BenchmarkReloadZone reloads one zone of the default game, every file of it edited, with 200
// players online: the loop's part of `reload millbrook` (the files are read on another
// goroutine).
func BenchmarkReloadZone(b *testing.B) { benchReload(b, "millbrook") }

// BenchmarkReloadGame reloads the whole default game, scripts included and every file edited,
// with 200 players online: nothing comes from the compiled cache.
func BenchmarkReloadGame(b *testing.B) { benchReload(b, "") }
