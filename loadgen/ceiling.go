package loadgen

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mudd/mudd/telnet"
)

// CeilingRoom is the Ceiling's default room text, the size of the default game's start room.
const CeilingRoom = `Millbrook Square
  Grey cobbles, worn smooth and hollowed by generations of feet, slope gently
toward a stone fountain in the middle of the square. Striped awnings flap along
Market Row to the west, and from the smithy to the east comes the ring of a
hammer. North, a short lane climbs to the temple's green copper dome; south,
Mill Lane drops toward the sound of the river.
Exits: north, east, south, west
Water chuckles from the mouth of a carved fish in the stone fountain.
A scruffy brown dog trots about, nose to the ground.
`

// Ceiling is a trivial game server: the least work any server must do for the load of this
// package. It asks for a name and a password, accepts any, and then answers every line with
// Room, one "<Name> is here." line per other connected player, and the prompt "> ", from each
// connection's own goroutine. It uses the telnet package as the engine does.
type Ceiling struct {
	Telnet bool   // serve telnet; otherwise plain TCP lines
	Room   string // default CeilingRoom
	Logger *slog.Logger

	mu      sync.Mutex
	conns   map[net.Conn]string // connected players' names ("" while logging in)
	players atomic.Pointer[[]string]
}

// Serve accepts connections on ln until ctx is done, then closes them all and returns nil.
func (s *Ceiling) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.conns = make(map[net.Conn]string)
	s.mu.Unlock()
	s.players.Store(new([]string))
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.conns {
			c.Close()
		}
	})
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.logger().Warn("ceiling: accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s.mu.Lock()
		if ctx.Err() != nil {
			s.mu.Unlock()
			nc.Close()
			return nil
		}
		s.conns[nc] = ""
		s.mu.Unlock()
		wg.Go(func() {
			s.serveConn(nc)
			s.leave(nc)
		})
	}
}

func (s *Ceiling) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s.Logger
}

// serveConn runs one connection: the login questions, then an answer to every line.
func (s *Ceiling) serveConn(nc net.Conn) {
	defer nc.Close()
	c := telnet.NewConn(nc, telnet.Config{Raw: !s.Telnet})
	if c.Start() != nil {
		return
	}
	buf := make([]byte, 0, 4096)
	ask := func(q string) (string, error) {
		buf = c.AppendPromptEnd(c.AppendText(buf[:0], q))
		if _, err := c.Write(buf); err != nil {
			return "", err
		}
		return c.ReadLine()
	}
	name, err := ask("By what name do you wish to be known? ")
	if err != nil {
		return
	}
	if _, err := ask("Password: "); err != nil {
		return
	}
	s.join(nc, name)
	room := s.Room
	if room == "" {
		room = CeilingRoom
	}
	for {
		buf = c.AppendText(buf[:0], room)
		for _, p := range *s.players.Load() {
			if p != name {
				buf = append(append(buf, p...), " is here.\r\n"...)
			}
		}
		buf = c.AppendPromptEnd(append(buf, "> "...))
		if _, err := c.Write(buf); err != nil {
			return
		}
		if _, err := c.ReadLine(); err != nil {
			return
		}
	}
}

// join adds a player to the list that every answer shows.
func (s *Ceiling) join(nc net.Conn, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[nc] = name
	s.publish()
}

func (s *Ceiling) leave(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, nc)
	s.publish()
}

// publish replaces the player list, which connections read without locking. s.mu is held.
func (s *Ceiling) publish() {
	names := make([]string, 0, len(s.conns))
	for _, n := range s.conns {
		if n != "" {
			names = append(names, n)
		}
	}
	s.players.Store(&names)
}
