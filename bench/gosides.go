package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// quietLogger keeps the benchmark nodes' logs off the progress output.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startGoNode starts a benchmark node; dist selects distribution over the
// run's private EPMD.
func startGoNode(ctx context.Context, env *Env, prefix string, dist bool) (*node.Node, error) {
	opts := []node.Option{node.WithLogger(quietLogger())}
	if !dist {
		opts = append(opts, node.WithoutDistribution())
		return node.Start(ctx, UniqueName(prefix), opts...)
	}
	port, err := env.EPMDPort(ctx)
	if err != nil {
		return nil, err
	}
	opts = append(opts, node.WithCookie(env.Cookie()), node.WithEPMD("127.0.0.1", port), node.WithListenAddr("127.0.0.1:0"))
	return node.Start(ctx, UniqueName(prefix), opts...)
}

func stopGoNode(n *node.Node) {
	if n == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	_ = n.Stop(ctx)
}

// probe asks the spawner at target for zero receivers: one round trip that
// proves the connection works before the first measured run. A missing
// distribution layer shows up here as ErrNotBuilt.
func probe(ctx context.Context, d *goDriver, target etf.Term) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	_, err := d.pids(ctx, target, etf.Tuple{atomSpawnReceivers, d.coord, 0, 0}, atomReceivers, 0)
	if errors.Is(err, node.ErrNoConnection) {
		return fmt.Errorf("%w: node distribution (%w)", ErrNotBuilt, err)
	}
	return err
}

// goLocal is the Go local side: senders, receivers, callers and echo
// servers are processes of one erlgo node in this OS process.
type goLocal struct {
	env *Env
	n   *node.Node
	d   *goDriver
}

// NewGoLocal returns the Go local side.
func NewGoLocal(env *Env) Side { return &goLocal{env: env} }

func (s *goLocal) Name() string             { return SideGoLocal }
func (s *goLocal) Baseline() string         { return SideBEAMLocal }
func (s *goLocal) Supports(w Workload) bool { return !w.Reference && w.Kind != KindShape }

func (s *goLocal) Start(ctx context.Context) error {
	n, err := startGoNode(ctx, s.env, "bench_local", false)
	if err != nil {
		return err
	}
	s.n = n
	if err := spawnSpawner(n); err != nil {
		return err
	}
	s.d, err = newGoDriver(n)
	return err
}

func (s *goLocal) Run(ctx context.Context, c Case) (Result, error) {
	switch c.Workload.Kind {
	case KindCodec:
		return runETF(c)
	case KindMemory:
		return goIdleMemory(ctx, c.N, node.WithLogger(quietLogger()))
	default:
		return withCtxSwitches(selfPID(), c, func() (Result, error) { return s.d.run(ctx, c, atomSpawner) })
	}
}

// selfPID is this process, for withCtxSwitches.
func selfPID() []int { return []int{os.Getpid()} }

func (s *goLocal) Close() error { stopGoNode(s.n); s.n = nil; return nil }

// goDriven is what the sides with Go senders and callers in this process
// and receivers on a peer node share: the driver node, its driver and the
// peer (an erl node or a re-executed copy of this program) whose spawner
// starts the receivers.
type goDriven struct {
	env  *Env
	n    *node.Node
	d    *goDriver
	peer *erlNode
	// goPeer is set when peer is an erlgo process (go-go), whose context
	// switches count as the Go side's.
	goPeer bool
}

// startDriver starts the driver node once the peer runs and checks that
// the peer's spawner answers.
func (s *goDriven) startDriver(ctx context.Context) error {
	var err error
	if s.n, err = startGoNode(ctx, s.env, "bench_gotx", true); err != nil {
		return err
	}
	if s.d, err = newGoDriver(s.n); err != nil {
		return err
	}
	return probe(ctx, s.d, s.target())
}

func (s *goDriven) target() etf.Term { return etf.Tuple{atomSpawner, etf.Atom(s.peer.name)} }

// Run counts the context switches of this process and, for go-go, of the
// Go peer process: both are the Go side.
func (s *goDriven) Run(ctx context.Context, c Case) (Result, error) {
	pids := selfPID()
	if s.goPeer {
		pids = append(pids, s.peer.pid)
	}
	return withCtxSwitches(pids, c, func() (Result, error) {
		switch c.Workload.Name {
		case RefTCPLimit:
			return runTCPLimit(ctx, s.peer.tcp, c)
		case RefTCPPingPong:
			return runTCPPingPong(ctx, s.peer.tcp, c)
		}
		return s.d.run(ctx, c, s.target())
	})
}

func (s *goDriven) Close() error {
	stopGoNode(s.n)
	s.peer.kill()
	s.n, s.peer = nil, nil
	return nil
}

// goGo is the Go<->Go loopback side: a driver node in this process and a
// receiving node in a re-executed copy of this program (Env.PeerCommand).
type goGo struct{ goDriven }

// NewGoGo returns the Go<->Go loopback side. It needs Env.PeerCommand.
func NewGoGo(env *Env) Side { return &goGo{goDriven{env: env, goPeer: true}} }

func (s *goGo) Name() string             { return SideGoGo }
func (s *goGo) Baseline() string         { return SideBEAMBEAM }
func (s *goGo) Supports(w Workload) bool { return !w.LocalOnly && w.Kind != KindShape }

