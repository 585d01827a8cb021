//go:build unix

package engine

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListenConsoleInTheWay: listenConsole replaces only a socket nobody listens on.
func TestListenConsoleInTheWay(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string // "" when the console listens
	}{
		{"nothing there", func(*testing.T, string) {}, ""},
		{"a stale socket", func(t *testing.T, path string) {
			ln, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			ln.Close()
		}, ""},
		{"a live socket", func(t *testing.T, path string) {
			ln, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
		}, "another server is listening"},
		{"a socket that refuses otherwise", func(t *testing.T, path string) {
			// A datagram socket: connecting fails, but not with "connection refused" (as
			// it fails for another user's socket this user may not use).
			c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
		}, "left alone"},
		{"a regular file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a socket"},
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "not a socket"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".sock")
			tt.setup(t, path)
			before, _ := os.Lstat(path)
			ln, err := listenConsole(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("listenConsole: %v", err)
				}
				ln.Close()
				return
			}
			if err == nil {
				ln.Close()
				t.Fatalf("listenConsole took the path; want an error with %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want %q", err, tt.wantErr)
			}
			after, lerr := os.Lstat(path)
			if lerr != nil || !os.SameFile(before, after) {
				t.Errorf("the file in the way was replaced or removed (%v)", lerr)
			}
		})
	}
}
