package global

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Errors returned by the Go API.
var (
	// ErrStopped is returned when the server has stopped.
	ErrStopped = errors.New("global: server stopped")
	// ErrNotRegistered is returned by Send for an unknown name.
	ErrNotRegistered = errors.New("global: name not registered")
	// ErrNameTaken is returned by Register when the name (or the pid, under
	// another name) is already registered: global:register_name's no.
	ErrNameTaken = errors.New("global: name or pid already registered")
	// ErrLockNotSet is returned by SetLock/Trans when the lock could not be
	// taken within the allowed retries.
	ErrLockNotSet = errors.New("global: lock not set")
)

// Option configures Start.
type Option func(*config)

type config struct {
	connectAll bool
	pop        bool
	log        *slog.Logger
	callTmo    time.Duration
}

// WithConnectAll sets kernel's connect_all (default true). When false the
// server ignores nodeups entirely, as OTP's global does: no name exchange
// and no transitive connections; global:sync/0 on BEAM nodes then hangs
// unless they also run with connect_all false, so keep the default.
func WithConnectAll(on bool) Option { return func(c *config) { c.connectAll = on } }

// WithPreventOverlappingPartitions sets kernel's
// prevent_overlapping_partitions (default true, as in OTP 25): on a lost
// connection the server multicasts lost_connection and honours
// lost_connection/remove_connection from other nodes.
func WithPreventOverlappingPartitions(on bool) Option { return func(c *config) { c.pop = on } }

// WithLogger sets the logger (default: the node's).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithCallTimeout bounds each gen_server call the server makes to another
// node's global_name_server (default 10s).
func WithCallTimeout(d time.Duration) Option { return func(c *config) { c.callTmo = d } }

// Server is the Go node's global_name_server with its locker and registrar
// processes. Its methods are safe for concurrent use.
type Server struct {
	n     *node.Node
	cfg   config
	log   *slog.Logger
	names *nameTable

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // resolver and helper goroutines

	pid, lockerPID, registrarPID etf.PID
}

// Start registers global_name_server on n with its locker and registrar
// processes and starts synchronising with every connected node. The
// processes live until the node stops or Stop is called.
func Start(ctx context.Context, n *node.Node, opts ...Option) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := config{connectAll: true, pop: true, callTmo: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = n.Logger()
	}
	s := &Server{n: n, cfg: cfg, log: cfg.log.With("service", "global"), names: newNameTable()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var err error
	if s.lockerPID, err = n.Spawn(&locker{s: s}, node.WithLogAttrs("proc", "global_locker")); err != nil {
		s.cancel()
		return nil, fmt.Errorf("global: start locker: %w", err)
	}
	if s.registrarPID, err = n.Spawn(&registrar{s: s}, node.WithLogAttrs("proc", "global_registrar")); err != nil {
		s.Stop()
		return nil, fmt.Errorf("global: start registrar: %w", err)
	}
	srv := newServerProc(s)
	if s.pid, err = n.Spawn(srv, node.WithName(ServerName)); err != nil {
		s.Stop()
		return nil, fmt.Errorf("global: start %s: %w", ServerName, err)
	}
	go func() {
		select {
		case <-n.Done():
		case <-s.ctx.Done():
		}
		s.cancel()
	}()
	return s, nil
}

// Stop stops the server's processes (other nodes see its names vanish only
// when the node goes down). It is idempotent.
func (s *Server) Stop() {
	s.cancel()
	for _, pid := range []etf.PID{s.pid, s.lockerPID, s.registrarPID} {
		if pid != (etf.PID{}) {
			_ = s.n.Send(pid, stopSignal{})
		}
	}
	s.wg.Wait()
}

// PID returns the pid of global_name_server.
func (s *Server) PID() etf.PID { return s.pid }

type stopSignal struct{}

// cast sends {'$gen_cast', Msg} to global_name_server on node.
func cast(p *node.Process, to etf.Atom, msg etf.Term) {
	p.Logger().Debug("global: cast out", "to", to, "msg", msg)
	_ = p.Send(node.Name{Name: ServerName, Node: to}, etf.Tuple{atomGenCast, msg})
}

// send sends a plain message to global_name_server on node.
func send(p *node.Process, to etf.Atom, msg etf.Term) {
	_ = p.Send(node.Name{Name: ServerName, Node: to}, msg)
}

// optional node capabilities, used when the node provides them.
type (
	nodeLister   interface{ Nodes() []etf.Atom }
	visibleNodes interface{ VisibleNodes() []etf.Atom }
	disconnecter interface{ Disconnect(node etf.Atom) error }
)

func (s *Server) connectedNodes() []etf.Atom {
	if v, ok := any(s.n).(visibleNodes); ok {
		return v.VisibleNodes()
	}
	if l, ok := any(s.n).(nodeLister); ok {
		return l.Nodes()
	}
	return nil
}
