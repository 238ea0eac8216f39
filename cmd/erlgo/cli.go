package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/erlgo/erlgo/epmd"
)

// errUsage marks a command line erlgo cannot run: the command has printed
// what is wrong and its usage, and erlgo exits 2 like a Go tool.
var errUsage = errors.New("usage")

// peerFlags are the flags of the commands that run a node of their own
// (node, observer): cookie, EPMD port and logging.
type peerFlags struct {
	cookie   string
	epmdPort int
	logFlags
}

// register defines the shared flags on fs; epmdUsage says what the EPMD
// port is used for by the command. -setcookie and -erl_epmd_port are
// erl's spellings of -cookie and -epmd-port.
func (p *peerFlags) register(fs *flag.FlagSet, epmdUsage string) {
	fs.StringVar(&p.cookie, "cookie", "", "distribution cookie (default: $ERLGO_COOKIE, else ~/.erlang.cookie)")
	fs.StringVar(&p.cookie, "setcookie", "", "erl's spelling of -cookie")
	p.epmdPort = epmd.PortFromEnv()
	fs.IntVar(&p.epmdPort, "epmd-port", p.epmdPort, epmdUsage)
	fs.IntVar(&p.epmdPort, "erl_epmd_port", p.epmdPort, "erl's spelling of -epmd-port")
	p.logFlags.register(fs)
}

// newFlagSet returns the flag set of `erlgo name`; synopsis follows the
// command's name in the usage line, about is printed after the flags.
func newFlagSet(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: erlgo %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(about))
		}
	}
	return fs
}

// parseFlags parses args with fs and refuses positional arguments. Help
// (-h, -help) prints the usage on stdout and returns flag.ErrHelp (exit
// 0); a bad command line prints the error and the usage on stderr and
// returns errUsage (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // flag would print the error and usage itself
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return flag.ErrHelp
	default:
		fs.SetOutput(os.Stderr)
		fmt.Fprintf(os.Stderr, "erlgo %s: %v\n", fs.Name(), err)
		fs.Usage()
		return errUsage
	}
}

// signalContext returns a context cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
