package events

import (
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
	"github.com/erlgo/erlgo/node"
)

// service is the erlgo_events process. It answers peers' requests about
// this node's events (lookup, register, which_events) and is the one
// subscriber, per event, for all local subscribers: an event on any node
// sends each message once to this process, which hands a copy to each
// local subscriber (Message).
type service struct {
	s     *Server
	p     *node.Process
	reply svcsup.Replier
	refs  map[etf.Ref]*remoteEvent // pending lookups/subscriptions and event monitors
	watch map[etf.PID]*watched     // local subscribers we monitor
}

type phase uint8

const (
	lookingUp   phase = iota // asked {erlgo_events, Node} for the event's pid
	subscribing              // sent node_subscribe to the event process
	ready                    // forwarding messages
)

// remoteEvent is this node's subscription to one event (on any node,
// this one included). It lives in Server.subs, so it survives a restart
// of the service process; refs and monitors are renewed in Init.
type remoteEvent struct {
	ev      Event
	pid     etf.PID // event process, once known
	phase   phase
	ref     etf.Ref // lookup: monitor of the remote service; then of the event process
	buf     ring    // the event's last messages, as this node received them
	subs    map[etf.PID]int
	waiters []*subReq
}

type watched struct {
	ref etf.Ref
	n   int // subscriptions of this pid, over all events
}

// subReq asks the service to subscribe sub to ev (Monitor, Link).
type subReq struct {
	ev    Event
	sub   etf.PID
	reply chan subResp
}

type subResp struct {
	pid  etf.PID
	last []etf.Term
	err  error
}

// cancelReq withdraws a subReq whose caller gave up; ack is true when the
// request had been answered already (its answer is in req.reply).
type cancelReq struct {
	req *subReq
	ack chan bool
}

// unsubReq removes one subscription of sub to ev (Demonitor, Unlink).
type unsubReq struct {
	ev    Event
	sub   etf.PID
	reply chan subResp
}

// inspectReq runs on the service process (tests read its state).
type inspectReq func(*service)

func (sv *service) Init(p *node.Process) error {
	sv.p = p
	sv.refs = map[etf.Ref]*remoteEvent{}
	sv.watch = map[etf.PID]*watched{}
	// A restarted service: renew what the previous process held.
	for _, re := range sv.s.subs {
		for pid, k := range re.subs {
			sv.watchSub(pid, k)
		}
		if re.pid.Node != "" {
			sv.subscribeTo(re, re.pid)
		} else {
			sv.lookup(re)
		}
	}
	return nil
}

func (sv *service) Terminate(*node.Process, etf.Term) {}

func (sv *service) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case etf.Tuple:
		sv.tuple(m)
	case *subReq:
		sv.subscribe(m)
	case cancelReq:
		m.ack <- sv.cancel(m.req)
	case *unsubReq:
		m.reply <- sv.unsubscribe(m.ev, m.sub)
	case node.DownMsg:
		sv.down(m)
	case inspectReq:
		m(sv)
	default:
		sv.s.log.Debug("events: ignored message", "message", msg)
	}
	return nil
}

func (sv *service) tuple(m etf.Tuple) {
	if len(m) == 3 && m[0] == atomEvent {
		sv.fanout(m[1], m[2])
		return
	}
	if from, req, ok := node.ParseGenCall(m); ok {
		sv.call(from, req)
		return
	}
	if len(m) == 2 {
		if ref, ok := m[0].(etf.Ref); ok {
			sv.answer(ref, m[1])
			return
		}
	}
	sv.s.log.Debug("events: ignored message", "message", m)
}

// call answers a peer's gen_server call.
func (sv *service) call(from, req etf.Term) {
	c := parseServiceCall(req, sv.s.maxBuffer)
	var out etf.Term
	switch c.op {
	case opLookup:
		out = errorTerm(atomUnknown)
		if pid, ok := sv.s.lookup(c.name); ok {
			out = etf.Tuple{atomOK, pid}
		}
	case opRegister:
		out = sv.register(from, c)
	case opWhich:
		names := sv.s.Events()
		l := make(etf.List, len(names))
		for i, n := range names {
			l[i] = n
		}
		out = l
	default:
		sv.s.log.Debug("events: bad request answered badarg", "req", req)
		out = errorTerm(atomBadarg)
	}
	sv.reply.Reply(sv.p, from, out)
}

// register starts an event for a peer's process (the caller is the
// producer).
func (sv *service) register(from etf.Term, c svcCall) etf.Term {
	pid, _, ok := node.ParseFrom(from)
	if !ok {
		return errorTerm(atomBadarg)
	}
	tok, err := sv.s.startEvent(pid, c.name, c.cfg)
	switch {
	case err == nil:
		return etf.Tuple{atomOK, tok.Term()}
	case isTaken(err):
		return errorTerm(atomTaken)
	}
	sv.s.log.Debug("events: register failed", "name", c.name, "err", err)
	return errorTerm(atomBadarg)
}

// fanout hands an event's message to every local subscriber.
func (sv *service) fanout(evTerm, msg etf.Term) {
	ev, ok := ParseEvent(evTerm)
	if !ok {
		return
	}
	sv.s.received.Add(1)
	re := sv.s.subs[ev]
	if re == nil || re.phase != ready {
		return // before our snapshot (its buffer has it) or after we left
	}
	re.buf.push(msg)
	var out etf.Term = Message{Event: ev, Msg: msg} // boxed once for all subscribers
	sv.s.delivered.Add(uint64(len(re.subs)))
	for sub := range re.subs {
		_ = sv.p.Send(sub, out)
	}
}
