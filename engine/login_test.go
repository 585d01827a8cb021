package engine_test

import (
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// TestLoginTimeoutSaysWhy leaves the login dialogue unanswered, at each of its questions:
// the connection ends with a message saying why, not silently.
func TestLoginTimeoutSaysWhy(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) {
		c.LoginTimeout = 300 * time.Millisecond
	})
	for _, tc := range []struct {
		name    string
		answers []string // sent, each after the expected prompt
		prompts []string
	}{
		{"name", nil, []string{"name"}},
		{"new character", []string{"Zed"}, []string{"name", "Create a new character"}},
		{"password", []string{"Zed", "yes"}, []string{"name", "Create a new character", "Choose a password"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mudtest.Dial(t, s.Eng.TCPAddr())
			for i, prompt := range tc.prompts {
				c.Expect(prompt)
				if i < len(tc.answers) {
					c.Send(tc.answers[i])
				}
			}
			c.Expect("You took longer than 300ms to log in. Goodbye.")
			if !c.Closed(5 * time.Second) {
				t.Fatal("connection still open after the login timeout")
			}
		})
	}
}
