package engine_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mudd/mudd/engine"
)

// fixture is a small game whose layout the tests rely on.
func fixture() fstest.MapFS {
	return fstest.MapFS{
		"scripts/init.lua": {Data: []byte(`
game { name = "Testland", start = "town:square", greeting = "Welcome to Testland." }
topic { name = "newbie", text = "Walk around and look at things." }
local pulses = 0
every(0.02, function() pulses = pulses + 1 end)
command { name = "odd", help = "odd\nStores values a careless script might.",
  run = function(actor)
    actor.data.ratio = 0/0
    actor.data.list = { [5] = "five" }
    actor.data.name = "kept"
    local coin = actor:has("town:coin")
    if coin then coin.data.minted = "Millbrook" end
    actor:send("odd data stored")
  end }
command { name = "showdata", help = "showdata\nShows stored values.",
  run = function(actor)
    actor:send("list5=" .. tostring(actor.data.list and actor.data.list[5]) ..
      " name=" .. tostring(actor.data.name) .. " ratio=" .. tostring(actor.data.ratio) ..
      " minted=" .. tostring(actor:has("town:coin") and actor:has("town:coin").data.minted))
  end }
command { name = "don", help = "don <thing>\nWears a carried thing on the hand.",
  run = function(actor, args)
    for _, x in ipairs(actor:contents()) do
      if x.name:find(args, 1, true) then
        actor:send(x:wear("hand") and ("You wear " .. x.name .. ".") or "You can't.")
        return
      end
    end
    actor:send("You have no " .. args .. ".")
  end }
command { name = "slots", run = function(actor)
    local out = {}
    for slot, x in pairs(actor:worn()) do out[#out + 1] = slot .. "=" .. x.name end
    actor:send("worn: " .. table.concat(out, ","))
  end }
command { name = "pulses", help = "pulses\nHow many timer pulses ran.",
  run = function(actor) actor:send("pulses: " .. pulses) end }
`)},
		"world/town/zone.lua": {Data: []byte(`
zone {
  key = "town", name = "The Town",
  resets = {
    { item = "coin", room = "square" },
    { item = "chest", room = "hall" },
    { item = "gem", into = "chest" },
    { item = "key", room = "square" },
    { npc = "parrot", room = "square" },
  },
}`)},
		"world/town/rooms.lua": {Data: []byte(`
room { key = "square", name = "Town Square", desc = "A dusty square.",
  exits = { north = "hall", east = "field:meadow" } }
room { key = "hall", name = "Great Hall", desc = "A hall with a trapdoor in the floor.",
  on_command = function(room, who, verb, args)
    if verb == "pull" then who:send("You pull the lever; far below, something clanks.") return true end
    if verb == "get" and args == "lever" then who:send("The lever is fixed to the wall.") return true end
  end,
  exits = { south = "square",
    down = { to = "cellar", door = { name = "trapdoor", closed = true, locked = true, key = "key" } } } }
room { key = "cellar", name = "Damp Cellar", desc = "It smells of old apples.", exits = { up = "hall" } }
`)},
		"world/town/things.lua": {Data: []byte(`
item { key = "coin", name = "a gold coin", keywords = {"coin", "gold"}, ground = "A gold coin glints here." }
item { key = "chest", name = "an oak chest", keywords = {"chest"}, ground = "An oak chest stands here.",
  container = true, fixed = true }
item { key = "gem", name = "a red gem", keywords = {"gem"}, ground = "A red gem sparkles." }
item { key = "key", name = "an iron key", keywords = {"key", "iron"}, ground = "An iron key lies here." }
npc { key = "parrot", name = "a green parrot", keywords = {"parrot"}, ground = "A green parrot watches you.",
  on_say = function(self, who, text) self:say("Squawk! " .. text) end,
  on_ask = function(self, who, topic) self:say("Polly knows all about " .. topic .. "!") end }
`)},
		"world/field/zone.lua": {Data: []byte(`zone { key = "field", name = "The Fields" }`)},
		"world/field/rooms.lua": {Data: []byte(`
room { key = "meadow", name = "A Meadow", desc = "Grass as far as you can see.",
  exits = { west = "town:square", north = "broken", south = "spin" } }
room { key = "broken", name = "A Broken Place", desc = "Something is wrong here.",
  exits = { south = "meadow" },
  on_enter = function(room, who) local x = nil; return x.field end }
room { key = "spin", name = "A Spinning Place", desc = "Round and round.",
  exits = { north = "meadow" },
  on_enter = function(room, who) while true do end end }
`)},
	}
}

