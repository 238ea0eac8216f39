// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// DefaultRetryInterval is the first delay between re-registration
// attempts after the EPMD connection dropped; it doubles up to
// maxRetryInterval.
const DefaultRetryInterval = 500 * time.Millisecond

const maxRetryInterval = 4 * time.Second

// PublishOptions configures Publish.
type PublishOptions struct {
	// Registration is the node to register. Name is required.
	Registration Registration
	// Host is the EPMD host; empty means DefaultHost. The embedded server
	// starts only when Host is a loopback address or "localhost".
	Host string
	// Port is the EPMD port; zero means PortFromEnv().
	Port int
	// ListenHost is the address the embedded server listens on. Empty
	// means all interfaces, as OTP's epmd does by default, so nodes on
	// other hosts can look this node up. Use "127.0.0.1" to keep EPMD
	// private to the machine.
	ListenHost string
	// Fallback says what Publish does when no EPMD answers on this
	// machine (Host is loopback): start a detached daemon (the default),
	// run the in-process server, or fail. See Fallback.
	Fallback Fallback
	// Daemon is the command FallbackDaemon runs (see DaemonConfig.Command);
	// nil means DefaultDaemonCommand(), OTP's epmd from PATH.
	Daemon []string
	// DisableServer makes Publish a pure client (same as FallbackNone): it
	// never starts an EPMD, and after a drop it waits for one to return.
	DisableServer bool
	// RetryInterval is the first delay between re-registration attempts;
	// zero means DefaultRetryInterval.
	RetryInterval time.Duration
	// Server is the template for the embedded server's configuration;
	// Logger and Port are filled in when zero.
	Server ServerConfig
	// Dial opens EPMD connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Logger receives every registration, loss, retry and takeover.
	// Nil means slog.Default().
	Logger *slog.Logger
	// OnChange, if set, is called after every change of Status once
	// Publish has returned: when the registration is lost and when the
	// node is registered again (with a new creation). Calls come from one
	// goroutine, one at a time; a slow callback delays re-registration.
	OnChange func(Status)
}

// Fallback is what Publish does when no EPMD answers on this machine.
type Fallback int

const (
	// FallbackDaemon starts a detached EPMD daemon (StartDaemon) and
	// registers in it, as erl starts `epmd -daemon`. The daemon outlives
	// this process, so nodes that registered in it (erl nodes, which
	// never re-register, included) stay reachable after this node stops.
	// When no daemon command is known (no epmd on PATH and Daemon nil)
	// Publish logs a warning and uses the in-process server instead.
	FallbackDaemon Fallback = iota
	// FallbackEmbedded runs the EPMD server inside this process. It stops
	// with the Publication: every registration in it is dropped then,
	// other nodes' included (see Publication). Other erlgo nodes register
	// again by themselves (one takes the port over); erl nodes do not and
	// become unreachable by name. Use it where nothing else shares the
	// machine's EPMD, e.g. tests and Go-only deployments.
	FallbackEmbedded
	// FallbackNone fails with ErrUnreachable (like DisableServer).
	FallbackNone
)

// Status describes a Publication at one moment.
type Status struct {
	// Registered is false between a lost registration and the next
	// successful one.
	Registered bool
	// Creation is the creation of the current (or, while not registered,
	// the last) registration.
	Creation uint32
	// Embedded is true while this Publication runs the EPMD server.
	Embedded bool
	// EPMDAddr is the address of the EPMD holding the registration.
	EPMDAddr string
	// DaemonPID is the pid of the last EPMD daemon this Publication
	// started (FallbackDaemon), or 0. The daemon keeps running after
	// Close; it is reported so that its owner can stop it.
	DaemonPID int
}

// Publication keeps a node registered in EPMD for its lifetime, starting
// an EPMD when none is reachable (a detached daemon by default, see
// Fallback). Create it with Publish.
//
// Beware (FallbackEmbedded): while Embedded, this process is the machine's
// EPMD. Real erl nodes and other Go nodes may have registered in it, and
// Close drops their registrations too, exactly as killing OTP's epmd
// would. They keep running; their distribution still works for
// connections already set up, but new nodes cannot look them up until
// they register again (erlgo nodes using Publish do that by themselves;
// erl nodes do not). The default FallbackDaemon has no such problem.
type Publication struct {
	opts   PublishOptions
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	reg       *Registered
	srv       *Server
	status    Status
	daemonPID int // last daemon started by attempt
}

