package actors

import (
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Strategy is a supervisor's restart strategy.
type Strategy uint8

// Restart strategies (OTP supervisor flags).
const (
	// OneForOne restarts only the child that exited.
	OneForOne Strategy = iota
	// OneForAll terminates all other children (in reverse start order) and
	// restarts all of them (in start order).
	OneForAll
	// RestForOne terminates the children started after the one that exited
	// and restarts it and them.
	RestForOne
	// SimpleOneForOne has one ChildSpec, instantiated by StartChildArgs
	// with extra arguments; children are restarted one for one.
	SimpleOneForOne
)

var strategyNames = [...]etf.Atom{"one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one"}

// Atom returns the OTP name (one_for_one ...).
func (s Strategy) Atom() etf.Atom { return strategyNames[s&3] }

// RestartType says when a child is restarted.
type RestartType uint8

// Restart types.
const (
	// Permanent children are always restarted.
	Permanent RestartType = iota
	// Transient children are restarted only after an abnormal exit (not
	// normal, shutdown or {shutdown, _}).
	Transient
	// Temporary children are never restarted, and removed when they exit.
	Temporary
)

var restartNames = [...]etf.Atom{"permanent", "transient", "temporary"}

// Atom returns the OTP name.
func (r RestartType) Atom() etf.Atom { return restartNames[r%3] }

// ChildType is worker or supervisor (it changes the default Shutdown and
// what count_children reports).
type ChildType uint8

// Child types.
const (
	Worker ChildType = iota
	SupervisorChild
)

// Atom returns worker or supervisor.
func (c ChildType) Atom() etf.Atom {
	if c == SupervisorChild {
		return "supervisor"
	}
	return "worker"
}

// AutoShutdown says whether the exit of significant children stops the
// supervisor (OTP 24+ auto_shutdown flag).
type AutoShutdown uint8

// Auto-shutdown settings.
const (
	Never AutoShutdown = iota
	AnySignificant
	AllSignificant
)

// Shutdown values with special meanings.
const (
	// BrutalKill kills the child at once (exit(Child, kill)).
	BrutalKill time.Duration = -1
	// Infinity waits for the child as long as it takes (the default for
	// supervisor children).
	Infinity time.Duration = 1<<63 - 1
	// DefaultShutdown is a worker's default shutdown timeout.
	DefaultShutdown = 5 * time.Second
)

// Factory builds a fresh Actor each time a child is (re)started. args are
// the extra arguments of a simple_one_for_one start_child (nil otherwise);
// they are also appended to the child's Init args.
type Factory func(args etf.List) (Actor, error)

// ChildSpec describes one child of a Supervisor.
type ChildSpec struct {
	// ID names the child (compared by text when atoms, strings and
	// binaries meet, so an Erlang atom matches a Go string ID).
	ID etf.Term
	// Start builds the child's Actor; the supervisor starts it linked.
	Start Factory
	// Args are passed to the child's Init.
	Args []any
	// Restart is permanent (default), transient or temporary.
	Restart RestartType
	// Shutdown is how long to wait for the child after exit(Child,
	// shutdown) before killing it; BrutalKill, Infinity, or 0 for the
	// default (5 s for workers, Infinity for supervisors).
	Shutdown time.Duration
	// Type is Worker (default) or SupervisorChild.
	Type ChildType
	// Significant children trigger AutoShutdown when they exit for good.
	Significant bool
	// Modules is what which_children reports (default: the child's Go type).
	Modules []etf.Atom
	// Options are passed to StartLink (name, mailbox limit ...).
	Options []node.SpawnOption
}

func (c *ChildSpec) shutdown() time.Duration {
	switch {
	case c.Shutdown != 0:
		return c.Shutdown
	case c.Type == SupervisorChild:
		return Infinity
	}
	return DefaultShutdown
}

// Supervisor is an Actor that starts, watches and restarts children like
// OTP's supervisor. Spawn it (usually with node.WithName); BEAM nodes can use
// supervisor:which_children/count_children/start_child/terminate_child/
// restart_child/delete_child/get_childspec on it, and Go code the
// functions of the same names in this package.
//
// Children are started in order in Init; if one fails, the ones started
// are stopped in reverse order and Spawn fails with
// {shutdown, {failed_to_start_child, Id, Reason}}. When restarts exceed
// Intensity within Period, all children are stopped (reverse order) and
// the supervisor exits with reason shutdown. A supervisor traps exits.
type Supervisor struct {
	Strategy Strategy
	// Intensity and Period: at most Intensity restarts within Period
	// (OTP's defaults when zero: 1 restart, 5 s); a negative Intensity
	// allows no restart at all.
	Intensity    int
	Period       time.Duration
	AutoShutdown AutoShutdown
	// Children, in start order. A SimpleOneForOne supervisor has exactly
	// one spec, the template for StartChildArgs.
	Children []ChildSpec
	// Factories serve BEAM's start_child with a child spec whose start is
	// {M, F, A}: the factory registered under M is called with A.
	Factories map[etf.Atom]Factory

	p        *Process
	kids     []*child           // static children, in start order
	dyn      map[etf.PID]*child // simple_one_for_one children
	restarts []time.Time
}

type child struct {
	spec       ChildSpec
	pid        etf.PID // zero when not running
	restarting bool
	extra      etf.List
}

func (c *child) running() bool { return c.pid != (etf.PID{}) }

// tryAgain retries a restart that failed (OTP's try_again_restart).
type tryAgain struct{ c *child }

func (s *Supervisor) limits() (int, time.Duration) {
	i, per := s.Intensity, s.Period
	switch {
	case i == 0:
		i = 1
	case i < 0:
		i = 0
	}
	if per <= 0 {
		per = 5 * time.Second
	}
	return i, per
}

// Init traps exits and starts the children in order.
func (s *Supervisor) Init(p *Process, _ ...any) error {
	s.p = p
	s.kids, s.dyn, s.restarts = nil, nil, nil
	p.TrapExit(true)
	if s.Strategy == SimpleOneForOne {
		if len(s.Children) != 1 {
			return Stop(etf.Tuple{atomShutdown, etf.Atom("simple_one_for_one requires exactly one child spec")})
		}
		s.dyn = make(map[etf.PID]*child)
		return nil
	}
	seen := map[string]bool{}
	for _, spec := range s.Children {
		k := idKey(spec.ID)
		if seen[k] {
			return Stop(etf.Tuple{atomShutdown, etf.Tuple{etf.Atom("duplicate_child_name"), spec.ID}})
		}
		seen[k] = true
		c := &child{spec: spec}
		if err := s.start(c); err != nil {
			s.terminateAll()
			return Stop(etf.Tuple{atomShutdown, etf.Tuple{etf.Atom("failed_to_start_child"), spec.ID, s.p.Node().ReasonOf(err)}})
		}
		s.kids = append(s.kids, c)
	}
	return nil
}

var atomShutdown = node.Shutdown

// HandleCast handles nothing; supervisors are driven by calls.
func (s *Supervisor) HandleCast(*Process, etf.Term) error { return nil }

// HandleInfo reacts to children's exits.
func (s *Supervisor) HandleInfo(p *Process, msg etf.Term) error {
	switch m := msg.(type) {
	case node.ExitMsg:
		c := s.byPID(m.From)
		if c == nil {
			return nil
		}
		c.pid = etf.PID{}
		if s.dyn != nil {
			delete(s.dyn, m.From)
		}
		return s.childExited(c, m.Reason)
	case *tryAgain:
		if !m.c.restarting {
			return nil
		}
		return s.restart(m.c)
	}
	return nil
}

// Terminate stops all children, in reverse start order.
func (s *Supervisor) Terminate(*Process, etf.Term) { s.terminateAll() }

// State reports the supervisor for sys:get_state: strategy, limits and
// children.
func (s *Supervisor) State() etf.Term {
	i, per := s.limits()
	return etf.Tuple{etf.Atom("state"), s.p.Name(), s.Strategy.Atom(), s.whichChildren(), i, int(per / time.Second)}
}

func isNormalExit(reason etf.Term) bool {
	if reason == node.Normal || reason == node.Shutdown {
		return true
	}
	t, ok := reason.(etf.Tuple)
	return ok && len(t) == 2 && t[0] == node.Shutdown
}

func (s *Supervisor) childExited(c *child, reason etf.Term) error {
	restart := false
	switch c.spec.Restart {
	case Permanent:
		restart = true
	case Transient:
		restart = !isNormalExit(reason)
	}
	if !isNormalExit(reason) {
		s.p.Logger().Error("supervisor: child terminated", "id", fmt.Sprint(c.spec.ID), "reason", fmt.Sprint(reason))
	}
	if !restart {
		if c.spec.Restart == Temporary {
			s.remove(c)
		}
		if c.spec.Significant && s.shouldAutoShutdown() {
			return Stop(node.Shutdown)
		}
		return nil
	}
	return s.restart(c)
}

func (s *Supervisor) shouldAutoShutdown() bool {
	switch s.AutoShutdown {
	case AnySignificant:
		return true
	case AllSignificant:
		for _, c := range s.all() {
			if c.spec.Significant && c.running() {
				return false
			}
		}
		return true
	}
	return false
}

// restart counts one restart against the intensity and applies the
// strategy; a start that fails is retried through the mailbox.
func (s *Supervisor) restart(c *child) error {
	if !s.addRestart() {
		s.p.Logger().Error("supervisor: reached max restart intensity", "id", fmt.Sprint(c.spec.ID))
		return Stop(node.Shutdown)
	}
	c.restarting = false
	var failed *child
	switch s.Strategy {
	case OneForOne, SimpleOneForOne:
		if err := s.start(c); err != nil {
			failed = c
		}
	case OneForAll, RestForOne:
		i := s.index(c)
		from := 0
		if s.Strategy == RestForOne {
			from = i
		}
		for j := len(s.kids) - 1; j >= from; j-- {
			if j != i {
				s.terminate(s.kids[j])
			}
		}
		for j := from; j < len(s.kids); j++ {
			k := s.kids[j]
			if k != c && k.spec.Restart == Temporary {
				continue // removed below, as OTP does
			}
			if err := s.start(k); err != nil {
				failed = k
				break
			}
		}
		for j := len(s.kids) - 1; j >= from; j-- {
			if k := s.kids[j]; k != c && k.spec.Restart == Temporary && !k.running() {
				s.remove(k)
			}
		}
	}
	if failed != nil {
		failed.restarting = true
		_ = s.p.Process.Send(s.p.Self(), &tryAgain{c: failed})
	}
	return nil
}

func (s *Supervisor) addRestart() bool {
	max, period := s.limits()
	now := s.p.Now()
	s.restarts = append(s.restarts, now)
	kept := s.restarts[:0]
	for _, t := range s.restarts {
		if now.Sub(t) < period {
			kept = append(kept, t)
		}
	}
	s.restarts = kept
	return len(s.restarts) <= max
}

func (s *Supervisor) byPID(pid etf.PID) *child {
	if s.dyn != nil {
		return s.dyn[pid]
	}
	for _, c := range s.kids {
		if c.pid == pid {
			return c
		}
	}
	return nil
}

func (s *Supervisor) byID(id etf.Term) *child {
	k := idKey(id)
	for _, c := range s.kids {
		if idKey(c.spec.ID) == k {
			return c
		}
	}
	return nil
}

func (s *Supervisor) index(c *child) int {
	for i, k := range s.kids {
		if k == c {
			return i
		}
	}
	return -1
}

func (s *Supervisor) remove(c *child) {
	if s.dyn != nil {
		delete(s.dyn, c.pid)
		return
	}
	if i := s.index(c); i >= 0 {
		s.kids = append(s.kids[:i], s.kids[i+1:]...)
	}
}

// all returns the children in start order (dynamic ones in no order).
func (s *Supervisor) all() []*child {
	if s.dyn == nil {
		return s.kids
	}
	out := make([]*child, 0, len(s.dyn))
	for _, c := range s.dyn {
		out = append(out, c)
	}
	return out
}

// idKey makes atoms, strings, charlists and binaries with the same text
// the same ID; other terms compare by their printed form.
func idKey(id etf.Term) string {
	switch v := id.(type) {
	case etf.Atom:
		return "t:" + string(v)
	case string:
		return "t:" + v
	case []byte:
		return "t:" + string(v)
	case etf.Charlist:
		return "t:" + string(v)
	}
	return fmt.Sprintf("x:%#v", id)
}
