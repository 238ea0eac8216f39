package node

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// A Call to a process on another node costs three control messages: the
// MONITOR_P, the $gen_call and, once the reply is in, the DEMONITOR_P.
// Written one by one they cost the caller three writes (the second one
// through the connection's writer goroutine, since it follows the first
// too closely for a direct write) and the peer's reader three wake-ups.
// So a Call on a live connection queues its MONITOR_P and the request in
// one batch (dist.Conn.SendBatch), and its DEMONITOR_P waits for the
// process's next Call on the same connection, which carries it in its
// batch: a process calling a remote server in a loop writes one packet
// per call, as a BEAM process does (its port batches demonitor, monitor
// and send). A waiting DEMONITOR_P is sent on its own when the process
// calls elsewhere, when its mailbox empties, when it exits, and at the
// end of Node.Call. Meanwhile the peer still holds the monitor: if the
// target exits, its DOWN is dropped here (the call's monitor is already
// unbooked), so nothing observable changes.

// heldDemonitor is a Call's DEMONITOR_P not yet sent.
type heldDemonitor struct {
	c   *dist.Conn
	ctl dist.DemonitorP
}

// callRemote sets up the monitor and sends the request of a Call to a
// process on a live connection in one batch. It returns false, having
// done nothing, when the generic path must be taken (local target, no
// live connection, a connection being set up, no request).
func (p *Process) callRemote(pc *pendingCall, ref etf.Ref, t target, msg etf.Tuple) bool {
	n := p.node
	r := n.remote
	if msg == nil || t.node == n.name || r == nil {
		return false
	}
	c := r.readyConn(t.node)
	if c == nil {
		return false
	}
	mt := monitorTarget{pid: t.pid, node: t.node}
	var to etf.Term = t.pid
	var ctl dist.Control = dist.Send{From: p.pid, To: t.pid}
	if t.kind == targetName {
		mt.name, to = t.name, t.name
		ctl = dist.RegSend{From: p.pid, To: t.name}
	}
	obj := t.object()
	if !r.book(c, func(pr *peer) { pr.monitors[ref] = remoteMonitor{owner: p.pid, object: obj} }) {
		return false
	}
	p.mu.Lock()
	if p.monitors == nil {
		p.monitors = make(map[etf.Ref]monitorTarget)
	}
	p.monitors[ref] = mt
	p.mu.Unlock()
	var pre [2]dist.Control
	k := 0
	if h := pc.takeHeld(); h.c == c {
		pre[k] = h.ctl
		k++
	} else {
		h.send()
	}
	pre[k] = dist.MonitorP{From: p.pid, To: to, Ref: ref}
	k++
	err := c.SendBatch(pre[:k], ctl, msg, (*sendWaiter)(p))
	switch {
	case err == nil:
	case errors.Is(err, dist.ErrInterrupted):
		pc.complete(ref, nil, p.pendingExit())
	default:
		pc.complete(ref, nil, fmt.Errorf("%w: %w", ErrNoConnection, err))
	}
	return true
}

// unmonitorRemote removes a finished Call's monitor of a remote process
// and holds its DEMONITOR_P for the next Call (see above).
func (p *Process) unmonitorRemote(pc *pendingCall, ref etf.Ref, mt monitorTarget) {
	r := p.node.remote
	r.mu.Lock()
	pr := r.peers[mt.node]
	var booked bool
	var c *dist.Conn
	if pr != nil {
		_, booked = pr.monitors[ref]
		delete(pr.monitors, ref)
		c = pr.conn
	}
	r.mu.Unlock()
	if !booked {
		return // the connection went down: nothing to undo on the peer
	}
	var to etf.Term = mt.pid
	if mt.name != "" {
		to = mt.name
	}
	pc.mu.Lock()
	prev := pc.held
	pc.held = heldDemonitor{c: c, ctl: dist.DemonitorP{From: p.pid, To: to, Ref: ref}}
	pc.mu.Unlock()
	prev.send()
}

// takeHeld removes and returns the held DEMONITOR_P (zero if none). The
// held one is guarded by pc.mu: a Call may be made from a goroutine other
// than the process's run loop (a handle used by an HTTP handler, say),
// while the run loop flushes it when the mailbox empties.
func (pc *pendingCall) takeHeld() heldDemonitor {
	pc.mu.Lock()
	h := pc.held
	pc.held = heldDemonitor{}
	pc.mu.Unlock()
	return h
}

// send sends h's DEMONITOR_P, if h holds one.
func (h heldDemonitor) send() {
	if h.c != nil {
		_ = h.c.SendControl(h.ctl) // a closed connection has no monitor left
	}
}

// flushDemonitor sends the held DEMONITOR_P, if any.
func (pc *pendingCall) flushDemonitor() { pc.takeHeld().send() }

// flushCallLocked sends p's held DEMONITOR_P, if any; p.mu is held and
// released (the send may block on a full connection).
func (p *Process) flushCallLocked() {
	var pc *pendingCall
	if p.ext != nil {
		pc = p.ext.pc
	}
	p.mu.Unlock()
	if pc != nil {
		pc.flushDemonitor()
	}
}

// heldLocked reports whether p holds a DEMONITOR_P (p.mu held).
func (p *Process) heldLocked() bool {
	if p.ext == nil || p.ext.pc == nil {
		return false
	}
	pc := p.ext.pc
	pc.mu.Lock() // lock order: p.mu, then pc.mu (as beginCall)
	held := pc.held.c != nil
	pc.mu.Unlock()
	return held
}
