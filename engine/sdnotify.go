package engine

import (
	"net"
	"os"
)

// sdNotify sends a state ("READY=1", "MAINPID=123") to the service manager, when the process
// runs under systemd with Type=notify (NOTIFY_SOCKET is set); otherwise it does nothing. A
// copyover reboot relies on it under systemd: the new process announces itself as the main
// process before the old one exits (the unit needs NotifyAccess=all).
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if path[0] == '@' {
		path = "\x00" + path[1:] // an abstract socket
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}
