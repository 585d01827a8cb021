//go:build !unix

package main

import "testing"

func TestCopyoverReboot(t *testing.T) {
	t.Skip("copyover reboots pass sockets between processes, which needs a Unix system")
}
