package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/mudd/mudd/markup"
	"github.com/mudd/mudd/telnet"
)

// Output is one batch of text for a session, queued by the game loop (or the login dialogue)
// and written by the session's writer goroutine.
type Output struct {
	Text   string // lines of text, separated by "\n"
	Prompt string // if set, written after Text and marked as a prompt (EOR or GA)
	Hide   bool   // after writing, stop the client echoing input (password follows)
	Show   bool   // before writing, let the client echo input again
	Close  bool   // after writing, close the connection
	OOB    []OOB  // GMCP and MSDP messages, each placed at its offset in Text
	// Verbatim writes Text as it is: no colour markup, no word wrap (machine-read replies).
	Verbatim bool

	kept  keptSpan // where Text holds a kept look (see keptSpan), if it does
	after func()   // a Remote's forwarder runs it in the output's place (Remote.AfterOutput)
}

// session is one network connection. Its reader goroutine runs the login dialogue and then
// turns input into line events; its writer goroutine drains the bounded output queue.
type session struct {
	id      uint64
	conn    *telnet.Conn
	raw     net.Conn
	addr    string
	out     chan Output
	queued  atomic.Int32 // lines sent to the loop and not yet run
	warned  atomic.Bool
	tcp     bool         // a plain TCP connection, not telnet
	console bool         // an operator console (see console.go), not a player's connection
	color   atomic.Int32 // the player's colour level + 1, or 0 for automatic (see setColor)
	charset atomic.Int32 // the player's character set, or charsetAuto (see setCharset)

	// A client connected to another process (remote.go): no conn; its Remote, what it
	// reported when it logged in, and whether its character arrives from another scene.
	remote     *Remote
	remoteInfo telnet.Info
	arrive     bool
	// Owned by the loop: the character was handed to another process; lines that still come
	// are kept for it (see Engine.HandOff).
	handedOff bool
	held      []string

	// Owned by the reader goroutine: GMCP/MSDP messages are posted to the loop once the
	// login is (early keeps them until then), within the session's budget of messages, or
	// go to the Gateway playing the client.
	posting bool
	early   []telnet.Message
	oob     oobBudget
	client  *Client

	line []byte // owned by the writer goroutine: the line it renders (see appendRendered)

	// Owned by the loop: output that found out full, waiting for room (see Engine.deliver).
	backlog      []Output
	backlogBytes int          // the backlog's text and prompts, plus outputOverhead a batch
	backlogLen   atomic.Int32 // len(backlog), for a pausing writer (see parkWriter)
	movedAt      time.Time    // when the backlog began or last moved into out

	closeOnce sync.Once
	done      chan struct{}

	pause pauseState // how a copyover stops the reader and writer; see pause.go
}

// newSession makes the session for connection c, with an id from nextSessionID: ids are
// unique within the engine and continue across a copyover reboot.
func (e *Engine) newSession(c net.Conn, raw bool) *session {
	addr := c.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	s := &session{
		id:    e.nextSessionID(),
		raw:   c,
		tcp:   raw,
		addr:  addr,
		out:   make(chan Output, e.cfg.OutputQueue),
		done:  make(chan struct{}),
		pause: pauseState{poke: make(chan struct{}, 1)},
	}
	s.conn = telnet.NewConn(c, telnet.Config{Raw: raw, MaxLine: e.cfg.MaxLine,
		OnMessage: func(m telnet.Message) { e.oobReceived(s, m) }, MSSP: e.msspVars,
		CompressLevel: e.cfg.CompressLevel, NoCompress: e.cfg.NoCompress, Deflaters: &e.deflaters})
	return s
}

