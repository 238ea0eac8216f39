// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol

package epmd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Server defaults.
const (
	// DefaultMaxConns bounds concurrent connections, registration
	// sockets included. epmd's own bound is the process's file limit.
	DefaultMaxConns = 512
	// DefaultRequestTimeout bounds how long a non-registration connection
	// may take to deliver its request (epmd's packet_timeout is 60 s).
	DefaultRequestTimeout = 60 * time.Second
)

// ServerConfig configures a Server. The zero value is usable.
type ServerConfig struct {
	// Port is the EPMD port reported in NAMES and DUMP answers. Zero
	// means the local port of the connection the request came in on.
	Port int
	// Logger receives registrations, unregistrations and rejected
	// connections. Nil means slog.Default().
	Logger *slog.Logger
	// MaxConns bounds concurrent connections; further connections are
	// accepted and closed at once. Zero means DefaultMaxConns.
	MaxConns int
	// RequestTimeout bounds the time a connection that is not a
	// registration may stay open before its request is complete. Zero
	// means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// RelaxedCommandCheck allows KILL_REQ while nodes are registered and
	// enables STOP_REQ, like epmd -relaxed_command_check.
	RelaxedCommandCheck bool
	// IsLocal decides whether a peer may register, dump, kill or stop.
	// Nil means epmd's rule: the peer is a loopback address, or the same
	// address as the local end of the socket. Tests use it to simulate
	// remote peers.
	IsLocal func(remote, local net.Addr) bool
	// Now seeds new names' creation counters. Nil means time.Now.
	Now func() time.Time
}

// Server is an EPMD server behaving like OTP's epmd. Create it with
// NewServer; it may serve several listeners at once.
type Server struct {
	cfg  ServerConfig
	log  *slog.Logger
	reg  *registry
	sem  chan struct{}
	done chan struct{}

	mu        sync.Mutex
	listeners []net.Listener
	conns     map[*serverConn]struct{}
	closed    bool
	killed    bool
	wg        sync.WaitGroup

	dropped     atomic.Int64 // connections refused since the last log line
	lastDropLog atomic.Int64 // unix nanos
}

// NewServer returns a server; call Serve or ListenAndServe to run it.
func NewServer(cfg ServerConfig) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.IsLocal == nil {
		cfg.IsLocal = IsLocalPeer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{
		cfg:   cfg,
		log:   cfg.Logger.With("component", "epmd-server"),
		reg:   newRegistry(cfg.Now),
		sem:   make(chan struct{}, cfg.MaxConns),
		done:  make(chan struct{}),
		conns: map[*serverConn]struct{}{},
	}
}

// IsLocalPeer is epmd's locality rule: remote is a loopback address or
// equals local's address. Non-TCP addresses are not local.
func IsLocalPeer(remote, local net.Addr) bool {
	ra, ok := remote.(*net.TCPAddr)
	if !ok {
		return false
	}
	if ra.IP.IsLoopback() {
		return true
	}
	la, ok := local.(*net.TCPAddr)
	return ok && la.IP.Equal(ra.IP)
}

// ListenAndServe listens on addr (e.g. ":4369", all interfaces like epmd)
// and serves until ctx is done or the server is closed; then it closes the
// server and returns ErrServerClosed (or ErrKilled).
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()
	return s.Serve(l)
}

// Serve accepts connections on l until the server is closed or killed,
// and then returns ErrServerClosed or ErrKilled. It closes l on return.
// Temporary accept errors (out of file descriptors) are retried with
// backoff; any other accept error closes the whole server, dropping its
// registrations, so that Done reports it, and is returned.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = l.Close()
		return s.stopErr()
	}
	s.listeners = append(s.listeners, l)
	s.wg.Add(1) // Close waits for this loop too
	s.mu.Unlock()
	defer s.wg.Done()
	s.log.Debug("epmd: listening", "addr", l.Addr().String())
	defer l.Close()

	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			select {
			case <-s.done:
				return s.stopErr()
			default:
			}
			// Out of file descriptors and similar conditions pass; an
			// EPMD that stops is worse than one that waits.
			var ne net.Error
			if (errors.As(err, &ne) && ne.Timeout()) || isTemporaryAcceptErr(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("epmd: accept failed; retrying", "err", err, "in", backoff)
				select {
				case <-time.After(backoff):
				case <-s.done:
				}
				continue
			}
			s.closeNoWait(false)
			return err
		}
		backoff = 0
		select {
		case s.sem <- struct{}{}:
		default:
			_ = c.Close()
			s.logDropped()
			continue
		}
		sc := &serverConn{c: c, fd: -1}
		if !s.track(sc) {
			_ = c.Close()
			<-s.sem
			return s.stopErr()
		}
		go s.handle(sc)
	}
}

// logDropped logs refused connections at most once a second, so a flood
// costs a counter, not a log line per connection.
func (s *Server) logDropped() {
	s.dropped.Add(1)
	now := time.Now().UnixNano()
	last := s.lastDropLog.Load()
	if now-last < int64(time.Second) || !s.lastDropLog.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("epmd: too many connections; closing new ones", "max", s.cfg.MaxConns, "closed", s.dropped.Swap(0))
}

func (s *Server) stopErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.killed {
		return ErrKilled
	}
	return ErrServerClosed
}

// track registers a live connection; it fails once the server is closed.
func (s *Server) track(sc *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[sc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(sc *serverConn) {
	s.mu.Lock()
	delete(s.conns, sc)
	s.mu.Unlock()
	<-s.sem
	s.wg.Done()
}

// Close stops the server: it closes every listener and every connection,
// which drops every registration (the registered nodes, ours or real erl
// nodes, see their EPMD connection close, as when epmd is killed), and
// waits for the Serve loops and connection goroutines to finish. It is
// idempotent.
func (s *Server) Close() error {
	s.closeNoWait(false)
	s.wg.Wait()
	return nil
}

// Shutdown is Close bounded by ctx: it returns ctx.Err() if the
// connection goroutines have not finished by then.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeNoWait(false)
	finished := make(chan struct{})
	go func() { s.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) closeNoWait(killed bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.killed = killed
	ls := s.listeners
	s.listeners = nil
	conns := make([]*serverConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	close(s.done)
	s.mu.Unlock()
	for _, l := range ls {
		_ = l.Close()
	}
	for _, c := range conns {
		_ = c.c.Close()
	}
}

// Done is closed when the server stops (Close, or an accepted KILL_REQ).
func (s *Server) Done() <-chan struct{} { return s.done }

// Addr returns the address of the first listener still being served, or
// nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return nil
	}
	return s.listeners[0].Addr()
}

// NameEntry is one registered node as listed by NAMES.
type NameEntry struct {
	Name string
	Port int
}

// Names returns the registered nodes, newest first (NAMES order).
func (s *Server) Names() []NameEntry {
	active, _ := s.reg.snapshot()
	out := make([]NameEntry, len(active))
	for i, e := range active {
		out[i] = NameEntry{Name: e.name, Port: int(e.port)}
	}
	return out
}

// Lookup returns the registration of name, as PORT_PLEASE2 would.
func (s *Server) Lookup(name string) (NodeInfo, bool) {
	r, ok := s.reg.lookup(name)
	return NodeInfo(r), ok
}
