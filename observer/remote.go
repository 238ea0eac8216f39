package observer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// RPCModule is the module under which RegisterRPC exposes a Go node's
// observer data: erlgo_observer:info/0, processes/2 and network/0.
const RPCModule etf.Atom = "erlgo_observer"

// DefaultScanLimit caps how many processes of a BEAM node are examined for
// one process list: every process of a node with the default process limit
// (262144). The scan reads one small value per process; only the rows
// returned carry full details.
const DefaultScanLimit = 1 << 20

// RemoteOption configures Remote.
type RemoteOption func(*remoteSource)

// WithScanLimit caps how many of a BEAM node's processes one process list
// examines (default DefaultScanLimit); beyond it the list is marked
// Truncated.
func WithScanLimit(n int) RemoteOption {
	return func(r *remoteSource) {
		if n > 0 {
			r.scanLimit = n
		}
	}
}

// WithCallTimeout bounds each rpc made for one answer (default 5 s, or the
// caller's context deadline when earlier).
func WithCallTimeout(d time.Duration) RemoteOption {
	return func(r *remoteSource) {
		if d > 0 {
			r.timeout = d
		}
	}
}

// Remote returns a Source describing the node target, reached from n over
// the distribution protocol. It asks erlgo_observer (RegisterRPC) first and
// falls back to BEAM BIFs when the target does not have it; the choice is
// remembered for the life of the Source.
func Remote(n *node.Node, target etf.Atom, opts ...RemoteOption) Source {
	r := &remoteSource{n: n, target: target, scanLimit: DefaultScanLimit, chunk: scanChunk, timeout: 5 * time.Second}
	for _, o := range opts {
		o(r)
	}
	return r
}

// remoteKind is what a remoteSource has learnt about its target.
type remoteKind int

const (
	kindUnknown remoteKind = iota
	kindErlgo
	kindBEAM
)

type remoteSource struct {
	n         *node.Node
	target    etf.Atom
	scanLimit int
	chunk     int // pids per process_info rpc (scanChunk; tests lower it)
	timeout   time.Duration

	mu   sync.Mutex
	kind remoteKind
}

// rpc calls module:function(args) on the target within r.timeout.
func (r *remoteSource) rpc(ctx context.Context, module, function etf.Atom, args ...etf.Term) (etf.Term, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if args == nil {
		args = etf.List{}
	}
	return interop.RPC(ctx, r.n, r.target, module, function, etf.List(args))
}

// targetKind finds out (once) whether the target answers erlgo_observer.
func (r *remoteSource) targetKind(ctx context.Context) (remoteKind, error) {
	r.mu.Lock()
	k := r.kind
	r.mu.Unlock()
	if k != kindUnknown {
		return k, nil
	}
	_, err := r.rpc(ctx, RPCModule, "network")
	switch {
	case err == nil:
		k = kindErlgo
	case errors.Is(err, interop.ErrUndef):
		k = kindBEAM
	default:
		return kindUnknown, fmt.Errorf("observer: %s: %w", r.target, err)
	}
	r.mu.Lock()
	r.kind = k
	r.mu.Unlock()
	return k, nil
}

func (r *remoteSource) Node(ctx context.Context) (NodeInfo, error) {
	k, err := r.targetKind(ctx)
	if err != nil {
		return NodeInfo{}, err
	}
	if k == kindBEAM {
		return r.beamNode(ctx)
	}
	var info NodeInfo
	err = r.call(ctx, &info, "info")
	return info, err
}

func (r *remoteSource) Processes(ctx context.Context, q Query) (ProcessList, error) {
	q, err := q.normalize()
	if err != nil {
		return ProcessList{}, err
	}
	k, err := r.targetKind(ctx)
	if err != nil {
		return ProcessList{}, err
	}
	if k == kindBEAM {
		return r.beamProcesses(ctx, q)
	}
	var pl ProcessList
	if q.Filter != "" {
		err = r.call(ctx, &pl, "processes", etf.Binary(q.Sort), q.Limit, etf.Binary(q.Filter))
	} else {
		err = r.call(ctx, &pl, "processes", etf.Binary(q.Sort), q.Limit) // what older erlgo nodes answer
	}
	return pl, err
}

func (r *remoteSource) Network(ctx context.Context) (NetworkInfo, error) {
	k, err := r.targetKind(ctx)
	if err != nil {
		return NetworkInfo{}, err
	}
	if k == kindBEAM {
		return r.beamNetwork(ctx)
	}
	var ni NetworkInfo
	err = r.call(ctx, &ni, "network")
	return ni, err
}

// call runs erlgo_observer:function(args) and converts the answer into v.
func (r *remoteSource) call(ctx context.Context, v any, function etf.Atom, args ...etf.Term) error {
	t, err := r.rpc(ctx, RPCModule, function, args...)
	if err != nil {
		return fmt.Errorf("observer: %s: %w", r.target, err)
	}
	if err := etf.Convert(t, v); err != nil {
		return fmt.Errorf("observer: %s: %s/%d answer: %w", r.target, function, len(args), err)
	}
	return nil
}
