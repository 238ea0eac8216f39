// Spec: kernel erpc, https://www.erlang.org/doc/man/erpc.html

package interop

import (
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var (
	atomReturn = etf.Atom("return")
	atomErpc   = etf.Atom("erpc")
)

// erpcResult shapes an outcome as OTP's erpc:execute_call/4 exit reason:
// {Ref, return, V} | {Ref, throw, R} | {Ref, exit, R} | {Ref, error, R, Stack}.
func erpcResult(ref etf.Term, o outcome) etf.Tuple {
	switch o.class {
	case "":
		return etf.Tuple{ref, atomReturn, o.value}
	case ClassError:
		return etf.Tuple{ref, etf.Atom(ClassError), o.reason, o.stack}
	default:
		return etf.Tuple{ref, etf.Atom(o.class), o.reason}
	}
}

// erpcArgs splits [M, F, A].
func erpcArgs(args etf.List) (m, f etf.Atom, a etf.List, ok bool) {
	if len(args) != 3 {
		return "", "", nil, false
	}
	m, ok1 := args[0].(etf.Atom)
	f, ok2 := args[1].(etf.Atom)
	a, ok3 := etf.AsList(args[2])
	return m, f, a, ok1 && ok2 && ok3
}

// erpcProc is a process spawned by SPAWN_REQUEST of erpc:execute_call/4
// or erpc:execute_cast/3. It runs the function in Init and exits with the
// result as its reason, which reaches the caller as the DOWN reason. Init
// may block that long: node runs a requested process's Init and first
// batch on a goroutine of the request's own, never the connection's, so
// the call needs no message to itself to leave Init (the self-send cost a
// queue per erpc call, ~6% of the Go CPU in bench shape-erpc32k).
type erpcProc struct {
	s      *Services
	ref    etf.Term // nil for a cast
	m, f   etf.Atom
	args   etf.List
	isCast bool
}

// Init runs the call; its error is the process's exit (node exits a
// process whose Init fails with that reason, Terminate skipped).
func (e *erpcProc) Init(p *node.Process) error {
	o := e.s.apply(p, e.m, e.f, e.args)
	if !e.isCast {
		return &node.ExitError{Reason: erpcResult(e.ref, o)}
	}
	switch o.class {
	case "":
		return errStopNormal
	case ClassThrow:
		return &node.ExitError{Reason: etf.Tuple{etf.Atom("nocatch"), o.reason}}
	case ClassExit:
		return &node.ExitError{Reason: o.reason}
	default:
		p.Logger().Warn("erpc:cast raised", "mfa", MFA{e.m, e.f, len(e.args)}.String(), "reason", etf.Format(o.reason))
		return &node.ExitError{Reason: etf.Tuple{etf.Atom("exception"), etf.Tuple{o.reason, o.stack}}}
	}
}

// HandleMessage is never reached: Init always ends the process.
func (e *erpcProc) HandleMessage(*node.Process, etf.Term) error { return nil }

func (e *erpcProc) Terminate(*node.Process, etf.Term) {}

// executeCall is the SpawnFactory of {erpc, execute_call, 4}: [Ref, M, F, A].
func (s *Services) executeCall(args etf.List) (node.Behavior, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("interop: erpc:execute_call/4 with %d arguments", len(args))
	}
	m, f, a, ok := erpcArgs(args[1:])
	if !ok {
		return nil, fmt.Errorf("interop: erpc:execute_call/4: bad arguments %s", etf.Format(args))
	}
	return &erpcProc{s: s, ref: args[0], m: m, f: f, args: a}, nil
}

// executeCast is the SpawnFactory of {erpc, execute_cast, 3}: [M, F, A].
func (s *Services) executeCast(args etf.List) (node.Behavior, error) {
	m, f, a, ok := erpcArgs(args)
	if !ok {
		return nil, fmt.Errorf("interop: erpc:execute_cast/3: bad arguments %s", etf.Format(args))
	}
	return &erpcProc{s: s, m: m, f: f, args: a, isCast: true}, nil
}
