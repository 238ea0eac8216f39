package node

import (
	"context"

	"github.com/erlgo/erlgo/etf"
)

// remote is the distribution half of a node (see remote_*.go).
type remote struct{}

func startRemote(ctx context.Context, n *Node) (*remote, error) { return &remote{}, nil }

func (r *remote) close() error                                                { return nil }
func (r *remote) send(from etf.PID, t target, msg etf.Term) error             { return ErrNoConnection }
func (r *remote) link(from, to etf.PID) error                                 { return ErrNoConnection }
func (r *remote) unlink(p *Process, to etf.PID)                               {}
func (r *remote) forgetLink(local, peer etf.PID)                              {}
func (r *remote) exit(from, to etf.PID, reason etf.Term, link bool)           {}
func (r *remote) monitor(p *Process, ref etf.Ref, t target)                   {}
func (r *remote) demonitor(owner etf.PID, ref etf.Ref, t monitorTarget)       {}
func (r *remote) down(from, to etf.PID, ref etf.Ref, object, reason etf.Term) {}
func (r *remote) ensureConnected(node etf.Atom) bool                          { return false }

// SpawnFactory builds the Behavior of a process spawned from another node
// (SPAWN_REQUEST, e.g. erlang:spawn/4 or erpc) from the call's argument list.
type SpawnFactory func(args etf.List) (Behavior, error)

type mfaKey struct {
	module, function etf.Atom
	arity            int
}
