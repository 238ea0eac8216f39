package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// When to dial, and when signals queue behind a background setup.
//
// Only callers that wait for an answer dial in their own goroutine:
// conn (and ensureConnected, for monitor_node) and Node.Connect. conn first
// waits for a background setup already running for the node, so that the
// caller's earlier signals go out first, and fails with that setup's error
// instead of starting a second attempt; otherwise connect dials, bounded by
// setupTimeout.
//
// Signals never dial in the sender (like BEAM, a send, exit/2, link or
// monitor does not block on net_setuptime): send, exit/2, link and monitor
// use the live connection at once only while no background setup for that
// node is pending; otherwise (no connection, or one pending) they queue
// behind inBackground, which dials once per node and runs the queued ops in
// order. A failed setup drops queued messages and exit/2 signals (as BEAM
// drops them), turns a link into the exit signal noconnection and a
// monitor into DOWN noconnection.
//
// Signals about something that crossed a connection (a link's exit,
// demonitor, a DOWN to a remote watcher) use only the current connection
// (mgr.Conn) and never dial: without it the peer has already seen
// noconnection. monitorOn redials once (connect) when the connection it
// booked on was replaced meanwhile. Once the node stops nothing dials.

// setup is a background connection attempt with the operations waiting for
// it, run in order once it resolves.
type setup struct {
	ops  []func(c *dist.Conn, err error)
	done chan struct{} // closed once every op ran
	err  error         // the attempt's failure; set before done closes
}

// setupTimeout bounds an on-demand connection attempt.
const setupTimeout = 10 * time.Second

// conn returns the connection to node, connecting if needed. Operations
// queued on a background setup for node (asynchronous monitors) run first,
// so that a process's signals to a node keep their order.
func (r *remote) conn(node etf.Atom) (*dist.Conn, error) {
	if r.nsetups.Load() > 0 {
		r.mu.Lock()
		s := r.setups[node]
		r.mu.Unlock()
		if s != nil {
			t := time.NewTimer(2 * setupTimeout)
			select {
			case <-s.done:
				if s.err != nil {
					// What this caller queued behind failed: like a send on
					// a BEAM connection that is still pending, it fails
					// with the attempt instead of starting a second one (a
					// Call to an unreachable node took 2 x the setup time).
					t.Stop()
					// %v for the reason given in connect.
					return nil, fmt.Errorf("%w: %s: %v", ErrNoConnection, node, s.err)
				}
			case <-t.C:
			}
			t.Stop()
		}
	}
	return r.connect(node)
}

// connect is conn without waiting for background setups (it runs inside
// them).
func (r *remote) connect(node etf.Atom) (*dist.Conn, error) {
	if c := r.liveConn(node); c != nil {
		return c, nil
	}
	if r.n.stopped.Load() {
		return nil, ErrNoConnection
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	c, err := r.dialPeer(ctx, node)
	if errors.Is(err, ErrConnectBackoff) {
		return nil, err // not dialled: says so, and wraps ErrNoConnection
	}
	if err != nil {
		// %v, not %w: the cause can be this setup timeout's
		// context.DeadlineExceeded, and callers of Send/Call test that
		// (before ErrNoConnection) to mean their own deadline passed.
		return nil, fmt.Errorf("%w: %s: %v", ErrNoConnection, node, err)
	}
	return c, nil
}

// liveConn returns the up connection to node without connecting, or nil.
func (r *remote) liveConn(node etf.Atom) *dist.Conn {
	if m := r.conns.Load(); m != nil {
		if c := (*m)[node]; c != nil {
			return c
		}
	}
	if c, ok := r.mgr.Conn(node); ok {
		return c
	}
	return nil
}

// inBackground runs op once a connection to node is up (or failed) without
// blocking the caller; ops for one node run in the order queued, before
// any later conn(node) returns.
func (r *remote) inBackground(node etf.Atom, op func(c *dist.Conn, err error)) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		op(nil, ErrNoConnection)
		return
	}
	if s := r.setups[node]; s != nil {
		s.ops = append(s.ops, op)
		r.mu.Unlock()
		return
	}
	if err := r.backoff.check(node); err != nil {
		// Inside the back-off window: fail as the attempt would, here
		// and now, without a goroutine or a dial.
		r.mu.Unlock()
		op(nil, err)
		return
	}
	s := &setup{ops: []func(*dist.Conn, error){op}, done: make(chan struct{})}
	r.setups[node] = s
	r.nsetups.Add(1)
	r.bg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.bg.Done()
		var c *dist.Conn
		var err error
		if r.n.stopped.Load() {
			err = ErrNoConnection
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
			c, err = r.dialPeer(ctx, node)
			cancel()
		}
		s.err = err
		for {
			r.mu.Lock()
			ops := s.ops
			s.ops = nil
			if len(ops) == 0 {
				delete(r.setups, node)
				r.nsetups.Add(-1)
				close(s.done)
				r.mu.Unlock()
				return
			}
			r.mu.Unlock()
			for _, op := range ops {
				op(c, err)
			}
		}
	}()
}

