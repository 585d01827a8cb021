//go:build unix

package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startSuccessor starts exe with the handed descriptors and the document, and waits until
// it reports ready (then tells it to go on and returns nil) or fails (then it is killed, and
// the error says why, with the end of its output).
//
// It uses syscall.ForkExec rather than os/exec: os/exec takes each extra file's descriptor
// with (*os.File).Fd, which switches the shared open file to blocking mode, and a socket the
// old process goes on using after a failed reboot would then ignore read deadlines.
func (e *Engine) startSuccessor(exe string, doc handoverDoc, files []int) error {
	ours, theirs, err := socketPair()
	if err != nil {
		return err
	}
	defer ours.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		syscall.Close(theirs)
		return err
	}
	null, err := os.Open(os.DevNull) // the new process reads no terminal: it would be in the background
	if err != nil {
		syscall.Close(theirs)
		errR.Close()
		errW.Close()
		return err
	}
	defer null.Close()
	fds := append([]uintptr{null.Fd(), 1, errW.Fd(), uintptr(theirs), 2}, toUintptr(files)...)
	args := e.cfg.SuccessorArgs
	if args == nil {
		args = os.Args[1:]
	}
	env := append(append(os.Environ(), e.cfg.SuccessorEnv...), handoverEnv+"=1")
	pid, err := syscall.ForkExec(exe, append([]string{exe}, args...), &syscall.ProcAttr{Env: env, Files: fds})
	syscall.Close(theirs)
	errW.Close()
	if err != nil {
		errR.Close()
		return fmt.Errorf("start %s: %w", exe, err)
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		errR.Close()
		return err
	}
	e.log.Info("copyover: new process started", "pid", pid, "executable", exe, "sessions", len(doc.Sessions))
	tail := &tailWriter{max: 2000}
	copied := make(chan struct{})
	go func() {
		io.Copy(io.MultiWriter(tail, os.Stderr), errR)
		errR.Close()
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() {
		st, err := proc.Wait()
		if err == nil && !st.Success() {
			err = &exec.ExitError{ProcessState: st}
		}
		exited <- err
	}()

	err = handshake(ours, doc, e.cfg.ReadyTimeout, e.commitHandover)
	if err == nil {
		e.log.Info("copyover: new process is ready", "pid", pid)
		return nil
	}
	if errors.Is(err, errCommitted) {
		// This process has let go of every session: nothing to go back to.
		e.log.Error("copyover: the new process took over but was not told to go on", "pid", pid, "err", err)
		return nil
	}
	// The new process may have told systemd it is the main process: take the role back.
	sdNotify(fmt.Sprintf("MAINPID=%d", os.Getpid()))
	proc.Kill()
	werr := <-exited
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
	}
	msg := fmt.Sprintf("the new process (%s) %v (%v)", exe, err, werr)
	if out := strings.TrimSpace(tail.String()); out != "" {
		msg += "; its last output:\n" + out
	}
	return errors.New(msg)
}

func toUintptr(fds []int) []uintptr {
	out := make([]uintptr, len(fds))
	for i, fd := range fds {
		out[i] = uintptr(fd)
	}
	return out
}

// handshake sends the document and waits for "ready", then has commit decide whether the
// new process takes over, and answers "go" if it does. commit refuses when this process's
// game stopped meanwhile (a shutdown wins over a reboot). An error wrapping errCommitted
// means commit took the decision but "go" could not be written.
func handshake(c net.Conn, doc handoverDoc, timeout time.Duration, commit func() error) error {
	c.SetDeadline(time.Now().Add(timeout))
	if err := json.NewEncoder(c).Encode(doc); err != nil {
		return fmt.Errorf("sending the hand-over: %w", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("was not ready within %s", timeout)
	case (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) && line == "":
		return errors.New("ended before it was ready")
	case err != nil:
		return fmt.Errorf("reading its answer: %w", err)
	case strings.HasPrefix(line, "error "):
		return errors.New(strings.TrimSpace(strings.TrimPrefix(line, "error ")))
	case !strings.HasPrefix(line, "ready"):
		return fmt.Errorf("answered %q", line)
	}
	if err := commit(); err != nil {
		return err
	}
	if _, err := io.WriteString(c, "go\n"); err != nil {
		return fmt.Errorf("confirming: %w (%w)", err, errCommitted)
	}
	return nil
}

// socketPair returns the two ends of a Unix stream socket: ours as a net.Conn (it supports
// deadlines), theirs as a descriptor for the child. Both are close-on-exec here.
func socketPair() (net.Conn, int, error) {
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, -1, fmt.Errorf("socketpair: %w", err)
	}
	f := os.NewFile(uintptr(fds[0]), "handover")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		unix.Close(fds[1])
		return nil, -1, err
	}
	return c, fds[1], nil
}

// fileOf returns a close-on-exec duplicate of a socket's descriptor, leaving the socket's
// mode (non-blocking) alone.
func fileOf(x any) (int, error) {
	sc, ok := x.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("%T has no file descriptor to hand over", x)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	return fd, derr
}

func closeFiles(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// redirectStderr makes f this process's stderr (descriptor 2).
func redirectStderr(f *os.File) error {
	return unix.Dup2(int(f.Fd()), 2)
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
