//go:build unix

package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// consoleListener is the console socket's place in Engine.listeners, after telnet and TCP.
const consoleListener = 2

// listenConsole listens on a Unix socket at path with mode 0600. A socket file left by a
// server that is gone (connecting is refused) is replaced; one that answers belongs to a
// running server. Anything else at path (a regular file, a socket this user may not use) is
// left alone and refused.
func listenConsole(path string) (net.Listener, error) {
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	old := syscall.Umask(0o177) // the socket is created 0600: no moment with wider permissions
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("console socket: %w", err)
	}
	// Serve removes the file at shutdown, and leaves it to the new process at a copyover.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	return ln, nil
}

// removeStaleSocket removes the socket at path if no server listens on it. It is an error
// for anything but a dead socket to be there.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("console socket %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("console socket %s: the file there is not a socket (mode %v); move it or choose another path", path, fi.Mode())
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	switch {
	case err == nil:
		c.Close()
		return fmt.Errorf("console socket %s: another server is listening on it", path)
	case !errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("console socket %s: cannot tell whether a server uses it, so it is left alone: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("console socket %s: %w", path, err)
	}
	return nil
}

// acceptConsoles serves a console to each peer running as the server's own user, and refuses
// anyone else with a message, whatever the socket file's permissions.
func (e *Engine) acceptConsoles(ctx context.Context, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			e.log.Warn("console accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		uid, err := peerUID(c)
		if err != nil || uid != os.Getuid() {
			e.log.Warn("console refused", "peer_uid", uid, "err", err)
			msg := fmt.Sprintf("mudd console: refused: you are uid %d; only the server's user (uid %d) may attach.\n", uid, os.Getuid())
			if err != nil {
				msg = fmt.Sprintf("mudd console: refused: cannot tell who you are (%v).\n", err)
			}
			go refuse(c, msg)
			continue
		}
		e.work(func() {
			if err := e.ServeConsole(c); err != nil {
				e.log.Warn("console ended", "err", err)
			}
		})
	}
}

// refuse tells a console peer why it is refused and closes the connection once the peer has
// read it: closing with the peer's input unread could reset the connection before the
// message arrives.
func refuse(c net.Conn, msg string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, msg)
	if uc, ok := c.(*net.UnixConn); ok {
		uc.CloseWrite()
	}
	io.Copy(io.Discard, c)
}
