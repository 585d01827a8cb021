package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/mudd/mudd/telnet"
)

// handoverDoc is what the old process tells the new one at a copyover, as one line of JSON
// on the control socket. Files are numbered in the order they were passed: file i is
// descriptor handoverFirstFile+i in the new process.
type handoverDoc struct {
	Version     string          `json:"version"` // of the old process
	Started     time.Time       `json:"started"`
	PID         int             `json:"pid"`
	NextSession uint64          `json:"next_session"` // the new process's session ids start after it
	Files       int             `json:"files"`
	Listeners   []int           `json:"listeners"` // file of the telnet and the TCP listener, -1 if none
	Sessions    []handedSession `json:"sessions"`
	Gateway     json.RawMessage `json:"gateway,omitempty"` // the state of a gateway (GatewayHandover)
}

// handedSession is one player's connection.
type handedSession struct {
	File   int          `json:"file"`
	ID     uint64       `json:"id"`
	Addr   string       `json:"addr"`
	Name   string       `json:"name"` // account and character
	Role   string       `json:"role"`
	Telnet telnet.State `json:"telnet"`
	Lines  []string     `json:"lines,omitempty"`  // typed, not yet run
	Client bool         `json:"client,omitempty"` // a client of the gateway, played elsewhere

	MSDPReported []string `json:"msdp_reported,omitempty"` // MSDP variables the client asked to be sent
}

// Descriptors of a process started by a copyover: the control socket, the old process's
// stderr (the new process writes its log there once it is ready), then the handed files.
const (
	handoverCtlFD    = 3
	handoverStderrFD = 4
	handoverFirstFD  = 5
)

// Handover is what a process started by a copyover reboot takes over from the old one: the
// listening sockets, the players' connections and their state. Pass it to New in
// Config.Handover.
type Handover struct {
	doc    handoverDoc
	files  []*os.File
	ctl    net.Conn
	rd     *bufio.Reader
	stderr *os.File
}

// Inherit returns the hand-over when this process was started by a copyover reboot, or nil
// when it was started normally. Call it once, early in main.
func Inherit() (*Handover, error) {
	if os.Getenv(handoverEnv) == "" {
		return nil, nil
	}
	os.Unsetenv(handoverEnv)
	f := os.NewFile(handoverCtlFD, "handover")
	ctl, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("handover: control socket: %w", err)
	}
	h := &Handover{ctl: ctl, rd: bufio.NewReader(ctl), stderr: os.NewFile(handoverStderrFD, "stderr")}
	ctl.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := h.rd.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &h.doc)
	}
	if err != nil {
		h.Fail(fmt.Errorf("reading the hand-over: %w", err))
		return nil, fmt.Errorf("handover: %w", err)
	}
	for i := range h.doc.Files {
		h.files = append(h.files, os.NewFile(uintptr(handoverFirstFD+i), fmt.Sprintf("handover-%d", i)))
	}
	return h, nil
}

// Fail tells the old process that this one cannot take over, and why. The old process goes
// on serving.
func (h *Handover) Fail(err error) {
	if h == nil || h.ctl == nil {
		return
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(h.ctl, "error %s\n", msg)
	h.ctl.Close()
	h.ctl = nil
}

// file takes handed file i; it is nil if there is no such file or it was taken already.
func (h *Handover) file(i int) *os.File {
	if i < 0 || i >= len(h.files) {
		return nil
	}
	f := h.files[i]
	h.files[i] = nil
	return f
}

// closeRest closes the handed files nobody took.
func (h *Handover) closeRest() {
	for i, f := range h.files {
		if f != nil {
			f.Close()
			h.files[i] = nil
		}
	}
}

// ready tells the old process that this one has taken over and waits for it to confirm.
// From then on this process writes its log to the old one's stderr.
func (h *Handover) ready() error {
	if err := redirectStderr(h.stderr); err != nil {
		return fmt.Errorf("handover: stderr: %w", err)
	}
	h.stderr.Close()
	h.ctl.SetDeadline(time.Now().Add(30 * time.Second))
	defer func() { h.ctl.Close(); h.ctl = nil }()
	// Under systemd this process becomes the unit's main process before the old one exits;
	// if the old one does not confirm, it takes the role back.
	sdNotify(fmt.Sprintf("MAINPID=%d", os.Getpid()))
	if _, err := fmt.Fprintf(h.ctl, "ready %d\n", os.Getpid()); err != nil {
		return fmt.Errorf("handover: report ready: %w", err)
	}
	line, err := h.rd.ReadString('\n')
	if err != nil || line != "go\n" {
		return fmt.Errorf("handover: the old process did not confirm (%q, %v)", line, err)
	}
	return nil
}

// inheritListeners serves on the listeners of the old process.
func (e *Engine) inheritListeners(h *Handover) error {
	e.listeners = e.listeners[:0]
	for _, i := range h.doc.Listeners {
		f := h.file(i)
		if f == nil {
			e.listeners = append(e.listeners, nil)
			continue
		}
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("engine: inherited listener: %w", err)
		}
		e.listeners = append(e.listeners, ln)
	}
	for len(e.listeners) < consoleListener {
		e.listeners = append(e.listeners, nil)
	}
	if e.cfg.ConsoleSocket != "" && len(e.listeners) == consoleListener {
		ln, err := listenConsole(e.cfg.ConsoleSocket) // the old process had none
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("engine: %w", err)
		}
		e.listeners = append(e.listeners, ln)
	}
	return nil
}

