package bench

import (
	"context"
	"errors"
)

// Side names.
const (
	SideBEAMLocal = "beam-local" // one erl node, sender and receiver processes in it
	SideBEAMBEAM  = "beam-beam"  // two erl nodes over loopback distribution
	SideGoLocal   = "go-local"   // one erlgo node in this process
	SideGoGo      = "go-go"      // this process and a re-executed peer process over loopback
	SideGoBEAM    = "go-beam"    // Go senders/callers, erl receivers/servers
	SideBEAMGo    = "beam-go"    // erl senders/callers, Go receivers/servers
)

// SideNames lists every side in report order.
func SideNames() []string {
	return []string{SideBEAMLocal, SideGoLocal, SideBEAMBEAM, SideGoGo, SideGoBEAM, SideBEAMGo}
}

// beamSide runs workloads in an erl driver node; with remote set, receivers
// and echo servers live in a second erl node connected over loopback.
type beamSide struct {
	env    *Env
	remote bool
	driver *erlNode
	peer   *erlNode
	otp    string
}

// NewBEAMLocal returns the BEAM local side: senders and receivers in one erl
// node (no distribution).
func NewBEAMLocal(env *Env) Side { return &beamSide{env: env} }

// NewBEAMBEAM returns the BEAM<->BEAM loopback side: senders and callers on
// one erl node, receivers and echo servers on another, in separate OS
// processes connected by Erlang distribution over 127.0.0.1.
func NewBEAMBEAM(env *Env) Side { return &beamSide{env: env, remote: true} }

func (s *beamSide) Name() string {
	if s.remote {
		return SideBEAMBEAM
	}
	return SideBEAMLocal
}

func (s *beamSide) Baseline() string { return "" }

// Supports: the shapes cross a connection, so beam-local does not run them.
func (s *beamSide) Supports(w Workload) bool {
	if s.remote {
		return !w.Reference && !w.LocalOnly
	}
	return !w.Reference && w.Kind != KindShape
}

// OTPRelease returns the OTP release the driver node reported, once started.
func (s *beamSide) OTPRelease() string { return s.otp }

func (s *beamSide) Start(ctx context.Context) error {
	if !s.remote {
		n, err := s.env.startErl(ctx, erlNodeOptions{eval: "erlgo_bench:serve()"})
		if err != nil {
			return err
		}
		s.driver, s.otp = n, n.otp
		return nil
	}
	port, err := s.env.EPMDPort(ctx)
	if err != nil {
		return err
	}
	cookie := s.env.Cookie()
	s.peer, err = s.env.startErl(ctx, erlNodeOptions{name: UniqueName("bench_rx"), cookie: cookie, epmdPort: port, eval: "erlgo_bench:peer()"})
	if err != nil {
		return err
	}
	s.driver, err = s.env.startErl(ctx, erlNodeOptions{name: UniqueName("bench_tx"), cookie: cookie, epmdPort: port, eval: "erlgo_bench:serve()"})
	if err != nil {
		return err
	}
	s.otp = s.driver.otp
	if _, err := s.driver.command(ctx, "connect "+s.peer.name); err != nil {
		return err
	}
	return nil
}

func (s *beamSide) Run(ctx context.Context, c Case) (Result, error) {
	if !s.Supports(c.Workload) {
		return Result{}, ErrUnsupported
	}
	if s.driver == nil {
		return Result{}, errors.New("side not started")
	}
	target, pids := "local", []int{s.driver.pid}
	if s.remote {
		target, pids = s.peer.name, append(pids, s.peer.pid)
	}
	return withCtxSwitches(pids, c, func() (Result, error) { return runErlCase(ctx, s.driver, c, target) })
}

// runErlCase asks an erlgo_bench driver node to run c against target
// ("local" or a node name) and parses its answer.
func runErlCase(ctx context.Context, driver *erlNode, c Case, target string) (Result, error) {
	line, err := driver.command(ctx, erlCommand(c, target))
	if err != nil {
		return Result{}, err
	}
	return ParseResult(line, c)
}

func (s *beamSide) Close() error {
	s.driver.kill()
	s.peer.kill()
	s.driver, s.peer = nil, nil
	return nil
}
