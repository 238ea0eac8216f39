package actors

import (
	"context"
	"log/slog"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Process is the handle an Actor's callbacks receive: the running
// process plus the gen_server machinery around it (timers, continue,
// timeout, parent, application environment). Its effects (Send, Call,
// Link, Spawn ...) are reported to the actor's Observer, which is how
// actorstest sees them. Use it from the actor's own callbacks; Raw gives
// the underlying node process for anything not wrapped here.
type Process struct {
	np *node.Process
	s  *server
}

// Self returns the actor's pid.
func (p *Process) Self() etf.PID { return p.np.Self() }

// Node returns the node the actor runs on.
func (p *Process) Node() *node.Node { return p.np.Node() }

// Raw returns the underlying node process. Effects made through it are not
// reported to the Observer.
func (p *Process) Raw() *node.Process { return p.np }

// Name returns the registered name, or "".
func (p *Process) Name() etf.Atom { return p.np.Name() }

// Parent returns the pid of the process that started the actor with
// StartLink (its supervisor), or the zero PID for a top-level actor.
func (p *Process) Parent() etf.PID { return p.s.parent }

// Logger returns the process's logger.
func (p *Process) Logger() *slog.Logger { return p.np.Logger() }

// Now returns the actor clock's current time.
func (p *Process) Now() time.Time { return p.s.clock.Now() }

// observe reports an effect. Callers on hot paths check p.s.obs first so
// that building the Event (which boxes its fields) costs nothing when no
// one observes.
func (p *Process) observe(e Event) {
	if p.s.obs != nil {
		e.From = p.np.Self()
		p.s.obs.Observe(e)
	}
}

// Send sends msg to "to" (a pid, a local name, a node.Name or {Name, Node},
// or an alias); see node.Process.Send.
func (p *Process) Send(to etf.Term, msg etf.Term) error {
	if p.s.obs != nil {
		p.observe(Event{Kind: EventSend, To: to, Msg: msg})
	}
	return p.np.Send(to, msg)
}

// Cast sends {'$gen_cast', msg} to "to" (gen_server:cast). Like
// gen_server:cast it never fails for a missing process.
func (p *Process) Cast(to etf.Term, msg etf.Term) error {
	m := node.GenCastMsg(msg)
	p.observe(Event{Kind: EventSend, To: to, Msg: m})
	if err := p.np.Send(to, m); err != nil && !isNoProc(err) {
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
	return p.np.Call(ctx, to, req)
}

// Link links the actor to pid.
func (p *Process) Link(pid etf.PID) error {
	p.observe(Event{Kind: EventLink, To: pid})
	return p.np.Link(pid)
}

// Unlink removes a link.
func (p *Process) Unlink(pid etf.PID) {
	p.observe(Event{Kind: EventUnlink, To: pid})
	p.np.Unlink(pid)
}

// Monitor monitors "to"; a node.DownMsg reaches HandleInfo when it exits.
func (p *Process) Monitor(to etf.Term) (etf.Ref, error) {
	ref, err := p.np.Monitor(to)
	p.observe(Event{Kind: EventMonitor, To: to, Msg: ref})
	return ref, err
}

// Demonitor removes a monitor (with flush).
func (p *Process) Demonitor(ref etf.Ref) bool {
	p.observe(Event{Kind: EventDemonitor, Msg: ref})
	return p.np.Demonitor(ref)
}

// Exit sends an exit signal to pid (erlang:exit/2).
func (p *Process) Exit(pid etf.PID, reason etf.Term) error {
	p.observe(Event{Kind: EventExit, To: pid, Msg: reason})
	return p.np.Exit(pid, reason)
}

// TrapExit sets trap_exit and returns the previous value. A trapping actor
// receives exit signals as node.ExitMsg in HandleInfo, except its parent's,
// which make it terminate (calling Terminate) as in OTP.
func (p *Process) TrapExit(on bool) bool { return p.np.TrapExit(on) }

// Register registers the actor under name.
func (p *Process) Register(name etf.Atom) error { return p.np.Register(name) }

// Spawn starts another actor, not linked. It inherits this actor's clock,
// observer and application unless options say otherwise.
func (p *Process) Spawn(a Actor, opts ...SpawnOption) (etf.PID, error) {
	pid, err := spawnActor(p.np.Node(), p, a, false, opts)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(a)})
	}
	return pid, err
}

// StartLink starts another actor linked to this one, which becomes its
// parent (gen_server:start_link): if the child traps exits, this actor's
// exit makes it terminate.
func (p *Process) StartLink(a Actor, opts ...SpawnOption) (etf.PID, error) {
	pid, err := spawnActor(p.np.Node(), p, a, true, opts)
	if err == nil {
		p.observe(Event{Kind: EventSpawn, To: pid, Msg: typeName(a)})
		p.observe(Event{Kind: EventLink, To: pid})
	}
	return pid, err
}

// SendAfter sends msg to the actor itself after d (erlang:send_after/3
// to self()); the returned ref cancels it with CancelTimer. The actor's
// Clock decides when d has passed.
func (p *Process) SendAfter(d time.Duration, msg etf.Term) etf.Ref {
	p.observe(Event{Kind: EventTimer, To: p.np.Self(), Msg: msg, After: d})
	return p.s.timers.start(p, d, msg)
}

// CancelTimer cancels a SendAfter timer; it reports whether the timer was
// still pending (a message already sent is not recalled).
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
