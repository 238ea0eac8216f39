package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

// Well-known exit reasons.
const (
	Normal       = etf.Atom("normal")
	Kill         = etf.Atom("kill")
	Killed       = etf.Atom("killed")
	Shutdown     = etf.Atom("shutdown")
	NoProc       = etf.Atom("noproc")
	NoConnection = etf.Atom("noconnection")
	atomTimeout  = etf.Atom("timeout")
)

// ExitError is an Erlang exit reason carried as a Go error. A handler that
// returns an *ExitError exits with exactly its Reason (return
// &ExitError{Reason: node.Normal} to stop normally); a Call that fails because
// the callee exited returns one holding the callee's exit reason.
//
// Two ExitErrors match under errors.Is when their reasons are equal terms, so
// errors.Is(err, ErrNoProc) works for any error whose reason is noproc.
type ExitError struct {
	Reason etf.Term
	// err is the registered Go error Reason carries (see WithRegistry),
	// so that errors.Is and errors.As find it.
	err error
}

// Error formats the reason, or the registered error it carries.
func (e *ExitError) Error() string {
	if e.err != nil {
		return "exit: " + e.err.Error()
	}
	return fmt.Sprintf("exit: %v", e.Reason)
}

// Unwrap returns the registered Go error the reason carries (a node
// started WithRegistry decodes it from {error, Name} or {error, Value}),
// or nil.
func (e *ExitError) Unwrap() error { return e.err }

// Is reports whether target is an *ExitError with an equal reason. The
// timeout reason also matches context.DeadlineExceeded.
func (e *ExitError) Is(target error) bool {
	if target == context.DeadlineExceeded {
		return e.Reason == atomTimeout
	}
	t, ok := target.(*ExitError)
	return ok && etf.Equal(e.Reason, t.Reason)
}

// Sentinel errors. All are *ExitError values, so a handler that returns one
// exits with the matching Erlang reason.
var (
	// ErrNoProc: the target process does not exist (reason noproc).
	ErrNoProc error = &ExitError{Reason: NoProc}
	// ErrNoConnection: the target's node is unreachable or the connection
	// was lost (reason noconnection).
	ErrNoConnection error = &ExitError{Reason: NoConnection}
	// ErrTimeout: a Call's deadline passed (reason timeout). It also matches
	// context.DeadlineExceeded under errors.Is.
	ErrTimeout error = &ExitError{Reason: atomTimeout}
)

// Errors that are not exit reasons.
var (
	// ErrStopped is returned by operations on a node that has been stopped.
	ErrStopped = errors.New("node: stopped")
	// ErrNameTaken is returned by Register when the name is in use, or the
	// process already has a name.
	ErrNameTaken = errors.New("node: name already registered")
	// ErrMailboxFull is returned by a local Send to a bounded mailbox that
	// is full; the message was dropped.
	ErrMailboxFull = errors.New("node: mailbox full")
	// ErrBadTarget is returned when a send/call/monitor target is not a
	// PID, Atom, Name, {Name, Node} tuple or Alias.
	ErrBadTarget = errors.New("node: bad target")
	// ErrNotAlive is returned by process operations after the process exited.
	ErrNotAlive = errors.New("node: process not alive")
)

// ReasonOf is the exit reason of a handler (or an actor callback) that
// returned err: an *ExitError anywhere in the chain gives its Reason, any
// other error gives {error, <<"message">>}.
func ReasonOf(err error) etf.Term { return reasonOf(err) }

// reasonOf converts an error returned by a handler into an exit reason:
// an *ExitError anywhere in the chain gives its Reason, any other error
// gives {error, <<"message">>}.
func reasonOf(err error) etf.Term {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Reason
	}
	return etf.Tuple{etf.Atom("error"), []byte(err.Error())}
}

// errorOf is the inverse of reasonOf for results handed to Go callers: the
// well-known sentinels are returned as themselves so that == works too; a
// reason that carries an error registered in the node's registry gives an
// *ExitError wrapping it.
func (n *Node) errorOf(reason etf.Term) error {
	if reg := n.cfg.registry; reg != nil {
		if err, ok := reg.TermError(reason); ok {
			return &ExitError{Reason: reason, err: err}
		}
	}
	return errorOf(reason)
}

// reasonOf is ReasonOf with the node's registry: registered errors become
// {error, Name} or {error, Value} instead of {error, <<"text">>}.
func (n *Node) reasonOf(err error) etf.Term {
	if reg := n.cfg.registry; reg != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			return reg.ErrorTerm(err)
		}
	}
	return reasonOf(err)
}

// ReasonOf is the exit reason of a handler on this node that returned
// err: as the package's ReasonOf, except that an error registered in the
// node's registry (WithRegistry) gives its registered term, {error, Name}
// for a sentinel, {error, Value} for an error type.
func (n *Node) ReasonOf(err error) etf.Term { return n.reasonOf(err) }

func errorOf(reason etf.Term) error {
	switch reason {
	case NoProc:
		return ErrNoProc
	case NoConnection:
		return ErrNoConnection
	case atomTimeout:
		return ErrTimeout
	}
	return &ExitError{Reason: reason}
}

// Spawn request errors: the reasons of OTP's {spawn_reply, ReqId, error,
// Reason}, returned by RemoteSpawn and carried by SpawnReplyMsg.Err (which
// may also be ErrNoConnection). Like the sentinels above they are
// *ExitError values.
var (
	// ErrBadOpt: an invalid spawn option (reason badopt), refused here or
	// by the peer.
	ErrBadOpt error = &ExitError{Reason: etf.Atom("badopt")}
	// ErrNotSup: the peer does not support remote spawn, its connection
	// lacks DFLAG_SPAWN (reason notsup).
	ErrNotSup error = &ExitError{Reason: etf.Atom("notsup")}
	// ErrSystemLimit: the process could not be created (reason
	// system_limit), e.g. the peer is shutting down.
	ErrSystemLimit error = &ExitError{Reason: etf.Atom("system_limit")}
)
