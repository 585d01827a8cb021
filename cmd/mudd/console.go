package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ergochat/readline"
	"github.com/mattn/go-isatty"

	"github.com/mudd/mudd/engine"
)

// The operator console: a client of the engine's console protocol (see engine.ServeConsole),
// on the terminal `mudd serve` runs in or through the console socket (`mudd console`).
// Commands run as Console, with the operator role; `lua` switches to a lua> mode where each line is Lua
// evaluated in the live world (";code" evaluates one line from the command mode).

const historyFile = "console_history"

var errDetached = errors.New("the server closed the console")

// consoleClient talks to a console server on conn.
type consoleClient struct {
	conn   net.Conn
	out    io.Writer     // where the server's output goes
	done   chan struct{} // one per answered request
	closed chan struct{} // closed when the server closes the connection
	words  *completer
}

func newConsoleClient(conn net.Conn, out io.Writer, words *completer) *consoleClient {
	c := &consoleClient{conn: conn, out: out, done: make(chan struct{}, 16), closed: make(chan struct{}),
		words: words}
	go c.read()
	return c
}

// completer completes command names and the names of players online, as last sent by the
// server. It implements readline.AutoCompleter.
type completer struct {
	mu       sync.Mutex
	commands []string
	players  []string
}

// read shows the server's output and keeps the completion words up to date.
func (c *consoleClient) read() {
	defer close(c.closed)
	r := bufio.NewReader(c.conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				fmt.Fprintln(c.out, line)
			}
			return
		}
		switch {
		case line == engine.ConsoleDone+"\n":
			c.done <- struct{}{}
		case strings.HasPrefix(line, engine.ConsoleControl):
			c.words.update(strings.TrimSpace(strings.TrimPrefix(line, engine.ConsoleControl)))
		default:
			io.WriteString(c.out, line)
		}
	}
}

func (c *completer) update(msg string) {
	kind, words, _ := strings.Cut(msg, " ")
	c.mu.Lock()
	defer c.mu.Unlock()
	switch kind {
	case "commands":
		c.commands = strings.Fields(words)
	case "players":
		c.players = strings.Fields(words)
	}
}

// request sends one line and waits for its answer.
func (c *consoleClient) request(line string) error {
	if _, err := io.WriteString(c.conn, line+"\n"); err != nil {
		return errDetached
	}
	select {
	case <-c.done:
		return nil
	case <-c.closed:
		return errDetached
	}
}

// Do completes the word before the cursor: a command name first, then player names.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	head := string(line[:pos])
	start := strings.LastIndexByte(head, ' ') + 1
	word := strings.ToLower(head[start:])
	c.mu.Lock()
	words := c.commands
	if strings.TrimSpace(head[:start]) != "" || strings.HasPrefix(head, ";") {
		words = c.players
	}
	c.mu.Unlock()
	var out [][]rune
	for _, w := range words {
		if strings.HasPrefix(strings.ToLower(w), word) {
			out = append(out, []rune(w[len(word):]+" "))
		}
	}
	return out, len([]rune(word))
}

// consoleMode turns what the operator typed into what is sent: in lua mode every line is
// Lua; "lua" switches the mode; "exit" ends the console. send is "" for nothing to send.
type consoleMode struct{ lua bool }

func (m *consoleMode) prompt() string {
	if m.lua {
		return "lua> "
	}
	return "mudd> "
}

func (m *consoleMode) translate(line string) (send string, exit bool) {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return "", false
	case line == "lua":
		m.lua = !m.lua
		return "", false
	case line == "exit" || (line == "quit" && !m.lua):
		return "", true
	case m.lua:
		return ";" + line, false
	case strings.HasPrefix(line, "lua "):
		return ";" + strings.TrimPrefix(line, "lua "), false
	}
	return line, false
}

// interactive runs the console with line editing, history and completion until the operator
// ends it or the server closes it. The terminal is in raw mode while a line is edited, so
// Ctrl-C arrives as a key, not a signal: interrupt, if set, is called for it.
func (c *consoleClient) interactive(rl *readline.Instance, interrupt func()) error {
	var mode consoleMode
	c.request(engine.ConsoleControl + "names")
	for {
		rl.SetPrompt(mode.prompt())
		line, err := rl.ReadLine()
		if errors.Is(err, readline.ErrInterrupt) {
			if interrupt != nil {
				interrupt()
				return nil
			}
			continue
		}
		if err != nil { // io.EOF (Ctrl-D), or the console was closed
			return nil
		}
		send, exit := mode.translate(line)
		if exit {
			return nil
		}
		if send == "" {
			continue
		}
		if err := c.request(send); err != nil {
			return err
		}
		c.request(engine.ConsoleControl + "names")
	}
}

// script runs lines read from in, each after the previous one was answered.
func (c *consoleClient) script(in io.Reader) error {
	var mode consoleMode
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		send, exit := mode.translate(sc.Text())
		if exit {
			return nil
		}
		if send == "" {
			continue
		}
		if err := c.request(send); err != nil {
			return err
		}
	}
	return sc.Err()
}

// newReadline makes the line editor of an interactive console.
func newReadline(c *completer, dataDir string) (*readline.Instance, error) {
	return readline.NewFromConfig(&readline.Config{
		Prompt:       "mudd> ",
		HistoryFile:  filepath.Join(dataDir, historyFile),
		AutoComplete: c,
	})
}

// consoleCommand is `mudd console`: attach to a running server through its console socket.
func consoleCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("console", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", "data", "data directory of the running server")
	sock := fset.String("socket", "", "console socket (default: console.sock in the data directory)")
	extra, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("unexpected arguments %q: usage: mudd console [--data DIR] [--socket PATH]", extra)
	}
	if *sock == "" {
		*sock = filepath.Join(*data, "console.sock")
	}
	conn, err := net.Dial("unix", *sock)
	if err != nil {
		return fmt.Errorf("%w (is the server running with this data directory?)", err)
	}
	defer conn.Close()
	words := &completer{}
	if f, ok := stdin.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		rl, err := newReadline(words, *data)
		if err != nil {
			return err
		}
		defer rl.Close()
		c := newConsoleClient(conn, rl.Stdout(), words)
		fmt.Fprintf(rl.Stdout(), "Attached to the server's console. 'lua' switches to Lua, 'exit' or Ctrl-D detaches.\n")
		return c.interactive(rl, nil)
	}
	return newConsoleClient(conn, stdout, words).script(stdin)
}

// startTerminalConsole runs a console on the terminal the server was started in, if stdin
// is one, and returns a function that ends it. Ctrl-C at the console calls interrupt, which
// stops the server as the signal would.
func startTerminalConsole(eng *engine.Engine, dataDir string, stderr io.Writer, interrupt func()) (stop func()) {
	if !isatty.IsTerminal(os.Stdin.Fd()) {
		return func() {}
	}
	words := &completer{}
	rl, err := newReadline(words, dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "mudd: no console: %v\n", err)
		return func() {}
	}
	server, client := net.Pipe()
	go eng.ServeConsole(server)
	c := newConsoleClient(client, rl.Stdout(), words)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		fmt.Fprintf(rl.Stdout(), "Console: game commands run with the operator role; 'lua' switches to Lua; Ctrl-D closes the console, Ctrl-C stops the server.\n")
		c.interactive(rl, interrupt)
		client.Close()
	}()
	return func() {
		rl.Close()
		client.Close()
		<-ended
	}
}
