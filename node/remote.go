package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/etf"
)

// remote is the distribution half of a node: it owns the dist.Manager, the
// listener and the EPMD registration, implements dist.Handler, and keeps
// per-peer books of links and monitors that cross each connection so that
// a lost connection can be turned into noconnection signals.
type remote struct {
	n   *Node
	mgr *dist.Manager
	ln  net.Listener
	pub *epmd.Publication

	serveDone chan struct{}

	mu    sync.Mutex
	peers map[etf.Atom]*peer

	// conns is a copy-on-write snapshot of the live connections, so that
	// a send finds its connection without taking any lock.
	conns atomic.Pointer[map[etf.Atom]*dist.Conn]

	// setups are connections being set up in the background for Monitor
	// (which must not block like OTP's monitor/2); nsetups counts them so
	// that the send fast path only looks when there are any. r.mu guards
	// the map.
	setups  map[etf.Atom]*setup
	nsetups atomic.Int32
	bg      sync.WaitGroup // background setups, waited for by close
	closing bool           // r.mu: close began, no new background setups

	blocked blockedSenders // processes waiting for room on a connection
}

// setup is a background connection attempt with the operations waiting for
// it, run in order once it resolves.
type setup struct {
	ops  []func(c *dist.Conn, err error)
	done chan struct{} // closed once every op ran
	err  error         // the attempt's failure; set before done closes
}

// peer holds what crosses one live connection.
type peer struct {
	conn     *dist.Conn
	links    map[[2]etf.PID]struct{}   // {local, remote}
	monitors map[etf.Ref]remoteMonitor // held by local processes on the peer's
	watchers map[etf.Ref]etf.PID       // held by the peer's processes on local ones: ref -> local target
}

type remoteMonitor struct {
	owner  etf.PID
	object etf.Term
}

func startRemote(ctx context.Context, n *Node) (*remote, error) {
	cfg := &n.cfg
	ln, err := net.Listen("tcp", cfg.listenAddr)
	if err != nil {
		return nil, fmt.Errorf("node: listen: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if !cfg.noEPMD && port == cfg.epmdPort {
		// An ephemeral listen port can be the (free) EPMD port we are
		// about to use: registering would then talk to our own listener,
		// which does not accept yet. Take another port.
		ln2, err := net.Listen("tcp", cfg.listenAddr)
		ln.Close()
		if err != nil {
			return nil, fmt.Errorf("node: listen: %w", err)
		}
		ln = ln2
		port = ln.Addr().(*net.TCPAddr).Port
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, setupTimeout)
		defer cancel()
	}
	r := &remote{n: n, ln: ln, peers: make(map[etf.Atom]*peer), serveDone: make(chan struct{}),
		setups: make(map[etf.Atom]*setup)}
	if !cfg.noEPMD {
		alive := string(n.name[:strings.IndexByte(string(n.name), '@')])
		reg := epmd.Registration{Name: alive, Port: uint16(port)}
		if cfg.hidden {
			reg.NodeType = epmd.NodeHidden
		}
		pub, err := epmd.Publish(ctx, epmd.PublishOptions{
			Registration: reg, Host: cfg.epmdHost, Port: cfg.epmdPort, Logger: n.log,
			Fallback: cfg.epmdMode, Daemon: cfg.epmdDaemon,
		})
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("node: epmd registration: %w", err)
		}
		r.pub = pub
		if !cfg.hasCreation {
			n.creation = pub.Creation()
		}
	}
	mgr, err := dist.NewManager(dist.Config{
		Name: n.name, Creation: n.creation, Cookie: cfg.cookie, Hidden: cfg.hidden,
		TickTime: cfg.tickTime, TLS: cfg.tls, Dial: r.dial, Logger: cfg.logger, // dist adds the node attribute itself
	}, r)
	if err != nil {
		ln.Close()
		if r.pub != nil {
			r.pub.Close()
		}
		return nil, err
	}
	r.mgr = mgr
	go func() {
		defer close(r.serveDone)
		_ = mgr.Serve(ln)
	}()
	return r, nil
}

// dial looks peer up in the EPMD on the peer's host (at this node's EPMD
// port) and opens a TCP connection to it.
func (r *remote) dial(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
	s := string(peer)
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		return nil, 0, fmt.Errorf("node: bad node name %q", peer)
	}
	cl := &epmd.Client{Host: s[at+1:], Port: r.n.cfg.epmdPort, Logger: r.n.log}
	info, err := cl.PortPlease(ctx, s[:at])
	if err != nil {
		return nil, 0, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s[at+1:], strconv.Itoa(int(info.Port))))
	if err != nil {
		return nil, 0, err
	}
	return nc, int(info.HighestVersion), nil
}