// takeOver restores the handed sessions and their characters, reports ready, and starts the
// sessions. It runs in Serve before the loop starts, so it is the loop's goroutine.
func (e *Engine) takeOver(h *Handover) error {
	defer h.closeRest()
	e.sessionIDs.Store(h.doc.NextSession)
	var (
		list    []*Player
		clients []*Client
	)
	for _, hs := range h.doc.Sessions {
		if hs.Client {
			c, err := e.restoreClient(h, hs)
			if err != nil {
				e.log.Error("copyover: client not restored", "session", hs.ID, "name", hs.Name, "err", err)
				continue
			}
			clients = append(clients, c)
			continue
		}
		p, err := e.restoreSession(h, hs)
		if err != nil {
			e.log.Error("copyover: session not restored", "session", hs.ID, "name", hs.Name, "err", err)
			continue
		}
		list = append(list, p)
	}
	if err := h.ready(); err != nil {
		for _, p := range list {
			p.sess.raw.Close() // our copy only: the old process goes on with the connection
		}
		for _, c := range clients {
			c.s.raw.Close()
		}
		return err
	}
	e.resumeClients(h.doc, clients)
	e.log.Info("copyover: took over", "from_version", h.doc.Version, "from_pid", h.doc.PID,
		"version", e.cfg.Version, "pid", os.Getpid(), "sessions", len(list), "clients", len(clients))
	for _, p := range list {
		e.startSession(p.sess, e.play)
		p.Send("Reboot complete.")
		e.lua.emitThing("login", p.Thing)
	}
	return nil
}

// currentRole reads a handed player's role from the store: a promotion or demotion committed
// while the sessions were handed over is honoured. If the account cannot be read, the role
// the old process knew is kept.
func (e *Engine) currentRole(hs handedSession) Role {
	acct, err := e.store.Account(context.Background(), hs.Name)
	if err == nil {
		return e.roleOf(acct)
	}
	role, perr := ParseRole(hs.Role)
	e.log.Warn("copyover: account not read; keeping the handed role", "name", hs.Name, "role", role,
		"err", errors.Join(err, perr))
	return role
}

// restoreSession rebuilds one handed connection and puts its character in the world.
func (e *Engine) restoreSession(h *Handover, hs handedSession) (*Player, error) {
	f := h.file(hs.File)
	if f == nil {
		return nil, errors.New("no such file")
	}
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	s := e.newSession(c, hs.Telnet.Raw)
	s.id, s.addr, s.posting = hs.ID, hs.Addr, true
	if err := s.conn.Restore(hs.Telnet); err != nil {
		c.Close()
		return nil, err
	}
	role := e.currentRole(hs)
	ch, err := e.saver.Claim(context.Background(), hs.Name)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("load character: %w", err)
	}
	p := e.restore(ch, role)
	e.attach(p, s)
	e.addPlayer(p)
	for _, name := range hs.MSDPReported {
		if p.oob.reported == nil {
			p.oob.reported = make(map[string]bool)
		}
		p.oob.reported[name] = true
	}
	for _, l := range hs.Lines {
		p.lines = append(p.lines, queuedLine{text: l, at: time.Now()})
		s.queued.Add(1)
	}
	if len(p.lines) > 0 {
		e.schedule(p)
	}
	return p, nil
}
