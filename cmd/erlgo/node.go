package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/demo"
	"github.com/erlgo/erlgo/interop/global/globaldemo"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// nodeFlags are the flags of `erlgo node`.
type nodeFlags struct {
	peerFlags
	name, sname string
	startEPMD   string
	listen      string
	hidden      bool
	readyFile   string
	noGlobal    bool
	metrics     metricsFlags
	tickTime    tickTimeValue
	tls         tlsFlags
}

// nodeAbout ends `erlgo node -h`.
const nodeAbout = `
erl's spellings work too: -setcookie, -name, -sname, -hidden, -kernel net_ticktime N,
-start_epmd true|false, -erl_epmd_port, -proto_dist inet_tls, -ssl_dist_optfile FILE;
-noshell and -noinput are accepted and change nothing. A node from erl's command line:

  erlgo node -name go@127.0.0.1 -setcookie secret -kernel net_ticktime 20 -hidden

TLS distribution, verifying the peer both ways (erl: -proto_dist inet_tls -ssl_dist_optfile F):

  erlgo node -name go@127.0.0.1 -tls-cert cert.pem -tls-key key.pem -tls-ca ca.pem

make demo runs this command; override its node name, EPMD port and cookie with
  GONODE=go2@127.0.0.1 ERL_EPMD_PORT=4400 ERLGO_COOKIE=secret make demo
(ERL_EPMD_PORT is read by erlgo and erl alike; the default EPMD port is 4369).`

func parseNodeFlags(args []string) (*nodeFlags, error) {
	args, err := erlArgs(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "erlgo node: %v (see erlgo node -h)\n", err)
		return nil, errUsage
	}
	fs := newFlagSet("node", "-name name@host | -sname name [-setcookie C] [flags]", nodeAbout)
	f := &nodeFlags{}
	f.register(fs, "EPMD port (default: $ERL_EPMD_PORT, else 4369)")
	fs.StringVar(&f.name, "name", "", "long node name, e.g. go@127.0.0.1")
	fs.StringVar(&f.sname, "sname", "", "short node name, e.g. go (the host part is this machine's short hostname)")
	fs.StringVar(&f.startEPMD, "start-epmd", "auto", startEPMDUsage)
	fs.Var(startEPMDValue{&f.startEPMD}, "start_epmd", "erl's spelling: true is -start-epmd auto, false is -start-epmd false")
	fs.Var(&f.tickTime, "ticktime", "net_ticktime in seconds (default 60), as erl's -kernel net_ticktime; every node of a cluster needs the same")
	var noop bool
	fs.BoolVar(&noop, "noshell", false, "accepted for erl's command lines; erlgo node has no shell")
	fs.BoolVar(&noop, "noinput", false, "accepted for erl's command lines; erlgo node reads no input")
	f.tls.register(fs)
	fs.StringVar(&f.listen, "listen", ":0", "distribution listen address")
	fs.BoolVar(&f.hidden, "hidden", false, "connect as a hidden node")
	fs.BoolVar(&f.noGlobal, "no-global", false, "do not run global_name_server and the default pg scope (nor the erlgo_demo global name)")
	f.metrics.register(fs)
	fs.StringVar(&f.readyFile, "ready-file", "", "create this file once the node is ready (for container healthchecks); removed at exit")
	return f, parseFlags(fs, args)
}

