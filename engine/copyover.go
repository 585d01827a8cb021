package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/state"
)

// A copyover reboot replaces the running process with the binary on disk, which may be a new
// build, while players stay connected:
//
//  1. reboot [seconds] counts down, then tells every player "The world shimmers...".
//  2. The loop pauses every player's session: the reader stops at a line boundary (what was
//     typed of the next line stays in the telnet state) and the writer stops once everything
//     queued is written. Pulses stop, so the world stands still.
//  3. Once every session has paused, the loop saves every character and writes the hand-over
//     document: per session its socket, id, character, role, telnet state and queued lines.
//     A worker goroutine waits for the store writer to finish saving (bounded), then starts
//     the executable with the listening sockets and the player sockets as extra files and
//     sends it the document on a control socket.
//  4. The new process loads the game, takes over the listeners and sessions, puts every
//     character back where it stood (with the role the store has now), and reports ready.
//     The old process's loop decides: unless a shutdown came first, it ends, and this
//     process stops accepting connections. Then it answers "go" and leaves without
//     disconnecting anyone; the new one tells players "Reboot complete." and runs the lines
//     they had typed ahead (while sessions are held, the old process runs none of them).
//  5. If the new process cannot start, exits, reports an error or is not ready within
//     Config.ReadyTimeout, it is killed; the old process resumes every session, tells the
//     players, and shows the admin the error and the end of the new process's output.
//
// The mechanics that depend on Unix (passing sockets to a child) are in handover_unix.go.

// rebootState is the loop's view of a copyover.
type rebootState struct {
	due        time.Time // when a countdown ends; zero when none runs
	told       int       // the seconds left last announced
	handing    bool      // sessions are paused and being handed over
	handedOver bool      // the new process took over: the loop ends
	held       map[*session]bool
	lines      map[*Player][]queuedLine // queued lines of held players, handed to the new process
	saved      map[*Player]bool         // players saved for the hand-over
	loggedOut  bool                     // scripts were told the handed players logged out
	reply      func(string)             // tells whoever asked for the reboot
	// A gateway's reboot: its clients' traffic is held elsewhere (GatewayHandover.Quiesce),
	// and the clients paused, with their Client.
	quiesced bool
	clients  map[*session]*Client
}

// handoverEnv marks a process started to take over from another.
const handoverEnv = "MUDD_HANDOVER"

func registerRebootCommands(r *Registry) {
	r.Add(Command{Name: "reboot", Role: RoleAdmin, Exact: true, Run: cmdReboot,
		Help: "reboot [seconds] | reboot cancel\nRestart the game with the binary on disk (a new build, say) while\n" +
			"everyone stays connected: after a countdown (default none) every character is saved,\n" +
			"and the new process takes over every connection. If it fails to start, the game goes on."})
	r.Add(Command{Name: "version", Aliases: []string{"uptime"}, Run: cmdVersion,
		Help: "version\nShow the game's build and how long it has been running."})
}

func cmdReboot(c *Context) {
	e, p := c.Engine, c.Player
	reply := func(msg string) { p.Send(msg) }
	if strings.EqualFold(c.Args, "cancel") {
		if e.reboot.due.IsZero() {
			c.Fail("No reboot is counting down.")
			return
		}
		e.reboot.due = time.Time{}
		e.broadcast("The reboot was cancelled.")
		return
	}
	secs := 0
	if c.Args != "" {
		n, err := strconv.Atoi(c.Args)
		if err != nil || n < 0 || n > 3600 {
			c.Fail("Usage: reboot [seconds], with 0 to 3600 seconds; or reboot cancel.")
			return
		}
		secs = n
	}
	e.Reboot(time.Duration(secs)*time.Second, reply)
}

