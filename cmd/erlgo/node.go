package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/demo"
	"github.com/erlgo/erlgo/interop/global/globaldemo"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// nodeFlags are the flags of `erlgo node`.
type nodeFlags struct {
	name, sname string
	cookie      string
	epmdPort    int
	startEPMD   string
	listen      string
	hidden      bool
	verbose     bool
	readyFile   string
	noGlobal    bool
}

// runNode runs the demo node until SIGINT/SIGTERM: a node with the cluster
// services (net_kernel, rex, erpc, io) hosting the demo processes and
// functions (package interop/demo). It prints a line containing "ready"
// once the node is registered with EPMD and accepts connections.
func runNode(args []string) error {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	var f nodeFlags
	fs.StringVar(&f.name, "name", "", "long node name, e.g. go@127.0.0.1")
	fs.StringVar(&f.sname, "sname", "", "short node name, e.g. go (the host part is this machine's short hostname)")
	fs.StringVar(&f.cookie, "cookie", "", "distribution cookie (default: $ERLGO_COOKIE, else ~/.erlang.cookie)")
	fs.IntVar(&f.epmdPort, "epmd-port", epmd.PortFromEnv(), "EPMD port (default: $ERL_EPMD_PORT, else 4369)")
	fs.StringVar(&f.startEPMD, "start-epmd", "auto", startEPMDUsage)
	fs.StringVar(&f.listen, "listen", ":0", "distribution listen address")
	fs.BoolVar(&f.hidden, "hidden", false, "connect as a hidden node")
	fs.BoolVar(&f.verbose, "v", false, "debug logging")
	fs.BoolVar(&f.noGlobal, "no-global", false, "do not run global_name_server and the default pg scope (nor the erlgo_demo global name)")
	fs.StringVar(&f.readyFile, "ready-file", "", "create this file once the node is ready (for container healthchecks); removed at exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	full, err := fullName(f.name, f.sname)
	if err != nil {
		return err
	}
	cookie, source, err := resolveCookie(f.cookie)
	if err != nil {
		return err
	}
	epmdOpt, epmdStart, err := epmdStartOption(f.startEPMD)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := []node.Option{
		node.WithCookie(cookie),
		node.WithLogger(log),
		node.WithEPMD("127.0.0.1", f.epmdPort),
		epmdOpt,
		node.WithListenAddr(f.listen),
	}
	if f.hidden {
		opts = append(opts, node.WithHidden())
	}
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	n, err := node.Start(startCtx, full, opts...)
	if err != nil {
		return err
	}
	defer shutdown(n, log)
	svc, err := interop.Start(startCtx, n, interop.WithOutput(os.Stdout))
	if err != nil {
		return err
	}
	defer svc.Stop()
	observer.RegisterRPC(svc, n) // erlgo_observer:info/0, processes/1,2, network/0 for `erlgo observer`
	if _, err := demo.Start(startCtx, n, svc); err != nil {
		return err
	}
	if !f.noGlobal {
		// global and pg make the node a full visible citizen: BEAM's
		// global:sync/0 would otherwise wait for it forever.
		gd, err := globaldemo.Setup(startCtx, n, svc)
		if err != nil {
			return err
		}
		defer gd.Stop()
	}
	if f.readyFile != "" {
		if err := os.WriteFile(f.readyFile, []byte(string(n.Name())+"\n"), 0o644); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
		defer os.Remove(f.readyFile)
	}
	fmt.Printf("erlgo node %s ready (cookie from %s, epmd port %d, starts %s when none runs, %s)\n",
		n.Name(), source, f.epmdPort, epmdStart, visibility(f.hidden))

	select {
	case <-ctx.Done():
		fmt.Println("erlgo node: signal received, stopping")
	case <-n.Done():
	}
	return nil
}

func shutdown(n *node.Node, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		log.Warn("stop", "err", err)
		return
	}
	fmt.Println("erlgo node: stopped")
}

func visibility(hidden bool) string {
	if hidden {
		return "hidden"
	}
	return "visible"
}

// fullName builds name@host from -name or -sname (exactly one).
func fullName(name, sname string) (string, error) {
	switch {
	case name != "" && sname != "":
		return "", errors.New("give -name or -sname, not both")
	case name != "":
		if !strings.Contains(name, "@") {
			host, err := os.Hostname()
			if err != nil {
				return "", err
			}
			return name + "@" + host, nil
		}
		return name, nil
	case sname != "":
		if strings.Contains(sname, "@") {
			return sname, nil
		}
		host, err := os.Hostname()
		if err != nil {
			return "", err
		}
		if i := strings.IndexByte(host, '.'); i > 0 {
			host = host[:i]
		}
		return sname + "@" + host, nil
	}
	return "", errors.New("-name or -sname is required")
}