// runNode runs the demo node until SIGINT/SIGTERM: a cluster member
// (net_kernel, rex, erpc, io, global, the default pg scope; package
// cluster) hosting the demo processes and functions (package
// interop/demo). It prints a line containing "ready" once the node is
// registered with EPMD and accepts connections.
func runNode(args []string) error {
	f, err := parseNodeFlags(args)
	if err != nil {
		return err
	}
	full, err := fullName(f.name, f.sname)
	if err != nil {
		fmt.Fprintf(os.Stderr, "erlgo node: %v (see erlgo node -h)\n", err)
		return errUsage
	}
	cookie, source, err := resolveCookie(f.cookie)
	if err != nil {
		return err
	}
	epmdOpt, epmdStart, err := epmdStartOption(f.startEPMD)
	if err != nil {
		return err
	}
	log, err := f.logger(os.Stderr, slog.LevelInfo)
	if err != nil {
		return err
	}
	distOpts, err := f.distOptions(log)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	m, err := startDemoMember(startCtx, full, f, log, append(distOpts, node.WithCookie(cookie), epmdOpt)...)
	if err != nil {
		return err
	}
	defer shutdown(m, log)
	if f.readyFile != "" {
		if err := os.WriteFile(f.readyFile, []byte(string(m.Node().Name())+"\n"), 0o644); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
		defer os.Remove(f.readyFile)
	}
	stopMetrics, err := f.metrics.start(ctx, m.Node(), log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	if err := logConnections(m.Node(), m.Node().Logger()); err != nil {
		return err
	}
	fmt.Printf("erlgo node %s ready (cookie from %s, epmd port %d, starts %s when none runs, %s, %s)\n",
		m.Node().Name(), source, f.epmdPort, epmdStart, visibility(f.hidden), f.distText())

	select {
	case <-ctx.Done():
		fmt.Println("erlgo node: signal received, stopping")
	case <-m.Node().Done():
	}
	return nil
}

// startDemoMember starts the cluster member named full (without global
// and pg with -no-global) and the demo on it: the demo processes and
// functions, the observer's rpc functions for `erlgo observer`, and the
// erlgo_demo global name with its pg group. On an error the member is
// stopped again.
func startDemoMember(ctx context.Context, full string, f *nodeFlags, log *slog.Logger, nodeOpts ...node.Option) (*cluster.Member, error) {
	nodeOpts = append(nodeOpts, node.WithLogger(log), node.WithEPMD("127.0.0.1", f.epmdPort), node.WithListenAddr(f.listen))
	if f.hidden {
		nodeOpts = append(nodeOpts, node.WithHidden())
	}
	opts := []cluster.Option{cluster.WithNode(nodeOpts...), cluster.WithServices(interop.WithOutput(os.Stdout))}
	if f.noGlobal {
		opts = append(opts, cluster.WithoutGlobal(), cluster.WithoutPG())
	}
	m, err := cluster.Start(ctx, full, opts...)
	if err != nil {
		return nil, err
	}
	if err := startDemo(ctx, m, !f.noGlobal); err != nil {
		shutdown(m, log)
		return nil, err
	}
	return m, nil
}

func startDemo(ctx context.Context, m *cluster.Member, withGlobal bool) error {
	observer.RegisterRPC(m.Services(), m.Node()) // erlgo_observer:info/0, processes/1,2, network/0
	if _, err := demo.Start(ctx, m.Node(), m.Services()); err != nil {
		return err
	}
	if withGlobal {
		// global and pg make the node a full visible citizen: BEAM's
		// global:sync/0 would otherwise wait for it forever.
		if _, err := globaldemo.Start(ctx, m.Global(), m.PG()); err != nil {
			return err
		}
	}
	return nil
}

// shutdown stops the member (the demo processes go with its node).
func shutdown(m *cluster.Member, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Stop(ctx); err != nil {
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

// distOptions are the node options of -ticktime and the TLS flags.
func (f *nodeFlags) distOptions(log *slog.Logger) ([]node.Option, error) {
	var opts []node.Option
	if f.tickTime != 0 {
		opts = append(opts, node.WithTickTime(time.Duration(f.tickTime)))
	}
	cfg, err := f.tls.config(log)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		opts = append(opts, node.WithTLS(cfg))
	}
	return opts, nil
}

// distText describes the transport and net_ticktime for the ready line.
func (f *nodeFlags) distText() string {
	tick := 60 * time.Second
	if f.tickTime != 0 {
		tick = time.Duration(f.tickTime)
	}
	transport := "tcp"
	if f.tls.optFile != "" || f.tls.cert != "" {
		transport = "tls"
	}
	return fmt.Sprintf("%s, net_ticktime %ds", transport, int(tick/time.Second))
}