// Reboot starts a copyover after delay, announcing the countdown. reply gets the outcome
// if the reboot fails (on success this process is gone). It runs on the loop.
func (e *Engine) Reboot(delay time.Duration, reply func(string)) {
	switch {
	case e.reboot.handing:
		reply("A reboot is under way already.")
		return
	case !e.reboot.due.IsZero():
		reply("A reboot is counting down already; 'reboot cancel' stops it.")
		return
	}
	select {
	case <-e.ready:
	default: // a headless game (Sim) has no connections to hand over
		reply("Cannot reboot: this game is not serving connections.")
		return
	}
	if _, err := os.Executable(); err != nil {
		reply(fmt.Sprintf("Cannot reboot: %v.", err))
		return
	}
	if delay <= 0 {
		e.beginHandover(reply)
		return
	}
	delay = delay.Round(time.Second)
	e.reboot.due, e.reboot.told, e.reboot.reply = e.now().Add(delay), int(delay/time.Second), reply
	e.broadcast(fmt.Sprintf("The game will reboot in %s. You will stay connected.", secondsText(e.reboot.told)))
}

// rebootCountdown announces a running countdown and starts the hand-over when it ends. The
// pulse calls it. (It is not a timer: a reload of the game replaces the timer queue.)
func (e *Engine) rebootCountdown(now time.Time) {
	if e.reboot.due.IsZero() {
		return
	}
	left := int((e.reboot.due.Sub(now) + time.Second - 1) / time.Second) // rounded up
	switch {
	case left <= 0:
		e.reboot.due = time.Time{}
		e.beginHandover(e.reboot.reply)
	case left < e.reboot.told && (left <= 5 || left == 10 || left%30 == 0):
		e.reboot.told = left
		e.broadcast(fmt.Sprintf("Reboot in %s.", secondsText(left)))
	}
}

func secondsText(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}

// broadcast tells every player online, and the operator consoles; on a gateway, every
// client it plays too.
func (e *Engine) broadcast(text string) {
	for _, p := range e.bySess {
		p.Send(text)
	}
	if gh := e.gatewayHandover(); gh != nil {
		for _, c := range gh.Clients() {
			c.Send(Output{Text: "\n" + text + "\n"})
		}
	}
}

// beginHandover tells the players, pauses their sessions and hands over on a worker.
func (e *Engine) beginHandover(reply func(string)) {
	exe, err := os.Executable()
	if err != nil {
		if e.reboot.quiesced { // the gateway's scenes hold its traffic: let them go on
			e.reboot.quiesced = false
			e.gatewayHandover().Thaw()
		}
		reply(fmt.Sprintf("Cannot reboot: %v.", err))
		return
	}
	if n := e.remotePlayers(); n > 0 {
		e.reboot.due = time.Time{}
		reply(fmt.Sprintf("Cannot reboot: %d player(s) are connected through a gateway. Restart this scene "+
			"with SIGTERM instead: the gateway holds its players meanwhile.", n))
		return
	}
	gh := e.gatewayHandover()
	switch {
	case e.cfg.Gateway != nil && gh == nil:
		reply("Cannot reboot: this gateway cannot hand its clients over.")
		return
	case gh != nil && !e.reboot.quiesced:
		e.quiesceGateway(gh, reply)
		return
	}
	e.log.Info("copyover: pausing sessions", "executable", exe, "players", len(e.players))
	e.reboot.handing, e.reboot.reply = true, reply
	e.reboot.held = make(map[*session]bool)
	var held []*session
	for _, p := range e.players {
		if p.sess == nil {
			continue
		}
		if p.input != nil {
			p.takeAnswer()
			p.Send("(The reboot cancelled your answer.)")
		}
		p.Send("The world shimmers... (reboot)")
		if err := p.sess.conn.Movable(); err != nil {
			p.Send("Your connection cannot follow the reboot (your client compresses what it sends); please connect again in a moment.")
			continue
		}
		held = append(held, p.sess)
	}
	if gh != nil {
		held = append(held, e.heldClients(gh)...)
	}
	e.flushOutput()
	holds := make([]*hold, len(held))
	for i, s := range held {
		holds[i] = s.pauseIO()
		e.reboot.held[s] = true
	}
	e.work(func() {
		err := e.handOver(exe, held, holds)
		e.post(funcEvent(func(e *Engine) {
			if err == nil {
				e.reboot.handedOver = true
				return
			}
			e.handoverFailed(err)
		}))
	})
}

