package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Caller makes gen_server calls: *node.Node, *node.Process and *Process
// all implement it.
type Caller interface {
	Call(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error)
}

// Sender sends messages: *node.Node, *node.Process and *Process all
// implement it.
type Sender interface {
	Send(to etf.Term, msg etf.Term) error
}

// Call makes a gen_server call and converts the reply to R with etf.As:
//
//	n, err := actors.Call[int](ctx, p, etf.Tuple{etf.Atom("counter"), peer}, etf.Atom("get"))
//
// When the caller's node has a type registry (node.WithRegistry), R may be
// a registered type and the reply converts with etf.AsRegistered, so
// Call[Order] gets the Order whether the server is local, a Go actor on
// another node or a gen_server on BEAM replying %Shop.Order{} or a record.
// A reply that is an error (a Go error value from a local server, or
// {error, Name} / {error, Value} carrying a registered error) is returned
// as the error when R is not an error type itself.
//
// Errors are those of node's Call (node.ErrNoProc at once for a missing
// process, node.ErrNoConnection, node.ErrTimeout which matches
// context.DeadlineExceeded, an *node.ExitError with the server's exit
// reason, which unwraps to the registered error it carries), or a
// conversion error from etf when the reply does not fit R.
// Without a ctx deadline the node's call timeout (5 s by default) applies.
func Call[R any](ctx context.Context, c Caller, to etf.Term, req etf.Term) (R, error) {
	var zero R
	reply, err := c.Call(ctx, to, req)
	if err != nil {
		return zero, err
	}
	if r, ok := reply.(R); ok {
		return r, nil
	}
	if e, ok := reply.(error); ok {
		return zero, e
	}
	if reg := registryOf(c); reg != nil {
		if e, ok := reg.TermError(reply); ok {
			return zero, e
		}
		return etf.AsRegistered[R](reg, reply)
	}
	return etf.As[R](reply)
}

// registryOf returns the type registry of c's node, if c has one.
func registryOf(c Caller) *etf.Registry {
	if r, ok := c.(interface{ Registry() *etf.Registry }); ok {
		return r.Registry()
	}
	return nil
}

// Cast sends {'$gen_cast', msg} to "to" (gen_server:cast): it never fails
// because the target is missing.
func Cast(s Sender, to etf.Term, msg etf.Term) error {
	err := s.Send(to, node.GenCastMsg(msg))
	if err != nil && !isNoProc(err) {
		return err
	}
	return nil
}

func isNoProc(err error) bool { return errors.Is(err, node.ErrNoProc) }

// defaultSysTimeout is sys's default timeout.
const defaultSysTimeout = 5 * time.Second

// GetState returns the state of a gen_server-like process, Go or Erlang
// (sys:get_state/1).
func GetState(ctx context.Context, n *node.Node, to etf.Term) (etf.Term, error) {
	return sysCall(ctx, n, to, etf.Atom("get_state"), false)
}

// GetStatus returns sys:get_status/1's answer.
func GetStatus(ctx context.Context, n *node.Node, to etf.Term) (etf.Term, error) {
	return sysCall(ctx, n, to, etf.Atom("get_status"), false)
}

// Suspend suspends a process (sys:suspend/1): it then handles only system
// messages until Resume.
func Suspend(ctx context.Context, n *node.Node, to etf.Term) error {
	_, err := sysCall(ctx, n, to, etf.Atom("suspend"), false)
	return err
}

// Resume resumes a suspended process (sys:resume/1).
func Resume(ctx context.Context, n *node.Node, to etf.Term) error {
	_, err := sysCall(ctx, n, to, etf.Atom("resume"), false)
	return err
}

// ReplaceState replaces a local Go actor's state (sys:replace_state/2):
// the actor must implement StateReplacer. It returns the new state.
func ReplaceState(ctx context.Context, n *node.Node, to etf.Term, f ReplaceFunc) (etf.Term, error) {
	r, err := sysCall(ctx, n, to, etf.Tuple{etf.Atom("replace_state"), f}, false)
	if err != nil {
		return nil, err
	}
	if t, ok := r.(etf.Tuple); ok && len(t) == 2 && t[0] == atomError {
		return nil, fmt.Errorf("actors: replace_state: %v", t[1])
	}
	return r, nil
}

// StopProcess stops a gen_server-like process with reason and waits until
// it has exited (gen_server:stop/3): its Terminate runs.
func StopProcess(ctx context.Context, n *node.Node, to etf.Term, reason etf.Term) error {
	_, err := sysCall(ctx, n, to, etf.Tuple{etf.Atom("terminate"), reason}, true)
	return err
}

// sysCall is gen:call with label system (the sys module's requests), on
// node's one call path. With waitExit it also waits for the target's exit
// after the reply, as gen_server:stop does.
func sysCall(ctx context.Context, n *node.Node, to, req etf.Term, waitExit bool) (etf.Term, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultSysTimeout)
		defer cancel()
	}
	reply, err := n.CallSystem(ctx, to, req)
	if err != nil || !waitExit {
		return reply, err
	}
	if _, err := n.WaitDown(ctx, to); err != nil {
		return nil, err
	}
	return reply, nil
}