// oobReceived runs on the reader goroutine for each GMCP or MSDP message: it is posted to the
// loop in order with the lines, or kept to go with the login.
func (e *Engine) oobReceived(s *session, m telnet.Message) {
	if s.oob.flooded {
		return
	}
	if !s.oob.take(time.Now()) {
		s.oob.flooded = true
		e.log.Warn("out-of-band flood; disconnecting", "session", s.id, "addr", s.addr, "option", m.Option)
		if !s.trySend(Output{Text: "You are sending protocol messages faster than the game takes them. Goodbye.\n", Close: true}) {
			s.close()
		}
		return
	}
	if (s.posting || s.client != nil) && strings.EqualFold(m.Package, "Core.KeepAlive") {
		s.raw.SetReadDeadline(time.Now().Add(e.cfg.IdleTimeout)) // not idle: the client is there
	}
	switch {
	case s.client != nil:
		e.cfg.Gateway.Message(s.client, m)
	case s.posting:
		e.post(oobEvent{s: s, msg: m})
	case len(s.early) < maxEarlyOOB:
		s.early = append(s.early, m)
	}
}

// nextSessionID returns a new session id. Safe from any goroutine.
func (e *Engine) nextSessionID() uint64 { return e.sessionIDs.Add(1) }

// trySend queues o without blocking. It reports false when the queue is full or closed.
func (s *session) trySend(o Output) bool {
	if s.closed() {
		return false
	}
	select {
	case s.out <- o:
		return true
	default:
		return false
	}
}

// send queues o, waiting while the queue is full. Only the session's own goroutines use it.
func (s *session) send(o Output) bool {
	select {
	case s.out <- o:
		return true
	case <-s.done:
		return false
	}
}

// close ends the connection at once. Safe from any goroutine, any number of times.
func (s *session) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.conn != nil { // a Sim's players have no connection
			s.conn.Close()
		}
	})
}

// accept runs a listener's accept loop until ctx is done.
func (e *Engine) accept(ctx context.Context, ln net.Listener, raw bool) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			e.log.Warn("accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s := e.newSession(c, raw)
		e.log.Info("connection opened", "session", s.id, "addr", s.addr, "raw", raw)
		e.startSession(s, func(s *session) { e.readLoop(ctx, s) })
	}
}

// startSession runs s's writer, and its reader with read.
func (e *Engine) startSession(s *session, read func(*session)) {
	e.live.add(s)
	e.sessions.Add(2)
	go func() { defer e.sessions.Done(); e.writeLoop(s) }()
	go func() {
		defer e.sessions.Done()
		defer e.live.remove(s)
		read(s)
		s.readerDone()
		e.log.Info("connection closed", "session", s.id, "addr", s.addr)
	}()
}

// writeBufs holds write buffers between batches, so that an idle session holds none.
var writeBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 4096) // never nil: a nil buffer means the connection failed
	return &b
}}

// maxPooledBuf is the largest write buffer kept for reuse.
const maxPooledBuf = 64 << 10

func getWriteBuf() *[]byte { return writeBufs.Get().(*[]byte) }

func putWriteBuf(p *[]byte, buf []byte) {
	if cap(buf) <= maxPooledBuf {
		*p = buf[:0]
		writeBufs.Put(p)
	}
}

// writeLoop drains the output queue, writing every batch that is ready in one write.
func (e *Engine) writeLoop(s *session) {
	defer s.close()
	for {
		var o Output
		select {
		case o = <-s.out:
		case <-s.pause.poke:
			p := getWriteBuf()
			buf := e.parkWriter(s, *p)
			if buf == nil {
				return
			}
			putWriteBuf(p, buf)
			continue
		case <-s.done:
			return
		}
		p := getWriteBuf()
		buf := *p
		closing := false
		for more := true; more && buf != nil; {
			closing = closing || o.Close
			buf = e.apply(s, buf, o)
			select {
			case o = <-s.out:
			default:
				more = false
			}
		}
		if buf = e.flushTo(s, buf); buf == nil || closing {
			return
		}
		putWriteBuf(p, buf)
	}
}

// apply renders o into buf, writing first where an echo change must follow the text so far.
func (e *Engine) apply(s *session, buf []byte, o Output) []byte {
	if o.Show {
		if buf = e.flushTo(s, buf); buf == nil {
			return nil
		}
		s.conn.HideInput(false)
	}
	buf = e.render(s, buf, o)
	if o.Hide {
		if buf = e.flushTo(s, buf); buf == nil {
			return nil
		}
		s.conn.HideInput(true)
	}
	return buf
}

