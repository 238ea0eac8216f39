package interop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Registered names of the services, as on a BEAM node.
const (
	NetKernelName etf.Atom = "net_kernel"
	RexName       etf.Atom = "rex"
	UserName      etf.Atom = "user"
)

// Services are the cluster services attached to one node by Start.
type Services struct {
	n      *node.Node
	log    *slog.Logger
	reg    registry
	ctx    context.Context
	cancel context.CancelFunc
	out    io.Writer

	mu   sync.Mutex
	pids []etf.PID
	user etf.PID
}

// Option configures Start.
type Option func(*Services)

// WithOutput makes the node's io server (the group leader of Go-initiated
// work and of rpc calls made from Go) write the characters it receives to
// w, as a BEAM node's user process writes to its terminal. By default they
// are logged at Info level.
func WithOutput(w io.Writer) Option { return func(s *Services) { s.out = w } }

// WithLogger sets the logger of the services (default: the node's).
func WithLogger(l *slog.Logger) Option { return func(s *Services) { s.log = l } }

// Start attaches the cluster services to n: it registers net_kernel, rex
// and user processes and the erpc spawnables. It fails if one of those
// names is taken. The services stop with the node, or earlier with Stop.
func Start(ctx context.Context, n *node.Node, opts ...Option) (*Services, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Services{n: n, log: n.Logger()}
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go func() {
		select {
		case <-n.Done():
			s.cancel()
		case <-s.ctx.Done():
		}
	}()
	// erpc:execute_call/4 is also callable through rex, which is how RPC
	// gets the exception class out of any node (Go or BEAM).
	s.reg.set(MFA{"erpc", "execute_call", 4}, s.erpcViaRex)
	steps := []struct {
		name etf.Atom
		b    node.Behavior
	}{
		{UserName, &ioServer{s: s}},
		{NetKernelName, node.BehaviorFunc(s.netKernel)},
		{RexName, node.BehaviorFunc(s.rex)},
	}
	for _, st := range steps {
		pid, err := n.Spawn(st.b, node.WithName(st.name))
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("interop: start %s: %w", st.name, err)
		}
		s.mu.Lock()
		s.pids = append(s.pids, pid)
		if st.name == UserName {
			s.user = pid
		}
		s.mu.Unlock()
	}
	if err := s.registerSpawnables(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Node returns the node the services are attached to.
func (s *Services) Node() *node.Node { return s.n }

// GroupLeader returns the pid of the node's io server (registered as user).
func (s *Services) GroupLeader() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

// Register makes fn callable from BEAM as module:function/arity through
// erpc, rpc and rex. Registering nil removes the function. Registering the
// same MFA again replaces it.
func (s *Services) Register(module, function etf.Atom, arity int, fn Func) {
	s.reg.set(MFA{module, function, arity}, fn)
}

// Functions lists the registered MFAs (in no particular order).
func (s *Services) Functions() []MFA { return s.reg.list() }

// Stop stops the service processes and cancels the context of running
// functions. The node keeps running. Stop is idempotent.
func (s *Services) Stop() {
	s.cancel()
	s.mu.Lock()
	pids := s.pids
	s.pids = nil
	s.mu.Unlock()
	for _, pid := range pids {
		_ = s.n.Send(pid, stopSignal{})
	}
}

// stopSignal asks a service process to exit normally.
type stopSignal struct{}

var errStopNormal error = &node.ExitError{Reason: node.Normal}

// Common atoms.
var (
	atomOK      = etf.Atom("ok")
	atomError   = etf.Atom("error")
	atomGenCall = etf.Atom("$gen_call")
	atomGenCast = etf.Atom("$gen_cast")
)

// genCall splits {'$gen_call', From, Request}.
func genCall(msg etf.Term) (from, req etf.Term, ok bool) {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 3 || t[0] != atomGenCall {
		return nil, nil, false
	}
	return t[1], t[2], true
}

// genCast splits {'$gen_cast', Request}.
func genCast(msg etf.Term) (req etf.Term, ok bool) {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 2 || t[0] != atomGenCast {
		return nil, false
	}
	return t[1], true
}

// isStop reports whether msg asks a service process to stop.
func isStop(msg etf.Term) bool {
	_, ok := msg.(stopSignal)
	return ok
}