func (r *remote) close() error {
	err := r.mgr.Close()
	r.ln.Close()
	<-r.serveDone
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.bg.Wait() // their Connects fail at once now
	if r.pub != nil {
		if perr := r.pub.Close(); perr != nil && err == nil {
			err = perr
		}
	}
	return err
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
	c, err := r.mgr.Connect(ctx, node)
	if err != nil {
		r.n.log.Debug("connect failed", "peer", node, "err", err)
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
			c, err = r.mgr.Connect(ctx, node)
			cancel()
		}
		if err != nil {
			r.n.log.Debug("connect failed", "peer", node, "err", err)
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

// book runs f on the books of c's peer if c is still its live connection;
// it reports false when the connection is gone (the caller then acts as if
// the connection was lost). Books are created on demand for a live
// connection whose HandleConnUp has not run yet, so that no use of a
// connection depends on when its up-event is handled.
func (r *remote) book(c *dist.Conn, f func(p *peer)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.peers[c.Peer()]
	if p == nil {
		if c.Err() != nil {
			return false
		}
		p = newPeer(c)
		r.peers[c.Peer()] = p
		r.setConnLocked(c.Peer(), c)
	}
	if p.conn != c {
		return false
	}
	f(p)
	return true
}

func newPeer(c *dist.Conn) *peer {
	return &peer{
		conn:     c,
		links:    make(map[[2]etf.PID]struct{}),
		monitors: make(map[etf.Ref]remoteMonitor),
		watchers: make(map[etf.Ref]etf.PID),
	}
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
	if c := r.liveConn(t.node); c != nil && (r.nsetups.Load() == 0 || !r.settingUp(t.node)) {
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

// link sets up a link to a process of another node. Like link/1 on BEAM
// it does not wait for a connection: without one it connects in the
// background and a failure arrives as an exit signal noconnection.
func (r *remote) link(from, to etf.PID) error {
	if r.nsetups.Load() == 0 {
		if c := r.liveConn(to.Node); c != nil {
			return r.linkOn(from, to, c)
		}
	}
	if r.n.stopped.Load() {
		r.linkFailed(from, to)
		return ErrNoConnection
	}
	r.inBackground(to.Node, func(c *dist.Conn, err error) {
		if err != nil {
			r.linkFailed(from, to)
			return
		}
		_ = r.linkOn(from, to, c)
	})
	return nil
}

func (r *remote) linkOn(from, to etf.PID, c *dist.Conn) error {
	if r.book(c, func(p *peer) { p.links[[2]etf.PID{from, to}] = struct{}{} }) &&
		c.SendControl(dist.Link{From: from, To: to}) == nil {
		return nil
	}
	r.forgetLink(from, to)
	r.linkFailed(from, to)
	return ErrNoConnection
}

// linkFailed delivers the exit signal noconnection of a link that could
// not be set up.
func (r *remote) linkFailed(from, to etf.PID) {
	if p := r.n.lookup(from); p != nil {
		p.signalExit(to, NoConnection, true, false)
	}
}

func (r *remote) forgetLink(local, remote etf.PID) {
	r.mu.Lock()
	if p := r.peers[remote.Node]; p != nil {
		delete(p.links, [2]etf.PID{local, remote})
	}
	r.mu.Unlock()
}

func (r *remote) exit(from, to etf.PID, reason etf.Term, link bool) {
	if link {
		r.forgetLink(from, to)
		if c, ok := r.mgr.Conn(to.Node); ok {
			_ = c.SendControl(dist.Exit{From: from, To: to, Reason: reason})
		}
		return
	}
	// exit/2 does not wait for a connection either (see send).
	ctl := dist.Exit2{From: from, To: to, Reason: reason}
	if c := r.liveConn(to.Node); c != nil && (r.nsetups.Load() == 0 || !r.settingUp(to.Node)) {
		_ = c.SendControl(ctl)
		return
	}
	if r.n.stopped.Load() {
		return
	}
	r.inBackground(to.Node, func(c *dist.Conn, err error) {
		if err == nil {
			_ = c.SendControl(ctl)
		}
	})
}

// monitor sets up a monitor on a process of another node. Like OTP's
// monitor/2 it does not block: without a connection it connects in the
// background and a failure arrives as DOWN noconnection.
func (r *remote) monitor(p *Process, ref etf.Ref, t target) {
	if r.nsetups.Load() == 0 {
		if c := r.liveConn(t.node); c != nil {
			r.monitorOn(p, ref, t, c)
			return
		}
	}
	if r.n.stopped.Load() {
		p.signalDown(ref, t.object(), NoConnection)
		return
	}
	r.inBackground(t.node, func(c *dist.Conn, err error) {
		p.mu.Lock()
		_, live := p.monitors[ref]
		p.mu.Unlock()
		if !live { // demonitored (or exited) meanwhile
			return
		}
		if err != nil {
			p.signalDown(ref, t.object(), NoConnection)
			return
		}
		r.monitorOn(p, ref, t, c)
		p.mu.Lock()
		_, live = p.monitors[ref]
		p.mu.Unlock()
		if !live { // Demonitor ran while we booked: undo (only one side sends)
			mt := monitorTarget{pid: t.pid, node: t.node}
			if t.kind == targetName {
				mt.name = t.name
			}
			r.demonitor(p.pid, ref, mt)
		}
	})
}

// monitorOn books and sends MONITOR_P over c. If c went down in between
// (a replaced connection) it retries once on the current connection.
func (r *remote) monitorOn(p *Process, ref etf.Ref, t target, c *dist.Conn) {
	obj := t.object()
	for try := 0; try < 2; try++ {
		if r.book(c, func(pr *peer) { pr.monitors[ref] = remoteMonitor{owner: p.pid, object: obj} }) {
			var to etf.Term = t.pid
			if t.kind == targetName {
				to = t.name
			}
			if c.SendControl(dist.MonitorP{From: p.pid, To: to, Ref: ref}) == nil {
				return
			}
			break
		}
		if c.Err() == nil || try == 1 {
			break
		}
		// c is down: wait for its down-event, then use a fresh connection.
		tm := time.NewTimer(setupTimeout)
		select {
		case <-c.Done():
		case <-tm.C:
		}
		tm.Stop()
		var err error
		if c, err = r.connect(t.node); err != nil {
			break
		}
	}
	r.mu.Lock()
	if pr := r.peers[t.node]; pr != nil {
		delete(pr.monitors, ref)
	}
	r.mu.Unlock()
	p.signalDown(ref, obj, NoConnection)
}

func (r *remote) demonitor(owner etf.PID, ref etf.Ref, t monitorTarget) {
	r.mu.Lock()
	pr := r.peers[t.node]
	var ok bool
	if pr != nil {
		_, ok = pr.monitors[ref]
		delete(pr.monitors, ref)
	}
	r.mu.Unlock()
	if !ok {
		return
	}
	var to etf.Term = t.pid
	if t.name != "" {
		to = t.name
	}
	if c, ok := r.mgr.Conn(t.node); ok {
		_ = c.SendControl(dist.DemonitorP{From: owner, To: to, Ref: ref})
	}
}

// down tells a remote watcher that the local process "from" exited.
func (r *remote) down(from, to etf.PID, ref etf.Ref, object, reason etf.Term) {
	r.mu.Lock()
	if pr := r.peers[to.Node]; pr != nil {
		delete(pr.watchers, ref)
	}
	r.mu.Unlock()
	var f etf.Term = from
	if nm, ok := object.(Name); ok {
		f = nm.Name
	}
	if c, ok := r.mgr.Conn(to.Node); ok {
		_ = c.SendControl(dist.MonitorPExit{From: f, To: to, Ref: ref, Reason: reason})
	}
}

// Connect connects to node (EPMD lookup and handshake) unless already
// connected. Sends connect on demand; Connect is for callers that want the
// connection up front or its error, which wraps both ErrNoConnection and the
// cause (ctx's error, or one of dist's or epmd's, e.g. dist.ErrBadCookie).
func (n *Node) Connect(ctx context.Context, node etf.Atom) error {
	if n.remote == nil {
		return ErrNoConnection
	}
	if node == n.name {
		return nil
	}
	if _, err := n.remote.mgr.Connect(ctx, node); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNoConnection, node, err)
	}
	return nil
}

// Disconnect closes the connection to node (erlang:disconnect_node/1).
func (n *Node) Disconnect(node etf.Atom) error {
	if n.remote == nil {
		return ErrNoConnection
	}
	return n.remote.mgr.Disconnect(node)
}

// Nodes returns every connected node, visible and hidden (OTP's
// nodes(connected)). It keeps this meaning for existing callers (the
// observer lists connected nodes with it); use VisibleNodes for OTP's
// nodes().
func (n *Node) Nodes() []etf.Atom { return n.nodesWhere(func(*dist.Conn) bool { return true }) }

// ConnectedNodes returns every connected node, visible and hidden (OTP's
// nodes(connected)); the same as Nodes.
func (n *Node) ConnectedNodes() []etf.Atom { return n.Nodes() }

// VisibleNodes returns the nodes connected through published (visible)
// connections: OTP's nodes(), the ones global and pg synchronise with.
func (n *Node) VisibleNodes() []etf.Atom {
	return n.nodesWhere(func(c *dist.Conn) bool { return !c.Hidden() })
}

// HiddenNodes returns the nodes connected through hidden connections
// (OTP's nodes(hidden)): either side started hidden, e.g. erl_call or a
// remote shell.
func (n *Node) HiddenNodes() []etf.Atom {
	return n.nodesWhere(func(c *dist.Conn) bool { return c.Hidden() })
}

func (n *Node) nodesWhere(keep func(*dist.Conn) bool) []etf.Atom {
	if n.remote == nil {
		return nil
	}
	var out []etf.Atom
	for _, c := range n.remote.mgr.Conns() {
		if keep(c) {
			out = append(out, c.Peer())
		}
	}
	return out
}

// ListenAddr returns the distribution listener's address (nil without
// distribution).
func (n *Node) ListenAddr() net.Addr {
	if n.remote == nil {
		return nil
	}
	return n.remote.ln.Addr()
}