// flushTo writes buf and returns it emptied, or nil if the write failed.
func (e *Engine) flushTo(s *session, buf []byte) []byte {
	if len(buf) == 0 {
		return buf
	}
	if _, err := s.conn.Write(buf); err != nil {
		if !errors.Is(err, net.ErrClosed) {
			e.log.Info("write failed; closing", "session", s.id, "addr", s.addr, "err", err)
		}
		return nil
	}
	return buf[:0]
}

// render encodes o for s's client: its markup rendered for the client's colours and
// character set, word-wrapped to its width, with the prompt marked.
func (e *Engine) render(s *session, buf []byte, o Output) []byte {
	if o.Verbatim {
		return s.conn.AppendText(buf, o.Text)
	}
	info := s.conn.Info()
	width := info.Width
	if width == 0 {
		width = 80
	}
	r := s.renderer(info)
	text := o.Text
	for _, m := range o.OOB {
		done := len(o.Text) - len(text) // m.At counts from the start of o.Text
		at := min(max(m.At-done, 0), len(text))
		if at > 0 {
			buf = s.appendText(buf, r, width, text[:at], done, o.kept)
			text = text[at:]
		}
		if m.Vars != nil {
			buf = s.conn.AppendMSDP(buf, m.Vars...)
		} else {
			buf = s.conn.AppendGMCP(buf, m.Package, m.Data)
		}
	}
	if text != "" {
		buf = s.appendText(buf, r, width, text, len(o.Text)-len(text), o.kept)
	}
	if o.Prompt != "" {
		buf = s.conn.AppendText(buf, r.Render(o.Prompt))
		buf = s.conn.AppendPromptEnd(buf)
	}
	return buf
}

// appendText appends text, which starts at offset base of its batch, rendered for s's
// client; where k places a kept look within text, it copies the look's rendering instead.
func (s *session) appendText(buf []byte, r markup.Renderer, width int, text string, base int, k keptSpan) []byte {
	render := func(dst []byte, text string) []byte {
		return appendRendered(s.conn.AppendText, dst, &s.line, r, text, width)
	}
	if at := k.at - base; k.look != nil && at >= 0 && at+k.len() <= len(text) {
		if lr := k.look.renderFor(renderKey{r: r, width: width, raw: s.tcp}, render); lr != nil {
			buf = render(buf, text[:at])
			buf = k.appendTo(buf, lr)
			text = text[at+k.len():]
		}
	}
	return render(buf, text)
}

// finish asks the writer to write what is queued and then close; if the queue is full, the
// connection closes at once.
func (s *session) finish() { s.say("", true) }

// say queues text without blocking, closing the connection after it if closeAfter is set.
// If the queue is full the connection is closed at once: a client that cannot take a last
// message is not waited for.
func (s *session) say(text string, closeAfter bool) {
	if !s.trySend(Output{Text: text, Close: closeAfter}) && closeAfter {
		s.close()
	}
}

// closed reports whether the connection has been closed.
func (s *session) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// readLoop runs the login dialogue, then feeds lines to the game loop.
// Once the loop has the session (the login was posted), the loop closes it.
func (e *Engine) readLoop(ctx context.Context, s *session) {
	if err := s.conn.Start(); err != nil {
		s.close()
		return
	}
	if b, banned := e.bans.Load().addr(s.addr, e.now()); banned {
		e.log.Info("banned address refused", "session", s.id, "addr", s.addr, "ban", b.Value)
		s.send(Output{Text: banMessage(b, e.now()) + "\n", Close: true})
		s.finish()
		return
	}
	acct, ok := e.login(ctx, s)
	if ok && e.cfg.Gateway != nil {
		e.playElsewhere(ctx, s, acct)
		return
	}
	if !ok || !e.post(loginEvent{s: s, acct: acct, early: s.early}) {
		s.finish()
		return
	}
	s.posting, s.early = true, nil
	e.play(s)
}

// play feeds a logged-in session's lines to the loop, and tells the loop when it ends.
func (e *Engine) play(s *session) {
	if reason := e.feedLines(s); !e.post(closeEvent{s: s, reason: reason}) {
		s.finish()
	}
}

