package engine_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mudd/mudd/internal/mudtest"
)

// tintin returns the path of TinTin++, or skips the test with the reason.
func tintin(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"tt++", "/usr/games/tt++"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("TinTin++ is not installed (apt-get install tintin++); .ci/run installs it")
	return ""
}

// TestTinTinPlays drives the real TinTin++ client headless through character creation
// (password hidden with WILL ECHO), a look, taking an item and quitting, and checks what
// the client received and what the server saved: once with MCCP (TinTin++ agrees to MCCP2
// and starts MCCP3, so both directions are compressed) and once with it turned off in the
// client. The raw log is what TinTin++ shows after inflating.
func TestTinTinPlays(t *testing.T) {
	tt := tintin(t)
	for _, mccp := range []bool{true, false} {
		name := map[bool]string{true: "Tinny", false: "Plainy"}[mccp]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, fixture(), t.TempDir())
			raw, stdout := runTinTin(t, tt, s, mccp, []string{name, "yes", "tintin123", "tintin123",
				"look", "get coin", "protocols", "quit"})
			for _, want := range []string{"Create a new character named " + name + "?", "Town Square",
				"You pick up a gold coin.", "Goodbye"} {
				if !strings.Contains(raw, want) {
					t.Errorf("TinTin++ did not receive %q; raw log:\n%s", want, raw)
				}
			}
			for _, want := range []string{"RCVD IAC WILL ECHO", "RCVD IAC WONT ECHO", "SENT IAC SB CHARSET ACCEPTED UTF-8"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("TinTin++ debug output lacks %q (password echo, CHARSET):\n%s", want, stdout)
				}
			}
			// TinTin++ reports MTTS 271 (truecolor): the room name comes in bright cyan, reset after.
			if !strings.Contains(raw, "\x1b[0;96mTown Square\x1b[0m") {
				t.Errorf("TinTin++ did not receive the coloured room name; raw log:\n%q", raw)
			}
			if strings.Contains(raw, "tintin123") {
				t.Error("the password appears in what the client received")
			}
			want := map[bool]string{true: "MCCP2: on. MCCP3: on.", false: "MCCP2: off. MCCP3: off."}[mccp]
			if !strings.Contains(raw, want) || !strings.Contains(raw, "MSSP: on") || !strings.Contains(raw, "MTTS 271") {
				t.Errorf("protocols should show %q, MSSP on and MTTS 271; raw log:\n%s", want, raw)
			}
			if mccp != strings.Contains(stdout, "RCVD IAC SB MCCP2") {
				t.Errorf("MCCP %v, but TinTin++ output says otherwise:\n%s", mccp, stdout)
			}
			c := mudtest.Login(t, s, name, "tintin123")
			if out := c.Do("inventory"); !strings.Contains(out, "a gold coin") {
				t.Fatalf("the character TinTin++ created lacks its item:\n%s", out)
			}
		})
	}
}

// runTinTin runs TinTin++ headless against s, sending steps one by one, with MCCP allowed
// or refused, and returns its raw log (the server's stream after inflating) and its output.
func runTinTin(t *testing.T, tt string, s *mudtest.Server, mccp bool, steps []string) (raw, stdout string) {
	t.Helper()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "raw.log")
	var script strings.Builder
	script.WriteString("#config {debug telnet} {on}\n#config {log mode} {raw}\n")
	if !mccp {
		script.WriteString("#config {MCCP} {OFF}\n")
	}
	script.WriteString("#event {SESSION CONNECTED}\n{\n")
	fmt.Fprintf(&script, "\t#log {overwrite} {%s};\n", logFile)
	for i, line := range steps {
		fmt.Fprintf(&script, "\t#delay {%.1f} {#send {%s}};\n", 0.25*float64(i+1), line)
	}
	script.WriteString("\t#nop\n}\n")
	script.WriteString("#event {SESSION DISCONNECTED} {#gts {#delay {0.3} {#end}}}\n")
	port := s.Eng.TelnetAddr().(*net.TCPAddr).Port
	fmt.Fprintf(&script, "#session ci 127.0.0.1 %d\n#delay {20} {#end}\n", port)
	scriptFile := filepath.Join(dir, "ci.tin")
	if err := os.WriteFile(scriptFile, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tt, "-H", "-G", scriptFile)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tt++: %v\n%s", err, out)
	}
	if os.Getenv("MUDD_SHOW_TINTIN") != "" {
		t.Logf("TinTin++ output:\n%s", out)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("no TinTin++ log: %v\nclient output:\n%s", err, out)
	}
	return string(log), string(out)
}
