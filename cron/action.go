package cron

import (
	"context"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Action is what a job does when it runs: Send, Spawn or Func.
type Action interface {
	// String describes the action for logs and JobInfo.
	String() string
	run(s *server, j *job, at time.Time)
	valid() bool
}

// Send returns an action that sends msg to "to" from the cron process:
// a pid, a registered name (etf.Atom), a node.Name or {Name, Node} on any
// node. A send to a name that is not registered here, or to a local pid
// that is not alive, fails. A send to another node first connects to it
// (bounded by WithConnectTimeout) and fails if that does not work; runs
// due meanwhile are skipped (ErrStillRunning). What happens after that is
// erlang:send/2's business: a remote name that is not registered drops
// the message without an error, as on BEAM.
func Send(to etf.Term, msg etf.Term) Action { return sendAction{to: to, msg: msg} }

type sendAction struct{ to, msg etf.Term }

func (a sendAction) String() string { return "send to " + etf.Format(a.to) }

func (a sendAction) valid() bool { return a.to != nil }

func (a sendAction) run(s *server, j *job, at time.Time) {
	if j.running {
		s.fail(j, at, ErrStillRunning)
		return
	}
	p := s.p
	if peer, remote := remoteNode(p.Node(), a.to); remote && !isConnected(p.Node(), peer) {
		j.running = true
		s.connectThen(j, at, peer, a)
		return
	}
	s.finish(j, at, a.deliver(s))
}

// deliver sends the message and reports a local target that is missing.
func (a sendAction) deliver(s *server) error {
	if err := s.p.Send(a.to, a.msg); err != nil {
		return err
	}
	if pid, ok := a.to.(etf.PID); ok && pid.Node == s.p.Node().Name() && !s.p.Node().IsAlive(pid) {
		return fmt.Errorf("%w: %s is not alive", node.ErrNoProc, pid)
	}
	return nil
}

// remoteNode returns the node a Send target lives on, when not this one.
func remoteNode(n *node.Node, to etf.Term) (etf.Atom, bool) {
	var peer etf.Atom
	switch t := to.(type) {
	case etf.PID:
		peer = t.Node
	case node.Name:
		peer = t.Node
	case *node.Name:
		peer = t.Node
	case etf.Tuple:
		if len(t) == 2 {
			peer, _ = t[1].(etf.Atom)
		}
	}
	return peer, peer != "" && peer != n.Name()
}

func isConnected(n *node.Node, peer etf.Atom) bool {
	for _, c := range n.ConnectedNodes() {
		if c == peer {
			return true
		}
	}
	return false
}

// Spawn returns an action that starts a process running the Behavior
// newB returns (a fresh one per run) with opts, monitored by the cron
// process: a spawn that fails and a process that exits with a reason
// other than normal are reported as failures (JobFailed.Err is then an
// *node.ExitError). The process is not linked to the cron process.
func Spawn(newB func(at time.Time) node.Behavior, opts ...node.SpawnOption) Action {
	return spawnAction{newB: newB, opts: opts}
}

type spawnAction struct {
	newB func(at time.Time) node.Behavior
	opts []node.SpawnOption
}

func (spawnAction) String() string { return "spawn" }

func (a spawnAction) valid() bool { return a.newB != nil }

func (a spawnAction) run(s *server, j *job, at time.Time) {
	b, err := callSafely(s.p.Process, j.name, func() (node.Behavior, error) { return a.newB(at), nil })
	if err != nil {
		s.finish(j, at, err)
		return
	}
	_, ref, err := s.p.SpawnMonitor(b, a.opts...)
	if err != nil {
		s.finish(j, at, err)
		return
	}
	s.spawned[ref] = spawnRun{j: j, at: at}
	s.finish(j, at, nil)
}

// SpawnOn returns an action that spawns module:function(args) on another
// node (erlang:spawn_request/5 with a monitor): any exported function on a
// BEAM node, a registered spawnable (node.RegisterSpawnable) on a Go node.
// The request never blocks the cron process; the run is counted when the
// spawn reply arrives. A refused or failed spawn (node.ErrNoConnection for
// an unreachable node, an *node.ExitError) and a process that exits with a
// reason other than normal are reported as failures.
func SpawnOn(peer, module, function etf.Atom, args etf.List) Action {
	return spawnOnAction{peer: peer, module: module, function: function, args: args}
}

type spawnOnAction struct {
	peer, module, function etf.Atom
	args                   etf.List
}

func (a spawnOnAction) String() string {
	return fmt.Sprintf("spawn %s:%s/%d on %s", a.module, a.function, len(a.args), a.peer)
}

func (a spawnOnAction) valid() bool { return a.peer != "" && a.module != "" && a.function != "" }

func (a spawnOnAction) run(s *server, j *job, at time.Time) {
	if j.running {
		s.fail(j, at, ErrStillRunning)
		return
	}
	ref, err := s.p.SpawnRequest(a.peer, a.module, a.function, a.args, node.SpawnMonitor())
	if err != nil {
		s.finish(j, at, err)
		return
	}
	j.running = true // until the reply
	s.spawned[ref] = spawnRun{j: j, at: at, pending: true}
}

// Func returns an action that calls f(ctx, at) on a goroutine of its own,
// at being the time the run was due; ctx ends when the cron process exits.
// An error or a panic (recovered, wrapped in ErrPanic) is reported as a
// failure. A run that is due while the previous one has not returned is
// skipped and reported with ErrStillRunning.
func Func(f func(ctx context.Context, at time.Time) error) Action { return funcAction{f: f} }

type funcAction struct {
	f func(ctx context.Context, at time.Time) error
}

func (funcAction) String() string { return "func" }

func (a funcAction) valid() bool { return a.f != nil }

func (a funcAction) run(s *server, j *job, at time.Time) {
	if j.running {
		s.fail(j, at, ErrStillRunning)
		return
	}
	j.running = true
	ctx, self, n, p := s.ctx, s.p.Self(), s.p.Node(), s.p.Process
	go func() {
		_, err := callSafely(p, j.name, func() (struct{}, error) { return struct{}{}, a.f(ctx, at) })
		_ = n.Send(self, funcDone{j: j, at: at, err: err})
	}()
}

// callSafely calls f with node's one panic-recover path (node.Recover
// logs the panic with its stack on p's logger): a panic becomes an error
// wrapping both ErrPanic and the *node.ExitError {panic, <<"text">>}.
func callSafely[T any](p *node.Process, job string, f func() (T, error)) (v T, err error) {
	panicked := true
	defer func() {
		if panicked {
			err = fmt.Errorf("%w: %w", ErrPanic, err)
		}
	}()
	defer node.Recover(&err, p, "cron action panicked", "job", job)
	v, err = f()
	panicked = false
	return v, err
}
