package node

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// Connect back-off (see docs/routes.md).
//
// A failed connection attempt to a node is remembered for a short window;
// sends, links, monitors, exit/2 and remote spawns that would dial
// that node within the window fail at once, as if the attempt had been
// made and had failed again, without dialling. The window starts at
// DefaultBackoffBase, doubles with every further failure up to
// DefaultBackoffMax and is jittered (each window is between half and all
// of its nominal length), so that nodes that lost the same peer do not
// redial it in step. A connection up with the node (dialled or accepted)
// forgets the failures; so does a quiet spell of the maximum window after
// the last window ended.
//
// Node.Connect always dials, like net_kernel:connect_node/1 (it is the
// explicit way to ask "is it back?"); its failure counts for the others.
// BEAM has no such memory: every erlang:send/2 to an unreachable node
// starts a new attempt, which under a flood of sends is a dial (and an
// EPMD lookup) per send.

// Default connect back-off (WithConnectBackoff).
const (
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffMax  = 3200 * time.Millisecond
)

// ErrConnectBackoff reports an operation that did not dial because a
// connection attempt to the same node failed a moment ago (connect
// back-off, see WithConnectBackoff). The error also matches
// ErrNoConnection and wraps the failed attempt's cause.
var ErrConnectBackoff = errors.New("node: not dialled: the last connection attempt to this node failed a moment ago (connect back-off)")

// WithConnectBackoff sets the connect back-off: after a failed connection
// attempt to a node, operations that would dial it fail at once for base,
// then for twice as long after each further failure, up to max, each
// window jittered between half and all of its length (defaults
// DefaultBackoffBase and DefaultBackoffMax). A connection up with the node
// resets it; Node.Connect always dials. base <= 0 turns the back-off off:
// every operation dials, as on BEAM.
func WithConnectBackoff(base, max time.Duration) Option {
	return func(c *config) { c.backoffBase, c.backoffMax, c.backoffSet = base, max, true }
}

// backoffLimit bounds the failed nodes remembered, so that sends to any
// number of distinct dead names cannot grow the table without bound
// (past it new failures are not remembered: those nodes are dialled).
const backoffLimit = 1 << 16

type backoffEntry struct {
	failures int
	until    time.Time // no dial before
	forget   time.Time // the entry is stale after
	err      error     // what check returns until then, built once
}

// backoffTable remembers failed connection attempts per node.
type backoffTable struct {
	base, max time.Duration // base 0: off
	now       func() time.Time

	active  atomic.Int32 // len(m), so that the check is free while empty
	mu      sync.Mutex
	m       map[etf.Atom]*backoffEntry
	sweepAt int
}

func newBackoffTable(cfg *config) *backoffTable {
	b := &backoffTable{base: DefaultBackoffBase, max: DefaultBackoffMax, now: time.Now,
		m: make(map[etf.Atom]*backoffEntry), sweepAt: 64}
	if cfg.backoffSet {
		b.base, b.max = max(cfg.backoffBase, 0), max(cfg.backoffMax, cfg.backoffBase)
	}
	return b
}

// check returns the error for an operation that must not dial node now,
// or nil.
func (b *backoffTable) check(node etf.Atom) error {
	if b.active.Load() == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.m[node]; e != nil && b.now().Before(e.until) {
		return e.err
	}
	return nil
}

// failed records a failed attempt to node and returns the window it opens
// (0: not recorded).
func (b *backoffTable) failed(node etf.Atom, cause error) time.Duration {
	if b.base <= 0 {
		return 0
	}
	if errors.Is(cause, context.DeadlineExceeded) || errors.Is(cause, context.Canceled) {
		// Keep the text only: callers of Send and Call read a wrapped
		// context error as their own deadline (see connect).
		cause = errors.New(cause.Error())
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.m[node]
	if e != nil && now.After(e.forget) {
		e.failures = 0
	}
	if e == nil {
		if len(b.m) >= b.sweepAt {
			b.sweepLocked(now)
		}
		if len(b.m) >= backoffLimit {
			return 0
		}
		e = &backoffEntry{}
		b.m[node] = e
		b.active.Store(int32(len(b.m)))
	}
	e.failures++
	d := b.base
	for i := 1; i < e.failures && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	d = d/2 + rand.N(d/2+1) // jitter: [d/2, d]
	e.until, e.forget = now.Add(d), now.Add(d+b.max)
	e.err = fmt.Errorf("%w: %s: %w (%d failed in a row; no dial for %v): %w",
		ErrNoConnection, node, ErrConnectBackoff, e.failures, d.Round(time.Millisecond), cause)
	return d
}

// sweepLocked drops stale entries; b.mu held.
func (b *backoffTable) sweepLocked(now time.Time) {
	for k, e := range b.m {
		if now.After(e.forget) {
			delete(b.m, k)
		}
	}
	b.sweepAt = max(64, 2*len(b.m))
	b.active.Store(int32(len(b.m)))
}

// clear forgets node's failures (a connection with it is up).
func (b *backoffTable) clear(node etf.Atom) {
	if b.active.Load() == 0 {
		return
	}
	b.mu.Lock()
	if _, ok := b.m[node]; ok {
		delete(b.m, node)
		b.active.Store(int32(len(b.m)))
	}
	b.mu.Unlock()
}

// reset forgets every failure (the routes changed: the next attempt to
// any node may take a new way).
func (b *backoffTable) reset() {
	b.mu.Lock()
	clear(b.m)
	b.active.Store(0)
	b.mu.Unlock()
}

// until returns the end of node's current window (zero if none); for
// tests.
func (b *backoffTable) until(node etf.Atom) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.m[node]; e != nil {
		return e.until
	}
	return time.Time{}
}

// backoffFor returns the back-off error for an operation towards node
// that would have to dial it (no connection, none being set up), or nil;
// r may be nil (no distribution).
func (r *remote) backoffFor(node etf.Atom) error {
	if r == nil || node == r.n.name || r.backoff.active.Load() == 0 || r.liveConn(node) != nil || r.settingUp(node) {
		return nil
	}
	return r.backoff.check(node)
}

// dialPeer is the one place where operations that may dial on their own
// (not Node.Connect) reach the Manager: it fails fast inside node's
// back-off window and records a failed attempt.
func (r *remote) dialPeer(ctx context.Context, node etf.Atom) (*dist.Conn, error) {
	if err := r.backoff.check(node); err != nil {
		return nil, err
	}
	c, err := r.mgr.Connect(ctx, node)
	if err != nil {
		r.connectFailed(node, err)
	}
	return c, err
}

// connectFailed records a failed attempt (unless the node is stopping,
// which fails every attempt) and logs it; at Info for a routed peer,
// whose failure is more likely a configuration matter (port, cookie, TLS).
func (r *remote) connectFailed(node etf.Atom, err error) {
	if r.n.stopped.Load() || errors.Is(err, dist.ErrClosed) || r.liveConn(node) != nil {
		// Stopping fails every attempt; and a connection that came up
		// meanwhile (the peer dialled us) already proved it reachable.
		return
	}
	d := r.backoff.failed(node, err)
	if e, ok := r.routes.lookup(node); ok {
		r.n.log.Debug("connect via route failed", "peer", node, "route", e.Pattern, "err", err, "backoff", d)
		return
	}
	r.n.log.Debug("connect failed", "peer", node, "err", err, "backoff", d)
}
