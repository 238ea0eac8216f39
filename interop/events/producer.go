package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
	"github.com/erlgo/erlgo/node"
)

// RegisterOption configures Register.
type RegisterOption func(*eventConfig)

type eventConfig struct {
	buffer int
	notify bool
}

// WithBuffer keeps the last n published messages; a new subscriber gets
// them (oldest first) from Monitor/Link. Default 0. n may not exceed the
// server's maximum (WithMaxBuffer, DefaultMaxBuffer).
func WithBuffer(n int) RegisterOption { return func(c *eventConfig) { c.buffer = n } }

// WithNotify makes the event send the producer Started when its first
// subscriber arrives and Stopped when its last one leaves (subscribers
// counted per subscribing Go node and per BEAM process).
func WithNotify() RegisterOption { return func(c *eventConfig) { c.notify = true } }

// Register registers the event name on this node with producer p (a
// process of this node) and returns the token that publishes to it.
//
// The event is a process of its own (Token.PID), which monitors the
// producer: when the producer exits, the event process exits with the
// producer's reason, and every subscriber gets a DOWN (monitor) or exit
// signal (link) with that reason. The producer is not linked to the event:
// an event killed from outside does not take the producer with it. A
// producer that is already dead gives an event that ends at once with
// reason noproc.
func (s *Server) Register(ctx context.Context, p *node.Process, name etf.Atom, opts ...RegisterOption) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	if p.Node() != s.n {
		return Token{}, ErrNotLocal
	}
	if s.ctx.Err() != nil {
		return Token{}, ErrStopped // peers could not find the event
	}
	var c eventConfig
	for _, o := range opts {
		o(&c)
	}
	return s.startEvent(p.Self(), name, c)
}

func (s *Server) startEvent(producer etf.PID, name etf.Atom, c eventConfig) (Token, error) {
	if c.buffer < 0 || c.buffer > s.maxBuffer {
		return Token{}, fmt.Errorf("%w: %d (max %d)", ErrBadBuffer, c.buffer, s.maxBuffer)
	}
	if name == "" {
		return Token{}, fmt.Errorf("%w: empty name", ErrUnknownEvent)
	}
	ev := Event{Name: name, Node: s.n.Name()}
	ep := &eventProc{s: s, ev: ev, token: s.n.MakeRef(), producer: producer, notify: c.notify,
		buf: newRing(c.buffer), subs: map[etf.PID]etf.Ref{}}
	pid, err := s.n.Spawn(ep, node.WithTrapExit(), node.WithLogAttrs("event", string(name)))
	if err != nil {
		if errors.Is(err, ErrTaken) {
			return Token{}, fmt.Errorf("%w: %s", ErrTaken, name)
		}
		return Token{}, fmt.Errorf("events: register %s: %w", name, err)
	}
	return Token{ev: ev, pid: pid, ref: ep.token}, nil
}

// Caller makes a gen_server call: *node.Node and *node.Process are
// Callers.
type Caller interface {
	Call(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error)
}

// Unregister ends the token's event from any node: the event process
// exits with reason normal, so monitoring subscribers get a DOWN normal
// (linked ones are not killed, as with any normal exit) and the name is
// free again once Unregister returns. ErrBadToken if the token is not the
// event's, ErrUnknownEvent if the event has ended already.
func Unregister(ctx context.Context, c Caller, tok Token) error {
	if !tok.Valid() {
		return ErrBadToken
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	r, err := c.Call(ctx, tok.pid, etf.Tuple{atomUnreg, tok.ref})
	switch {
	case errors.Is(err, node.ErrNoProc):
		return fmt.Errorf("%w: %s", ErrUnknownEvent, tok.ev)
	case err != nil:
		return err
	case r == atomOK:
		return nil
	}
	return ErrBadToken
}

// eventProc is one event: it keeps the buffer and the subscribers (Go
// services of subscribing nodes and BEAM processes) and sends each
// published message once to each.
type eventProc struct {
	s        *Server
	p        *node.Process
	ev       Event
	evTerm   etf.Term
	token    etf.Ref
	producer etf.PID
	prodMon  etf.Ref
	notify   bool
	buf      *ring
	subs     map[etf.PID]etf.Ref // subscriber -> our monitor of it
	reply    svcsup.Replier
}

func (ep *eventProc) Init(p *node.Process) error {
	if !ep.s.claim(ep.ev.Name, p.Self()) {
		return ErrTaken
	}
	ep.p, ep.evTerm, ep.reply = p, ep.ev.Term(), svcsup.Replier{Log: ep.s.log}
	ref, err := p.Monitor(ep.producer)
	if err != nil {
		ep.s.release(ep.ev.Name, p.Self())
		return err
	}
	ep.prodMon = ref
	return nil
}

func (ep *eventProc) Terminate(p *node.Process, _ etf.Term) { ep.s.release(ep.ev.Name, p.Self()) }

func (ep *eventProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case etf.Tuple:
		if len(m) == 3 && m[0] == atomPublish {
			ep.publish(m[1], m[2])
			return nil
		}
		if from, req, ok := node.ParseGenCall(m); ok {
			return ep.call(from, req)
		}
	case node.DownMsg:
		if m.Ref == ep.prodMon {
			return &node.ExitError{Reason: m.Reason}
		}
		ep.down(m)
		return nil
	case node.ExitMsg:
		if p.Node().Stopping() {
			return &node.ExitError{Reason: m.Reason} // the node's shutdown signal
		}
		return nil // a linked subscriber ended; its monitor cleans up
	}
	ep.s.log.Debug("event: ignored message", "event", ep.ev, "message", msg)
	return nil
}

