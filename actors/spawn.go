package actors

import (
	"errors"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// SpawnOption configures an actor at Spawn or StartLink.
type SpawnOption func(*spawnConfig)

type spawnConfig struct {
	args     []any
	clock    Clock
	obs      Observer
	noObs    bool
	nodeOpts []node.SpawnOption
	app      *appRun
}

// WithName registers the actor under name before Init runs.
func WithName(name etf.Atom) SpawnOption {
	return func(c *spawnConfig) { c.nodeOpts = append(c.nodeOpts, node.WithName(name)) }
}

// WithArgs passes args to the actor's Init.
func WithArgs(args ...any) SpawnOption { return func(c *spawnConfig) { c.args = args } }

// WithTrapExit starts the actor trapping exits (process_flag(trap_exit,
// true) in init), so that its parent's exit runs Terminate.
func WithTrapExit() SpawnOption {
	return func(c *spawnConfig) { c.nodeOpts = append(c.nodeOpts, node.WithTrapExit()) }
}

// WithClock sets the clock of the actor's timers (default: the spawning
// actor's clock, else the real clock).
func WithClock(clk Clock) SpawnOption { return func(c *spawnConfig) { c.clock = clk } }

// WithObserver reports the actor's effects to o (default: the spawning
// actor's observer, if any).
func WithObserver(o Observer) SpawnOption {
	return func(c *spawnConfig) { c.obs, c.noObs = o, o == nil }
}

// WithNodeOptions passes options to node's Spawn (mailbox limit, log
// attributes, group leader ...).
func WithNodeOptions(opts ...node.SpawnOption) SpawnOption {
	return func(c *spawnConfig) { c.nodeOpts = append(c.nodeOpts, opts...) }
}

// Spawn starts a top-level actor on n (gen_server:start). Init runs before
// Spawn returns; its error is returned.
func Spawn(n *node.Node, a Actor, opts ...SpawnOption) (etf.PID, error) {
	return spawnActor(n, nil, a, false, opts)
}

// StartLink starts an actor linked to the node process np, which becomes
// its parent; use it from a plain node.Behavior. From an actor use
// Process.StartLink.
func StartLink(np *node.Process, a Actor, opts ...SpawnOption) (etf.PID, error) {
	s, cfg := newServer(a, nil, opts)
	s.parent, s.hasParent = np.Self(), true
	return np.SpawnLink(s, cfg.nodeOpts...)
}

// NewBehavior returns the node.Behavior that runs a; use it to run an
// actor with node's own Spawn functions. Options that only Spawn
// understands (WithName, WithTrapExit, WithNodeOptions) are ignored here.
func NewBehavior(a Actor, opts ...SpawnOption) node.Behavior {
	s, _ := newServer(a, nil, opts)
	return s
}

func newServer(a Actor, parent *Process, opts []SpawnOption) (*server, spawnConfig) {
	var cfg spawnConfig
	if parent != nil {
		cfg.clock, cfg.obs, cfg.app = parent.s.clock, parent.s.obs, parent.s.app
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = realClock{}
	}
	if cfg.noObs {
		cfg.obs = nil
	}
	s := &server{actor: a, args: cfg.args, clock: cfg.clock, obs: cfg.obs, app: cfg.app}
	return s, cfg
}

var errNilActor = errors.New("actors: nil Actor")

func spawnActor(n *node.Node, parent *Process, a Actor, link bool, opts []SpawnOption) (etf.PID, error) {
	if a == nil {
		return etf.PID{}, errNilActor
	}
	s, cfg := newServer(a, parent, opts)
	switch {
	case parent == nil:
		return n.Spawn(s, cfg.nodeOpts...)
	case link:
		s.parent, s.hasParent = parent.Self(), true
		return parent.np.SpawnLink(s, cfg.nodeOpts...)
	default:
		return parent.np.Spawn(s, cfg.nodeOpts...)
	}
}