// feedLines reads lines and posts them to the loop until the connection ends, and returns why.
func (e *Engine) feedLines(s *session) string {
	idle := newIdleTimer(e.cfg.IdleTimeout)
	for {
		line, err := s.nextLine(&idle)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return reasonIdle
		case s.oob.flooded:
			return reasonFlood
		case err != nil:
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				e.log.Info("read failed", "session", s.id, "err", err)
			}
			return reasonDropped
		}
		if !e.admitLine(s) {
			return reasonFlood
		}
		if !e.post(lineEvent{s: s, line: line, at: idle.last}) {
			return reasonShutdown
		}
	}
}

// admitLine counts a line of s's going to the loop. Past half of Config.InputQueue lines not
// yet run the client is warned; past InputQueue it is told goodbye, and admitLine reports
// false: the caller cuts it off.
func (e *Engine) admitLine(s *session) bool {
	n := int(s.queued.Add(1))
	switch {
	case n > e.cfg.InputQueue:
		e.log.Warn("input flood; disconnecting", "session", s.id, "addr", s.addr, "queued", n)
		s.trySend(Output{Text: "You are sending commands faster than the game can run them. Goodbye.\n", Close: true})
		return false
	case n > e.cfg.InputQueue/2 && !s.warned.Swap(true):
		s.trySend(Output{Text: "Slow down! Commands are piling up; you will be disconnected if you keep flooding.\n"})
	}
	return true
}

// nextLine reads the next line of a session in play, here or for a Gateway: it keeps the
// idle deadline with idle, waits out a copyover pause, and skips a line over the length
// limit, telling the client. It fails with os.ErrDeadlineExceeded once the client has been
// idle for idle.timeout; idle.last is when the line came.
func (s *session) nextLine(idle *idleTimer) (string, error) {
	for {
		if deadline, move := idle.due(); move {
			s.raw.SetReadDeadline(deadline)
		}
		if s.parkReader() {
			idle.resumed(time.Now()) // the pause moved the deadline; it did not count as idle
			continue
		}
		line, err := s.conn.ReadLine()
		switch {
		case errors.Is(err, telnet.ErrLineTooLong):
			s.trySend(Output{Text: "That line is too long; it was discarded.\n"})
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			if s.parkReader() || s.closed() {
				idle.resumed(time.Now())
				continue // resumed after a pause, or closed: the next read says so
			}
			if !idle.expired(time.Now()) {
				continue
			}
		case err == nil:
			idle.last = time.Now()
		}
		return line, err
	}
}

// An idleTimer decides when a session's reader moves its read deadline, which ends a client
// idle for timeout: only once an eighth of timeout has passed since it last moved (setting a
// deadline costs a timer update, too much for every line), and never so that a client that
// sent a line within timeout is cut off.
type idleTimer struct {
	timeout time.Duration
	last    time.Time // the last line, or the end of a pause
	armed   time.Time // the deadline is armed+timeout
}

func newIdleTimer(timeout time.Duration) idleTimer {
	return idleTimer{timeout: timeout, last: time.Now()}
}

// due returns the deadline to set before the next read, if it is to move.
func (t *idleTimer) due() (deadline time.Time, move bool) {
	if t.last.Sub(t.armed) < t.timeout/8 {
		return time.Time{}, false
	}
	t.armed = t.last
	return t.armed.Add(t.timeout), true
}

// expired reports whether the deadline passing at now means the client is idle. If it does
// not (a line came after the deadline was set), the next due moves it.
func (t *idleTimer) expired(now time.Time) bool {
	if now.Sub(t.last) >= t.timeout {
		return true
	}
	t.armed = time.Time{}
	return false
}

// resumed restarts the count at now, after a pause that moved the deadline.
func (t *idleTimer) resumed(now time.Time) { t.last, t.armed = now, time.Time{} }

// readLine reads one line during login, with the login deadline.
func (e *Engine) readLine(s *session, deadline time.Time) (string, error) {
	for {
		s.raw.SetReadDeadline(deadline)
		line, err := s.conn.ReadLine()
		if errors.Is(err, telnet.ErrLineTooLong) {
			s.send(Output{Text: "That line is too long; it was discarded.\n"})
			continue
		}
		return strings.TrimSpace(line), err
	}
}