func (ep *eventProc) publish(ref, msg etf.Term) {
	if r, ok := ref.(etf.Ref); !ok || r != ep.token {
		ep.s.rejected.Add(1)
		ep.s.log.Debug("event: publish with a wrong token dropped", "event", ep.ev)
		return
	}
	ep.s.published.Add(1)
	ep.buf.push(msg)
	if len(ep.subs) == 0 {
		return
	}
	// Boxed once for all subscribers; counted before the sends, since a
	// receiver may look at the counter as soon as it has the message.
	var out etf.Term = etf.Tuple{atomEvent, ep.evTerm, msg}
	ep.s.sent.Add(uint64(len(ep.subs)))
	for sub := range ep.subs {
		_ = ep.p.Send(sub, out)
	}
}

// call answers a gen_server call; see docs/events.md for the shapes.
func (ep *eventProc) call(from, req etf.Term) error {
	pid, _, ok := node.ParseFrom(from)
	if !ok {
		ep.s.log.Debug("event: call with a bad From dropped", "event", ep.ev, "from", from)
		return nil
	}
	switch r := req.(type) {
	case etf.Atom:
		switch r {
		case atomSubscribe:
			ep.subscribe(pid)
			ep.reply.Reply(ep.p, from, etf.Tuple{atomOK, ep.buf.list()})
			return nil
		case atomNodeSub:
			ep.subscribe(pid)
			ep.reply.Reply(ep.p, from, etf.Tuple{atomOK, ep.buf.list(), ep.buf.size()})
			return nil
		case atomUnsub:
			ep.unsubscribe(pid)
			ep.reply.Reply(ep.p, from, atomOK)
			return nil
		}
	case etf.Tuple:
		if len(r) == 2 && r[0] == atomUnreg {
			if ref, ok := r[1].(etf.Ref); ok && ref == ep.token {
				ep.s.release(ep.ev.Name, ep.p.Self())
				ep.reply.Reply(ep.p, from, atomOK)
				return &node.ExitError{Reason: node.Normal}
			}
			ep.reply.Reply(ep.p, from, errorTerm(atomBadToken))
			return nil
		}
	}
	ep.s.log.Debug("event: bad request answered badarg", "event", ep.ev, "req", req)
	ep.reply.Reply(ep.p, from, errorTerm(atomBadarg))
	return nil
}

func (ep *eventProc) subscribe(pid etf.PID) {
	if _, ok := ep.subs[pid]; ok {
		return
	}
	ref, err := ep.p.Monitor(pid)
	if err != nil {
		return
	}
	ep.subs[pid] = ref
	if len(ep.subs) == 1 {
		ep.tellProducer(true)
	}
}

func (ep *eventProc) unsubscribe(pid etf.PID) {
	ref, ok := ep.subs[pid]
	if !ok {
		return
	}
	ep.p.Demonitor(ref)
	ep.drop(pid)
}

func (ep *eventProc) down(m node.DownMsg) {
	pid, ok := m.Object.(etf.PID)
	if ref, known := ep.subs[pid]; ok && known && ref == m.Ref {
		ep.drop(pid)
	}
}

func (ep *eventProc) drop(pid etf.PID) {
	delete(ep.subs, pid)
	if len(ep.subs) == 0 {
		ep.tellProducer(false)
	}
}

// tellProducer sends Started/Stopped: the Go values to a producer of this
// node, their terms to a BEAM producer.
func (ep *eventProc) tellProducer(started bool) {
	if !ep.notify {
		return
	}
	var msg interface{ Term() etf.Term }
	if started {
		msg = Started{Event: ep.ev}
	} else {
		msg = Stopped{Event: ep.ev}
	}
	if ep.producer.Node == ep.s.n.Name() {
		_ = ep.p.Send(ep.producer, msg)
	} else {
		_ = ep.p.Send(ep.producer, msg.Term())
	}
}

// ring keeps the last max terms; it grows as messages arrive, so a large
// buffer costs nothing until it fills.
type ring struct {
	buf   []etf.Term
	max   int
	start int
}

func newRing(n int) *ring { return &ring{max: n} }

func (r *ring) size() int { return r.max }

func (r *ring) push(t etf.Term) {
	switch {
	case r.max == 0:
	case len(r.buf) < r.max:
		r.buf = append(r.buf, t)
	default:
		r.buf[r.start] = t
		r.start = (r.start + 1) % len(r.buf)
	}
}

// list returns the kept terms, oldest first.
func (r *ring) list() etf.List {
	out := make(etf.List, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}

// reset replaces the contents with l (oldest first) and the size with max.
func (r *ring) reset(l etf.List, max int) {
	r.max, r.start = max, 0
	if len(l) > max {
		l = l[len(l)-max:]
	}
	r.buf = append(r.buf[:0], l...)
}
