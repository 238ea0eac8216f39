package node

import (
	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// HandleConnUp implements dist.Handler.
func (r *remote) HandleConnUp(c *dist.Conn) {
	r.mu.Lock()
	if p := r.peers[c.Peer()]; p == nil || p.conn != c { // else booked on demand already
		r.peers[c.Peer()] = newPeer(c)
	}
	r.setConnLocked(c.Peer(), c)
	r.mu.Unlock()
	r.backoff.clear(c.Peer()) // dialled or accepted: it is reachable again
	r.n.log.Debug("nodeup", "peer", c.Peer(), "hidden", c.Hidden())
	r.n.hooks.conn(c.Peer(), c.Hidden(), true)
	if !c.Hidden() {
		r.n.nodeUp(c.Peer())
	}
}

// HandleConnDown implements dist.Handler: every link over the connection
// gets an exit signal noconnection, every monitor a DOWN noconnection,
// monitor_node subscribers NodeDownMsg; Calls waiting on the peer fail with
// ErrNoConnection (through their monitors).
func (r *remote) HandleConnDown(c *dist.Conn, reason error) {
	node := c.Peer()
	r.mu.Lock()
	p := r.peers[node]
	if p == nil || p.conn != c {
		r.mu.Unlock()
		return
	}
	delete(r.peers, node)
	r.setConnLocked(node, nil)
	r.mu.Unlock()
	n := r.n
	n.log.Debug("nodedown", "peer", node, "reason", reason)
	n.hooks.conn(node, c.Hidden(), false)
	for l := range p.links {
		if lp := n.lookup(l[0]); lp != nil {
			lp.mu.Lock()
			if st, ok := lp.links[l[1]]; ok && st.unlinking() { // just forget it
				delete(lp.links, l[1])
			}
			lp.mu.Unlock()
			lp.signalExit(l[1], NoConnection, true)
		}
	}
	for ref, m := range p.monitors {
		if owner := n.lookup(m.owner); owner != nil {
			owner.signalDown(ref, m.object, NoConnection)
		}
	}
	for ref, pid := range p.watchers {
		if t := n.lookup(pid); t != nil {
			t.removeWatcherRef(ref)
		}
	}
	r.spawnsDown(c)
	n.nodeDown(node, c.Hidden())
}

// HandleMessage implements dist.Handler. It runs on the connection's reader
// goroutine, in wire order, and only enqueues: ordering between any pair of
// processes is preserved because each message is in the target's mailbox
// before the next one is read.
func (r *remote) HandleMessage(c *dist.Conn, m dist.Message) {
	n := r.n
	switch ctl := m.Control.(type) {
	case dist.Send:
		if msg, ok := n.inbound(c, m); ok {
			n.deliverFromConn(c, target{kind: targetPID, pid: ctl.To}, msg)
		}
	case dist.RegSend:
		if msg, ok := n.inbound(c, m); ok {
			n.deliverFromConn(c, target{kind: targetName, name: ctl.To}, msg)
		}
	case dist.AliasSend:
		if msg, ok := n.inbound(c, m); ok {
			n.deliverAlias(ctl.Alias, msg)
		}
	case dist.Link:
		r.inLink(c, ctl.From, ctl.To)
	case dist.UnlinkID:
		r.inUnlinkID(c, ctl)
	case dist.UnlinkIDAck:
		r.inUnlinkIDAck(ctl)
	case dist.Unlink: // pre-OTP 26 peers
		if p := n.lookup(ctl.To); p != nil {
			p.removeLink(ctl.From)
		}
		r.forgetLink(ctl.To, ctl.From)
	case dist.Exit:
		r.forgetLink(ctl.To, ctl.From)
		if p := n.lookup(ctl.To); p != nil {
			p.signalExit(ctl.From, ctl.Reason, true)
		}
	case dist.Exit2:
		if p := n.lookup(ctl.To); p != nil {
			p.signalExit(ctl.From, ctl.Reason, false)
		}
	case dist.MonitorP:
		r.inMonitor(c, ctl)
	case dist.DemonitorP:
		r.inDemonitor(c, ctl)
	case dist.MonitorPExit:
		r.inMonitorExit(c, ctl)
	case dist.GroupLeader:
		if p := n.lookup(ctl.To); p != nil {
			p.SetGroupLeader(ctl.From)
		}
	case dist.SpawnRequest:
		go r.inSpawn(c, ctl, m.Payload)
	case dist.SpawnReply:
		r.inSpawnReply(c, ctl) // here, not in a goroutine: before the new process's signals
	case dist.AltactSig:
		if ctl.Flags&dist.AltactExit != 0 {
			r.inAltact(ctl, m.Payload) // an exit reason, not a message
		} else if msg, ok := n.inbound(c, m); ok {
			r.inAltact(ctl, msg)
		}
	default:
		// SEND_TT etc. arrive normalised; NodeLink and unknown ops are
		// ignored.
	}
}

// inUnlinkID: the peer unlinks; an active link goes (one being unlinked
// by us stays until our own ack) and the peer gets its ack.
func (r *remote) inUnlinkID(c *dist.Conn, ctl dist.UnlinkID) {
	if p := r.n.lookup(ctl.To); p != nil {
		p.mu.Lock()
		if p.links.active(ctl.From) {
			delete(p.links, ctl.From)
		}
		p.mu.Unlock()
	}
	r.forgetLink(ctl.To, ctl.From)
	_ = c.SendControl(dist.UnlinkIDAck{ID: ctl.ID, From: ctl.To, To: ctl.From})
}

// inUnlinkIDAck: our unlink is complete: forget the link in the process
// and in the connection's bookkeeping, unless the process linked again
// meanwhile (linkActive) or another unlink is in flight (its own id).
func (r *remote) inUnlinkIDAck(ctl dist.UnlinkIDAck) {
	forget := true
	if p := r.n.lookup(ctl.To); p != nil {
		p.mu.Lock()
		if st, ok := p.links[ctl.From]; ok && st.isUnlink(ctl.ID) {
			delete(p.links, ctl.From)
		} else if ok {
			forget = false
		}
		p.mu.Unlock()
	}
	if forget {
		r.forgetLink(ctl.To, ctl.From)
	}
}

// inDemonitor: DEMONITOR_P by pid or name.
func (r *remote) inDemonitor(c *dist.Conn, ctl dist.DemonitorP) {
	if t := r.n.lookupTerm(ctl.To); t != nil {
		t.removeWatcherRef(ctl.Ref)
	}
	r.book(c, func(p *peer) { delete(p.watchers, ctl.Ref) })
}

// inMonitorExit: MONITOR_P_EXIT, the DOWN of a monitor a local process
// holds on a process of the peer.
func (r *remote) inMonitorExit(c *dist.Conn, ctl dist.MonitorPExit) {
	var obj etf.Term = ctl.From
	if a, ok := ctl.From.(etf.Atom); ok {
		obj = Name{Name: a, Node: c.Peer()}
	}
	r.book(c, func(p *peer) {
		if m, ok := p.monitors[ctl.Ref]; ok {
			obj = m.object
		}
		delete(p.monitors, ctl.Ref)
	})
	if p := r.n.lookup(ctl.To); p != nil {
		p.signalDown(ctl.Ref, obj, ctl.Reason)
	}
}

// inLink: a received LINK is ignored if link state exists; a dead target
// answers EXIT noproc.
func (r *remote) inLink(c *dist.Conn, from, to etf.PID) {
	p := r.n.lookup(to)
	if p == nil || p == r.n.sys || !p.addLink(from) {
		_ = c.SendControl(dist.Exit{From: to, To: from, Reason: NoProc})
		return
	}
	if !r.book(c, func(pr *peer) { pr.links[[2]etf.PID{to, from}] = struct{}{} }) {
		p.signalExit(from, NoConnection, true)
	}
}

// inMonitor: MONITOR_P by pid or name; an unknown target answers
// MONITOR_P_EXIT noproc at once.
func (r *remote) inMonitor(c *dist.Conn, ctl dist.MonitorP) {
	n := r.n
	t := n.lookupTerm(ctl.To)
	w := watcher{pid: ctl.From}
	if name, ok := ctl.To.(etf.Atom); ok {
		w.name = name
	}
	if t == nil || t == n.sys || !t.addWatcher(ctl.Ref, w) {
		_ = c.SendControl(dist.MonitorPExit{From: ctl.To, To: ctl.From, Ref: ctl.Ref, Reason: NoProc})
		return
	}
	if !r.book(c, func(p *peer) { p.watchers[ctl.Ref] = t.pid }) {
		t.removeWatcherRef(ctl.Ref)
	}
}

// inAltact handles ALTACT_SIG_SEND (OTP 28) that dist did not normalise
// into AliasSend: sends by name or pid, priority messages (delivered as
// ordinary messages) and exit/2 signals.
func (r *remote) inAltact(ctl dist.AltactSig, payload etf.Term) {
	n := r.n
	t := n.lookupTerm(ctl.To)
	if ref, ok := ctl.To.(etf.Ref); ok {
		if ctl.Flags&dist.AltactExit == 0 {
			n.deliverAlias(ref, payload)
			return
		}
		if e := n.aliases.get(ref); e != nil {
			t = e.owner
		}
	}
	if t == nil {
		return
	}
	if ctl.Flags&dist.AltactExit != 0 {
		t.signalExit(ctl.Sender, payload, false)
		return
	}
	_ = t.deliver(payload)
}

// lookupTerm finds the local process a control message names by pid or
// registered name (nil for anything else).
func (n *Node) lookupTerm(to etf.Term) *Process {
	switch to := to.(type) {
	case etf.PID:
		return n.lookup(to)
	case etf.Atom:
		return n.whereisProc(to)
	}
	return nil
}