// handOver runs on a worker: it waits for the sessions to pause, has the loop save everyone
// and describe the sessions, waits for the saves, and starts the new process.
func (e *Engine) handOver(exe string, held []*session, holds []*hold) error {
	if err := waitPaused(held, holds, 10*time.Second); err != nil {
		return err
	}
	var (
		doc   handoverDoc
		files []int
		err   error
	)
	if !e.onLoop(func() { doc, files, err = e.prepareHandover(held) }) {
		return ErrStopped
	}
	defer closeFiles(files)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.saver.Flush(ctx); err != nil {
		return fmt.Errorf("saving before the reboot: %w", err)
	}
	return e.startSuccessor(exe, doc, files)
}

// prepareHandover saves every character and describes the listeners and the paused
// sessions. Scripts see the players whose sessions are handed over log out here, and log in
// again in the new process. It runs on the loop.
func (e *Engine) prepareHandover(held []*session) (handoverDoc, []int, error) {
	handed := make(map[*session]bool, len(held))
	for _, s := range held {
		if p := e.bySess[s]; (p != nil || e.reboot.clients[s] != nil) && s.paused() {
			handed[s] = true
		} else {
			s.resumeIO() // it quit or dropped meanwhile
		}
	}
	e.reboot.held, e.reboot.loggedOut = handed, true
	e.reboot.lines = make(map[*Player][]queuedLine)
	e.reboot.saved = make(map[*Player]bool, len(e.players))
	batch := make([]state.Character, 0, len(e.players))
	for _, p := range e.players {
		if handed[p.sess] {
			e.lua.emitThing("logout", p.Thing)
		}
		batch = append(batch, e.snapshot(p))
		e.reboot.saved[p] = true
	}
	e.saver.Save(batch...)
	doc := handoverDoc{
		Version: e.cfg.Version, Started: e.started, PID: os.Getpid(),
		// Connections the old process accepts while handing over take ids after its last
		// one; the new process starts well past them.
		NextSession: e.sessionIDs.Load() + 1<<20,
	}
	var files []int
	for _, ln := range e.listeners {
		if ln == nil {
			doc.Listeners = append(doc.Listeners, -1)
			continue
		}
		f, err := fileOf(ln)
		if err != nil {
			closeFiles(files)
			return doc, nil, fmt.Errorf("listener %s: %w", ln.Addr(), err)
		}
		doc.Listeners = append(doc.Listeners, len(files))
		files = append(files, f)
	}
	for _, s := range held {
		if !handed[s] {
			continue
		}
		if c := e.reboot.clients[s]; c != nil {
			hs, f, err := e.handClient(c, len(files))
			if err != nil {
				closeFiles(files)
				return doc, nil, err
			}
			files = append(files, f)
			doc.Sessions = append(doc.Sessions, hs)
			continue
		}
		hs, f, err := e.handSession(s, len(files))
		if err != nil {
			closeFiles(files)
			return doc, nil, err
		}
		files = append(files, f)
		doc.Sessions = append(doc.Sessions, hs)
		p := e.bySess[s]
		if len(p.lines) > 0 { // the new process runs them; this one keeps them if it fails
			e.reboot.lines[p] = p.lines
			s.queued.Add(-int32(len(p.lines)))
			p.lines = nil
		}
	}
	if gh := e.gatewayHandover(); gh != nil {
		state, err := gh.Freeze()
		if err != nil {
			closeFiles(files)
			return doc, nil, fmt.Errorf("gateway: %w", err)
		}
		doc.Gateway = state
	}
	doc.Files = len(files)
	return doc, files, nil
}

// handSession describes one paused session, whose socket is file number file.
func (e *Engine) handSession(s *session, file int) (handedSession, int, error) {
	p := e.bySess[s]
	tel, err := s.conn.Snapshot()
	if err != nil {
		return handedSession{}, -1, fmt.Errorf("session %d (%s): %w", s.id, p.Name, err)
	}
	fd, err := fileOf(s.raw)
	if err != nil {
		return handedSession{}, -1, fmt.Errorf("session %d (%s): %w", s.id, p.Name, err)
	}
	hs := handedSession{File: file, ID: s.id, Addr: s.addr, Name: p.Name, Role: p.Role.String(), Telnet: tel}
	for _, l := range p.lines {
		hs.Lines = append(hs.Lines, l.text)
	}
	for name := range p.oob.reported {
		hs.MSDPReported = append(hs.MSDPReported, name)
	}
	return hs, fd, nil
}

