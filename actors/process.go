package actors

import (
	"context"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Process is the handle an Actor's callbacks receive: the running node
// process plus the gen_server machinery around it (timers on the actor's
// Clock, continue, timeout, parent, application environment).
//
// It embeds *node.Process, so every node operation (Self, Node, Name,
// Register, TrapExit, Logger, GroupLeader, Alias ...) is available with
// node's signature. The operations that are effects on the outside world
// (Send, Call, Link, Unlink, Monitor, Demonitor, Exit, Spawn*, SendAfter,
// CancelTimer) are overridden with the same signatures, to report them to
// the actor's Observer (which is how actorstest sees them) and, for
// timers, to run on the actor's Clock. p.Process is the node process
// itself: effects made through it are not observed. Use a Process from the
// actor's own callbacks.
type Process struct {
	*node.Process
	s *server
}

// Parent returns the pid of the process that started the actor with
// StartLink (its supervisor), or the zero PID for a top-level actor.
func (p *Process) Parent() etf.PID { return p.s.parent }

// Now returns the actor clock's current time.
func (p *Process) Now() time.Time { return p.s.clock.Now() }

// observe reports an effect. Callers on hot paths check p.s.obs first so
// that building the Event (which boxes its fields) costs nothing when no
// one observes.
func (p *Process) observe(e Event) {
	if p.s.obs != nil {
		e.From = p.Self()
		p.s.obs.Observe(e)
	}
}

// Send sends msg to "to" (a pid, a local name, a node.Name or {Name, Node},
// or an alias); see node.Process.Send.
func (p *Process) Send(to etf.Term, msg etf.Term) error {
	if p.s.obs != nil {
		p.observe(Event{Kind: EventSend, To: to, Msg: msg})
	}
	return p.Process.Send(to, msg)
}

// Cast sends {'$gen_cast', msg} to "to" (gen_server:cast). Like
// gen_server:cast it never fails for a missing process.
func (p *Process) Cast(to etf.Term, msg etf.Term) error {
	m := node.GenCastMsg(msg)
	p.observe(Event{Kind: EventSend, To: to, Msg: m})
	if err := p.Process.Send(to, m); err != nil && !isNoProc(err) {
		return err
	}
	return nil
}

// Call makes a gen_server call from this actor (see node.Process.Call);
// the actor handles no other message until it returns.
func (p *Process) Call(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error) {
	if p.s.obs != nil {
		p.observe(Event{Kind: EventCall, To: to, Msg: req})
	}
	return p.Process.Call(ctx, to, req)
}

// Link links the actor to pid; see node.Process.Link.
func (p *Process) Link(pid etf.PID) error {
	p.observe(Event{Kind: EventLink, To: pid})
	return p.Process.Link(pid)
}

// Unlink removes a link; see node.Process.Unlink.
func (p *Process) Unlink(pid etf.PID) {
	p.observe(Event{Kind: EventUnlink, To: pid})
	p.Process.Unlink(pid)
}

// Monitor monitors "to"; a node.DownMsg reaches HandleInfo when it exits.
func (p *Process) Monitor(to etf.Term) (etf.Ref, error) {
	ref, err := p.Process.Monitor(to)
	p.observe(Event{Kind: EventMonitor, To: to, Msg: ref})
	return ref, err
}

// Demonitor removes a monitor (with flush).
func (p *Process) Demonitor(ref etf.Ref) bool {
	p.observe(Event{Kind: EventDemonitor, Msg: ref})
	return p.Process.Demonitor(ref)
}

// Exit sends an exit signal to pid (erlang:exit/2).
func (p *Process) Exit(to etf.PID, reason etf.Term) error {
	p.observe(Event{Kind: EventExit, To: to, Msg: reason})
	return p.Process.Exit(to, reason)
}

// Spawn starts a plain node.Behavior, not linked; see node.Process.Spawn.
// Actors are started with Start and StartLink.
func (p *Process) Spawn(b node.Behavior, opts ...node.SpawnOption) (etf.PID, error) {
	pid, err := p.Process.Spawn(b, opts...)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(b)})
	}
	return pid, err
}

