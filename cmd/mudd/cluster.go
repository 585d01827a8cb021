package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/mudd/mudd/cluster"
	"github.com/mudd/mudd/engine"
)

// clusterFlags are the options of `mudd gateway` and `mudd scene` on top of the server's.
type clusterFlags struct {
	id         string
	natsURL    string
	natsListen string
	zones      string
}

// gateway runs `mudd gateway`: listeners, logins and accounts, with an embedded NATS server
// (or a connection to an existing one with --nats) through which scenes play the world.
func gateway(args []string, stderr io.Writer) error {
	s := defaultSettings()
	fs := s.flags("gateway", stderr)
	var cf clusterFlags
	fs.StringVar(&cf.id, "id", "gateway", "this gateway's name in the cluster")
	fs.StringVar(&cf.natsURL, "nats", "", "join this NATS server or cluster instead of embedding one (nats://host:port)")
	fs.StringVar(&cf.natsListen, "nats-listen", "127.0.0.1:4222", "address of the embedded NATS server, for scenes to connect to; - for none")
	if err := s.parse(fs, args); err != nil {
		return err
	}
	cfg, log, err := s.rebootableConfig(stderr)
	if err != nil {
		return err
	}
	var shutdownNATS func()
	defer func() {
		if shutdownNATS != nil {
			shutdownNATS()
		}
	}()
	var g *cluster.Gateway
	if cfg.Handover == nil {
		nc, shutdown, err := gatewayNATS(cf, log, 0)
		if err != nil {
			return err
		}
		shutdownNATS = shutdown
		g = cluster.NewGateway(nc, cf.id, log)
	} else {
		// Started by a reboot: the old process still runs its NATS server until it lets go
		// of the clients, so NATS is started (or joined) when the gateway resumes them.
		g = cluster.NewGateway(nil, cf.id, log)
		g.ResumeWith(func() (*nats.Conn, error) {
			nc, shutdown, err := gatewayNATS(cf, log, 10*time.Second)
			shutdownNATS = shutdown
			return nc, err
		})
	}
	g.RebootHere()
	cfg.Gateway = g
	cfg.Zones = []string{} // the gateway runs no zone
	eng, err := engine.New(cfg)
	if err != nil {
		cfg.Handover.Fail(err)
		return err
	}
	if err := eng.Listen(); err != nil {
		err = errors.Join(err, eng.Close())
		cfg.Handover.Fail(err)
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	err = g.Serve(ctx, eng)
	if err != nil {
		cfg.Handover.Fail(err) // if it has not reported ready yet
	}
	return err
}

// gatewayNATS connects to the NATS server of --nats, or starts an embedded one. After a
// reboot the old process's embedded server may still hold the address for a moment: it is
// waited for up to wait.
func gatewayNATS(cf clusterFlags, log *slog.Logger, wait time.Duration) (*nats.Conn, func(), error) {
	if cf.natsURL != "" {
		nc, err := nats.Connect(cf.natsURL, nats.Name("mudd gateway "+cf.id), nats.MaxReconnects(-1))
		if err != nil {
			return nil, nil, fmt.Errorf("nats %s: %w", cf.natsURL, err)
		}
		return nc, nc.Close, nil
	}
	opts := &server.Options{NoSigs: true, NoLog: true, DontListen: cf.natsListen == "-"}
	if !opts.DontListen {
		host, port, err := net.SplitHostPort(cf.natsListen)
		if err != nil {
			return nil, nil, fmt.Errorf("--nats-listen %q: %w", cf.natsListen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, nil, fmt.Errorf("--nats-listen %q: bad port", cf.natsListen)
		}
		if err := waitFree(cf.natsListen, wait); err != nil {
			return nil, nil, fmt.Errorf("nats server: %w", err)
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("nats server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, nil, fmt.Errorf("nats server: not ready on %s", cf.natsListen)
	}
	log.Info("embedded NATS server", "addr", ns.Addr())
	nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Name("mudd gateway "+cf.id))
	if err != nil {
		ns.Shutdown()
		return nil, nil, fmt.Errorf("nats: %w", err)
	}
	return nc, func() { nc.Close(); ns.Shutdown(); ns.WaitForShutdown() }, nil
}

// waitFree waits up to wait until a TCP listener can be opened on addr.
func waitFree(addr string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scene runs `mudd scene --zones a,b`: the game loop and Lua for those zones, for players
// connected to gateways.
func scene(args []string, stderr io.Writer) error {
	s := defaultSettings()
	fs := s.flags("scene", stderr)
	var cf clusterFlags
	fs.StringVar(&cf.id, "id", "", "this scene's name in the cluster (default: scene-ZONES)")
	fs.StringVar(&cf.natsURL, "nats", "nats://127.0.0.1:4222", "NATS server of the gateway or cluster")
	fs.StringVar(&cf.zones, "zones", "", "comma-separated zones this scene runs (required)")
	if err := s.parse(fs, args); err != nil {
		return err
	}
	zones := splitList(cf.zones)
	if len(zones) == 0 {
		return errors.New("--zones is required: the zones this scene runs, e.g. --zones eldwood,millbrook")
	}
	if cf.id == "" {
		cf.id = "scene-" + strings.Join(zones, "-")
	}
	log, err := newLogger(stderr, s.LogLevel)
	if err != nil {
		return err
	}
	cfg, err := s.engineConfig(log)
	if err != nil {
		return err
	}
	nc, err := nats.Connect(cf.natsURL, nats.Name("mudd scene "+cf.id), nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true), nats.ReconnectWait(200*time.Millisecond))
	if err != nil {
		return fmt.Errorf("nats %s: %w", cf.natsURL, err)
	}
	defer nc.Close()
	host, _ := os.Hostname()
	sc := cluster.NewScene(nc, cluster.SceneInfo{ID: cf.id, Zones: zones, PID: os.Getpid(), Host: host,
		Build: buildVersion(), Run: nuid.Next()}, log)
	cfg.TelnetAddr, cfg.TCPAddr, cfg.Zones, cfg.Router = "-", "-", zones, sc.Router
	if s.Socket == "" && cfg.ConsoleSocket != "" { // the gateway has console.sock
		cfg.ConsoleSocket = filepath.Join(s.Data, "console-"+cf.id+".sock")
	}
	if c, err := net.DialTimeout("unix", cfg.ConsoleSocket, time.Second); err == nil {
		// A process of this scene that stalled still holds it: it is fenced when it wakes.
		c.Close()
		log.Warn("console socket in use by another process; this scene has no console", "socket", cfg.ConsoleSocket)
		cfg.ConsoleSocket = ""
	}
	eng, err := engine.New(cfg)
	if err != nil {
		return err
	}
	if missing := eng.MissingZones(zones); len(missing) > 0 {
		return errors.Join(fmt.Errorf("--zones: the game has no zone %s", strings.Join(missing, ", ")), eng.Close())
	}
	if err := eng.Listen(); err != nil { // the console socket
		return errors.Join(err, eng.Close())
	}
	ctx, stop := signalContext()
	defer stop()
	err = sc.Serve(ctx, eng)
	if errors.Is(err, cluster.ErrFenced) {
		// Exit now, before the game loop saves anything: another process plays these
		// characters, and what happened here since the stall is lost.
		fmt.Fprintf(stderr, "mudd scene: %v\n", err)
		os.Exit(1)
	}
	return err
}

// signalContext is cancelled by SIGINT or SIGTERM; a second signal ends the process at once.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