type testServer struct {
	t      *testing.T
	eng    *engine.Engine
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startServer runs an engine on ephemeral loopback ports with fast test settings.
func startServer(t *testing.T, game fs.FS, dataDir string, tweak ...func(*engine.Config)) *testServer {
	t.Helper()
	return startServerWith(t, game, dataDir, nil, tweak...)
}

// startServerWith is startServer with a setup function run before the engine serves, for
// registering test commands.
func startServerWith(t *testing.T, game fs.FS, dataDir string, setup func(*engine.Engine), tweak ...func(*engine.Config)) *testServer {
	t.Helper()
	cfg := engine.Config{
		Game: game, DataDir: dataDir,
		TelnetAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0",
		Pulse: 20 * time.Millisecond, BcryptCost: 4, LuaBudget: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	if setup != nil {
		setup(eng)
	}
	if err := eng.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{t: t, eng: eng, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- eng.Serve(ctx) }()
	<-eng.Ready()
	t.Cleanup(s.stop)
	return s
}

// stop shuts the server down and waits for Serve to return. Safe to call twice.
func (s *testServer) stop() {
	s.once.Do(func() {
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				s.t.Errorf("Serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			s.t.Fatal("server did not stop within 20s")
		}
	})
}

type client struct {
	t    *testing.T
	conn net.Conn
	buf  []byte // read but not yet consumed by expect
}

func dial(t *testing.T, addr net.Addr) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, conn: c}
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// expect reads until want appears and returns the text up to and including it.
func (c *client) expect(want string) string {
	c.t.Helper()
	got, err := c.readUntil(want, 5*time.Second)
	if err != nil {
		c.t.Fatalf("waiting for %q: %v\nreceived so far:\n%s", want, err, got)
	}
	return got
}

func (c *client) readUntil(want string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	chunk := make([]byte, 4096)
	for {
		if i := bytes.Index(c.buf, []byte(want)); i >= 0 {
			out := string(c.buf[:i+len(want)])
			c.buf = c.buf[i+len(want):]
			return out, nil
		}
		c.conn.SetReadDeadline(deadline)
		n, err := c.conn.Read(chunk)
		c.buf = append(c.buf, chunk[:n]...)
		if err != nil {
			return string(c.buf), err
		}
	}
}

// closed reports whether the server closed the connection within timeout.
func (c *client) closed(timeout time.Duration) bool {
	_, err := c.readUntil("\x00never\x00", timeout)
	return err == io.EOF || (err != nil && !isTimeout(err))
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// create makes a new character over the plain TCP port and waits for the first prompt.
func create(t *testing.T, s *testServer, name, password string) *client {
	t.Helper()
	c := dial(t, s.eng.TCPAddr())
	c.expect("name")
	c.send(name)
	c.expect("(yes/no)")
	c.send("yes")
	c.expect("password")
	c.send(password)
	c.expect("again")
	c.send(password)
	c.expect("\n> ")
	return c
}

// login logs an existing character in over the plain TCP port and waits for the prompt.
func login(t *testing.T, s *testServer, name, password string) *client {
	t.Helper()
	c := dial(t, s.eng.TCPAddr())
	c.expect("name")
	c.send(name)
	c.expect("Password")
	c.send(password)
	c.expect("\n> ")
	return c
}

// do sends a command and returns its output up to the prompt that ends it. Output that
// arrived before the command (messages heard while idle) must be consumed first with hear.
func (c *client) do(line string) string {
	c.t.Helper()
	c.send(line)
	return strings.TrimSuffix(c.expect("\n> "), "> ")
}

// hear waits for a message that arrives by itself (someone else's action) and consumes the
// prompt that follows it.
func (c *client) hear(want string) string {
	c.t.Helper()
	out := c.expect(want)
	c.expect("> ")
	return out
}
