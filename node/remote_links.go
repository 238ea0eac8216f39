package node

import (
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

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

// link sets up a link to a process of another node. Like link/1 on BEAM
// it does not wait for a connection: without one it connects in the
// background and a failure arrives as an exit signal noconnection.
func (r *remote) link(from, to etf.PID) error {
	if c := r.readyConn(to.Node); c != nil {
		return r.linkOn(from, to, c)
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
		p.signalExit(to, NoConnection, true)
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
	if c := r.readyConn(to.Node); c != nil {
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
	if c := r.readyConn(t.node); c != nil {
		r.monitorOn(p, ref, t, c)
		return
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
