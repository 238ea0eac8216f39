// Package demo is what the erlgo demo node (erlgo node) hosts. The names
// and behaviours are an external contract, driven by acceptance tests from
// Erlang and Elixir:
//
//   - echo, a gen_server: a call with T replies T; a cast {send, Pid, T}
//     sends T to Pid; an info message {Pid, T} sends {echo, T} to Pid;
//   - demo_sup, a simple_one_for_one supervisor of demo_worker children
//     (restart transient): supervisor:start_child({demo_sup, GoNode}, [Owner])
//     returns {ok, Pid};
//   - demo_worker, spawnable from BEAM as spawn(GoNode, demo_worker, start,
//     [Owner]) (see Worker for the messages it handles);
//   - rpc functions demo:add/2, demo:echo/1, demo:fail/1, demo:sleep/1 and
//     demo:node_info/0.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// Registered names and module names of the contract.
const (
	EchoName       etf.Atom = "echo"
	SupName        etf.Atom = "demo_sup"
	WorkerModule   etf.Atom = "demo_worker"
	WorkerFunction etf.Atom = "start"
	RPCModule      etf.Atom = "demo"
)

// Demo is the set of demo processes and functions running on a node.
type Demo struct {
	n       *node.Node
	s       *interop.Services
	started time.Time
	pids    []etf.PID
}

// Start hosts the demo on n, whose cluster services s are already running.
func Start(ctx context.Context, n *node.Node, s *interop.Services) (*Demo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := &Demo{n: n, s: s, started: time.Now()}
	d.registerFunctions()
	if err := interop.RegisterSpawnable(n, WorkerModule, WorkerFunction, SpawnWorker); err != nil {
		n.Logger().Warn("demo: demo_worker is not spawnable from BEAM", "err", err)
	}
	echo, err := actors.Spawn(n, &Echo{}, node.WithName(EchoName))
	if err != nil {
		return nil, fmt.Errorf("demo: start echo: %w", err)
	}
	d.pids = append(d.pids, echo)
	sup, err := actors.Spawn(n, NewSupervisor(), node.WithName(SupName))
	if err != nil {
		return nil, fmt.Errorf("demo: start demo_sup: %w", err)
	}
	d.pids = append(d.pids, sup)
	return d, nil
}

// Echo is the echo gen_server: a call with T replies T; a cast
// {send, Pid, T} sends T to Pid; an info message {Pid, T} sends {echo, T}
// to Pid.
type Echo struct{ actors.Base }

// HandleCall replies with the request.
func (*Echo) HandleCall(_ *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	return req, nil
}

// HandleCast serves {send, Pid, T}.
func (*Echo) HandleCast(p *actors.Process, msg etf.Term) error {
	if c, ok := msg.(etf.Tuple); ok && len(c) == 3 && c[0] == etf.Atom("send") {
		_ = p.Send(c[1], c[2])
	}
	return nil
}

// HandleInfo serves {Pid, T}.
func (*Echo) HandleInfo(p *actors.Process, msg etf.Term) error {
	if t, ok := msg.(etf.Tuple); ok && len(t) == 2 {
		if pid, ok := t[0].(etf.PID); ok {
			_ = p.Send(pid, etf.Tuple{EchoName, t[1]})
		}
	}
	return nil
}

// NewSupervisor returns demo_sup: a simple_one_for_one supervisor of
// transient demo_worker children allowing 10 restarts in 5 seconds (more
// than OTP's default of 1, since the demo crashes children on purpose).
func NewSupervisor() *actors.Supervisor {
	return &actors.Supervisor{
		Strategy:  actors.SimpleOneForOne,
		Intensity: 10,
		Period:    5 * time.Second,
		Children: []actors.ChildSpec{{
			ID:      string(WorkerModule),
			Start:   WorkerFactory,
			Restart: actors.Transient,
			Modules: []etf.Atom{WorkerModule},
		}},
	}
}

func (d *Demo) registerFunctions() {
	d.s.Register(RPCModule, "add", 2, func(_ context.Context, a etf.List) (etf.Term, error) {
		return add(a[0], a[1])
	})
	d.s.Register(RPCModule, "echo", 1, func(_ context.Context, a etf.List) (etf.Term, error) {
		return a[0], nil
	})
	d.s.Register(RPCModule, "fail", 1, func(_ context.Context, a etf.List) (etf.Term, error) {
		return nil, interop.Raise(a[0])
	})
	d.s.Register(RPCModule, "sleep", 1, interop.Func1(func(ctx context.Context, ms int) (etf.Atom, error) {
		if ms < 0 {
			return "", interop.Raise(etf.Atom("badarg"))
		}
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return "ok", nil
		case <-ctx.Done():
			return "", interop.Exit(etf.Atom("shutdown"))
		}
	}))
	d.s.Register(RPCModule, "node_info", 0, func(context.Context, etf.List) (etf.Term, error) {
		return d.NodeInfo(), nil
	})
}

// NodeInfo is demo:node_info(): a map with name, creation, uptime_ms,
// processes, registered names and the implementation.
func (d *Demo) NodeInfo() etf.Map {
	reg := d.n.Registered()
	names := make(etf.List, len(reg))
	for i, r := range reg {
		names[i] = r
	}
	return etf.Map{
		{Key: etf.Atom("name"), Value: d.n.Name()},
		{Key: etf.Atom("creation"), Value: int(d.n.Creation())},
		{Key: etf.Atom("uptime_ms"), Value: int(time.Since(d.started).Milliseconds())},
		{Key: etf.Atom("processes"), Value: d.n.ProcessCount()},
		{Key: etf.Atom("registered"), Value: names},
		{Key: etf.Atom("implementation"), Value: etf.Binary("erlgo")},
	}
}

// add is demo:add/2 on integers (of any size) and floats; anything else
// raises badarith as BEAM's + does.
func add(a, b etf.Term) (etf.Term, error) {
	switch x := a.(type) {
	case int:
		switch y := b.(type) {
		case int:
			s := new(big.Int).Add(big.NewInt(int64(x)), big.NewInt(int64(y)))
			return etf.BigInt(s), nil
		case float64:
			return float64(x) + y, nil
		case *big.Int:
			return etf.BigInt(new(big.Int).Add(big.NewInt(int64(x)), y)), nil
		}
	case float64:
		switch y := b.(type) {
		case int:
			return x + float64(y), nil
		case float64:
			return x + y, nil
		}
	case *big.Int:
		switch y := b.(type) {
		case int:
			return etf.BigInt(new(big.Int).Add(x, big.NewInt(int64(y)))), nil
		case *big.Int:
			return etf.BigInt(new(big.Int).Add(x, y)), nil
		}
	}
	return nil, interop.Raise(etf.Atom("badarith"))
}

var errBadOwner = errors.New("demo: demo_worker:start/1 wants [OwnerPid]")
