package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mudd/mudd/engine"
	"github.com/mudd/mudd/engine/store"
	"github.com/mudd/mudd/internal/pgtest"
)

// buildMudd compiles the command once per test binary run.
func buildMudd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mudd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeDefaultGameAndSIGTERM runs the real binary with the embedded game, plays a little
// over the plain TCP port, then sends SIGTERM: the player is told and the process exits 0.
func TestServeDefaultGameAndSIGTERM(t *testing.T) {
	bin := buildMudd(t)
	data := t.TempDir()
	tcp := freePort(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--data", data, "--telnet", "-", "--tcp", tcp)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var conn net.Conn
	var err error
	for i := 0; i < 100; i++ {
		if conn, err = net.Dial("tcp", tcp); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never listened: %v\n%s", err, logs.String())
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	for _, line := range []string{"Wanda", "yes", "wander1234", "wander1234", "look"} {
		fmt.Fprintf(conn, "%s\r\n", line)
	}
	waitFor(t, r, "Exits:")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, "shutting down")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), "console attached") {
		t.Errorf("a console started with standard input not a terminal:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(data, "mudd.db")); err != nil {
		t.Fatalf("no database written: %v", err)
	}

	var out bytes.Buffer
	if code := run([]string{"user", "--data", data, "promote", "wanda", "admin"}, &out, &out); code != 0 {
		t.Fatalf("user promote exited %d: %s", code, out.String())
	}
	if code := run([]string{"user", "--data", data, "promote", "nobody", "admin"}, &out, &out); code == 0 {
		t.Fatal("promoting a missing character succeeded")
	}
	shutdownFromTheGame(t, bin, data)
}

// shutdownFromTheGame starts the server again: Wanda, now an admin, shuts it down from the
// game, and the process exits 0. The audit log holds the promotion made on the machine.
func shutdownFromTheGame(t *testing.T, bin, data string) {
	tcp := freePort(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--data", data, "--telnet", "-", "--tcp", tcp)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	conn := dialRetry(t, tcp, &logs)
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, line := range []string{"Wanda", "wander1234", "audit"} {
		fmt.Fprintf(conn, "%s\r\n", line)
	}
	waitFor(t, r, "operator [operator] at -: mudd user promote wanda admin =>")
	fmt.Fprintf(conn, "shutdown 0 deploying\r\n")
	waitFor(t, r, "Shutting down now (deploying)")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after the shutdown command: %v\n%s", err, logs.String())
	}
}