func (s *goGo) Start(ctx context.Context) error {
	if len(s.env.PeerCommand) == 0 {
		return fmt.Errorf("%w: no peer command to host the receiving Go node", ErrUnavailable)
	}
	port, err := s.env.EPMDPort(ctx)
	if err != nil {
		return err
	}
	name := UniqueName("bench_gorx")
	args := append(s.env.PeerCommand[1:len(s.env.PeerCommand):len(s.env.PeerCommand)],
		"-name", name, "-cookie", s.env.Cookie(), "-epmd-port", strconv.Itoa(port))
	args = append(args, s.env.PeerArgs...)
	if s.peer, err = startLineProc(ctx, name, exec.Command(s.env.PeerCommand[0], args...)); err != nil {
		return err
	}
	return s.startDriver(ctx)
}

// goBEAM is the Go->BEAM side: Go senders and callers in this process,
// receivers and gen_server echo servers on an erl node.
type goBEAM struct{ goDriven }

// NewGoBEAM returns the Go->BEAM side.
func NewGoBEAM(env *Env) Side { return &goBEAM{goDriven{env: env}} }

func (s *goBEAM) Name() string     { return SideGoBEAM }
func (s *goBEAM) Baseline() string { return SideBEAMBEAM }
func (s *goBEAM) Supports(w Workload) bool {
	return !w.LocalOnly && !w.Reference && w.Kind != KindShape
}

func (s *goBEAM) Start(ctx context.Context) error {
	port, err := s.env.EPMDPort(ctx)
	if err != nil {
		return err
	}
	s.peer, err = s.env.startErl(ctx, erlNodeOptions{name: UniqueName("bench_erx"), cookie: s.env.Cookie(), epmdPort: port, eval: "erlgo_bench:peer()"})
	if err != nil {
		return err
	}
	return s.startDriver(ctx)
}

// beamGo is the BEAM->Go side: erl senders and callers (the same driver
// code as beam-beam), receivers and echo servers on a Go node in this
// process. The node runs interop's services, as a BEAM node runs kernel's,
// so that shape-erpc32k's erpc:call reaches it.
type beamGo struct {
	env    *Env
	n      *node.Node
	svc    *interop.Services
	driver *erlNode
}

// NewBEAMGo returns the BEAM->Go side.
func NewBEAMGo(env *Env) Side { return &beamGo{env: env} }

func (s *beamGo) Name() string             { return SideBEAMGo }
func (s *beamGo) Baseline() string         { return SideBEAMBEAM }
func (s *beamGo) Supports(w Workload) bool { return !w.LocalOnly && !w.Reference }

func (s *beamGo) Start(ctx context.Context) error {
	port, err := s.env.EPMDPort(ctx)
	if err != nil {
		return err
	}
	if s.n, err = startGoNode(ctx, s.env, "bench_gorx", true); err != nil {
		return err
	}
	if err := spawnSpawner(s.n); err != nil {
		return err
	}
	if s.svc, err = interop.Start(ctx, s.n, interop.WithLogger(quietLogger())); err != nil {
		return err
	}
	registerEcho(s.svc)
	s.driver, err = s.env.startErl(ctx, erlNodeOptions{name: UniqueName("bench_etx"), cookie: s.env.Cookie(), epmdPort: port, eval: "erlgo_bench:serve()"})
	if err != nil {
		return err
	}
	if _, err := s.driver.command(ctx, "connect "+string(s.n.Name())); err != nil {
		if strings.Contains(err.Error(), "ERROR pang") {
			return fmt.Errorf("%w: node distribution (erl cannot connect to the Go node: pang)", ErrNotBuilt)
		}
		return err
	}
	return nil
}

func (s *beamGo) Run(ctx context.Context, c Case) (Result, error) {
	if !s.Supports(c.Workload) {
		return Result{}, ErrUnsupported
	}
	return withCtxSwitches(selfPID(), c, func() (Result, error) { return runErlCase(ctx, s.driver, c, string(s.n.Name())) })
}

func (s *beamGo) Close() error {
	s.driver.kill()
	if s.svc != nil {
		s.svc.Stop()
	}
	stopGoNode(s.n)
	s.n, s.svc, s.driver = nil, nil, nil
	return nil
}

// NewSides builds the named sides (all of SideNames when names is empty),
// in report order.
func NewSides(env *Env, names []string) ([]Side, error) {
	if len(names) == 0 {
		names = SideNames()
	}
	want := map[string]bool{}
	for _, n := range names {
		known := false
		for _, k := range SideNames() {
			known = known || k == n
		}
		if !known {
			return nil, fmt.Errorf("%w: %q (known: %s)", ErrUnknownSide, n, strings.Join(SideNames(), ", "))
		}
		want[n] = true
	}
	ctors := map[string]func(*Env) Side{
		SideBEAMLocal: NewBEAMLocal, SideBEAMBEAM: NewBEAMBEAM, SideGoLocal: NewGoLocal,
		SideGoGo: NewGoGo, SideGoBEAM: NewGoBEAM, SideBEAMGo: NewBEAMGo,
	}
	var sides []Side
	for _, n := range SideNames() {
		if want[n] {
			sides = append(sides, ctors[n](env))
		}
	}
	return sides, nil
}