// appendRendered appends text rendered by r and wrapped to width to dst through enc. Lines
// that render as themselves and fit (in a look, every line listing what is in the room) are
// encoded as they are; only the others are rendered, into line (a buffer reused for each),
// and wrapped, line by line.
func appendRendered(enc func(dst []byte, s string) []byte, dst []byte, line *[]byte, r markup.Renderer, text string, width int) []byte {
	for text != "" {
		// Nothing to render, no line to wrap, no CR or IAC: encoding only turns "\n" into
		// CR LF (see telnet.Conn.AppendText).
		var n int
		if dst, n = r.AppendPlainLines(dst, text, max(width, 20), "\r\n"); n > 0 {
			text = text[n:]
			continue
		}
		n = strings.IndexByte(text, '\n') + 1
		if n == 0 {
			n = len(text)
		}
		*line = r.Append((*line)[:0], text[:n])
		// enc copies the rendered line into dst before line is written again.
		dst = appendWrapped(enc, dst, unsafe.String(unsafe.SliceData(*line), len(*line)), width)
		text = text[n:]
	}
	if cap(*line) > maxKeptLine {
		*line = nil // an idle session keeps no large buffer
	}
	return dst
}

// maxKeptLine is the largest line buffer a session writer keeps between batches.
const maxKeptLine = 4 << 10

// appendWrapped appends text to dst through enc (the connection's AppendText), with lines
// longer than width broken at spaces. Widths count visible characters of rendered text, not
// its escape sequences (which hold no spaces, so a break never splits one; the terminal keeps
// the colour across the break). Runs of lines that fit go to enc as they are; only a line over
// width is split into words, and a single longer word stays whole.
func appendWrapped(enc func(dst []byte, s string) []byte, dst []byte, text string, width int) []byte {
	if width < 20 {
		width = 20
	}
	for len(text) > 0 {
		start, end := nextLongLine(text, width)
		if start < 0 {
			return enc(dst, text)
		}
		dst = enc(dst, text[:start])
		col := 0
		line := text[start:end]
		for first := true; len(line) > 0; first = false {
			word, rest, _ := strings.Cut(line, " ")
			n := markup.RenderedWidth(word)
			if !first {
				if col > 0 && col+1+n > width {
					dst = enc(dst, "\n")
					col = 0
				} else {
					dst = append(dst, ' ')
					col++
				}
			}
			dst = enc(dst, word)
			col += n
			line = rest
		}
		text = text[end:]
	}
	return dst
}

// nextLongLine returns the bounds of the first line of text wider than width (without its
// "\n"), or -1, -1 if every line fits.
func nextLongLine(text string, width int) (start, end int) {
	for start < len(text) {
		end = strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if end-start > width && markup.RenderedWidth(text[start:end]) > width {
			return start, end
		}
		start = end + 1
	}
	return -1, -1
}

// liveSessions is the set of open sessions, so that shutdown can reach those still logging in.
type liveSessions struct {
	mu sync.Mutex
	m  map[*session]struct{}
}

func (l *liveSessions) add(s *session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[*session]struct{})
	}
	l.m[s] = struct{}{}
}

func (l *liveSessions) remove(s *session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, s)
}

// closeUnattached tells sessions that are not playing a character (still logging in, or
// between login and entering the world) that the game is stopping, and closes them. It runs
// on the loop.
func (e *Engine) closeUnattached() {
	e.live.mu.Lock()
	defer e.live.mu.Unlock()
	for s := range e.live.m {
		if e.bySess[s] == nil {
			e.tell(s, Output{Text: "\nThe game is shutting down. Goodbye!\n", Close: true})
		}
	}
}

// waitSessions waits for every session goroutine to end, closing stragglers after timeout.
func (e *Engine) waitSessions(timeout time.Duration) {
	done := make(chan struct{})
	go func() { e.sessions.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(timeout):
	}
	e.live.mu.Lock()
	for s := range e.live.m {
		s.close()
	}
	e.live.mu.Unlock()
	<-done
}
