package engine_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/internal/mudtest"
)

// console is the client end of an operator console.
type console struct {
	t      *testing.T
	conn   net.Conn
	r      *bufio.Reader
	detach func() // closes the console and waits until the server let it go
}

func attachConsole(t *testing.T, s *mudtest.Server) *console {
	server, client := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- s.Eng.ServeConsole(server) }()
	var once sync.Once
	detach := func() {
		once.Do(func() {
			client.Close()
			if err := <-done; err != nil {
				t.Errorf("ServeConsole: %v", err)
			}
		})
	}
	t.Cleanup(detach)
	return &console{t: t, conn: client, r: bufio.NewReader(client), detach: detach}
}

// do sends a line and returns the output up to the end of its answer.
func (c *console) do(line string) string {
	c.t.Helper()
	c.conn.SetDeadline(time.Now().Add(mudtest.Timeout))
	if _, err := c.conn.Write([]byte(line + "\n")); err != nil {
		c.t.Fatalf("console write: %v", err)
	}
	var out strings.Builder
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("console read after %q: %v\n%s", line, err, out.String())
		}
		if l == engine.ConsoleDone+"\n" {
			return out.String()
		}
		out.WriteString(l)
	}
}

func TestConsole(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir())
	pat := mudtest.Create(t, s, "Pat", "password2")
	con := attachConsole(t, s)
	tests := []struct {
		line, want string
	}{
		{"who", "1 player(s)"},                          // the console is not a character
		{"reboot cancel", "No reboot is counting down"}, // it runs admin commands
		{"look", "The console stands nowhere"},
		{"north", "The console stands nowhere"},
		{"quit", "The console stands nowhere"},
		{"goto pat", "The console stands nowhere"},
		{"at pat look", "The console stands nowhere"},
		{"version", "Process"},
		{";1 + 1", "2"},
		{";mud == nil", "false"},
		{";while true do end", "Lua error"},
		{";this is not lua", "Lua error"},
		{"\x1enames", "\x1eplayers Pat"},
		{"\x1enames", "reboot"},
		{"xyzzy", "Huh?"},
	}
	for _, tt := range tests {
		if out := con.do(tt.line); !strings.Contains(out, tt.want) {
			t.Errorf("console %q:\n%s\nwant %q", tt.line, out, tt.want)
		}
	}
	if out := con.do("tell pat hello from the machine"); !strings.Contains(out, `You tell Pat, "hello from the machine"`) {
		t.Errorf("tell from the console:\n%s", out)
	}
	pat.Hear(`Console tells you, "hello from the machine"`)
	con.detach()
	con = attachConsole(t, s) // a console coming and going leaves the count of players alone
	con.do("who")
	crawler := mudtest.Dial(t, s.Eng.TCPAddr())
	crawler.Send("MSSP-REQUEST")
	if out := crawler.Expect("MSSP-REPLY-END"); !strings.Contains(out, "PLAYERS\t1\r\n") {
		t.Errorf("MSSP with a console attached (one came and went):\n%q", out)
	}
	if out := pat.Do("tell console hi"); !strings.Contains(out, "Nobody called") {
		t.Errorf("a tell to the console:\n%s", out)
	}
}

// TestConsoleStalled: a console client that sends and never reads fills its output queue and
// its backlog; the server lets that console go and goes on, counting its players right.
func TestConsoleStalled(t *testing.T) {
	s := startServer(t, fixture(), t.TempDir(), func(c *engine.Config) { c.OutputBacklog = 4096 })
	pat := mudtest.Create(t, s, "Pat", "password2")
	server, client := net.Pipe()
	defer client.Close()
	done := make(chan error, 1)
	go func() { done <- s.Eng.ServeConsole(server) }()
	client.SetWriteDeadline(time.Now().Add(mudtest.Timeout))
	var err error
	for i := 0; i < 400 && err == nil; i++ { // one at a time: the server reads each
		_, err = client.Write([]byte("version\n"))
	}
	if err == nil {
		t.Fatal("the console took 400 lines without anyone reading its output")
	}
	select {
	case <-done:
	case <-time.After(mudtest.Timeout):
		t.Fatal("the stalled console was not let go")
	}
	if out := pat.Do("who"); !strings.Contains(out, "1 player(s)") {
		t.Errorf("who after a console stalled:\n%s", out)
	}
	crawler := mudtest.Dial(t, s.Eng.TCPAddr())
	crawler.Send("MSSP-REQUEST")
	if out := crawler.Expect("MSSP-REPLY-END"); !strings.Contains(out, "PLAYERS\t1\r\n") {
		t.Errorf("MSSP after a console stalled:\n%q", out)
	}
	if out := attachConsole(t, s).do("who"); !strings.Contains(out, "1 player(s)") {
		t.Errorf("a new console after one stalled:\n%s", out)
	}
}
