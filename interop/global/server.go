package global

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
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
	sup    *svcsup.Sup
	starts int // server starts, sup's goroutine only

	// replier sends call replies: a reply that cannot be delivered never
	// ends the server, and one to a node being connected to does not
	// block it.
	replier svcsup.Replier

	mu                           sync.Mutex // the pids change on a restart
	pid, lockerPID, registrarPID etf.PID
}

// Start registers global_name_server on n with its locker and registrar
// processes and starts synchronising with every connected node. The
// processes live until the node stops or Stop is called.
//
// The three processes are supervised as a group: if one exits (killed from
// BEAM, a bug) all three are started again, with a log line. OTP never
// restarts global (global_name_server is a child of kernel_sup, whose
// death halts the node), and its protocol only synchronises two nodes on a
// nodeup; so a restarted server, which starts with an empty name table,
// disconnects from the nodes it was connected to and connects again, and
// both sides exchange their names afresh, as after a node restart. Names
// registered by this node's processes before the restart are gone and
// must be registered again. A crash loop (more than 10 restarts in 60 s)
// stops the server for good.
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
	s.replier.Log = s.log
	set := func(f *etf.PID) func(etf.PID) {
		return func(pid etf.PID) {
			s.mu.Lock()
			*f = pid
			s.mu.Unlock()
		}
	}
	sup, err := svcsup.Start(n, svcsup.Config{Label: "global", Log: s.log}, []svcsup.Child{
		{Label: "global_locker", Group: "global", New: func() node.Behavior { return &locker{s: s} },
			Opts: []node.SpawnOption{node.WithLogAttrs("proc", "global_locker")}, Started: set(&s.lockerPID)},
		{Label: "global_registrar", Group: "global", New: func() node.Behavior { return &registrar{s: s} },
			Opts: []node.SpawnOption{node.WithLogAttrs("proc", "global_registrar")}, Started: set(&s.registrarPID)},
		{Name: ServerName, Group: "global", New: s.newServer, Started: set(&s.pid)},
	})
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("global: %w", err)
	}
	s.sup = sup
	go func() {
		select {
		case <-n.Done():
		case <-s.ctx.Done():
		}
		s.cancel()
	}()
	return s, nil
}

// newServer builds the global_name_server behaviour for a (re)start: a
// restart begins from an empty table and resynchronises with the nodes
// connected at that moment (see Start).
func (s *Server) newServer() node.Behavior {
	sp := newServerProc(s)
	if s.starts++; s.starts > 1 {
		s.names.reset()
		sp.resync = map[etf.Atom]bool{}
		for _, n := range s.connectedNodes() {
			sp.resync[n] = true
		}
	}
	return sp
}

// Stop stops the server's processes (other nodes see its names vanish only
// when the node goes down) and waits a few seconds at most for them. It is
// idempotent.
func (s *Server) Stop() {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.sup.Stop(ctx)
	s.wg.Wait()
}

// PID returns the pid of global_name_server (it changes on a restart).
func (s *Server) PID() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

func (s *Server) locker() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lockerPID
}

func (s *Server) registrar() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registrarPID
}

type stopSignal struct{}

// cast sends {'$gen_cast', Msg} to global_name_server on node.
func cast(p *node.Process, to etf.Atom, msg etf.Term) {
	p.Logger().Debug("global: cast out", "to", to, "message", msg)
	_ = p.Send(node.Name{Name: ServerName, Node: to}, node.GenCastMsg(msg))
}

// send sends a plain message to global_name_server on node.
func send(p *node.Process, to etf.Atom, msg etf.Term) {
	_ = p.Send(node.Name{Name: ServerName, Node: to}, msg)
}

// optional node capabilities, used when the node provides them.
type disconnecter interface{ Disconnect(node etf.Atom) error }

// connectedNodes lists the nodes global synchronises with: the visible
// ones (OTP's global uses nodes(); hidden peers are not part of the
// global cluster).
func (s *Server) connectedNodes() []etf.Atom { return s.n.Nodes() }
