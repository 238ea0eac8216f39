package actors

import (
	"errors"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Actors take node's spawn options: node.WithName, node.WithTrapExit,
// node.WithMailboxLimit ... and the actor options below, which are
// node.SpawnOptions too (node.WithBeforeInit hooks that configure the
// actor's server before its Init runs). A hook given to a Spawn of
// something that is not an actor does nothing.

// actorOption makes a node.SpawnOption that configures the actor's server.
func actorOption(f func(s *server)) node.SpawnOption {
	return node.WithBeforeInit(func(p *node.Process) {
		if s, ok := p.Behavior().(*server); ok {
			f(s)
		}
	})
}

// WithArgs passes args to the actor's Init.
func WithArgs(args ...any) node.SpawnOption {
	return actorOption(func(s *server) { s.args = args })
}

// WithClock sets the clock of the actor's timers (default: the starting
// actor's clock, else the real clock).
func WithClock(clk Clock) node.SpawnOption {
	return actorOption(func(s *server) {
		if clk == nil {
			clk = realClock{}
		}
		s.clock = clk
	})
}

// WithObserver reports the actor's effects to o (default: the starting
// actor's observer, if any; nil turns an inherited observer off).
func WithObserver(o Observer) node.SpawnOption {
	return actorOption(func(s *server) { s.obs = o })
}

// Spawn starts a top-level actor on n (gen_server:start). Init runs before
// Spawn returns; its error is returned. From an actor use Process.Start or
// Process.StartLink.
func Spawn(n *node.Node, a Actor, opts ...node.SpawnOption) (etf.PID, error) {
	if a == nil {
		return etf.PID{}, errNilActor
	}
	return n.Spawn(newServer(a, nil), opts...)
}

// StartLink starts an actor linked to the node process np, which becomes
// its parent; use it from a plain node.Behavior. From an actor use
// Process.StartLink.
func StartLink(np *node.Process, a Actor, opts ...node.SpawnOption) (etf.PID, error) {
	if a == nil {
		return etf.PID{}, errNilActor
	}
	s := newServer(a, nil)
	s.parent, s.hasParent = np.Self(), true
	s.desc = describeFor(a, ancestorsOf(np, nil))
	return np.SpawnLink(s, opts...)
}

// NewBehavior returns the node.Behavior that runs a, to run an actor with
// node's own Spawn functions. The actor options given here (WithArgs,
// WithClock, WithObserver) apply when it starts; node's options (WithName,
// WithTrapExit ...) belong to the Spawn call, which takes actor options
// as well: n.Spawn(actors.NewBehavior(a), node.WithName("x"),
// actors.WithArgs(1)).
func NewBehavior(a Actor, opts ...node.SpawnOption) node.Behavior {
	s := newServer(a, nil)
	s.early = opts
	return s
}

// newServer builds the server of a, inheriting the clock, observer and
// application of the starting actor (if any); options given to the Spawn
// override them before Init.
func newServer(a Actor, parent *Process) *server {
	s := &server{actor: a, clock: realClock{}}
	var anc etf.List
	if parent != nil {
		s.clock, s.obs, s.app = parent.s.clock, parent.s.obs, parent.s.app
		anc = ancestorsOf(parent.Process, parent.s.ancestors())
	}
	s.desc = describeFor(a, anc)
	return s
}

var errNilActor = errors.New("actors: nil Actor")
