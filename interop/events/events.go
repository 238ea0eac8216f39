package events

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

// ServiceName is the registered name of the events service on every node
// that runs Start. BEAM processes reach it as {erlgo_events, Node}.
const ServiceName etf.Atom = "erlgo_events"

// DefaultMaxBuffer bounds WithBuffer and the buffer a BEAM producer may
// ask for in {register, Name, [{buffer, N}]} (see WithMaxBuffer).
const DefaultMaxBuffer = 10_000

// Errors returned by the package. Each is errors.Is-able; some wrap node's
// errors as well (ErrNoConnection also matches node.ErrNoConnection).
var (
	// ErrUnknownEvent: no event of that name is registered on its node.
	ErrUnknownEvent = errors.New("events: unknown event")
	// ErrTaken: Register found the name already registered on this node.
	ErrTaken = errors.New("events: event name taken")
	// ErrBadToken: the token is the zero Token, malformed, or not the
	// current token of its event.
	ErrBadToken = errors.New("events: bad token")
	// ErrBadBuffer: WithBuffer asked for a negative size or one over the
	// server's maximum.
	ErrBadBuffer = errors.New("events: bad buffer size")
	// ErrNoService: the event's node runs no erlgo_events service (a BEAM
	// node, or a Go node without Start).
	ErrNoService = errors.New("events: no events service on the node")
	// ErrNotSubscribed: Demonitor/Unlink for an event the process is not
	// subscribed to.
	ErrNotSubscribed = errors.New("events: not subscribed")
	// ErrNotLocal: the process is not on the server's node.
	ErrNotLocal = errors.New("events: process is not on this node")
	// ErrStopped: the service is not running.
	ErrStopped = errors.New("events: service stopped")
)

// Event names an event: Name registered on Node. Its term is {Name, Node}.
type Event struct {
	Name etf.Atom
	Node etf.Atom
}

// Term returns {Name, Node}.
func (e Event) Term() etf.Term { return etf.Tuple{e.Name, e.Node} }

// String returns Name@Node's form {Name,Node}.
func (e Event) String() string { return fmt.Sprintf("{%s,%s}", e.Name, e.Node) }

// ParseEvent reads an event term {Name, Node}.
func ParseEvent(t etf.Term) (Event, bool) {
	tt, ok := t.(etf.Tuple)
	if !ok || len(tt) != 2 {
		return Event{}, false
	}
	name, ok1 := tt[0].(etf.Atom)
	nd, ok2 := tt[1].(etf.Atom)
	if !ok1 || !ok2 || name == "" || nd == "" {
		return Event{}, false
	}
	return Event{Name: name, Node: nd}, true
}

// Message is what a subscriber receives for each published message. Go
// subscribers receive this value; BEAM subscribers receive Term():
// {erlgo_event, {Name, Node}, Msg}.
type Message struct {
	Event Event
	Msg   etf.Term
}

// Term returns {erlgo_event, {Name, Node}, Msg}.
func (m Message) Term() etf.Term { return etf.Tuple{atomEvent, m.Event.Term(), m.Msg} }

// Started is sent to a producer registered WithNotify when its event gets
// its first subscriber. A BEAM producer receives Term():
// {erlgo_event_started, {Name, Node}}.
type Started struct{ Event Event }

// Term returns {erlgo_event_started, {Name, Node}}.
func (s Started) Term() etf.Term { return etf.Tuple{atomStarted, s.Event.Term()} }

// Stopped is sent to a producer registered WithNotify when the last
// subscriber of its event has left. A BEAM producer receives Term():
// {erlgo_event_stopped, {Name, Node}}.
type Stopped struct{ Event Event }

// Term returns {erlgo_event_stopped, {Name, Node}}.
func (s Stopped) Term() etf.Term { return etf.Tuple{atomStopped, s.Event.Term()} }

// Token is the right to publish to an event and to unregister it. It is
// returned by Register and can be handed to any process, on any node: its
// Term() travels in messages and ParseToken reads it back. The zero Token
// is invalid.
type Token struct {
	ev  Event
	pid etf.PID // the event process
	ref etf.Ref // the secret
}

// Event returns the event the token belongs to.
func (t Token) Event() Event { return t.ev }

// PID returns the event process: monitor or link it to learn when the
// event ends.
func (t Token) PID() etf.PID { return t.pid }

// Valid reports whether t came from Register or ParseToken (it may still
// belong to an event that has ended).
func (t Token) Valid() bool { return t.ev.Name != "" && t.pid.Node != "" && t.ref.Node != "" }

// Term returns {erlgo_event_token, {Name, Node}, EventPid, Ref}, the form
// BEAM producers get from {register, ...} and publish with.
func (t Token) Term() etf.Term { return etf.Tuple{atomToken, t.ev.Term(), t.pid, t.ref} }

// ParseToken reads a token term (Token.Term).
func ParseToken(term etf.Term) (Token, error) {
	tt, ok := term.(etf.Tuple)
	if !ok || len(tt) != 4 || tt[0] != atomToken {
		return Token{}, ErrBadToken
	}
	ev, ok := ParseEvent(tt[1])
	pid, ok2 := tt[2].(etf.PID)
	ref, ok3 := tt[3].(etf.Ref)
	if !ok || !ok2 || !ok3 || pid.Node != ev.Node {
		return Token{}, ErrBadToken
	}
	return Token{ev: ev, pid: pid, ref: ref}, nil
}

// Sender sends a message: *node.Node and *node.Process are Senders.
type Sender interface {
	Send(to etf.Term, msg etf.Term) error
}

// Publish sends msg to every subscriber of the token's event, from any
// process on any node that holds the token (from is the sender: a
// *node.Process, or a *node.Node for its system process). Like Erlang's
// send it does not wait: a message for an event that has ended, or with a
// token that is no longer the event's, is dropped (the event process logs
// it at Debug and counts it in Stats.Rejected). Messages published by one
// sender reach every subscriber in the order they were published.
func Publish(from Sender, tok Token, msg etf.Term) error {
	if !tok.Valid() {
		return ErrBadToken
	}
	return from.Send(tok.pid, etf.Tuple{atomPublish, tok.ref, msg})
}

// Wire atoms (docs/events.md documents every shape).
var (
	atomEvent     = etf.Atom("erlgo_event")
	atomStarted   = etf.Atom("erlgo_event_started")
	atomStopped   = etf.Atom("erlgo_event_stopped")
	atomToken     = etf.Atom("erlgo_event_token")
	atomPublish   = etf.Atom("publish")
	atomOK        = etf.Atom("ok")
	atomError     = etf.Atom("error")
	atomBadarg    = etf.Atom("badarg")
	atomUnknown   = etf.Atom("unknown_event")
	atomTaken     = etf.Atom("taken")
	atomBadToken  = etf.Atom("bad_token")
	atomBuffer    = etf.Atom("buffer")
	atomNotify    = etf.Atom("notify")
	atomLookup    = etf.Atom("lookup")
	atomRegister  = etf.Atom("register")
	atomUnreg     = etf.Atom("unregister")
	atomWhich     = etf.Atom("which_events")
	atomSubscribe = etf.Atom("subscribe")
	atomUnsub     = etf.Atom("unsubscribe")
	atomNodeSub   = etf.Atom("node_subscribe")
)

func errorTerm(reason etf.Atom) etf.Term { return etf.Tuple{atomError, reason} }
