//go:build linux || darwin || freebsd

package engine

import (
	"errors"
	"net"
)

// peerUID returns the user id of the process at the other end of a Unix socket.
func peerUID(c net.Conn) (int, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1, errors.New("not a Unix socket")
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, uerr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) { uid, uerr = uidOf(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, uerr
}
