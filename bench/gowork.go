package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// The spawner protocol shared with erlgo_bench.erl (see its header): the
// process registered as erlgo_bench on the receiving node spawns receivers
// and echo servers on request, so one driver (Go or erl) runs against any
// receiving node (Go or erl).
var (
	atomSpawner         = etf.Atom("erlgo_bench")
	atomSpawnReceivers  = etf.Atom("spawn_receivers")
	atomSpawnEcho       = etf.Atom("spawn_echo")
	atomReceivers       = etf.Atom("receivers")
	atomEchoes          = etf.Atom("echoes")
	atomDone            = etf.Atom("done")
	atomGo              = etf.Atom("go")
	atomStop            = etf.Atom("stop")
	exitNormal          = &node.ExitError{Reason: node.Normal}
	errUnexpectedAnswer = errors.New("unexpected answer")
)

// goTimeout bounds every wait of a Go driver, like ?TIMEOUT in the erl module.
const goTimeout = 120 * time.Second

// receiver counts want messages, then tells coord {done, Self} and exits.
type receiver struct {
	coord etf.PID
	want  int
	got   int
}

func (r *receiver) Init(*node.Process) error { return nil }

func (r *receiver) HandleMessage(p *node.Process, _ etf.Term) error {
	r.got++
	if r.got < r.want {
		return nil
	}
	if err := p.Send(r.coord, etf.Tuple{atomDone, p.Self()}); err != nil {
		return err
	}
	return exitNormal
}

func (r *receiver) Terminate(*node.Process, etf.Term) {}

// echoServer answers gen_server calls with the request and stops on stop.
func echoServer(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case etf.Tuple:
		if from, req, ok := node.ParseGenCall(msg); ok {
			return node.Reply(p, from, req)
		}
	case etf.Atom:
		if m == atomStop {
			return exitNormal
		}
	}
	return nil
}

// spawner is the Go twin of erlgo_bench:spawner/0.
func spawner(p *node.Process, msg etf.Term) error {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) < 3 {
		return nil
	}
	from, ok := t[1].(etf.PID)
	if !ok {
		return nil
	}
	pairs, _ := t[2].(int)
	var pids etf.List
	switch {
	case t[0] == atomSpawnReceivers && len(t) == 4:
		n, _ := t[3].(int)
		for range pairs {
			pid, err := p.Spawn(&receiver{coord: from, want: n})
			if err != nil {
				return err
			}
			pids = append(pids, pid)
		}
		return p.Send(from, etf.Tuple{atomReceivers, pids})
	case t[0] == atomSpawnEcho:
		for range pairs {
			pid, err := p.Spawn(node.BehaviorFunc(echoServer))
			if err != nil {
				return err
			}
			pids = append(pids, pid)
		}
		return p.Send(from, etf.Tuple{atomEchoes, pids})
	}
	return nil
}

// spawnSpawner registers the spawner on n.
func spawnSpawner(n *node.Node) error {
	_, err := n.Spawn(node.BehaviorFunc(spawner), node.WithName(atomSpawner))
	return err
}

// goDriver runs workloads from a Go node against a spawner (local name or
// {erlgo_bench, Node}); its coordinator process forwards what it receives
// (receiver lists, done notices) to inbox.
type goDriver struct {
	n     *node.Node
	coord etf.PID
	inbox chan etf.Term
}

func newGoDriver(n *node.Node) (*goDriver, error) {
	d := &goDriver{n: n, inbox: make(chan etf.Term, 1024)}
	pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		select {
		case d.inbox <- msg:
		default: // a stale flood of answers must not block the coordinator
		}
		return nil
	}))
	if err != nil {
		return nil, err
	}
	d.coord = pid
	return d, nil
}

