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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/epmd"
)

// runEPMD runs the EPMD server standalone until SIGINT/SIGTERM (or an
// accepted KILL_REQ, like `epmd -kill`). With -daemon it detaches instead
// (see startEPMDDaemon) and returns once the daemon listens.
//
// Like OTP's epmd it listens on all interfaces by default; with -address it
// listens on the given comma-separated addresses plus the loopback address,
// which epmd always adds.
func runEPMD(args []string) error {
	fs := newFlagSet("epmd", "[-daemon] [-port 4369] [flags]", "Like OTP's epmd: listens on all interfaces unless -address is given.")
	port := fs.Int("port", epmd.PortFromEnv(), "TCP port to listen on (default from "+epmd.EnvPort+", else 4369)")
	address := fs.String("address", "", "comma-separated IP addresses to listen on (default: all interfaces); loopback is always added")
	relaxed := fs.Bool("relaxed_command_check", false, "allow KILL while nodes are registered, and STOP")
	maxConns := fs.Int("max_conns", epmd.DefaultMaxConns, "maximum concurrent connections")
	debug := fs.Bool("debug", false, "log every request (like epmd -debug; same as -v)")
	var lf logFlags
	lf.register(fs)
	daemon := fs.Bool("daemon", false, "detach (new session, no terminal, standard streams on /dev/null) and return once listening, like epmd -daemon")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *port < 1 || *port > 65535 {
		return fmt.Errorf("invalid -port %d", *port)
	}
	if *daemon {
		var extra []string
		if *relaxed {
			extra = append(extra, "-relaxed_command_check")
		}
		if *maxConns != epmd.DefaultMaxConns {
			extra = append(extra, "-max_conns", strconv.Itoa(*maxConns))
		}
		if *debug || lf.verbose {
			extra = append(extra, "-debug")
		}
		return startEPMDDaemon(*port, *address, extra)
	}
	lf.verbose = lf.verbose || *debug
	log, err := lf.logger(os.Stderr, slog.LevelInfo)
	if err != nil {
		return err
	}
	addrs, err := listenAddrs(*address, *port)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ls, err := listenAll(ctx, addrs)
	if err != nil {
		return err
	}
	log.Info("epmd: listening", "addrs", strings.Join(addrs, ","))
	srv := epmd.NewServer(epmd.ServerConfig{
		Port:                *port,
		Logger:              log,
		MaxConns:            *maxConns,
		RelaxedCommandCheck: *relaxed,
	})
	return serveEPMD(ctx, srv, ls, log)
}

// listenAll listens on every address, or on none if one fails.
func listenAll(ctx context.Context, addrs []string) ([]net.Listener, error) {
	var lc net.ListenConfig
	var ls []net.Listener
	for _, a := range addrs {
		l, err := lc.Listen(ctx, "tcp", a)
		if err != nil {
			for _, l := range ls {
				_ = l.Close()
			}
			return nil, fmt.Errorf("listen on %s (is an epmd already running?): %w", a, err)
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// serveEPMD serves on every listener until ctx ends or a KILL_REQ stops
// the server, then shuts it down; a serve error other than the server's
// own stop is returned.
func serveEPMD(ctx context.Context, srv *epmd.Server, ls []net.Listener, log *slog.Logger) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(ls))
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- srv.Serve(l)
		}()
	}
	select {
	case <-ctx.Done():
		log.Info("epmd: signal received; stopping")
	case <-srv.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, epmd.ErrServerClosed) && !errors.Is(err, epmd.ErrKilled) {
			return err
		}
	}
	return nil
}

// listenAddrs turns -address into host:port listen addresses, adding the
// loopback address like epmd does.
func listenAddrs(address string, port int) ([]string, error) {
	p := strconv.Itoa(port)
	fields := strings.FieldsFunc(address, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return []string{net.JoinHostPort("", p)}, nil
	}
	var out []string
	loopback := false
	for _, f := range fields {
		ip := net.ParseIP(f)
		if ip == nil {
			return nil, fmt.Errorf("cannot parse IP address %q", f)
		}
		loopback = loopback || ip.IsLoopback()
		out = append(out, net.JoinHostPort(ip.String(), p))
	}
	if !loopback {
		out = append(out, net.JoinHostPort("127.0.0.1", p))
	}
	return out, nil
}

// startEPMDDaemon is `erlgo epmd -daemon`: it runs this program again as
// `erlgo epmd` (with the same flags, -daemon dropped) detached from this
// process, and returns once that copy answers EPMD requests on the port,
// so a script can register nodes right after it. Like epmd -daemon it
// refuses when an EPMD already runs on the port.
func startEPMDDaemon(port int, address string, extra []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("-daemon: cannot find this program: %w", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err = epmd.StartDaemon(ctx, epmd.DaemonConfig{
		Command: append([]string{exe, "epmd"}, extra...),
		Port:    port, Address: address, Logger: log,
	})
	if errors.Is(err, epmd.ErrEPMDRunning) {
		return fmt.Errorf("there is already an EPMD running at port %d", port)
	}
	return err
}
