package global

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Register registers pid under name in every node of the cluster
// (global:register_name/2). It returns ErrNameTaken if name is already
// registered or pid already has a global name. The resolve method stored
// with the name is DefaultMethod.
func (s *Server) Register(ctx context.Context, name etf.Term, pid etf.PID) error {
	return s.RegisterWithMethod(ctx, name, pid, DefaultMethod)
}

// RegisterWithMethod is Register with an explicit resolve method: an
// etf.Export of global:random_exit_name/3, random_notify_name/3 or
// notify_all_name/3 (other terms are stored and passed to BEAM resolvers
// unchanged; the Go node resolves them as random_exit_name).
func (s *Server) RegisterWithMethod(ctx context.Context, name etf.Term, pid etf.PID, method etf.Term) error {
	v, err := s.call(ctx, regReq{op: opRegister, name: name, pid: pid, method: method})
	if err != nil {
		return err
	}
	if v != atomYes {
		return fmt.Errorf("%w: %v", ErrNameTaken, name)
	}
	return nil
}

// Unregister removes name from every node (global:unregister_name/1).
// Unregistering an unknown name is not an error.
func (s *Server) Unregister(ctx context.Context, name etf.Term) error {
	if _, ok := s.names.lookup(name); !ok {
		return nil
	}
	_, err := s.call(ctx, regReq{op: opUnregister, name: name})
	return err
}

// Whereis returns the pid registered under name (global:whereis_name/1),
// read from this node's replica of the name table.
func (s *Server) Whereis(name etf.Term) (etf.PID, bool) { return s.where(name) }

func (s *Server) where(name etf.Term) (etf.PID, bool) {
	e, ok := s.names.lookup(name)
	if !ok {
		return etf.PID{}, false
	}
	if e.pid.Node == s.n.Name() && !s.n.IsAlive(e.pid) {
		return etf.PID{}, false
	}
	return e.pid, true
}

// RegisteredNames returns every global name (global:registered_names/0).
func (s *Server) RegisteredNames() []etf.Term {
	all := s.names.all()
	out := make([]etf.Term, 0, len(all))
	for _, e := range all {
		out = append(out, e.name)
	}
	return out
}

// Send sends msg to the process registered as name (global:send/2), from
// p, or from the node when p is nil, and returns its pid.
func (s *Server) Send(p *node.Process, name etf.Term, msg etf.Term) (etf.PID, error) {
	pid, ok := s.where(name)
	if !ok {
		return etf.PID{}, fmt.Errorf("%w: %v", ErrNotRegistered, name)
	}
	if p != nil {
		return pid, p.Send(pid, msg)
	}
	return pid, s.n.Send(pid, msg)
}

// Sync waits until this node has exchanged names with every connected
// node (global:sync/0), or with nodes when given.
func (s *Server) Sync(ctx context.Context, nodes ...etf.Atom) error {
	w := &syncWaiter{left: map[etf.Atom]bool{}, done: make(chan struct{})}
	if err := s.n.Send(s.PID(), syncRequest{nodes: nodes, w: w}); err != nil {
		return ErrStopped
	}
	select {
	case <-w.done:
		if s.ctx.Err() != nil {
			return ErrStopped
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LockID identifies a global lock: {ResourceId, LockRequesterId}.
type LockID struct {
	Resource  etf.Term
	Requester etf.Term
}

func (id LockID) term() etf.Tuple { return etf.Tuple{id.Resource, id.Requester} }

// SetLock sets the lock id on nodes (global:set_lock/3; nodes nil means
// this node and every known node), retrying retries times (-1: until ctx
// ends). The lock is held by the server's registrar process on behalf of
// the Go caller until DelLock. It returns ErrLockNotSet when the retries
// are exhausted.
func (s *Server) SetLock(ctx context.Context, id LockID, nodes []etf.Atom, retries int) error {
	if nodes == nil {
		var err error
		if nodes, err = s.allNodes(ctx); err != nil {
			return err
		}
	}
	v, err := s.call(ctx, regReq{op: opSetLock, id: id.term(), nodes: nodes, retries: retries})
	if err != nil {
		return err
	}
	if v != atomTrue {
		return ErrLockNotSet
	}
	return nil
}

// DelLock removes the lock id from nodes (global:del_lock/2; nil: this
// node and every known node).
func (s *Server) DelLock(ctx context.Context, id LockID, nodes []etf.Atom) error {
	if nodes == nil {
		var err error
		if nodes, err = s.allNodes(ctx); err != nil {
			return err
		}
	}
	_, err := s.call(ctx, regReq{op: opDelLock, id: id.term(), nodes: nodes})
	return err
}

// Trans runs f while holding the lock id on nodes (global:trans/4).
func (s *Server) Trans(ctx context.Context, id LockID, nodes []etf.Atom, retries int, f func() error) error {
	if nodes == nil {
		var err error
		if nodes, err = s.allNodes(ctx); err != nil {
			return err
		}
	}
	if err := s.SetLock(ctx, id, nodes, retries); err != nil {
		return err
	}
	defer func() { _ = s.DelLock(context.WithoutCancel(ctx), id, nodes) }()
	return f()
}

// allNodes is [node() | nodes()] as global's set_lock/1 uses it.
func (s *Server) allNodes(ctx context.Context) ([]etf.Atom, error) {
	v, err := s.n.Call(ctx, s.PID(), etf.Atom("get_known"))
	if err != nil {
		return nil, err
	}
	out := []etf.Atom{s.n.Name()}
	l, _ := etf.AsList(v)
	for _, e := range l {
		if a, ok := e.(etf.Atom); ok {
			out = append(out, a)
		}
	}
	return out, nil
}
