package actors

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Actor is a gen_server written in Go. One process runs one Actor: its
// callbacks are called one at a time on the process's goroutine, so the
// Actor's fields need no locking.
//
// Returning a non-nil error from any callback stops the actor, as
// {stop, Reason, State} does in OTP: an *node.ExitError (see Stop,
// StopNormal) stops it with its Reason, any other error with
// {error, <<"text">>}. Terminate is then called (see Terminator).
type Actor interface {
	// Init runs inside Spawn/StartLink before any message is handled; args
	// are those given WithArgs (or the extra arguments of a
	// simple_one_for_one start_child). An error makes Spawn fail.
	Init(p *Process, args ...any) error
	// HandleCall answers {'$gen_call', From, Req}. Return the reply, or
	// NoReply and answer later with Reply(p, from, v). A nil reply with a
	// nil error is sent as the atom ok; a reply returned together with an
	// error is sent before the actor stops ({stop, Reason, Reply, State}).
	HandleCall(p *Process, from From, req etf.Term) (etf.Term, error)
	// HandleCast handles {'$gen_cast', Msg}.
	HandleCast(p *Process, msg etf.Term) error
}

// InfoHandler is implemented by actors that handle plain messages
// (handle_info): anything that is not a call, a cast or a sys message,
// including node.ExitMsg (when trapping exits), node.DownMsg,
// node.NodeDownMsg, timer messages from SendAfter and Timeout (see
// Process.SetTimeout). Without it such messages are logged and dropped, as
// gen_server does.
type InfoHandler interface {
	HandleInfo(p *Process, msg etf.Term) error
}

// Terminator is implemented by actors that clean up when they stop. As in
// OTP, Terminate is called when a callback returns an error (including
// Stop), after a callback panics, on sys:terminate, and when the parent
// (the supervisor) exits while the actor traps exits; an actor that does
// not trap exits and is killed by a signal is not told.
type Terminator interface {
	Terminate(p *Process, reason etf.Term)
}

// ContinueHandler is implemented by actors that use Process.Continue
// (handle_continue): work scheduled by a callback that runs right after it,
// before any other message.
type ContinueHandler interface {
	HandleContinue(p *Process, arg any) error
}

// StateReporter lets an actor choose what sys:get_state and sys:get_status
// show. Without it the state is etf.ToTerm of the Actor value (a map of its
// exported fields for a struct), or the Go value's text if that fails.
type StateReporter interface {
	State() etf.Term
}

// StateReplacer lets sys:replace_state (from Go, ReplaceState) change the
// actor's state: SetState receives the new state term.
type StateReplacer interface {
	SetState(state etf.Term) error
}

// From identifies the caller of a gen_server call: Erlang's {Pid, Tag}.
// Tag is opaque (a ref, [alias|Ref] or [[alias|Ref]|_] depending on the
// caller's OTP version) and is sent back unchanged by Reply.
type From struct {
	PID etf.PID
	Tag etf.Term
	raw etf.Term // the {Pid, Tag} tuple as received, reused by Reply
}

// Term returns {Pid, Tag}.
func (f From) Term() etf.Term {
	if f.raw != nil {
		return f.raw
	}
	return etf.Tuple{f.PID, f.Tag}
}

// noReply is the type of NoReply; a pointer type so that no term received
// from the network can equal it.
type noReply struct{}

// NoReply, returned as HandleCall's reply, means the actor will answer
// later with Reply ({noreply, State} in OTP).
var NoReply etf.Term = &noReply{}

// Reply answers a call whose HandleCall returned NoReply (gen_server:reply).
// p is the replying process; the reply goes to the caller's alias when the
// tag carries one, else to its pid.
func Reply(p *Process, from From, reply etf.Term) error {
	if p.s.obs != nil {
		p.observe(Event{Kind: EventReply, To: from.PID, Msg: reply})
	}
	return node.Reply(p.Process, from.Term(), reply)
}

// Errors and stop reasons.
var (
	// ErrUnknownRequest stops the actor, as an unmatched handle_call clause
	// does in OTP; the caller sees the exit.
	ErrUnknownRequest = errors.New("actors: unknown request")
	// StopNormal stops an actor with reason normal: supervisors do not
	// restart transient children that stop this way, and links are not
	// broken abnormally.
	StopNormal error = &node.ExitError{Reason: node.Normal}
)

// Stop returns an error that stops the actor with the given exit reason
// (return actors.Stop(etf.Atom("shutdown")) from a callback).
func Stop(reason etf.Term) error { return &node.ExitError{Reason: reason} }

// Base can be embedded in an Actor to get default callbacks: Init does
// nothing, HandleCall stops with ErrUnknownRequest, HandleCast ignores the
// message. Override the ones you need.
type Base struct{}

// Init does nothing.
func (Base) Init(*Process, ...any) error { return nil }

// HandleCall stops the actor with ErrUnknownRequest.
func (Base) HandleCall(_ *Process, _ From, req etf.Term) (etf.Term, error) {
	return nil, fmt.Errorf("%w: %v", ErrUnknownRequest, req)
}

// HandleCast ignores the message.
func (Base) HandleCast(*Process, etf.Term) error { return nil }
