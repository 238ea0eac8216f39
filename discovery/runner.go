package discovery

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Event is a nodeup (Up) or nodedown of a candidate node: the loop
// connected to it or saw it connect, or its connection was lost.
type Event struct {
	Node etf.Atom
	Up   bool
}

// NodeStatus is what the loop knows about one candidate node.
type NodeStatus struct {
	Node      etf.Atom
	Connected bool
	// Attempts counts the connection attempts this loop made to the node.
	Attempts int
	// Failures counts the attempts that failed since the node was last
	// connected; the next retry waits the back-off for that count.
	Failures int
	// LastError is the last attempt's error (nil once connected).
	LastError error
	// NextAttempt is when the next attempt is due (zero while connected or
	// while one is in flight).
	NextAttempt time.Time
}

// candidate is the loop's state for one listed node, guarded by Runner.mu.
type candidate struct {
	status   NodeStatus
	inFlight bool
	missing  int // reconciles in a row that found it connected-but-unlisted
}

type attemptResult struct {
	name etf.Atom
	c    *candidate
	err  error
}

type pollResult struct {
	names []etf.Atom
	err   error
}

// Runner is a running discovery loop (see Start).
type Runner struct {
	n      *node.Node
	s      Strategy
	cfg    config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	cands map[etf.Atom]*candidate

	// Owned by the loop goroutine.
	results  chan attemptResult
	polls    chan pollResult
	events   chan Event
	wg       sync.WaitGroup
	inFlight int
	lastWarn string

	watcherPID atomic.Value // etf.PID of the current watcher, for tests
}

// Start runs a discovery loop on n until ctx ends, Stop is called or n
// stops. It asks s for the node list at once and then every poll interval,
// connects to every listed node that is not connected (a few at a time,
// each failure retried after a doubling, jittered back-off up to a cap),
// forgets nodes that leave the list (without disconnecting them), and
// reports nodeup and nodedown of listed nodes through OnEvent. It follows
// connections through node monitoring (net_kernel:monitor_nodes/1 on a
// process of its own, restarted if it dies), so a lost connection is
// reported and retried at once, not at the next poll.
//
// The loop survives its parts: a Strategy that panics or fails, a DNS
// server that answers garbage, an OnEvent callback that panics are logged
// and the loop goes on at the next poll. Only visible nodes send nodeup
// and nodedown at once; hidden connections are noticed at each poll.
func Start(ctx context.Context, n *node.Node, s Strategy, opts ...Option) (*Runner, error) {
	if n == nil || s == nil {
		return nil, errors.New("discovery: Start needs a node and a strategy")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.logger
	if log == nil {
		log = n.Logger()
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Runner{
		n: n, s: s, cfg: cfg, log: log.With("component", "discovery"),
		cancel: cancel, done: make(chan struct{}),
		cands:   make(map[etf.Atom]*candidate),
		results: make(chan attemptResult), polls: make(chan pollResult),
		events: make(chan Event, 64),
	}
	w, err := r.spawnWatcher(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	go r.loop(ctx, w)
	return r, nil
}

// Stop ends the loop and waits until its goroutines and its process are
// gone. Connections it made stay up.
func (r *Runner) Stop() {
	r.cancel()
	<-r.done
}

// Done is closed when the loop has ended.
func (r *Runner) Done() <-chan struct{} { return r.done }

// Status returns the state of every candidate node, sorted by name.
func (r *Runner) Status() []NodeStatus {
	r.mu.Lock()
	out := make([]NodeStatus, 0, len(r.cands))
	for _, c := range r.cands {
		out = append(out, c.status)
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b NodeStatus) int { return cmp.Compare(a.Node, b.Node) })
	return out
}

func (r *Runner) loop(ctx context.Context, w *watcherHandle) {
	defer close(r.done)
	defer r.wg.Wait()
	defer r.cancel()
	defer func() { w.stop(r.n) }()
	pollT := time.NewTimer(0) // first poll at once
	defer pollT.Stop()
	wakeT := time.NewTimer(time.Hour)
	defer wakeT.Stop()
	polling := false
	for {
		arm(wakeT, r.launchDue(ctx))
		select {
		case <-ctx.Done():
			return
		case <-r.n.Done():
			return
		case <-pollT.C:
			if !polling {
				polling = true
				r.startPoll(ctx)
			}
		case p := <-r.polls:
			polling = false
			r.applyPoll(p)
			pollT.Reset(r.cfg.poll)
		case ev := <-r.events:
			r.observe(ev.Node, ev.Up)
		case res := <-r.results:
			r.finish(res)
		case <-wakeT.C:
		case <-w.exited:
			w = r.restartWatcher(ctx, w)
		}
	}
}

// arm sets t to fire at when, or stops it for a zero time.
func arm(t *time.Timer, when time.Time) {
	t.Stop()
	if !when.IsZero() {
		t.Reset(max(time.Until(when), 0))
	}
}