// setConnLocked updates the connection snapshot (c nil: remove); r.mu held.
func (r *remote) setConnLocked(node etf.Atom, c *dist.Conn) {
	m := make(map[etf.Atom]*dist.Conn, len(r.peers)+1)
	if old := r.conns.Load(); old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	if c == nil {
		delete(m, node)
	} else {
		m[node] = c
	}
	r.conns.Store(&m)
}

func (r *remote) ensureConnected(node etf.Atom) bool {
	_, err := r.conn(node)
	return err == nil
}

// send sends msg over the connection to t's node. in, when not nil, is
// the sending process: a killing exit signal interrupts its wait for room
// in a full write queue (see sendWaiter).
//
// Like erlang:send/2 it never waits for a connection: without one the
// message is queued behind a background connection attempt (in order with
// the node's other queued signals) and dropped if the attempt fails, as
// BEAM drops messages to a node it cannot reach. A gen_server replying to
// a caller on a partitioned node therefore does not stall for
// net_setuptime.
func (r *remote) send(from etf.PID, in *sendWaiter, t target, msg etf.Term) error {
	var ctl dist.Control
	switch t.kind {
	case targetPID:
		ctl = dist.Send{From: from, To: t.pid}
	case targetName:
		ctl = dist.RegSend{From: from, To: t.name}
	default:
		ctl = dist.AliasSend{From: from, Alias: t.ref}
	}
	if c := r.readyConn(t.node); c != nil {
		return r.sendOn(c, ctl, msg, in)
	}
	if r.n.stopped.Load() {
		return ErrNoConnection
	}
	r.inBackground(t.node, func(c *dist.Conn, err error) {
		if err == nil {
			_ = c.Send(ctl, msg)
		}
	})
	return nil
}

// settingUp reports whether signals to node are queued behind a background
// connection attempt (a later send must queue behind them to keep order).
// readyConn returns the live connection to node when an operation may go
// on it at once: none of the node's earlier operations waits in a setup
// toward it (they must go first). A setup toward another node does not
// matter. nil: queue on inBackground.
func (r *remote) readyConn(node etf.Atom) *dist.Conn {
	c := r.liveConn(node)
	if c != nil && r.nsetups.Load() != 0 && r.settingUp(node) {
		return nil
	}
	return c
}

func (r *remote) settingUp(node etf.Atom) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.setups[node] != nil
}

func (r *remote) sendOn(c *dist.Conn, ctl dist.Control, msg etf.Term, in *sendWaiter) error {
	var err error
	if in != nil {
		err = c.SendInterruptible(ctl, msg, in)
	} else {
		err = c.Send(ctl, msg)
	}
	if errors.Is(err, dist.ErrInterrupted) {
		return (*Process)(in).pendingExit()
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoConnection, err)
	}
	return nil
}
