package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/erlgo/erlgo/epmd"
)

// peerFlags are the flags of the commands that run a node of their own
// (node, observer): cookie, EPMD port and -v.
type peerFlags struct {
	cookie   string
	epmdPort int
	verbose  bool
}

// register defines the shared flags on fs; epmdUsage says what the EPMD
// port is used for by the command.
func (p *peerFlags) register(fs *flag.FlagSet, epmdUsage string) {
	fs.StringVar(&p.cookie, "cookie", "", "distribution cookie (default: $ERLGO_COOKIE, else ~/.erlang.cookie)")
	fs.IntVar(&p.epmdPort, "epmd-port", epmd.PortFromEnv(), epmdUsage)
	fs.BoolVar(&p.verbose, "v", false, "debug logging")
}

// logger returns a logger to stderr at level, or at Debug with -v.
func (p *peerFlags) logger(level slog.Level) *slog.Logger {
	if p.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// parseFlags parses args with fs and refuses positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// signalContext returns a context cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
