// Package svcsup supervises a node's own service processes (net_kernel,
// rex, user, global_name_server, pg scopes): it starts them, watches them
// with monitors and starts a fresh one under the same registered name when
// one exits, with a log line, within a restart budget.
//
// What OTP does, for the record (OTP 25, checked on a live node): rex,
// global_name_server and net_sup (net_kernel, auth, erl_epmd) are children
// of kernel_sup, which is one_for_all with intensity 0, so the death of any
// of them terminates the kernel application and halts the whole node
// ("Kernel pid terminated"); pg is a child of kernel_safe_sup, one_for_one
// with 4 restarts per 3600 s; user is a temporary child. A library node
// that halts the program embedding it is not useful, so the services here
// are restarted one for one instead, and a crash loop (more restarts than
// the budget) gives up: the supervisor stops its children and reports the
// reason on Done/Err, for the program to decide (stop the node, restart
// it), as a node's heart or systemd would.
package svcsup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Default restart budget: at most DefaultMaxRestarts restarts within
// DefaultPeriod; one more gives up.
const (
	DefaultMaxRestarts = 10
	DefaultPeriod      = 60 * time.Second
)

// stopGrace bounds how long Stop waits for the children to exit after
// exit(Child, shutdown) before killing them (OTP's shutdown => 2000).
const stopGrace = 2 * time.Second

// ErrGaveUp is the error of a supervisor that exceeded its restart budget.
var ErrGaveUp = errors.New("svcsup: restart intensity exceeded, services stopped")

// Child is one supervised service process.
type Child struct {
	// Name is the registered name ("" for an anonymous helper).
	Name etf.Atom
	// Label names the child in logs (default: Name).
	Label string
	// New builds a fresh behaviour for each (re)start.
	New func() node.Behavior
	// Opts are extra spawn options (WithName is added for Name).
	Opts []node.SpawnOption
	// Started, if set, is called with the pid after every start, before
	// the child handles its first message from anyone but its own Init.
	Started func(pid etf.PID)
	// Group children restart together: when one of a group exits, the
	// others of the same non-empty group are stopped and all of them are
	// started again in order (one_for_all within the group), for
	// processes that hold each other's pids.
	Group string
}

func (c *Child) label() string {
	if c.Label != "" {
		return c.Label
	}
	return string(c.Name)
}

// Config configures a supervisor.
type Config struct {
	// Label names the supervisor in logs ("interop", "global", "pg").
	Label string
	// Log receives the restart lines (default: the node's logger).
	Log *slog.Logger
	// MaxRestarts and Period are the restart budget (defaults above).
	MaxRestarts int
	Period      time.Duration
}

// Sup is a running supervisor.
type Sup struct {
	n    *node.Node
	cfg  Config
	pid  etf.PID
	done chan struct{}

	mu  sync.Mutex
	err error
}

// Start spawns the supervisor and its children in order. It fails (with
// the children started so far stopped) if a child cannot start, e.g.
// because its name is taken.
func Start(n *node.Node, cfg Config, children []Child) (*Sup, error) {
	if cfg.Log == nil {
		cfg.Log = n.Logger()
	}
	if cfg.MaxRestarts <= 0 {
		cfg.MaxRestarts = DefaultMaxRestarts
	}
	if cfg.Period <= 0 {
		cfg.Period = DefaultPeriod
	}
	s := &Sup{n: n, cfg: cfg, done: make(chan struct{})}
	b := &supProc{s: s, children: make([]*running, len(children))}
	for i := range children {
		b.children[i] = &running{spec: children[i]}
	}
	pid, err := n.Spawn(b, node.WithLogAttrs("proc", cfg.Label+"_sup"))
	if err != nil {
		return nil, err
	}
	s.pid = pid
	return s, nil
}

// Done is closed when the supervisor has exited (Stop, node stop, or a
// restart budget exceeded).
func (s *Sup) Done() <-chan struct{} { return s.done }

// Err is nil while running and after a Stop or node stop; ErrGaveUp
// (wrapped with the last child's exit) after the budget was exceeded.
func (s *Sup) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stop stops the children (exit shutdown, then kill after a grace) and the
// supervisor, and waits for them until ctx is done. It is idempotent and
// must not be called from one of the children's own handlers with a ctx
// that never ends (the child cannot exit while its handler waits).
func (s *Sup) Stop(ctx context.Context) {
	_ = s.n.Send(s.pid, stopReq{})
	select {
	case <-s.done:
	case <-s.n.Done():
	case <-ctx.Done():
	}
}

type stopReq struct{}
type stopTimeout struct{}

type running struct {
	spec     Child
	pid      etf.PID
	ref      etf.Ref
	up       bool
	stopping bool // killed for a group restart, DOWN not seen yet
}

type supProc struct {
	s        *Sup
	children []*running
	restarts []time.Time
	stopping bool
}

func (b *supProc) Init(p *node.Process) error {
	for _, c := range b.children {
		if err := b.start(p, c); err != nil {
			b.stopAll(p)
			return fmt.Errorf("start %s: %w", c.spec.label(), err)
		}
	}
	return nil
}

