package engine

import "golang.org/x/sys/unix"

// uidOf returns the user id of the peer of Unix socket fd (SO_PEERCRED).
func uidOf(fd int) (int, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
