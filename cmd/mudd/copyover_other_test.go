//go:build !unix

package main

import "testing"

func TestCopyoverReboot(t *testing.T) {
	t.Skip("copyover reboots pass sockets between processes, which needs a Unix system")
}

func TestGatewayReboot(t *testing.T) {
	t.Skip("a gateway's reboot passes sockets between processes, which needs a Unix system")
}
