package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/cluster"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
	"github.com/mudd/mudd/internal/pgtest"
)

// inProcess is a gateway and scenes in this process, on an embedded NATS server without a
// listener: the whole protocol under the race detector. cmd/mudd's test runs it as processes.
type inProcess struct {
	t       *testing.T
	ns      *server.Server
	data    string
	game    fs.FS
	gameDir string // "" for the embedded default game
	db      string // Config.DB: "" for SQLite in data
	gw      *mudtest.Server
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func startInProcess(t *testing.T) *inProcess { return startInProcessGame(t, "", "") }

// startInProcessGame runs the game in dir (the default game when "") on the database db
// (SQLite in a temporary directory when "").
func startInProcessGame(t *testing.T, dir, db string) *inProcess {
	t.Helper()
	return startInProcessWith(t, dir, db, func(*engine.Config) {})
}

// startInProcessWith is startInProcessGame with set changing the gateway's configuration.
func startInProcessWith(t *testing.T, dir, db string, set func(*engine.Config)) *inProcess {
	t.Helper()
	ns, err := server.NewServer(&server.Options{DontListen: true, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(ns.Shutdown)
	c := &inProcess{t: t, ns: ns, data: t.TempDir(), game: mudd.DefaultGame(), gameDir: dir, db: db}
	if dir != "" {
		c.game = os.DirFS(dir)
	}
	g := cluster.NewGateway(c.conn(), "gw", quiet())
	cfg := engine.Config{Game: c.game, GameDir: dir, DataDir: c.data, DB: db, Gateway: g, Zones: []string{}}
	set(&cfg)
	c.gw = mudtest.Start(t, cfg,
		func(eng *engine.Engine) {
			stop, err := g.Start(eng)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(stop)
		})
	return c
}

func (c *inProcess) conn() *nats.Conn {
	nc, err := nats.Connect("", nats.InProcessServer(c.ns))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(nc.Close)
	return nc
}

// scene starts a scene running zones; it returns once the gateway has accepted it, and
// stop ends it as SIGTERM would.
func (c *inProcess) scene(id string, zones ...string) (stop func()) {
	c.t.Helper()
	stop, _ = c.sceneOn(c.conn(), id, zones...)
	return stop
}

// sceneOn is scene over the NATS connection nc, returning the scene's engine too.
func (c *inProcess) sceneOn(nc *nats.Conn, id string, zones ...string) (stop func(), eng *engine.Engine) {
	c.t.Helper()
	sc := cluster.NewScene(nc, cluster.SceneInfo{ID: id, Zones: zones, Run: id + time.Now().String()}, quiet())
	eng, err := engine.New(engine.Config{Game: c.game, GameDir: c.gameDir, DataDir: c.data, DB: c.db, TelnetAddr: "-", TCPAddr: "-",
		Zones: zones, Router: sc.Router, Pulse: 20 * time.Millisecond, SaveInterval: 100 * time.Millisecond,
		Logger: quiet()})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sc.Serve(ctx, eng) }()
	<-eng.Ready() // Serve announces before the engine serves
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-served; err != nil {
				c.t.Errorf("scene %s: %v", id, err)
			}
		}
	}
	c.t.Cleanup(stop)
	return stop, eng
}