func (b *supProc) start(p *node.Process, c *running) error {
	opts := c.spec.Opts
	if c.spec.Name != "" {
		opts = append(append([]node.SpawnOption(nil), opts...), node.WithName(c.spec.Name))
	}
	pid, ref, err := p.SpawnMonitor(c.spec.New(), opts...)
	if err != nil {
		return err
	}
	c.pid, c.ref, c.up = pid, ref, true
	if c.spec.Started != nil {
		c.spec.Started(pid)
	}
	return nil
}

func (b *supProc) Terminate(p *node.Process, _ etf.Term) {
	// Children outlive a supervisor killed from outside only until their
	// own next exit; nothing restarts them then. Close Done either way.
	close(b.s.done)
}

func (b *supProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case stopReq:
		if !b.stopping {
			b.stopping = true
			b.stopAll(p)
			p.SendAfter(stopGrace, p.Self(), stopTimeout{})
		}
	case stopTimeout:
		for _, c := range b.children {
			if c.up {
				_ = p.Exit(c.pid, node.Kill)
			}
		}
		return &node.ExitError{Reason: node.Shutdown}
	case node.DownMsg:
		return b.down(p, m)
	}
	if b.stopping && !b.anyUp() {
		return &node.ExitError{Reason: node.Shutdown}
	}
	return nil
}

func (b *supProc) anyUp() bool {
	for _, c := range b.children {
		if c.up {
			return true
		}
	}
	return false
}

// stopAll asks every running child to exit with reason shutdown.
func (b *supProc) stopAll(p *node.Process) {
	for i := len(b.children) - 1; i >= 0; i-- {
		if c := b.children[i]; c.up {
			_ = p.Exit(c.pid, node.Shutdown)
		}
	}
}

func (b *supProc) down(p *node.Process, m node.DownMsg) error {
	var dead *running
	for _, c := range b.children {
		if c.up && c.ref == m.Ref {
			dead = c
		}
	}
	if dead == nil {
		return nil
	}
	dead.up = false
	if b.stopping {
		if !b.anyUp() {
			return &node.ExitError{Reason: node.Shutdown}
		}
		return nil
	}
	if b.s.n.Stopping() {
		return &node.ExitError{Reason: node.Shutdown}
	}
	if dead.stopping {
		// One of a group we are restarting: start the group once the
		// last of it is gone (its names are free only then).
		dead.stopping = false
		return b.restartGroupIfDown(p, dead.spec.Group, m.Reason)
	}
	b.s.cfg.Log.Warn("service exited; restarting", "supervisor", b.s.cfg.Label,
		"child", dead.spec.label(), "pid", dead.pid, "reason", fmt.Sprint(m.Reason))
	g := dead.spec.Group
	if g == "" {
		return b.restart(p, []*running{dead}, m.Reason)
	}
	// one_for_all within the group: stop the others, then start all of
	// them in order when their DOWNs have arrived.
	for _, c := range b.children {
		if c.spec.Group == g && c.up && !c.stopping {
			c.stopping = true
			_ = p.Exit(c.pid, node.Kill)
		}
	}
	return b.restartGroupIfDown(p, g, m.Reason)
}

func (b *supProc) restartGroupIfDown(p *node.Process, g string, reason etf.Term) error {
	var todo []*running
	for _, c := range b.children {
		if c.spec.Group != g {
			continue
		}
		if c.up {
			return nil // still waiting for a DOWN
		}
		todo = append(todo, c)
	}
	return b.restart(p, todo, reason)
}

// restart starts cs again in order, spending the restart budget.
func (b *supProc) restart(p *node.Process, cs []*running, reason etf.Term) error {
	log := b.s.cfg.Log
	for _, c := range cs {
		for {
			if err := b.spend(); err != nil {
				return b.giveUp(p, c, err, reason)
			}
			err := b.start(p, c)
			if err == nil {
				log.Warn("service restarted", "supervisor", b.s.cfg.Label,
					"child", c.spec.label(), "pid", c.pid)
				break
			}
			if b.s.n.Stopping() {
				return &node.ExitError{Reason: node.Shutdown}
			}
			log.Warn("service restart failed", "supervisor", b.s.cfg.Label,
				"child", c.spec.label(), "err", err)
		}
	}
	return nil
}

// spend records a restart and fails once the budget is exceeded.
func (b *supProc) spend() error {
	now := time.Now()
	keep := b.restarts[:0]
	for _, t := range b.restarts {
		if now.Sub(t) < b.s.cfg.Period {
			keep = append(keep, t)
		}
	}
	b.restarts = append(keep, now)
	if len(b.restarts) > b.s.cfg.MaxRestarts {
		return ErrGaveUp
	}
	return nil
}

func (b *supProc) giveUp(p *node.Process, c *running, err error, reason etf.Term) error {
	b.s.cfg.Log.Error("services stopped: too many restarts", "supervisor", b.s.cfg.Label,
		"child", c.spec.label(), "max_restarts", b.s.cfg.MaxRestarts,
		"period", b.s.cfg.Period, "last_reason", fmt.Sprint(reason))
	b.s.mu.Lock()
	b.s.err = fmt.Errorf("%w (%s exited: %v)", err, c.spec.label(), reason)
	b.s.mu.Unlock()
	b.stopping = true
	b.stopAll(p)
	return &node.ExitError{Reason: node.Shutdown}
}
