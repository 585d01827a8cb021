package engine_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mudd/mudd/engine"
)

// A Go program embeds the engine: it loads a game from a directory, adds a command written
// in Go, and serves on an ephemeral port.
func Example() {
	dir, _ := os.MkdirTemp("", "mygame")
	defer os.RemoveAll(dir)
	files := map[string]string{
		"scripts/init.lua":    `game { name = "Tiny", start = "cave:mouth" }`,
		"world/cave/zone.lua": `zone { key = "cave", name = "The Cave" }`,
		"world/cave/room.lua": `room { key = "mouth", name = "Cave Mouth", desc = "Dark and damp." }`,
	}
	for name, text := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}

	eng, err := engine.New(engine.Config{
		Game:       os.DirFS(dir),
		DataDir:    filepath.Join(dir, "data"),
		TelnetAddr: "-", // no telnet listener
		TCPAddr:    "127.0.0.1:0",
		BcryptCost: 4,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	eng.Commands().Add(engine.Command{
		Name: "xyzzy",
		Help: "xyzzy\nSay the magic word.",
		Run:  func(c *engine.Context) { c.Sendf("Nothing happens, %s.", c.Player.Name) },
	})
	if err := eng.Listen(); err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- eng.Serve(ctx) }()

	conn, _ := net.Dial("tcp", eng.TCPAddr().String())
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, line := range []string{"Zed", "yes", "opensesame", "opensesame", "xyzzy"} {
		fmt.Fprintf(conn, "%s\r\n", line)
	}
	for {
		text, err := r.ReadString('\n')
		if i := strings.Index(text, "Nothing happens"); i >= 0 {
			fmt.Print(strings.TrimRight(text[i:], "\r\n"), "\n")
			break
		}
		if err != nil {
			fmt.Println(err)
			break
		}

	}
	stop()
	<-done
	// Output: Nothing happens, Zed.
}