func TestHandOverInProcess(t *testing.T) {
	c := startInProcess(t)
	c.scene("village", "millbrook", "riverside")
	stopForest := c.scene("forest", "eldwood")
	list := c.console("cluster")
	for _, want := range []string{"forest", "eldwood", "village", "millbrook,riverside", "ago", "0 player(s) connected"} {
		if !strings.Contains(list, want) {
			t.Errorf("cluster on the gateway's console lacks %q:\n%s", want, list)
		}
	}
	bob := mudtest.Create(t, c.gw, "Bob", "bobpass123")
	if err := c.gw.Eng.Store().SetRole(context.Background(), "Bob", engine.RoleAdmin.String()); err != nil {
		t.Fatal(err)
	}
	bob.Send("quit")
	bob.Expect("Goodbye")
	bob = mudtest.Login(t, c.gw, "Bob", "bobpass123")
	if out := bob.Do("reboot"); !strings.Contains(out, "Cannot reboot: 1 player(s) are connected through a gateway") {
		t.Fatalf("reboot on a scene:\n%s", out)
	}
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	for _, l := range []string{"north", "north", "get candle", "south", "south", "west", "west"} {
		w.Do(l)
	}
	if out := w.Do("west"); !strings.Contains(out, "Edge of the Eldwood") {
		t.Fatalf("into the forest:\n%s", out)
	}
	if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
		t.Fatalf("inventory in the forest:\n%s", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for out := bob.Do("who"); !strings.Contains(out, "The Eldwood"); out = bob.Do("who") {
		if time.Now().After(deadline) {
			t.Fatalf("who never listed Wanda:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond) // the next heartbeat
	}
	bob.Do("tell wanda hello")
	w.Hear(`Bob tells you, "hello"`)

	stopForest() // as SIGTERM: the player is held
	w.Hear("restarting")
	if out := w.Do("look"); !strings.Contains(out, "Please wait") {
		t.Fatalf("a line while held:\n%s", out)
	}
	c.scene("forest", "eldwood")
	w.Expect("The world is back")
	w.Expect("Edge of the Eldwood")
	w.Expect("> ")
	if out := w.Do("east"); !strings.Contains(out, "The West Gate") {
		t.Fatalf("back to the village:\n%s", out)
	}
	if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
		t.Fatalf("inventory back in the village:\n%s", out)
	}
}

// TestIdleThroughTheGateway: a client that keeps typing at the gateway stays connected past
// the idle timeout; once silent for it, it is told so and let go.
func TestIdleThroughTheGateway(t *testing.T) {
	c := startInProcessWith(t, "", "", func(cfg *engine.Config) { cfg.IdleTimeout = time.Second })
	c.scene("village", "millbrook", "riverside", "eldwood")
	w := mudtest.Create(t, c.gw, "Idler", "idler12345")
	for range 30 { // well past the idle timeout, typing faster than the deadline moves
		time.Sleep(50 * time.Millisecond)
		if out := w.Do("look"); !strings.Contains(out, "Millbrook Square") {
			t.Fatalf("a typing player got:\n%s", out)
		}
	}
	w.Expect("idle too long")
	if !w.Closed(5 * time.Second) {
		t.Fatal("idle connection still open")
	}
}

// TestGMCPThroughTheGateway: the scene sends GMCP to the packages the client subscribed to
// at the gateway, during the login and after it, in whichever scene the player is.
func TestGMCPThroughTheGateway(t *testing.T) {
	c := startInProcess(t)
	c.scene("village", "millbrook", "riverside")
	c.scene("forest", "eldwood")
	cl := mudtest.DialTelnet(t, c.gw.Eng.TelnetAddr())
	cl.Negotiated("WILL 201")
	cl.Write("\xff\xfd\xc9" + mudtest.GMCPFrame("Core.Hello", `{"Client":"GoTest","Version":"1"}`) +
		mudtest.GMCPFrame("Core.Supports.Set", `["Room 1"]`))
	cl.Expect("name")
	cl.Send("Gemma")
	cl.Expect("(yes/no)")
	cl.Send("yes")
	cl.Expect("password")
	cl.Send("sesame123")
	cl.Expect("again")
	cl.Send("sesame123")
	cl.Expect("> ")
	if m := cl.GMCP("Room.Info"); !strings.Contains(string(m.Data), "Millbrook Square") {
		t.Fatalf("Room.Info at login: %s", m.Data)
	}
	cl.Do("west")
	cl.Do("west")
	cl.Do("west")
	// The forest scene sends the Room.Info of the room the player arrives in.
	for m := cl.GMCP("Room.Info"); !strings.Contains(string(m.Data), "Edge of the Eldwood"); m = cl.GMCP("Room.Info") {
	}
	// A subscription made after the login reaches the scene that plays the character.
	cl.Write(mudtest.GMCPFrame("Core.Supports.Add", `["Char.Items 1"]`))
	cl.Write(mudtest.GMCPFrame("Char.Items.Inv", ""))
	if m := cl.GMCP("Char.Items.List"); !strings.Contains(string(m.Data), `"inv"`) {
		t.Fatalf("Char.Items.List: %s", m.Data)
	}
}

// TestStaffAcrossScenes: goto, transfer, wiznet and kick reach players in another scene.
func TestStaffAcrossScenes(t *testing.T) {
	c := startInProcess(t)
	c.scene("village", "millbrook", "riverside")
	c.scene("forest", "eldwood")
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	ada := mudtest.Create(t, c.gw, "Ada", "adapass123")
	if err := c.gw.Eng.Store().SetRole(context.Background(), "Ada", engine.RoleAdmin.String()); err != nil {
		t.Fatal(err)
	}
	ada.Send("quit")
	ada.Expect("Goodbye")
	ada = mudtest.Login(t, c.gw, "Ada", "adapass123")
	for _, l := range []string{"west", "west", "west", "west"} {
		w.Do(l)
	}
	awaitWhere(t, ada, "Wanda", "The Eldwood")

	ada.Do("transfer wanda")
	w.Expect("Millbrook Square") // summoned across scenes, to Ada's room
	ada.Expect("Wanda arrives")

	ada.Send("goto eldwood:stream")
	ada.Expect("The Footbridge") // the forest scene shows Ada the room she arrived in
	awaitWhere(t, ada, "Wanda", "Millbrook")
	// An action that fails in the other scene: the one who asked is told why.
	ada.Send("force wanda xyzzyplugh")
	w.Expect("Ada forces you to: xyzzyplugh")
	ada.Expect("Wanda tried, but:")
	if out := ada.Do("kick wanda enough"); strings.Contains(out, "Nobody") {
		t.Fatalf("kick: %s", out)
	}
	w.Expect("You have been kicked out of the game by Ada. Reason: enough")
	if !w.Closed(5 * time.Second) {
		t.Fatal("the kicked player's connection stayed open")
	}
}

// awaitWhere runs who until it lists name in zone: scenes learn where the players of the others
// are from their heartbeats.
func awaitWhere(t *testing.T, c *mudtest.Client, name, zone string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := c.Do("who")
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == name && strings.Contains(line, zone) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("who never listed %s in %s:\n%s", name, zone, out)
		}
		time.Sleep(100 * time.Millisecond) // the next heartbeat
	}
}