// errCommitted marks a failure after this process let the new one take over.
var errCommitted = errors.New("the hand-over was committed")

// commitHandover decides, on the loop, that the new process takes over: the loop ends
// (leaving every handed session to the new process) and this process stops accepting
// connections, so that only the new one accepts on the shared listeners. It fails if the
// loop has stopped (a shutdown resumed the sessions meanwhile). It runs on a worker.
func (e *Engine) commitHandover() error {
	committed := false // read after the loop ran fn or stopped: either orders the write first
	e.onLoop(func() {
		e.reboot.handedOver, committed = true, true
		e.stopAccept()
		e.closeListeners() // the new process has its own descriptors of them
	})
	if !committed {
		return errors.New("was ready, but this process is shutting down")
	}
	return nil
}

// handoverFailed lets every paused session go on and says why. It runs on the loop.
func (e *Engine) handoverFailed(err error) {
	e.log.Error("copyover failed; the game goes on", "err", err)
	for s := range e.reboot.held {
		s.resumeIO()
		p := e.bySess[s]
		if p == nil {
			continue
		}
		if e.reboot.loggedOut {
			e.lua.emitThing("login", p.Thing) // they logged out for the hand-over
		}
		if lines := e.reboot.lines[p]; len(lines) > 0 {
			s.queued.Add(int32(len(lines)))
			p.lines = append(lines, p.lines...)
		}
		if len(p.lines) > 0 {
			e.schedule(p) // the loop runs them at its next turn
		}
	}
	e.reboot.handing, e.reboot.held, e.reboot.saved, e.reboot.loggedOut = false, nil, nil, false
	e.reboot.lines, e.reboot.clients = nil, nil
	if e.reboot.quiesced {
		e.reboot.quiesced = false
		e.gatewayHandover().Thaw()
	}
	e.broadcast("The reboot failed; the game goes on.")
	e.reboot.reply("Reboot failed: " + err.Error())
}

// leaveAfterHandover ends this process's part once the new one has taken over: handed-over
// connections are closed here without a word (the new process has them), anyone else is told
// to connect again. Characters saved for the hand-over are not saved again: the new process
// owns them now.
func (e *Engine) leaveAfterHandover() {
	e.log.Info("copyover: the new process took over; leaving", "sessions", len(e.reboot.held))
	for _, p := range e.players {
		switch s := p.sess; {
		case s != nil && e.reboot.held[s]:
			e.detach(p)
			s.close()
		case e.reboot.saved[p] && s == nil:
		default:
			e.removePlayer(p, "The game rebooted. Please connect again.")
		}
	}
	for s := range e.reboot.clients {
		if e.reboot.held[s] {
			s.close() // the new process has the connection: nothing goes out here any more
		}
	}
	for s, p := range e.bySess {
		if !e.reboot.held[s] {
			p.Send("The game rebooted into a new process; attach again with 'mudd console'.")
		}
	}
	e.flushOutput()
	e.live.mu.Lock()
	defer e.live.mu.Unlock()
	for s := range e.live.m {
		if !e.reboot.held[s] {
			e.tell(s, Output{Text: "\nThe game is rebooting. Please connect again in a moment.\n", Close: true})
		}
	}
}

func cmdVersion(c *Context) {
	e := c.Engine
	c.Sendf("%s runs mudd version %s.\nStarted %s (up %s).", e.game.Name, e.cfg.Version,
		e.started.UTC().Format(time.RFC3339Nano), time.Since(e.started).Round(time.Second))
	if c.Player.Role >= RoleAdmin {
		c.Sendf("Process %d.", os.Getpid())
		if h := e.cfg.Handover; h != nil {
			c.Sendf("Took over at a reboot from version %s (process %d, started %s).",
				h.doc.Version, h.doc.PID, h.doc.Started.UTC().Format(time.RFC3339))
		}
	}
}
