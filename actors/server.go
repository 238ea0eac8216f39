package actors

import (
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var (
	atomOK    = etf.Atom("ok")
	atomError = etf.Atom("error")
)

// continueMarker makes a process that asked for Continue in Init handle it
// first; timeoutMsg is the SetTimeout message. Both are pointers to
// unexported types, so no received term can be mistaken for them.
type continueMarker struct{}

type timeoutMsg struct{ gen uint64 }

// server adapts an Actor to node.Behavior: it parses the gen_server wire
// protocol and runs the callbacks.
type server struct {
	actor     Actor
	args      []any
	proc      Process
	parent    etf.PID
	hasParent bool
	clock     Clock
	obs       Observer
	app       *appRun
	timers    timerSet
	early     []node.SpawnOption // NewBehavior's options, applied at Init
	desc      node.Description   // what introspection sees (info.go); fixed at start

	cont        []any
	wantTimeout bool
	timeoutD    time.Duration
	armed       uint64 // generation of the armed SetTimeout, 0 if none
	gen         uint64
	stopTimeout func() bool

	selfExit  bool // the actor decided to exit: Terminate must run
	suspended bool
	stats     *sysStats // sys:statistics counting, nil when off (sys_stats.go)
	deferred  []etf.Term
}

var _ node.Behavior = (*server)(nil)

// Init runs the Actor's Init.
func (s *server) Init(np *node.Process) error {
	if len(s.early) > 0 {
		node.ApplyBeforeInit(np, s.early...)
		s.early = nil
	}
	s.proc = Process{Process: np, s: s}
	err := s.safe(func() error { return s.actor.Init(&s.proc, s.args...) })
	if err != nil {
		s.selfExit = false // OTP does not call terminate when init fails
		return err
	}
	if len(s.cont) > 0 {
		// Handled before anything else: the marker is the first message
		// the process handles, or is preceded only by messages that
		// arrived during Init, which run the continues first anyway.
		_ = np.Send(np.Self(), &continueMarker{})
		return nil
	}
	s.armTimeout()
	return nil
}

// HandleMessage dispatches one message.
func (s *server) HandleMessage(np *node.Process, msg etf.Term) error {
	if tm, ok := msg.(*timeoutMsg); ok {
		if tm.gen != s.armed {
			return nil // stale: cancelled by a message that overtook it
		}
		s.armed = 0
		if err := s.runContinues(); err != nil {
			return err
		}
		return s.finish(s.info(Timeout))
	}
	if isSystemMsg(msg) && s.armed != 0 {
		// gen_server restarts its timeout after a system message (the
		// receive loop is re-entered with the same Time), so sys calls
		// and test harness syncs do not cancel it. It is re-armed before
		// the request is handled, so that whoever gets the reply (a test
		// that then advances a fake clock) finds the timeout armed.
		s.disarm()
		s.wantTimeout = true
		s.armTimeout()
		if err := s.dispatch(msg); err != nil {
			return s.stopping(err)
		}
		return nil
	}
	s.disarm()
	if err := s.runContinues(); err != nil {
		return err
	}
	if _, ok := msg.(*continueMarker); ok {
		return s.finish(nil)
	}
	return s.finish(s.dispatch(msg))
}

func (s *server) dispatch(msg etf.Term) error {
	switch m := msg.(type) {
	case etf.Tuple:
		if from, req, ok := node.ParseGenCall(msg); ok {
			if f, ok := fromTerm(from); ok {
				if s.suspended {
					s.deferred = append(s.deferred, msg)
					return nil
				}
				return s.call(f, req)
			}
		} else if req, ok := node.ParseGenCast(msg); ok {
			if s.suspended {
				s.deferred = append(s.deferred, msg)
				return nil
			}
			return s.cast(req)
		} else if from, req, ok := node.ParseSystem(msg); ok {
			if f, ok := fromTerm(from); ok {
				return s.system(f, req)
			}
		}
	case node.ExitMsg:
		if s.isParentExit(m) {
			// gen_server terminates with its parent's reason.
			s.selfExit = true
			return &node.ExitError{Reason: m.Reason}
		}
	}
	if s.suspended {
		s.deferred = append(s.deferred, msg)
		return nil
	}
	return s.info(msg)
}

// finish runs continues and arms the timeout after a successful callback.
func (s *server) finish(err error) error {
	if err != nil {
		return s.stopping(err)
	}
	if err := s.runContinues(); err != nil {
		return err
	}
	s.armTimeout()
	return nil
}

func (s *server) stopping(err error) error {
	s.selfExit = true
	s.cont = nil
	s.proc.observe(Event{Kind: EventStop, Msg: s.proc.Node().ReasonOf(err)}) // the exit reason, registry applied
	return err
}

func (s *server) runContinues() error {
	for len(s.cont) > 0 {
		arg := s.cont[0]
		s.cont = s.cont[1:]
		ch, ok := s.actor.(ContinueHandler)
		if !ok {
			return s.stopping(fmt.Errorf("actors: Continue used but %T has no HandleContinue", s.actor))
		}
		if err := s.safe(func() error { return ch.HandleContinue(&s.proc, arg) }); err != nil {
			return s.stopping(err)
		}
	}
	return nil
}

func (s *server) call(from From, req etf.Term) error {
	var reply etf.Term
	err := s.safe(func() (err error) {
		reply, err = s.actor.HandleCall(&s.proc, from, req)
		return err
	})
	if reply != NoReply && (err == nil || reply != nil) {
		if reply == nil {
			reply = atomOK
		}
		_ = Reply(&s.proc, from, reply)
	}
	return err
}

func (s *server) cast(msg etf.Term) error {
	return s.safe(func() error { return s.actor.HandleCast(&s.proc, msg) })
}

func (s *server) info(msg etf.Term) error {
	h, ok := s.actor.(InfoHandler)
	if !ok {
		s.proc.Logger().Warn("actor: unexpected message", "actor", typeName(s.actor), "message", fmt.Sprint(msg))
		return nil
	}
	return s.safe(func() error { return h.HandleInfo(&s.proc, msg) })
}

// safe runs a callback, turning a panic into the exit reason
// {panic, <<"text">>} (logged with its stack by node.Recover); the actor
// then exits by its own decision, so Terminate runs.
func (s *server) safe(f func() error) (err error) {
	panicked := true
	defer func() {
		if panicked {
			s.selfExit = true
		}
	}()
	defer node.Recover(&err, s.proc.Process, "actor callback panicked", "actor", typeName(s.actor))
	err = f()
	panicked = false
	return err
}

// Terminate runs the Actor's Terminate when the actor chose to exit (or
// its parent exited while it trapped exits).
func (s *server) Terminate(np *node.Process, reason etf.Term) {
	s.disarm()
	s.timers.cancelSelf()
	if !s.selfExit {
		return
	}
	if t, ok := s.actor.(Terminator); ok {
		_ = s.safe(func() error { t.Terminate(&s.proc, reason); return nil })
	}
}

// isParentExit reports whether a trapped exit comes from the parent. A
// top-level actor (no parent) treats the shutdown node.Stop sends from the
// node's own anonymous pid as its parent's: the signal is a shutdown from
// a local pid that is not a live process, while the node is stopping.
func (s *server) isParentExit(m node.ExitMsg) bool {
	if s.hasParent {
		return m.From == s.parent
	}
	n := s.proc.Node()
	return m.Reason == node.Shutdown && m.From.Node == n.Name() && !n.IsAlive(m.From) && n.Stopping()
}

func (s *server) armTimeout() {
	if !s.wantTimeout {
		return
	}
	s.wantTimeout = false
	s.gen++
	gen := s.gen
	s.armed = gen
	np := s.proc.Process
	fire := func() { _ = np.Send(np.Self(), &timeoutMsg{gen: gen}) }
	if s.timeoutD <= 0 {
		fire()
		return
	}
	s.stopTimeout = s.clock.AfterFunc(s.timeoutD, fire)
}

func (s *server) disarm() {
	s.armed = 0
	if s.stopTimeout != nil {
		s.stopTimeout()
		s.stopTimeout = nil
	}
}

func isSystemMsg(msg etf.Term) bool {
	_, _, ok := node.ParseSystem(msg)
	return ok
}

// fromTerm makes a From of a received {Pid, Tag} (node.ParseFrom: any Tag),
// keeping the tuple for Reply.
func fromTerm(t etf.Term) (From, bool) {
	pid, tag, ok := node.ParseFrom(t)
	if !ok {
		return From{}, false
	}
	return From{PID: pid, Tag: tag, raw: t}, true
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
