package soak

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/global"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// Names on the Go node that the BEAM side (erlgo_soak.erl) addresses.
const (
	goEcho      etf.Atom = "soak_echo" // Go gen_server the BEAM callers call
	goModule    etf.Atom = "soak_go"   // module of the Go spawnables and erpc function
	beamServer  etf.Atom = "erlgo_soak"
	atomSoak    etf.Atom = "soak"
	atomSoakEnd etf.Atom = "soak_end"
	atomDie     etf.Atom = "die"
	atomHello   etf.Atom = "hello"
)

// goSide is the Go node of a run and what runs on it for the whole run.
type goSide struct {
	m     *cluster.Member
	n     *node.Node
	glob  *global.Server
	scope *pg.Scope
	watch *watcher
}

// startGoSide starts the Go node as a cluster member (net_kernel,
// rex/erpc, global, pg: what a BEAM peer expects), with the echo actor,
// the spawnables BEAM spawns remotely and the nodedown watcher.
func startGoSide(ctx context.Context, name, cookie string, epmdPort int, cfg *Config, log *slog.Logger) (*goSide, error) {
	m, err := cluster.Start(ctx, name, cluster.WithNode(node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmdPort),
		node.WithListenAddr("127.0.0.1:0"), node.WithTickTime(cfg.TickTime), node.WithLogger(log)))
	if err != nil {
		return nil, err
	}
	g := &goSide{m: m, n: m.Node(), glob: m.Global(), scope: m.PG()}
	if err := g.setup(m.Services()); err != nil {
		g.stop()
		return nil, err
	}
	return g, nil
}

func (g *goSide) setup(svcs *interop.Services) error {
	svcs.Register(goModule, "echo", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		return args[0], nil
	})
	if _, err := actors.Spawn(g.n, echoActor{}, node.WithName(goEcho)); err != nil {
		return fmt.Errorf("echo actor: %w", err)
	}
	if err := g.n.RegisterSpawnable(goModule, "victim", func(etf.List) (node.Behavior, error) {
		return node.BehaviorFunc(victim), nil
	}); err != nil {
		return err
	}
	if err := g.n.RegisterSpawnable(goModule, "hello", newHello); err != nil {
		return err
	}
	g.watch = &watcher{downs: map[etf.Atom]int{}}
	if _, err := g.n.Spawn(g.watch); err != nil {
		return fmt.Errorf("watcher: %w", err)
	}
	return nil
}

func (g *goSide) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	_ = g.m.Stop(ctx)
}

// echoActor answers every call with the request.
type echoActor struct{ actors.Base }

func (echoActor) HandleCall(_ *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	return req, nil
}

// victim is soak_go:victim/0, spawned (and linked, monitored) from BEAM:
// it exits with R on {die, R}.
func victim(_ *node.Process, msg etf.Term) error {
	if t, ok := msg.(etf.Tuple); ok && len(t) == 2 && t[0] == atomDie {
		return &node.ExitError{Reason: t[1]}
	}
	return nil
}

// hello is soak_go:hello(Pid, I): it sends {hello, I, self()} to Pid and
// ends normally.
type hello struct {
	to etf.PID
	i  etf.Term
}

func newHello(args etf.List) (node.Behavior, error) {
	if len(args) != 2 {
		return nil, &node.ExitError{Reason: etf.Atom("badarg")}
	}
	pid, ok := args[0].(etf.PID)
	if !ok {
		return nil, &node.ExitError{Reason: etf.Atom("badarg")}
	}
	return &hello{to: pid, i: args[1]}, nil
}

// Init only queues the work: the spawn reply must reach the spawner
// before the process can have ended.
func (h *hello) Init(p *node.Process) error { return p.Send(p.Self(), atomHello) }

func (h *hello) HandleMessage(p *node.Process, _ etf.Term) error {
	if err := p.Send(h.to, etf.Tuple{atomHello, h.i, p.Self()}); err != nil {
		return err
	}
	return &node.ExitError{Reason: node.Normal}
}

func (h *hello) Terminate(*node.Process, etf.Term) {}

// watcher counts unexpected nodedowns on the Go side with
// monitor_node(Peer, true). A subscription is used up by its nodedown,
// so arm re-subscribes before every phase.
type watcher struct {
	mu    sync.Mutex
	proc  *node.Process
	peers []etf.Atom
	armed map[etf.Atom]bool
	downs map[etf.Atom]int
}

type armMsg struct{}

func (w *watcher) Init(p *node.Process) error {
	w.mu.Lock()
	w.proc, w.armed = p, map[etf.Atom]bool{}
	w.mu.Unlock()
	return nil
}

func (w *watcher) HandleMessage(p *node.Process, msg etf.Term) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch m := msg.(type) {
	case armMsg:
		for _, peer := range w.peers {
			if !w.armed[peer] {
				w.armed[peer] = true
				p.MonitorNode(peer, true)
			}
		}
	case node.NodeDownMsg:
		w.armed[m.Node] = false
		w.downs[m.Node]++
		p.Logger().Warn("soak: nodedown", "node", m.Node)
	}
	return nil
}

func (w *watcher) Terminate(*node.Process, etf.Term) {}

// setPeers says which nodes arm subscribes to.
func (w *watcher) setPeers(peers []etf.Atom) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.peers = peers
}

// arm subscribes to nodedown of every peer not subscribed yet.
func (w *watcher) arm(n *node.Node) error {
	w.mu.Lock()
	p := w.proc
	w.mu.Unlock()
	return n.Send(p.Self(), armMsg{})
}

// total returns the nodedowns seen so far.
func (w *watcher) total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := 0
	for _, d := range w.downs {
		t += d
	}
	return t
}
