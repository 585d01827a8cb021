package engine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/world"
	"github.com/mudd/mudd/telnet"
)

// The operator console speaks a line protocol on a stream: a Unix socket (mudd console) or a
// pipe to the terminal the server runs in. The client sends one line at a time; the server
// runs it and answers with the output it caused, then the line ConsoleDone. Output that
// arrives by itself (a tell, a reboot countdown) may come at any time. Lines starting with
// ConsoleControl are control lines:
//
//	client: ConsoleControl+"names"   server: ConsoleControl+"commands ...", ConsoleControl+"players ..."
//
// A line starting with ";" is Lua, evaluated in the live world under the script budget (the
// lua command).
const (
	ConsoleControl = "\x1e"
	ConsoleDone    = ConsoleControl + "done"
	consoleName    = "Console"
)

// ErrStopped is returned by ServeConsole when the engine is not running.
var ErrStopped = errors.New("engine: the game is not running")

// consoleRoomBound are built-in commands that act where the actor stands, or on the actor's
// own character, or take the actor somewhere (goto, at): the console stands nowhere and has
// no character, so it refuses them, and the directions.
var consoleRoomBound = map[string]bool{
	"look": true, "examine": true, "get": true, "drop": true, "put": true, "give": true,
	"inventory": true, "say": true, "ask": true, "emote": true, "open": true, "close": true,
	"lock": true, "unlock": true, "go": true, "score": true, "save": true, "password": true,
	"quit": true, "goto": true, "at": true,
}

// consoleRefuses reports whether the console refuses the command called name.
func consoleRefuses(name string) bool { return consoleRoomBound[name] || world.IsDirection(name) }

// ServeConsole runs an operator console on c until c closes or the engine stops, and closes
// c. Its commands run as Console with the operator role (above admin), which is not a
// character: it stands in no room, is not listed by who and is never saved; commands that need
// a room say so. Lines go through the dispatcher like any player's, so the staff commands it
// runs are in the audit log. Every line is run by the game loop; this goroutine only reads and
// waits.
func (e *Engine) ServeConsole(c net.Conn) error {
	defer c.Close()
	s := &session{id: e.nextSessionID(), conn: telnet.NewConn(c, telnet.Config{Raw: true}), raw: c,
		tcp: true, console: true, addr: "console", out: make(chan Output, e.cfg.OutputQueue), done: make(chan struct{}),
		pause: pauseState{poke: make(chan struct{}, 1)}}
	var p *Player
	if !e.onLoop(func() { p = e.attachConsole(s) }) {
		return ErrStopped
	}
	defer e.post(funcEvent(func(e *Engine) { e.detachConsole(s) }))
	defer s.close()
	go e.consoleWriter(s, c)
	go func() {
		select {
		case <-e.stopped():
		case <-s.done:
		}
		s.close()
	}()
	e.log.Info("console attached", "session", s.id)
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 0, 4096), e.cfg.MaxLine)
	for sc.Scan() {
		line := sc.Text()
		if !e.onLoop(func() { e.consoleLine(p, line) }) {
			break
		}
	}
	e.log.Info("console detached", "session", s.id)
	if err := sc.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// onLoop runs fn on the loop and waits for it. It reports false if the loop has stopped.
func (e *Engine) onLoop(fn func()) bool {
	done := make(chan struct{})
	if !e.post(funcEvent(func(*Engine) { fn(); close(done) })) {
		return false
	}
	select {
	case <-done:
		return true
	case <-e.stopped():
		return false
	}
}

func (e *Engine) attachConsole(s *session) *Player {
	t := e.world.NewPlayer(consoleName)
	p := &Player{e: e, Name: consoleName, Role: RoleOperator, Thing: t, loginAt: e.now(), idleSince: e.now()}
	t.Owner = p
	p.sess = s
	e.bySess[s] = p
	return p
}

func (e *Engine) detachConsole(s *session) {
	if p := e.bySess[s]; p != nil {
		delete(e.bySess, s)
		e.endSnoops(p)
		p.sess = nil
		e.world.Destroy(p.Thing)
	}
}

// consoleLine runs one console line and ends its output with ConsoleDone. It runs on the loop.
func (e *Engine) consoleLine(p *Player, line string) {
	if p.sess == nil {
		return
	}
	p.atPrompt = false
	switch line = strings.TrimSpace(line); {
	case line == ConsoleControl+"names":
		e.consoleNames(p)
	case strings.HasPrefix(line, ";"):
		e.consoleCommand(p, "lua "+strings.TrimSpace(line[1:]))
	case strings.HasPrefix(line, ConsoleControl):
		p.Sendf("Unknown console request %q.", strings.TrimPrefix(line, ConsoleControl))
	default:
		e.consoleCommand(p, line)
	}
	e.flushOutput()
	if s := p.sess; s != nil {
		e.tell(s, Output{Text: ConsoleDone + "\n"})
	}
}

// dropConsole lets go of a console that does not read what it is sent. It runs on the loop.
func (e *Engine) dropConsole(s *session) {
	if !s.closed() {
		e.log.Warn("console output backlog over its limit; detaching it", "session", s.id)
	}
	s.close()
	e.detachConsole(s)
}

// consoleCommand runs a game command as the console's admin.
func (e *Engine) consoleCommand(p *Player, line string) {
	word, _ := splitCommand(line)
	if word == "" {
		return
	}
	if cmd := e.cmds.Lookup(word, p.Role); cmd != nil && consoleRefuses(cmd.Name) {
		p.Sendf("The console stands nowhere and has no character: %s needs one. Use it in the game.", cmd.Name)
		return
	}
	defer func() {
		// A command written for characters in rooms may not expect an actor standing nowhere;
		// it must not bring the game down.
		if r := recover(); r != nil {
			e.log.Error("console command failed", "line", line, "panic", r)
			p.Sendf("%q failed: it needs a place in the world, and the console stands nowhere (%v).", line, r)
		}
	}()
	e.execute(p, line)
}

// consoleNames sends the words the console completes: command names and aliases, and the
// names of players online.
func (e *Engine) consoleNames(p *Player) {
	var cmds []string
	for _, c := range e.cmds.Visible(p.Role) {
		if !consoleRefuses(c.Name) {
			cmds = append(cmds, c.Name)
		}
	}
	players := make([]string, 0, len(e.players))
	for _, pl := range e.players {
		if pl.Online() {
			players = append(players, pl.Name)
		}
	}
	sort.Strings(players)
	p.Send(ConsoleControl + "commands " + strings.Join(cmds, " "))
	p.Send(ConsoleControl + "players " + strings.Join(players, " "))
}

// consoleWriter writes the console's output as plain text (markup rendered without colour),
// without wrapping (the operator's terminal wraps) and without prompts (the client shows its
// own). Control lines go out as they are.
func (e *Engine) consoleWriter(s *session, c net.Conn) {
	defer s.close()
	r := s.renderer(s.conn.Info())
	for {
		select {
		case o := <-s.out:
			if text := strings.TrimLeft(o.Text, "\n"); text != "" {
				var b strings.Builder
				for _, line := range strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n") {
					if strings.HasPrefix(line, ConsoleControl) {
						b.WriteString(line)
					} else {
						b.WriteString(r.Render(line))
					}
				}
				b.WriteByte('\n')
				c.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.WriteString(c, b.String()); err != nil {
					return
				}
			}
			if o.Close {
				return
			}
		case <-s.done:
			return
		}
	}
}
