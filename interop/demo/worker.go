package demo

import (
	"context"
	"errors"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Worker is demo_worker: a process owned by a BEAM process (Owner) that
// performs the signals it is asked to and reports to Owner:
//
//	{echo, From, T}        -> From ! {echo, self(), T}
//	{link, Pid}            -> link; Owner ! {linked, self(), Pid}
//	{unlink, Pid}          -> unlink; Owner ! {unlinked, self(), Pid}
//	{monitor, Target}      -> Owner ! {monitoring, self(), Ref}, later
//	                          Owner ! {down, self(), Ref, Reason}
//	{trap_exit, Bool}      -> Owner ! {trap_exit, self(), Bool}
//	exit signal (trapping) -> Owner ! {exit_seen, self(), From, Reason}
//	{exit, Reason}         -> exits with Reason
//	{call, Server, Request, TimeoutMs}
//	                       -> Owner ! {call_result, self(), {ok, Reply} |
//	                          {error, timeout | noproc | noconnection | {exit, Reason}}}
//	{send, To, T}          -> To ! T (pid, name, {Name, Node} or alias)
type Worker struct {
	actors.Base
	Owner etf.PID
}

// WorkerFactory builds a Worker from the arguments [Owner] (of a spawn or
// of supervisor:start_child/2).
func WorkerFactory(args etf.List) (actors.Actor, error) {
	if len(args) != 1 {
		return nil, errBadOwner
	}
	owner, ok := args[0].(etf.PID)
	if !ok {
		return nil, errBadOwner
	}
	return &Worker{Owner: owner}, nil
}

// SpawnWorker is the SpawnFactory of demo_worker:start/1.
func SpawnWorker(args etf.List) (node.Behavior, error) {
	a, err := WorkerFactory(args)
	if err != nil {
		return nil, err
	}
	return actors.NewBehavior(a), nil
}

// Init does nothing: the worker waits for messages (extra args are the
// supervisor's start_child arguments, already taken by WorkerFactory).
func (w *Worker) Init(*actors.Process, ...any) error { return nil }

// HandleInfo handles one plain message (see Worker).
func (w *Worker) HandleInfo(p *actors.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case node.ExitMsg:
		w.report(p, etf.Atom("exit_seen"), m.From, m.Reason)
		if nodeStopping(p, m) {
			return &node.ExitError{Reason: m.Reason}
		}
		return nil
	case node.DownMsg:
		w.report(p, etf.Atom("down"), m.Ref, m.Reason)
		return nil
	case etf.Tuple:
		return w.handle(p, m)
	}
	return nil
}

func (w *Worker) report(p *actors.Process, tag etf.Atom, rest ...etf.Term) {
	t := append(etf.Tuple{tag, p.Self()}, rest...)
	_ = p.Send(w.Owner, t)
}

func (w *Worker) handle(p *actors.Process, m etf.Tuple) error {
	if len(m) == 0 {
		return nil
	}
	tag, _ := m[0].(etf.Atom)
	switch {
	case tag == "echo" && len(m) == 3:
		_ = p.Send(m[1], etf.Tuple{etf.Atom("echo"), p.Self(), m[2]})
	case tag == "link" && len(m) == 2:
		if pid, ok := m[1].(etf.PID); ok {
			// As link/1 in Erlang: on a dead pid a trapping worker gets
			// {'EXIT', Pid, noproc} (Link queued the ExitMsg) and carries
			// on; otherwise link raises noproc and the worker exits with it.
			// A remote dead pid answers later with an exit signal noproc.
			if err := p.Link(pid); errors.Is(err, node.ErrNoProc) && !p.TrapsExits() {
				return err
			}
			w.report(p, "linked", pid)
		}
	case tag == "unlink" && len(m) == 2:
		if pid, ok := m[1].(etf.PID); ok {
			p.Unlink(pid)
			w.report(p, "unlinked", pid)
		}
	case tag == "monitor" && len(m) == 2:
		ref, err := p.Monitor(m[1])
		if err != nil {
			w.report(p, "monitor_failed", m[1])
			return nil
		}
		w.report(p, "monitoring", ref)
	case tag == "trap_exit" && len(m) == 2:
		on := m[1] == etf.Atom("true")
		p.TrapExit(on)
		w.report(p, "trap_exit", m[1])
	case tag == "exit" && len(m) == 2:
		return &node.ExitError{Reason: m[1]}
	case tag == "call" && len(m) == 4:
		w.report(p, "call_result", w.call(p, m[1], m[2], m[3]))
	case tag == "send" && len(m) == 3:
		_ = p.Send(m[1], m[2])
	}
	return nil
}

// call makes a gen_server call from Go and shapes the outcome.
func (w *Worker) call(p *actors.Process, server, req, timeout etf.Term) etf.Term {
	ctx := context.Background()
	if ms, ok := timeout.(int); ok && ms >= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		defer cancel()
	} else if timeout == etf.Atom("infinity") {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 24*time.Hour)
		defer cancel()
	}
	reply, err := p.Call(ctx, server, req)
	errTag := etf.Atom("error")
	var ee *node.ExitError
	switch {
	case err == nil:
		return etf.Tuple{etf.Atom("ok"), reply}
	case errors.Is(err, node.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return etf.Tuple{errTag, etf.Atom("timeout")}
	case errors.Is(err, node.ErrNoProc), errors.Is(err, node.ErrBadTarget):
		return etf.Tuple{errTag, etf.Atom("noproc")}
	case errors.Is(err, node.ErrNoConnection):
		return etf.Tuple{errTag, etf.Atom("noconnection")}
	case errors.As(err, &ee):
		return etf.Tuple{errTag, etf.Tuple{etf.Atom("exit"), ee.Reason}}
	default:
		return etf.Tuple{errTag, etf.Tuple{etf.Atom("exit"), etf.Binary(err.Error())}}
	}
}

// nodeStopping recognises the shutdown exit signal a stopping node sends to
// every process: reason shutdown from a local pid the process is not
// linked to. A trapping worker reports it like any exit signal, then stops
// so that the node's shutdown does not wait for it.
func nodeStopping(p *actors.Process, m node.ExitMsg) bool {
	if m.Reason != node.Shutdown || m.From.Node != p.Node().Name() || !p.Node().Stopping() {
		return false
	}
	for _, l := range p.Links() {
		if l == m.From {
			return false
		}
	}
	return true
}