// console runs line on the gateway's operator console and returns its answer.
func (c *inProcess) console(line string) string {
	c.t.Helper()
	a, b := net.Pipe()
	go c.gw.Eng.ServeConsole(a)
	defer b.Close()
	b.SetDeadline(time.Now().Add(mudtest.Timeout))
	if _, err := fmt.Fprintf(b, "%s\n", line); err != nil {
		c.t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(b)
	for sc.Scan() && sc.Text() != engine.ConsoleDone {
		out.WriteString(sc.Text() + "\n")
	}
	return out.String()
}

// TestReloadAcrossScenes: a builder's reload of a zone on one scene is carried out by every
// scene, the one that runs the zone included.
func TestReloadAcrossScenes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "game")
	if _, err := mudd.WriteDefaultGame(dir); err != nil {
		t.Fatal(err)
	}
	c := startInProcessGame(t, dir, "")
	c.scene("village", "millbrook", "riverside")
	c.scene("forest", "eldwood")
	ada := mudtest.Create(t, c.gw, "Ada", "adapass123")
	bo := mudtest.Create(t, c.gw, "Bob", "bopass1234")
	for _, name := range []string{"Ada", "Bob"} {
		if err := c.gw.Eng.Store().SetRole(context.Background(), name, engine.RoleBuilder.String()); err != nil {
			t.Fatal(err)
		}
	}
	ada.Send("quit")
	ada.Expect("Goodbye")
	ada = mudtest.Login(t, c.gw, "Ada", "adapass123")
	bo.Send("quit")
	bo.Expect("Goodbye")
	bo = mudtest.Login(t, c.gw, "Bob", "bopass1234")
	for _, l := range []string{"west", "west", "west"} {
		bo.Do(l) // Bob stands in the forest scene
	}
	rooms := filepath.Join(dir, "world", "eldwood", "rooms.lua")
	src, err := os.ReadFile(rooms)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rooms, append(src, "\n-- edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	ada.Send("reload eldwood") // on the village scene
	ada.Expect("Reloaded zone eldwood")
	bo.Expect("[reload] Reloaded zone eldwood") // the forest scene reloaded it too
}

// TestHandOverPostgres: the gateway and the scenes share a PostgreSQL database, as on several
// machines. It is skipped, saying so, without a test server (see internal/pgtest).
func TestHandOverPostgres(t *testing.T) {
	c := startInProcessGame(t, "", pgtest.DSN(t))
	c.scene("village", "millbrook", "riverside")
	stopForest := c.scene("forest", "eldwood")
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	for _, l := range []string{"north", "north", "get candle", "south", "south", "west", "west"} {
		w.Do(l)
	}
	if out := w.Do("west"); !strings.Contains(out, "Edge of the Eldwood") {
		t.Fatalf("into the forest:\n%s", out)
	}
	stopForest()
	w.Hear("restarting")
	c.scene("forest", "eldwood")
	w.Expect("The world is back")
	w.Expect("Edge of the Eldwood")
	w.Expect("> ")
	if out := w.Do("inventory"); strings.Count(out, "beeswax candle") != 1 {
		t.Fatalf("inventory after the forest restarted:\n%s", out)
	}
	if out := w.Do("east"); !strings.Contains(out, "The West Gate") {
		t.Fatalf("back to the village:\n%s", out)
	}
}

// TestSpeedwalkAcrossScenes: lines typed in one go through many hand-overs run in order,
// with every answer shown and nothing lost, whichever scene they reach.
func TestSpeedwalkAcrossScenes(t *testing.T) {
	c := startInProcess(t)
	c.scene("village", "millbrook", "riverside")
	c.scene("forest", "eldwood")
	w := mudtest.Create(t, c.gw, "Wanda", "wander1234")
	for i := range 15 {
		w.Send(fmt.Sprintf("west\r\nwest\r\nwest\r\nsay here %d\r\neast\r\neast\r\neast\r\nsay back %d", i, i))
		w.Expect("Edge of the Eldwood")
		w.Expect(fmt.Sprintf(`You say, "here %d"`, i))
		w.Expect("Millbrook Square")
		w.Expect(fmt.Sprintf(`You say, "back %d"`, i))
	}
}
