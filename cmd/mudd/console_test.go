//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mudd/mudd"
	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// startWithConsole serves the default game with its console socket in the data directory.
func startWithConsole(t *testing.T) (data, sock string) {
	data = t.TempDir()
	sock = filepath.Join(data, "console.sock")
	mudtest.Start(t, engine.Config{Game: mudd.DefaultGame(), DataDir: data, ConsoleSocket: sock}, nil)
	return data, sock
}

// TestConsoleSocket attaches to a running server with mudd console, runs game commands and
// Lua, and reads their output; the socket is the owner's only.
func TestConsoleSocket(t *testing.T) {
	data, sock := startWithConsole(t)
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("console socket mode %v, want a socket with 0600", st.Mode())
	}
	var out bytes.Buffer
	in := strings.NewReader("who\nlook\nlua\n6 * 7\nlua\n;'a' .. 'b'\nexit\nwho\n")
	if err := consoleCommand([]string{"--data", data}, in, &out, &out); err != nil {
		t.Fatalf("mudd console: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"0 player(s).", "The console stands nowhere", "42", `"ab"`} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "player(s)") != 1 {
		t.Errorf("lines after exit were run:\n%s", got)
	}
}

// TestConsoleRefusesOtherUser runs mudd console as another user: the socket's permissions
// keep it out, and with the permissions opened up the server refuses it by its peer
// credentials.
func TestConsoleRefusesOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("running the console as another user needs root (the test switches to uid 65534)")
	}
	bin := buildMudd(t)
	data, sock := startWithConsole(t)
	for _, dir := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), data, filepath.Dir(data)} {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	attach := func() string {
		cmd := exec.Command(bin, "console", "--data", data)
		cmd.Stdin = strings.NewReader("who\n")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("mudd console as uid 65534 succeeded:\n%s", out)
		}
		if strings.Contains(string(out), "player(s)") {
			t.Errorf("a command ran for uid 65534:\n%s", out)
		}
		return string(out)
	}
	if out := attach(); !strings.Contains(out, "permission denied") {
		t.Errorf("with the socket at 0600, uid 65534 got:\n%s", out)
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	if out := attach(); !strings.Contains(out, "refused: you are uid 65534") {
		t.Errorf("with the socket at 0666, uid 65534 got:\n%s", out)
	}
}
