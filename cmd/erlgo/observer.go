package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// observerFlags are the flags of `erlgo observer`.
type observerFlags struct {
	peerFlags
	target   string
	name     string
	httpAddr string
	once     bool
	limit    int
	sort     string
	token    string
	readOnly bool
}

// runObserver inspects a running node from a hidden Go node: it serves the
// observer page and JSON API for the target (package observer) until
// SIGINT/SIGTERM, or with -once prints the summary and top processes and
// exits.
func runObserver(args []string) error {
	fs := newFlagSet("observer", "-node name@host [-cookie C] [flags]", "Serves the observer page for the node on -http, or prints a summary with -once.")
	var f observerFlags
	fs.StringVar(&f.target, "node", "", "node to inspect, e.g. app@127.0.0.1 (BEAM or erlgo)")
	fs.StringVar(&f.name, "name", "", "name of the hidden observer node (default erlgo_observer_<pid>@<target's host>)")
	f.register(fs, "EPMD port used to find the target (default: $ERL_EPMD_PORT, else 4369)")
	fs.StringVar(&f.httpAddr, "http", "127.0.0.1:9911", "HTTP listen address of the observer page")
	fs.BoolVar(&f.once, "once", false, "print the node summary and top processes as text and exit")
	fs.IntVar(&f.limit, "limit", 20, "processes shown by -once")
	fs.StringVar(&f.sort, "sort", "mailbox", "process order for -once: mailbox, memory, reductions or name")
	fs.StringVar(&f.token, "token", os.Getenv("ERLGO_OBSERVER_TOKEN"),
		"access token required on a non-loopback -http (default: $ERLGO_OBSERVER_TOKEN, else a random one, printed)")
	fs.BoolVar(&f.readOnly, "read-only", false, "disable kill in the page and the API")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	at := strings.IndexByte(f.target, '@')
	if at <= 0 || at == len(f.target)-1 {
		return errors.New("-node name@host is required")
	}
	host := f.target[at+1:]
	if f.name == "" {
		f.name = fmt.Sprintf("erlgo_observer_%d@%s", os.Getpid(), host)
	}
	cookie, _, err := resolveCookie(f.cookie)
	if err != nil {
		return err
	}
	log, err := f.logger(os.Stderr, slog.LevelWarn)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// Hidden, like Erlang's observer: the target does not make us part of
	// its cluster. No EPMD registration: nobody needs to find us.
	n, err := node.Start(startCtx, f.name,
		node.WithCookie(cookie), node.WithLogger(log), node.WithHidden(),
		node.WithoutEPMD(), node.WithEPMD("127.0.0.1", f.epmdPort))
	if err != nil {
		return err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = n.Stop(sctx)
	}()
	target := etf.Atom(f.target)
	if err := n.Connect(startCtx, target); err != nil {
		return fmt.Errorf("connect to %s: %w (is it running, with the same cookie and EPMD port %d?)", target, err, f.epmdPort)
	}
	if f.once {
		return printOnce(startCtx, observer.Remote(n, target), observer.Query{Sort: f.sort, Limit: f.limit})
	}
	return serveObserver(ctx, n, target, f, log)
}

// printOnce writes the target's summary and top processes to stdout.
func printOnce(ctx context.Context, src observer.Source, q observer.Query) error {
	info, err := src.Node(ctx)
	if err != nil {
		return err
	}
	pl, err := src.Processes(ctx, q)
	if err != nil {
		return err
	}
	return observer.WriteText(os.Stdout, info, pl)
}

// serveObserver serves the observer page for target until ctx ends.
func serveObserver(ctx context.Context, n *node.Node, target etf.Atom, f observerFlags, log *slog.Logger) error {
	ln, err := net.Listen("tcp", f.httpAddr)
	if err != nil {
		return err
	}
	loopback, token, err := observerAccess(ln.Addr(), f.token)
	if err != nil {
		_ = ln.Close()
		return err
	}
	opts := []observer.Option{observer.WithTarget(target), observer.WithLogger(log), observer.WithToken(token)}
	if f.readOnly {
		opts = append(opts, observer.WithReadOnly())
	}
	h := observer.Handler(n, opts...)
	url := fmt.Sprintf("http://%s/", ln.Addr())
	if loopback {
		h = observer.LoopbackOnly(h)
	} else {
		url += "?token=" + token
		fmt.Fprintf(os.Stderr, "warning: the observer page on %s is reachable from other hosts; it asks for the token\n", ln.Addr())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("erlgo observer: %s at %s (Ctrl-C to stop)\n", target, url)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-n.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// observerAccess says how the page is protected: a loopback bind is kept
// to loopback host names (DNS rebinding), and needs a token only when one
// was given; any other bind always needs one, random (32 hex digits) when
// none was given.
func observerAccess(addr net.Addr, token string) (loopback bool, tok string, err error) {
	ip, _, _ := net.SplitHostPort(addr.String())
	loopback = net.ParseIP(ip).IsLoopback()
	if token != "" || loopback {
		return loopback, token, nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return false, "", fmt.Errorf("observer token: %w", err)
	}
	return false, hex.EncodeToString(b), nil
}