func dialRetry(t *testing.T, addr string, logs *bytes.Buffer) net.Conn {
	t.Helper()
	var err error
	for i := 0; i < 100; i++ {
		var conn net.Conn
		if conn, err = net.Dial("tcp", addr); err == nil {
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			return conn
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server never listened: %v\n%s", err, logs.String())
	return nil
}

func waitFor(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	var seen strings.Builder
	for !strings.Contains(seen.String(), want) {
		line, err := r.ReadString('\n')
		seen.WriteString(line)
		if err != nil {
			t.Fatalf("waiting for %q: %v\nseen:\n%s", want, err, seen.String())
		}
	}
}

func TestInitWritesDefaultGame(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mygame")
	var out bytes.Buffer
	if code := run([]string{"init", dir}, &out, &out); code != 0 {
		t.Fatalf("init exited %d: %s", code, out.String())
	}
	for _, f := range []string{"scripts/init.lua", "world"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	if code := run([]string{"init", dir}, &out, &out); code == 0 {
		t.Fatal("init into a non-empty directory succeeded")
	}
	s := defaultSettings()
	s.Game, s.Data = dir, t.TempDir()
	log, _ := newLogger(&out, "error")
	cfg, err := s.engineConfig(log)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GameDir != dir {
		t.Errorf("GameDir = %q, want %q: building commands write there", cfg.GameDir, dir)
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatalf("the written game does not load: %v", err)
	}
	defer eng.Close()
	if n := len(eng.World().Rooms); n < 30 {
		t.Errorf("the written game has %d rooms, want the default game's 30 or more", n)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help"}, 0, "mudd init DIR"},
		{[]string{"serve", "--help"}, 0, "-lua-budget"},
		{[]string{"bogus"}, 2, "unknown command"},
		{[]string{"serve", "--pulse", "-1s"}, 1, "positive"},
		{[]string{"serve", "--log-level", "loud"}, 1, "log level"},
		{[]string{"serve", "--config", writeFile(t, "bogus = 1\n")}, 1, "bogus"},
		{[]string{"serve", "--config", writeFile(t, "compression = 12\n")}, 1, "zlib level"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if code := run(tt.args, &out, &out); code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("run(%v) = %d, output %q; want %d containing %q", tt.args, code, out.String(), tt.code, tt.want)
		}
	}
}

// TestProtocolSettings reads the MSSP table and the compression level from TOML.
func TestProtocolSettings(t *testing.T) {
	s := defaultSettings()
	path := writeFile(t, "compression = 0\n[mssp]\nCONTACT = \"admin@example.org\"\nGENRE = \"Fantasy\"\n")
	if err := s.parse(s.flags("serve", io.Discard), []string{"--config", path}); err != nil {
		t.Fatal(err)
	}
	cfg, err := s.engineConfig(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.NoCompress || cfg.MSSP["CONTACT"] != "admin@example.org" || cfg.MSSP["GENRE"] != "Fantasy" {
		t.Fatalf("config %+v", cfg)
	}
	s = defaultSettings()
	if err := s.parse(s.flags("serve", io.Discard), []string{"--config", writeFile(t, "compression = 9\n")}); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := s.engineConfig(nil); cfg.NoCompress || cfg.CompressLevel != 9 {
		t.Fatalf("compression 9: %+v", cfg)
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mudd.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDBSetting reads the database from TOML and from --db, which wins.
func TestDBSetting(t *testing.T) {
	path := writeFile(t, "db = \"postgres://mudd@db.example/mudd\"\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--config", path}, "postgres://mudd@db.example/mudd"},
		{[]string{"--config", path, "--db", "/srv/mudd/shared.db"}, "/srv/mudd/shared.db"},
	} {
		s := defaultSettings()
		if err := s.parse(s.flags("serve", io.Discard), tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := s.engineConfig(nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.DB != tc.want {
			t.Errorf("%v: DB = %q, want %q", tc.args, cfg.DB, tc.want)
		}
	}
}

// TestDBPasswordHidden gives serve and user a PostgreSQL URL where nothing listens: they
// fail, and say so without showing the password.
func TestDBPasswordHidden(t *testing.T) {
	dsn := "postgres://mudd:s3cret-pw@127.0.0.1:1/mudd?sslmode=disable"
	for _, args := range [][]string{
		{"serve", "--db", dsn, "--telnet", "-", "--tcp", "-"},
		{"user", "--db", dsn, "promote", "wanda", "admin"},
	} {
		var out bytes.Buffer
		code := run(args, &out, &out)
		if code != 1 || strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "mudd:xxxxx@127.0.0.1:1") {
			t.Errorf("%s: exit %d, output:\n%s\nwant 1 and the URL without its password", args[0], code, out.String())
		}
	}
}

// TestUserPromotePostgres promotes an account in a PostgreSQL database.
func TestUserPromotePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := store.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateAccount(t.Context(), store.Account{Name: "Wanda", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"user", "--db", dsn, "promote", "wanda", "wizard"}, &out, &out); code != 0 {
		t.Fatalf("user promote exited %d: %s", code, out.String())
	}
	if a, err := st.Account(t.Context(), "wanda"); err != nil || a.Role != "wizard" {
		t.Fatalf("after promote: %+v, %v; want role wizard", a, err)
	}
	if audit, err := st.Audit(t.Context(), "operator", 1); err != nil || len(audit) != 1 ||
		audit[0].Line != "mudd user promote wanda wizard" {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
}