// Publish registers opts.Registration and keeps it registered until
// Close. ctx bounds only the first registration.
//
// It first tries the EPMD at Host:Port as a client. If nothing listens
// there and Host is this machine, it starts an EPMD as opts.Fallback says:
// by default a detached daemon (OTP's epmd from PATH, listening on
// ListenHost:Port) that outlives this process, else the in-process Server,
// and registers in it. When the registration drops (the EPMD was killed
// or restarted), it registers again, retrying with backoff; if no EPMD
// answers any more it starts one again the same way. Each of these steps
// is logged.
//
// Errors: ErrInvalidName, ErrNameTaken, ErrUnreachable (only with
// FallbackNone/DisableServer, or if no EPMD could be started).
func Publish(ctx context.Context, opts PublishOptions) (*Publication, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Port == 0 {
		opts.Port = PortFromEnv()
	}
	if opts.Host == "" {
		opts.Host = DefaultHost
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	opts.Registration = opts.Registration.withDefaults()
	if opts.DisableServer {
		opts.Fallback = FallbackNone
	}
	if opts.Fallback == FallbackDaemon && len(opts.Daemon) == 0 {
		opts.Daemon = DefaultDaemonCommand()
	}
	p := &Publication{
		opts: opts,
		log:  opts.Logger.With("component", "epmd", "name", opts.Registration.Name),
		done: make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())

	// Two nodes may race for a free port: the loser's listen fails after
	// its dial was refused. A few quick retries resolve that.
	var reg *Registered
	var srv *Server
	var err error
	for try := 0; ; try++ {
		reg, srv, err = p.attempt(ctx)
		if err == nil || !errors.Is(err, errPortRace) || try == 5 || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(time.Duration(try+1) * 20 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	if err != nil {
		p.cancel()
		return nil, err
	}
	p.setCurrent(reg, srv)
	p.log.Debug("epmd: node registered", "creation", reg.Creation(), "embedded", srv != nil, "epmd", reg.EPMDAddr().String())
	go p.keep()
	return p, nil
}

// errPortRace marks "nothing answered, and binding the port failed
// because someone else just bound it".
var errPortRace = errors.New("epmd: port bound by another process meanwhile")

func (p *Publication) client(host string, port int) *Client {
	return &Client{Host: host, Port: port, Dial: p.opts.Dial, Logger: p.opts.Logger}
}

// attempt registers once: as a client, or, when nothing answers, in a
// freshly started daemon or embedded server.
func (p *Publication) attempt(ctx context.Context) (*Registered, *Server, error) {
	reg, err := p.client(p.opts.Host, p.opts.Port).Register(ctx, p.opts.Registration)
	if err == nil || !errors.Is(err, ErrUnreachable) || p.opts.Fallback == FallbackNone || !isLoopbackHost(p.opts.Host) {
		return reg, nil, err
	}
	if p.opts.Fallback == FallbackDaemon {
		if len(p.opts.Daemon) > 0 {
			return p.attemptDaemon(ctx, err)
		}
		p.log.Warn("epmd: no EPMD answers and no epmd on PATH: running the in-process EPMD server, which stops with this node")
	}
	srv, l, lerr := p.startServer(ctx)
	if lerr != nil {
		if errors.Is(lerr, syscall.EADDRINUSE) {
			return nil, nil, fmt.Errorf("%w: %w (%w)", err, errPortRace, lerr)
		}
		return nil, nil, fmt.Errorf("%w; starting embedded server: %w", err, lerr)
	}
	host := DefaultHost
	if a, ok := l.Addr().(*net.TCPAddr); ok && !a.IP.IsUnspecified() {
		host = a.IP.String()
	}
	reg, err = p.client(host, p.opts.Port).Register(ctx, p.opts.Registration)
	if err != nil {
		_ = srv.Close()
		return nil, nil, fmt.Errorf("registering in embedded server: %w", err)
	}
	return reg, srv, nil
}

// attemptDaemon starts the detached daemon and registers in it. Finding
// an EPMD started meanwhile (another node racing us), or a daemon that
// exits at once (it lost the port to one), is retried as a port race.
func (p *Publication) attemptDaemon(ctx context.Context, unreachable error) (*Registered, *Server, error) {
	pid, derr := StartDaemon(ctx, DaemonConfig{
		Command: p.opts.Daemon, Port: p.opts.Port, Address: p.opts.ListenHost,
		Host: p.opts.Host, Logger: p.opts.Logger,
	})
	if derr != nil {
		if errors.Is(derr, ErrDaemonExited) || errors.Is(derr, ErrEPMDRunning) {
			return nil, nil, fmt.Errorf("%w: %w (%w)", unreachable, errPortRace, derr)
		}
		return nil, nil, fmt.Errorf("%w; starting EPMD daemon: %w", unreachable, derr)
	}
	p.mu.Lock()
	p.daemonPID = pid
	p.mu.Unlock()
	reg, err := p.client(p.opts.Host, p.opts.Port).Register(ctx, p.opts.Registration)
	if err != nil {
		return nil, nil, fmt.Errorf("registering in the EPMD daemon (pid %d): %w", pid, err)
	}
	return reg, nil, nil
}

// isLoopbackHost reports whether host names this machine's loopback: only
// then does "no EPMD answers" mean this machine has no EPMD.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *Publication) startServer(ctx context.Context) (*Server, net.Listener, error) {
	cfg := p.opts.Server
	if cfg.Logger == nil {
		cfg.Logger = p.opts.Logger
	}
	if cfg.Port == 0 {
		cfg.Port = p.opts.Port
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", net.JoinHostPort(p.opts.ListenHost, strconv.Itoa(p.opts.Port)))
	if err != nil {
		return nil, nil, err
	}
	srv := NewServer(cfg)
	go func() { _ = srv.Serve(l) }()
	p.log.Debug("epmd: no EPMD answered; running embedded EPMD server", "addr", l.Addr().String())
	return srv, l, nil
}

func (p *Publication) setCurrent(reg *Registered, srv *Server) Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reg, p.srv = reg, srv
	p.status = Status{Registered: true, Creation: reg.Creation(), Embedded: srv != nil, EPMDAddr: reg.EPMDAddr().String(), DaemonPID: p.daemonPID}
	return p.status
}

func (p *Publication) notify(st Status) {
	if p.opts.OnChange != nil {
		p.opts.OnChange(st)
	}
}

// keep watches the registration and restores it whenever it drops.
func (p *Publication) keep() {
	defer close(p.done)
	for {
		p.mu.Lock()
		reg, srv := p.reg, p.srv
		p.mu.Unlock()
		select {
		case <-p.ctx.Done():
			return
		case <-reg.Done():
		}
		_ = reg.Close()
		if srv != nil {
			// Our own server went away under us (e.g. a KILL_REQ once we
			// were gone): release whatever is left of it.
			_ = srv.Close()
		}
		p.mu.Lock()
		p.reg, p.srv = nil, nil
		p.status.Registered = false
		p.status.Embedded = false
		st := p.status
		p.mu.Unlock()
		p.log.Warn("epmd: registration lost; registering again", "epmd", st.EPMDAddr)
		p.notify(st)
		if !p.reregister() {
			return
		}
	}
}

// reregister retries until registered (true) or closed (false).
func (p *Publication) reregister() bool {
	last := p.Creation()
	delay := p.opts.RetryInterval
	for try := 1; ; try++ {
		reg, srv, err := p.attempt(p.ctx)
		if err == nil {
			reg, err = p.freshCreation(reg, last)
			if err != nil && srv != nil {
				_ = srv.Close()
			}
		}
		if err == nil {
			if p.ctx.Err() != nil { // closed meanwhile
				_ = reg.Close()
				if srv != nil {
					_ = srv.Close()
				}
				return false
			}
			st := p.setCurrent(reg, srv)
			if srv != nil {
				p.log.Warn("epmd: took over the EPMD port and registered again", "creation", st.Creation, "addr", st.EPMDAddr, "attempt", try)
			} else {
				p.log.Warn("epmd: registered again", "creation", st.Creation, "epmd", st.EPMDAddr, "attempt", try)
			}
			p.notify(st)
			return true
		}
		if p.ctx.Err() != nil {
			return false
		}
		p.log.Warn("epmd: registration failed; retrying", "err", err, "attempt", try, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-p.ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		delay = min(2*delay, maxRetryInterval)
	}
}

// freshCreation makes sure a re-registration does not reuse the previous
// creation: a restarted epmd seeds creations from the clock, so a restart
// within the same second can hand out the same number, and peers could
// not tell our new pids from those of the previous incarnation. If that
// happens it registers once more in the same EPMD, which bumps the
// creation. On error reg is closed.
func (p *Publication) freshCreation(reg *Registered, last uint32) (*Registered, error) {
	for reg.Creation() == last {
		p.log.Debug("epmd: got the previous creation again; registering once more for a new one", "creation", last)
		addr, _ := reg.EPMDAddr().(*net.TCPAddr)
		_ = reg.Close()
		if addr == nil {
			return nil, fmt.Errorf("%w: registration has no TCP address", ErrProtocol)
		}
		c := p.client(addr.IP.String(), addr.Port)
		for try := 0; ; try++ {
			r, err := c.Register(p.ctx, p.opts.Registration)
			if err == nil {
				reg = r
				break
			}
			// EPMD may not have processed our close yet.
			if !errors.Is(err, ErrNameTaken) || try == 100 {
				return nil, err
			}
			select {
			case <-time.After(20 * time.Millisecond):
			case <-p.ctx.Done():
				return nil, p.ctx.Err()
			}
		}
	}
	return reg, nil
}

// Creation returns the creation of the current registration (the last
// one while re-registering). It changes on every re-registration.
func (p *Publication) Creation() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status.Creation
}

// Status returns the current state.
func (p *Publication) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Server returns the embedded server while this Publication runs one,
// else nil.
func (p *Publication) Server() *Server {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.srv
}

// Close unregisters the node and stops the embedded server if one runs
// (dropping every other node registered in it; see Publication). It
// returns promptly and is idempotent.
func (p *Publication) Close() error {
	p.cancel()
	<-p.done
	p.mu.Lock()
	reg, srv := p.reg, p.srv
	p.reg, p.srv = nil, nil
	p.status.Registered, p.status.Embedded = false, false
	p.mu.Unlock()
	if reg != nil {
		_ = reg.Close()
	}
	if srv != nil {
		_ = srv.Close()
	}
	return nil
}
