package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Node is a running erlgo node: a process table, a name registry and (unless
// started WithoutDistribution) a distribution endpoint that BEAM nodes and
// other erlgo nodes connect to. All methods are safe for concurrent use.
type Node struct {
	name     etf.Atom
	host     string
	creation uint32
	cfg      config
	log      *slog.Logger

	nextPID  atomic.Uint64 // low 32 bits: PID.ID, high: PID.Serial
	nextRef  atomic.Uint64
	refSalt  uint32
	nextUniq atomic.Uint64 // unlink ids, spawn ids

	segs sync.Pool // *segment, for mailbox queues

	procs   procTable
	aliases aliasTable

	namesMu sync.RWMutex
	names   map[etf.Atom]*Process

	spawnMu    sync.RWMutex
	spawnables map[mfaKey]SpawnFactory

	nodeMonMu sync.Mutex
	nodeMons  map[etf.Atom]map[etf.PID]int // monitor_node subscriptions
	allNodes  map[etf.PID]struct{}         // MonitorNodes subscribers

	live    sync.WaitGroup // one per process that has not finished exiting
	stopped atomic.Bool
	stopMu  sync.Mutex
	done    chan struct{}

	sys *Process // anonymous pid used as sender for Node.Send/Exit

	remote *remote // nil when started WithoutDistribution

	hooks hookList // AddHooks
}

// Start starts a node named name ("name@host"; the host part may be a
// short host name or an IP/FQDN for long names, e.g. "go@127.0.0.1").
// Unless WithoutDistribution is given it listens for distribution
// connections and registers with EPMD (unless WithoutEPMD). ctx bounds the
// startup (listening, EPMD registration), not the node's lifetime.
//
// Start gives the bare runtime, for tests and local programs: BEAM nodes
// can connect and message its processes, but it runs none of the services
// they expect of a peer, so net_adm:ping answers pang, rpc:call fails and
// global:sync/0 blocks. For a cluster member use cluster.Start, which
// starts this node with net_kernel, rex/erpc, user, global and pg on it.
func Start(ctx context.Context, name string, opts ...Option) (*Node, error) {
	at := strings.IndexByte(name, '@')
	if at <= 0 || at == len(name)-1 || strings.Count(name, "@") != 1 || len(name) > 255 {
		return nil, fmt.Errorf("node: invalid node name %q (want name@host)", name)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if _, err := newRouteTable(cfg.routes); err != nil {
		return nil, err // WithRoute: a bad pattern or port fails here, not at the first dial
	}
	var salt [8]byte
	_, _ = rand.Read(salt[:])
	n := &Node{
		name:     etf.Atom(name),
		host:     name[at+1:],
		cfg:      cfg,
		log:      cfg.logger.With("node", name),
		refSalt:  binary.LittleEndian.Uint32(salt[:4]),
		names:    make(map[etf.Atom]*Process),
		done:     make(chan struct{}),
		creation: cfg.creation,
	}
	n.segs.New = func() any { return new(segment) }
	if !cfg.hasCreation {
		// Random creation for nodes without EPMD so that pids of a
		// restarted node differ; EPMD registration overrides it.
		n.creation = binary.LittleEndian.Uint32(salt[4:]) | 1
	}
	// Local pids start above the range BEAM uses for its early system
	// processes, purely for readability in traces.
	n.nextPID.Store(100)
	if !cfg.noDist {
		r, err := startRemote(ctx, n)
		if err != nil {
			return nil, err
		}
		n.remote = r
	}
	n.sys = n.newProcess(nil, spawnConfig{})
	n.sys.state = stateSystem
	n.procs.put(pidKey(n.sys.pid), n.sys)
	n.log.Debug("node started", "creation", n.creation)
	return n, nil
}

// Name returns the node's full name, e.g. "go@127.0.0.1".
func (n *Node) Name() etf.Atom { return n.name }

// Creation returns the node's creation (its incarnation number).
func (n *Node) Creation() uint32 { return n.creation }

// Logger returns the node's logger.
func (n *Node) Logger() *slog.Logger { return n.log }

// Stopping reports whether Stop has begun. Behaviours use it to tell the
// node's own shutdown (an exit signal shutdown from the node while
// Stopping) from a shutdown sent by another process.
func (n *Node) Stopping() bool { return n.stopped.Load() }

// Done is closed when Stop has finished.
func (n *Node) Done() <-chan struct{} { return n.done }

// Stop shuts the node down, in this order:
//  1. new spawns and incoming connections are refused;
//  2. every process gets an exit signal with reason shutdown (trapping
//     processes receive ExitMsg and are expected to return an error or
//     ExitError to stop); Stop waits for them until ctx is done (5s when
//     ctx has no deadline), then sends kill to the survivors and waits a
//     second more (a handler that never returns cannot be interrupted: Stop
//     then returns an error);
//  3. distribution connections are closed (peers see nodedown; exit signals
//     sent by the dying processes were queued before this);
//  4. the listener is closed and the EPMD registration is released.
//
// Stop is bounded: after ctx (or the 5 s default) it kills the survivors,
// waits a second for them and at most 5 s for the connections to close,
// then returns (an error says what did not finish). Stop is idempotent;
// later calls return nil at once (concurrent ones wait for the first).
func (n *Node) Stop(ctx context.Context) error {
	n.stopMu.Lock()
	defer n.stopMu.Unlock()
	if n.stopped.Swap(true) {
		return nil
	}
	var err error
	if _, ok := ctx.Deadline(); !ok {
		// Like a supervisor's default shutdown timeout: never hang forever
		// on a trapping process that ignores shutdown.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultShutdownGrace)
		defer cancel()
	}
	wait := func() bool {
		ch := make(chan struct{})
		go func() { n.live.Wait(); close(ch) }()
		select {
		case <-ch:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, p := range n.procs.all() {
		if p != n.sys {
			p.signalExit(n.sys.pid, Shutdown, false)
		}
	}
	if !wait() {
		for _, p := range n.procs.all() {
			if p != n.sys {
				p.signalExit(n.sys.pid, Kill, false)
			}
		}
		// Give killed processes a short grace even though ctx is done.
		ch := make(chan struct{})
		go func() { n.live.Wait(); close(ch) }()
		select {
		case <-ch:
		case <-time.After(time.Second):
			err = fmt.Errorf("node: stop: processes still running: %w", ctx.Err())
		}
	}
	if n.remote != nil {
		// Closing waits for every connection's down-event; bound it too so
		// that Stop returns even if a peer or handler misbehaves.
		ch := make(chan error, 1)
		go func() { ch <- n.remote.close() }()
		t := time.NewTimer(remoteCloseGrace)
		select {
		case rerr := <-ch:
			if rerr != nil && err == nil {
				err = rerr
			}
		case <-t.C:
			if err == nil {
				err = errors.New("node: stop: distribution did not close in time")
			}
		}
		t.Stop()
	}
	n.procs.del(pidKey(n.sys.pid))
	close(n.done)
	n.log.Debug("node stopped")
	return err
}

// defaultShutdownGrace bounds Stop's wait for processes when its context has
// no deadline (OTP supervisors default to 5000 ms per child).
const defaultShutdownGrace = 5 * time.Second

// remoteCloseGrace bounds Stop's wait for the distribution layer to close.
const remoteCloseGrace = 5 * time.Second

// newRef returns a new unique reference of this node.
func (n *Node) newRef() etf.Ref {
	c := n.nextRef.Add(1)
	return etf.Ref{Node: n.name, Creation: n.creation, Len: 3,
		ID: [5]uint32{uint32(c) & 0x3ffff, uint32(c >> 18), n.refSalt}}
}

// MakeRef returns a new unique reference (erlang:make_ref/0).
func (n *Node) MakeRef() etf.Ref { return n.newRef() }

func (n *Node) newPID() etf.PID {
	c := n.nextPID.Add(1)
	return etf.PID{Node: n.name, ID: uint32(c), Serial: uint32(c >> 32), Creation: n.creation}
}

// lookup returns the live local process for pid, or nil.
func (n *Node) lookup(pid etf.PID) *Process {
	if pid.Node != n.name || pid.Creation != n.creation {
		return nil
	}
	p := n.procs.get(pidKey(pid))
	if p == nil || p.pid != pid {
		return nil
	}
	return p
}

// Whereis returns the pid registered under name on this node.
func (n *Node) Whereis(name etf.Atom) (etf.PID, bool) {
	n.namesMu.RLock()
	p := n.names[name]
	n.namesMu.RUnlock()
	if p == nil {
		return etf.PID{}, false
	}
	return p.pid, true
}

// Registered returns the registered names of this node.
func (n *Node) Registered() []etf.Atom {
	n.namesMu.RLock()
	defer n.namesMu.RUnlock()
	out := make([]etf.Atom, 0, len(n.names))
	for k := range n.names {
		out = append(out, k)
	}
	return out
}

func (n *Node) whereisProc(name etf.Atom) *Process {
	n.namesMu.RLock()
	p := n.names[name]
	n.namesMu.RUnlock()
	return p
}

// Register associates name with the local process pid (erlang:register/2).
// It fails with ErrNameTaken if the name is used or the process already
// has a name, and ErrNoProc if pid is not a live local process.
func (n *Node) Register(name etf.Atom, pid etf.PID) error {
	p := n.lookup(pid)
	if p == nil || p == n.sys {
		return ErrNoProc
	}
	return n.register(name, p)
}

func (n *Node) register(name etf.Atom, p *Process) error {
	if name == "" || name == "undefined" {
		return fmt.Errorf("node: register: invalid name %q", name)
	}
	n.namesMu.Lock()
	defer n.namesMu.Unlock()
	if _, ok := n.names[name]; ok {
		return fmt.Errorf("%w: %s", ErrNameTaken, name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stateDead {
		return ErrNoProc
	}
	if p.name != "" {
		return fmt.Errorf("%w: process already registered as %s", ErrNameTaken, p.name)
	}
	p.name = name
	n.names[name] = p
	return nil
}

// Unregister removes a registered name (erlang:unregister/1). It reports
// whether the name was registered.
func (n *Node) Unregister(name etf.Atom) bool {
	n.namesMu.Lock()
	p := n.names[name]
	delete(n.names, name)
	n.namesMu.Unlock()
	if p == nil {
		return false
	}
	p.mu.Lock()
	if p.name == name {
		p.name = ""
	}
	p.mu.Unlock()
	return true
}

// unregisterIf removes name only if it still maps to p.
func (n *Node) unregisterIf(name etf.Atom, p *Process) {
	n.namesMu.Lock()
	if n.names[name] == p {
		delete(n.names, name)
	}
	n.namesMu.Unlock()
}

// ProcessCount returns the number of live processes.
func (n *Node) ProcessCount() int {
	c := 0
	for i := range n.procs.shards {
		s := &n.procs.shards[i]
		s.mu.RLock()
		c += len(s.m)
		s.mu.RUnlock()
	}
	if n.procs.get(pidKey(n.sys.pid)) != nil {
		c-- // the node's own anonymous process
	}
	return c
}

// IsAlive reports whether pid is a live local process.
func (n *Node) IsAlive(pid etf.PID) bool {
	p := n.lookup(pid)
	return p != nil && p != n.sys
}
