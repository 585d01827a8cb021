//go:build darwin || freebsd

package engine

import "golang.org/x/sys/unix"

// uidOf returns the user id of the peer of Unix socket fd (LOCAL_PEERCRED).
func uidOf(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
