package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mudd/mudd/internal/mudtest"
)

// TestRebootCountdown: only an admin may reboot; a countdown is announced to everyone and
// can be cancelled. (The hand-over itself runs the real binary: see cmd/mudd.)
func TestRebootCountdown(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	mudtest.Create(t, s, "Ada", "password1")
	if err := s.Eng.Store().SetRole(context.Background(), "Ada", "admin"); err != nil {
		t.Fatal(err)
	}
	ada := mudtest.Login(t, s, "Ada", "password1")
	pat := mudtest.Create(t, s, "Pat", "password2")
	ada.Hear("Pat has entered the game.")
	for _, line := range []string{"reboot", "reboot 5", "reb"} {
		if out := pat.Do(line); !strings.Contains(out, "Huh?") {
			t.Errorf("a player typed %q and got:\n%s", line, out)
		}
	}
	if out := ada.Do("reb"); !strings.Contains(out, "Huh?") {
		t.Errorf("reboot ran from a prefix:\n%s", out)
	}
	for _, bad := range []string{"reboot soon", "reboot -1", "reboot 99999"} {
		if out := ada.Do(bad); !strings.Contains(out, "Usage: reboot") {
			t.Errorf("%q gave:\n%s", bad, out)
		}
	}
	if out := ada.Do("reboot cancel"); !strings.Contains(out, "No reboot is counting down") {
		t.Errorf("cancel without a countdown:\n%s", out)
	}
	if out := ada.Do("reboot 600"); !strings.Contains(out, "The game will reboot in 600 seconds") {
		t.Errorf("reboot 600:\n%s", out)
	}
	pat.Hear("The game will reboot in 600 seconds. You will stay connected.")
	if out := ada.Do("reboot 5"); !strings.Contains(out, "counting down already") {
		t.Errorf("a second reboot:\n%s", out)
	}
	if out := ada.Do("reboot cancel"); !strings.Contains(out, "The reboot was cancelled.") {
		t.Errorf("reboot cancel:\n%s", out)
	}
	pat.Hear("The reboot was cancelled.")
	if out := pat.Do("version"); !strings.Contains(out, "mudd version devel") || strings.Contains(out, "Process") {
		t.Errorf("version for a player:\n%s", out)
	}
}