// SpawnLink starts a plain node.Behavior linked to the actor; see
// node.Process.SpawnLink.
func (p *Process) SpawnLink(b node.Behavior, opts ...node.SpawnOption) (etf.PID, error) {
	pid, err := p.Process.SpawnLink(b, opts...)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(b)})
		p.observe(Event{Kind: EventLink, To: pid})
	}
	return pid, err
}

// SpawnMonitor starts a plain node.Behavior monitored by the actor; see
// node.Process.SpawnMonitor.
func (p *Process) SpawnMonitor(b node.Behavior, opts ...node.SpawnOption) (etf.PID, etf.Ref, error) {
	pid, ref, err := p.Process.SpawnMonitor(b, opts...)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(b)})
		p.observe(Event{Kind: EventMonitor, To: pid, Msg: ref})
	}
	return pid, ref, err
}

// Start starts another actor, not linked (gen_server:start). It inherits
// this actor's clock, observer and application unless options say
// otherwise; opts are node's spawn options (node.WithName,
// node.WithTrapExit ...) and actors' (WithArgs, WithClock, WithObserver).
func (p *Process) Start(a Actor, opts ...node.SpawnOption) (etf.PID, error) {
	if a == nil {
		return etf.PID{}, errNilActor
	}
	pid, err := p.Process.Spawn(newServer(a, p), opts...)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(a)})
	}
	return pid, err
}

// StartLink starts another actor linked to this one, which becomes its
// parent (gen_server:start_link): if the child traps exits, this actor's
// exit makes it terminate. Options as for Start.
func (p *Process) StartLink(a Actor, opts ...node.SpawnOption) (etf.PID, error) {
	if a == nil {
		return etf.PID{}, errNilActor
	}
	s := newServer(a, p)
	s.parent, s.hasParent = p.Self(), true
	pid, err := p.Process.SpawnLink(s, opts...)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(a)})
		p.observe(Event{Kind: EventLink, To: pid})
	}
	return pid, err
}

// SendAfter sends msg to "to" after d (erlang:send_after/3), with
// node.Process.SendAfter's signature and rules, except that the actor's
// Clock decides when d has passed. The returned ref cancels it with
// CancelTimer.
func (p *Process) SendAfter(d time.Duration, to etf.Term, msg etf.Term) etf.Ref {
	p.observe(Event{Kind: EventTimer, To: to, Msg: msg, After: d})
	return p.s.timers.start(p, d, to, msg)
}

// CancelTimer cancels a SendAfter timer of this actor; it reports whether
// the timer was still pending (a message already sent is not recalled).
func (p *Process) CancelTimer(ref etf.Ref) bool { return p.s.timers.cancel(ref) }

// Continue schedules HandleContinue(p, arg) to run as soon as the current
// callback returns, before any other message ({continue, Arg} in OTP).
// Several calls queue in order. The actor must implement ContinueHandler.
func (p *Process) Continue(arg any) { p.s.cont = append(p.s.cont, arg) }

// SetTimeout asks for the message Timeout in HandleInfo when no other
// message arrives within d after the current callback returns (the timeout
// element of gen_server's return tuples). Any message cancels it; each
// callback must ask again. d <= 0 means immediately (when no message is
// waiting: messages already queued are handled first and cancel it).
func (p *Process) SetTimeout(d time.Duration) { p.s.wantTimeout, p.s.timeoutD = true, d }

// Timeout is the message HandleInfo receives when a SetTimeout expires.
const Timeout = etf.Atom("timeout")

// Application returns the name of the application the actor belongs to
// ("" if none): actors started by an application's supervision tree
// inherit it.
func (p *Process) Application() etf.Atom {
	if p.s.app == nil {
		return ""
	}
	return p.s.app.spec.Name
}

// Env returns a key of the actor's application environment (its defaults
// overridden by Applications.SetEnv); ok is false when unset or when the
// actor belongs to no application.
func (p *Process) Env(key string) (etf.Term, bool) {
	if p.s.app == nil {
		return nil, false
	}
	return p.s.app.env(key)
}
