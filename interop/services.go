package interop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
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
	sup    *svcsup.Sup

	maxRestarts int
	period      time.Duration

	// Replies never fail a service (see svcsup.Replier); net_kernel's
	// are dropped for nodes that are not connected, as OTP's are.
	replier, nkReplier svcsup.Replier

	mu   sync.Mutex
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

// WithRestartIntensity sets the restart budget of the service processes:
// a service that exits is started again under its name (with a log line)
// unless more than maxRestarts restarts happened within period; then the
// services stop and Done is closed with Err set. Default: 10 in 60 s.
//
// OTP's kernel_sup allows no restart at all: the death of rex or
// net_kernel halts a BEAM node. A library node keeps running instead and
// leaves the decision to the program (see Done).
func WithRestartIntensity(maxRestarts int, period time.Duration) Option {
	return func(s *Services) { s.maxRestarts, s.period = maxRestarts, period }
}

// Start attaches the cluster services to n: it registers net_kernel, rex
// and user processes and the erpc spawnables. It fails if one of those
// names is taken. The services stop with the node, or earlier with Stop.
//
// The service processes are supervised: one that exits (killed from BEAM
// with exit(Pid, kill), or by a bug) is started again under the same name,
// one for one; see WithRestartIntensity. A reply a service cannot deliver
// (the caller's node is gone, a malformed From) is logged at Debug and
// never ends the service.
func Start(ctx context.Context, n *node.Node, opts ...Option) (*Services, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Services{n: n, log: n.Logger()}
	for _, o := range opts {
		o(s)
	}
	s.replier.Log = s.log
	s.nkReplier = svcsup.Replier{Log: s.log, NoConnect: true}
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
	s.registerBIFs() // erlang:node/0, processes/0, process_info/2... (bifs.go)
	children := []svcsup.Child{
		{Name: UserName, New: func() node.Behavior { return &ioServer{s: s} }, Started: func(pid etf.PID) {
			s.mu.Lock()
			s.user = pid
			s.mu.Unlock()
		}},
		{Name: NetKernelName, New: func() node.Behavior { return node.BehaviorFunc(s.netKernel) }},
		{Name: RexName, New: func() node.Behavior { return node.BehaviorFunc(s.rex) }},
	}
	sup, err := svcsup.Start(n, svcsup.Config{Label: "interop", Log: s.log,
		MaxRestarts: s.maxRestarts, Period: s.period}, children)
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("interop: %w", err)
	}
	s.sup = sup
	if err := s.registerSpawnables(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Node returns the node the services are attached to.
func (s *Services) Node() *node.Node { return s.n }

// GroupLeader returns the pid of the node's io server (registered as user).
//
// After a restart of the io server it is the new process: the name is
// looked up first, since the supervisor records the new pid only after
// the process is registered.
func (s *Services) GroupLeader() etf.PID {
	if pid, ok := s.n.Whereis(UserName); ok {
		return pid
	}
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
// functions, and waits (a few seconds at most) for the processes to exit,
// so that their names are free when it returns. The node keeps running.
// Stop is idempotent.
func (s *Services) Stop() {
	s.cancel()
	if s.sup != nil {
		ctx, cancel := context.WithTimeout(context.Background(), stopWait)
		defer cancel()
		s.sup.Stop(ctx)
	}
}

// stopWait bounds Stop.
const stopWait = 5 * time.Second

// Done is closed when the service processes have stopped for good: after
// Stop, with the node, or when they exceeded their restart budget (then Err
// says so). A program that wants BEAM's behaviour (a node whose kernel
// services died halts) can stop the node when Done is closed and Err is
// not nil.
func (s *Services) Done() <-chan struct{} { return s.sup.Done() }

// Err reports why the services stopped: nil while they run and after Stop
// or a node stop, an error matching ErrServicesGaveUp after too many
// restarts.
func (s *Services) Err() error { return s.sup.Err() }

// ErrServicesGaveUp is the Err of services that exceeded their restart
// budget (WithRestartIntensity).
var ErrServicesGaveUp = svcsup.ErrGaveUp

var errStopNormal error = &node.ExitError{Reason: node.Normal}

// Common atoms.
var (
	atomOK    = etf.Atom("ok")
	atomError = etf.Atom("error")
)
