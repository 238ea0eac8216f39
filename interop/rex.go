// Spec: kernel rpc, https://www.erlang.org/doc/man/rpc.html

package interop

import (
	"context"
	"errors"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var (
	atomBadRPC = etf.Atom("badrpc")
	atomEXIT   = etf.Atom("EXIT")
)

// rex is the rpc server. It serves:
//
//	call  {call, M, F, A, GL}        -> Value | {badrpc, Reason} (in a worker)
//	call  {block_call, M, F, A, GL}  -> the same, run by rex itself
//	cast  {cast, M, F, A, GL}
//	info  {From, {sbcast, Name, Msg}} and {From, {send, Name, Msg}}
//	info  {From, {call, M, F, A, GL}} (hidden C nodes) -> From ! {rex, Reply}
func (s *Services) rex(p *node.Process, msg etf.Term) error {
	if from, req, ok := node.ParseGenCall(msg); ok {
		s.rexCall(p, from, req)
		return nil
	}
	if req, ok := node.ParseGenCast(msg); ok {
		if m, f, a, gl, ok := mfaGL(req, "cast"); ok {
			s.spawnWorker(p, gl, func(w *node.Process) {
				if o := s.apply(w, m, f, a); o.class != "" {
					w.Logger().Warn("rpc:cast raised", "mfa", MFA{m, f, len(a)}.String(),
						"class", o.class, "reason", etf.Format(o.reason))
				}
			})
		}
		return nil
	}
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 2 {
		return nil
	}
	from, ok := t[0].(etf.PID)
	if !ok {
		return nil
	}
	inner, ok := t[1].(etf.Tuple)
	if !ok || len(inner) < 1 {
		return nil
	}
	switch {
	case len(inner) == 3 && inner[0] == etf.Atom("sbcast"):
		name, _ := inner[1].(etf.Atom)
		reply := etf.Term(s.n.Name())
		if name == "" || p.Send(name, inner[2]) != nil {
			reply = etf.Tuple{etf.Atom("nonexisting_name"), inner[1]}
		}
		s.replier.Send(p, from, etf.Tuple{RexName, s.n.Name(), reply})
	case len(inner) == 3 && inner[0] == etf.Atom("send"):
		name, _ := inner[1].(etf.Atom)
		if name == "" || p.Send(name, etf.Tuple{from, inner[2]}) != nil {
			s.replier.Send(p, from, etf.Tuple{RexName, s.n.Name(), etf.Tuple{etf.Atom("nonexisting_name"), inner[1]}})
		}
	case inner[0] == etf.Atom("call"):
		s.rexCall(p, etf.Tuple{from, RexName}, inner)
	}
	return nil
}

// rexCall serves one gen_server call to rex. Unknown requests get no
// reply, as in OTP's rpc module.
func (s *Services) rexCall(p *node.Process, from, req etf.Term) {
	if m, f, a, gl, ok := mfaGL(req, "call"); ok {
		s.spawnWorker(p, gl, func(w *node.Process) {
			s.replier.Reply(w, from, rexResult(s.apply(w, m, f, a)))
		})
		return
	}
	if m, f, a, gl, ok := mfaGL(req, "block_call"); ok {
		saved := p.GroupLeader()
		p.SetGroupLeader(s.groupLeaderOf(gl))
		res := rexResult(s.apply(p, m, f, a))
		p.SetGroupLeader(saved)
		s.replier.Reply(p, from, res)
	}
}

// rexResult shapes an outcome like OTP's rpc: throw returns the thrown
// value, exit and error become {badrpc, {'EXIT', ...}}.
func rexResult(o outcome) etf.Term {
	switch o.class {
	case "":
		return o.value
	case ClassThrow:
		return o.reason
	case ClassExit:
		return etf.Tuple{atomBadRPC, etf.Tuple{atomEXIT, o.reason}}
	default:
		return etf.Tuple{atomBadRPC, etf.Tuple{atomEXIT, etf.Tuple{o.reason, o.stack}}}
	}
}

// mfaGL splits {Tag, M, F, A, GroupLeader}.
func mfaGL(req etf.Term, tag etf.Atom) (m, f etf.Atom, a etf.List, gl etf.Term, ok bool) {
	t, ok := req.(etf.Tuple)
	if !ok || len(t) != 5 || t[0] != tag {
		return "", "", nil, nil, false
	}
	m, ok1 := t[1].(etf.Atom)
	f, ok2 := t[2].(etf.Atom)
	a, ok3 := etf.AsList(t[3])
	if !ok1 || !ok2 || !ok3 {
		return "", "", nil, nil, false
	}
	return m, f, a, t[4], true
}

// groupLeaderOf resolves the group leader argument of an rpc request: a
// pid, or the atom user (the caller wants this node's own io server).
func (s *Services) groupLeaderOf(gl etf.Term) etf.PID {
	if pid, ok := gl.(etf.PID); ok {
		return pid
	}
	return s.GroupLeader()
}

// worker runs one rpc request in its own process, like the processes rex
// spawns, so that a slow function does not block rex.
type worker struct {
	run func(p *node.Process)
}

type runSignal struct{}

func (w *worker) Init(p *node.Process) error { return p.Send(p.Self(), runSignal{}) }

func (w *worker) HandleMessage(p *node.Process, msg etf.Term) error {
	if _, ok := msg.(runSignal); ok {
		w.run(p)
		return errStopNormal
	}
	return nil
}

func (w *worker) Terminate(*node.Process, etf.Term) {}

func (s *Services) spawnWorker(p *node.Process, gl etf.Term, run func(w *node.Process)) {
	if _, err := p.Spawn(&worker{run: run}, node.WithGroupLeader(s.groupLeaderOf(gl))); err != nil {
		s.log.Warn("interop: rex could not spawn a worker", "err", err)
	}
}

// erpcViaRex implements erpc:execute_call/4 for callers that reach it
// through rex (RPC does, to learn the exception class from any node): the
// shaped result leaves as an exit, exactly as OTP's version exits.
func (s *Services) erpcViaRex(ctx context.Context, args etf.List) (etf.Term, error) {
	m, f, a, ok := erpcArgs(args[1:])
	if !ok {
		return nil, Raise(etf.Atom("badarg"))
	}
	p := Process(ctx)
	if p == nil {
		return nil, errors.New("interop: erpc:execute_call/4 outside a process")
	}
	return nil, Exit(erpcResult(args[0], s.apply(p, m, f, a)))
}