// await returns the next inbox message that is a tuple tagged tag.
func (d *goDriver) await(ctx context.Context, tag etf.Atom) (etf.Tuple, error) {
	ctx, cancel := context.WithTimeout(ctx, goTimeout)
	defer cancel()
	for {
		select {
		case m := <-d.inbox:
			if t, ok := m.(etf.Tuple); ok && len(t) == 2 && t[0] == tag {
				return t, nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", tag, ctx.Err())
		}
	}
}

// pids asks the spawner for pairs receivers or echo servers.
func (d *goDriver) pids(ctx context.Context, spawnerAt etf.Term, req etf.Tuple, answer etf.Atom, pairs int) ([]etf.PID, error) {
	if err := d.n.Send(spawnerAt, req); err != nil {
		return nil, fmt.Errorf("ask spawner %v: %w", spawnerAt, err)
	}
	t, err := d.await(ctx, answer)
	if err != nil {
		return nil, err
	}
	l, _ := t[1].(etf.List)
	var out []etf.PID
	for _, x := range l {
		if pid, ok := x.(etf.PID); ok {
			out = append(out, pid)
		}
	}
	if len(out) != pairs {
		return nil, fmt.Errorf("%w: %v", errUnexpectedAnswer, t)
	}
	return out, nil
}

// floodMessage builds the message of a flood workload sent by pid.
func floodMessage(w string, self etf.PID) etf.Term {
	switch w {
	case "flood-pidint":
		return etf.Tuple{self, 42}
	case "flood-bin1k":
		return bytes.Repeat([]byte("x"), 1024)
	case "msg-16k":
		return bytes.Repeat([]byte("x"), 16<<10)
	case "msg-1m":
		return bytes.Repeat([]byte("x"), 1<<20)
	default:
		return 42
	}
}

// flood: pairs senders on the driver node, receivers wherever the spawner
// lives; time from the go signal to the last receiver's done notice.
func (d *goDriver) flood(ctx context.Context, c Case, spawnerAt etf.Term) (Result, error) {
	rx, err := d.pids(ctx, spawnerAt, etf.Tuple{atomSpawnReceivers, d.coord, c.Pairs, c.N}, atomReceivers, c.Pairs)
	if err != nil {
		return Result{}, err
	}
	errs := make(chan error, c.Pairs)
	var senders []etf.PID
	for _, to := range rx {
		pid, err := d.n.Spawn(node.BehaviorFunc(func(p *node.Process, _ etf.Term) error {
			msg := floodMessage(c.Workload.Name, p.Self())
			for range c.N {
				if err := p.Send(to, msg); err != nil {
					errs <- err
					return err
				}
			}
			return exitNormal
		}))
		if err != nil {
			return Result{}, err
		}
		senders = append(senders, pid)
	}
	start := time.Now()
	for _, s := range senders {
		if err := d.n.Send(s, atomGo); err != nil {
			return Result{}, err
		}
	}
	for range c.Pairs {
		select {
		case err := <-errs:
			return Result{}, fmt.Errorf("sender: %w", err)
		default:
		}
		if _, err := d.await(ctx, atomDone); err != nil {
			return Result{}, err
		}
	}
	return Result{Elapsed: time.Since(start), Ops: int64(c.Pairs * c.N)}, nil
}

// call: pairs caller processes on the driver node, each making N
// gen_server calls (node.Process.Call) to its echo server.
func (d *goDriver) call(ctx context.Context, c Case, spawnerAt etf.Term) (Result, error) {
	srv, err := d.pids(ctx, spawnerAt, etf.Tuple{atomSpawnEcho, d.coord, c.Pairs}, atomEchoes, c.Pairs)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		for _, s := range srv {
			_ = d.n.Send(s, atomStop)
		}
	}()
	type outcome struct {
		lat []int64
		err error
	}
	results := make(chan outcome, c.Pairs)
	var callers []etf.PID
	for _, s := range srv {
		pid, err := d.n.Spawn(node.BehaviorFunc(func(p *node.Process, _ etf.Term) error {
			cctx, cancel := context.WithTimeout(ctx, goTimeout)
			defer cancel()
			lat := make([]int64, 0, c.N)
			for range c.N {
				t0 := time.Now()
				r, err := p.Call(cctx, s, 42)
				if err == nil && r != 42 {
					err = fmt.Errorf("%w: echo %v", errUnexpectedAnswer, r)
				}
				if err != nil {
					results <- outcome{err: err}
					return exitNormal
				}
				lat = append(lat, int64(time.Since(t0)))
			}
			results <- outcome{lat: lat}
			return exitNormal
		}))
		if err != nil {
			return Result{}, err
		}
		callers = append(callers, pid)
	}
	start := time.Now()
	for _, cl := range callers {
		if err := d.n.Send(cl, atomGo); err != nil {
			return Result{}, err
		}
	}
	var all []int64
	for range c.Pairs {
		select {
		case o := <-results:
			if o.err != nil {
				return Result{}, fmt.Errorf("call: %w", o.err)
			}
			all = append(all, o.lat...)
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	el := time.Since(start)
	slices.Sort(all)
	return Result{
		Elapsed: el, Ops: int64(len(all)),
		P50: time.Duration(Percentile(all, 50)), P90: time.Duration(Percentile(all, 90)), P99: time.Duration(Percentile(all, 99)),
	}, nil
}

// run dispatches flood (and large-message) and call cases.
func (d *goDriver) run(ctx context.Context, c Case, spawnerAt etf.Term) (Result, error) {
	switch c.Workload.Kind {
	case KindFlood, KindBytes:
		return d.flood(ctx, c, spawnerAt)
	case KindCall:
		return d.call(ctx, c, spawnerAt)
	}
	return Result{}, ErrUnsupported
}

// memMu serializes idle-memory measurements: runtime/metrics are process-wide.
var memMu sync.Mutex

// goIdleMemory spawns n idle processes on a fresh node and reports the
// growth of heap objects plus goroutine stacks after GC (runtime/metrics),
// per process; then stops the node.
func goIdleMemory(ctx context.Context, n int, opts ...node.Option) (Result, error) {
	memMu.Lock()
	defer memMu.Unlock()
	nd, err := node.Start(ctx, UniqueName("bench_idle"), append([]node.Option{node.WithoutDistribution()}, opts...)...)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), goTimeout)
		defer cancel()
		_ = nd.Stop(sctx)
	}()
	idle := node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })
	before := memInUse()
	for range n {
		if _, err := nd.Spawn(idle); err != nil {
			return Result{}, err
		}
	}
	after := memInUse()
	runtime.KeepAlive(nd)
	return Result{Ops: int64(n), BytesPerProc: (float64(after) - float64(before)) / float64(n)}, nil
}

// memInUse is live heap objects plus goroutine stacks after two GCs.
func memInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	runtime.GC()
	runtime.GC()
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}
