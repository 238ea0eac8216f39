package node

import (
	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// unlinkRemote runs the sender side of the OTP 26 unlink protocol: the
// link becomes inactive with a fresh id until the peer acknowledges it
// (UNLINK_ID_ACK, see remote_handler.go).
//
// A LINK still queued behind a connection setup (Link does not block while
// connecting) is sent when the setup ends, so the UNLINK_ID must follow
// it in the same queue; dropping it because there is no connection yet
// left the peer process linked to one that was not linked back (and killed
// by the noconnection of a later nodedown).
func (r *remote) unlinkRemote(p *Process, to etf.PID) {
	id := r.n.nextUniq.Add(1)
	p.mu.Lock()
	if !p.links.active(to) {
		p.mu.Unlock()
		return
	}
	p.links[to] = unlinkingWith(id)
	p.mu.Unlock()
	unlink := dist.UnlinkID{ID: id, From: p.pid, To: to}
	if r.queueBehindSetup(to.Node, func(c *dist.Conn, err error) {
		if err != nil || c.SendControl(unlink) != nil {
			r.unlinkDropped(p, to, id)
		}
	}) {
		return
	}
	c, ok := r.mgr.Conn(to.Node)
	if !ok || c.SendControl(unlink) != nil {
		r.unlinkDropped(p, to, id)
	}
}

// queueBehindSetup queues op behind the ops of a connection setup to node
// in progress and reports whether there was one. The setup goroutine runs
// queued ops in order until none are left, so op runs after every signal
// queued before it.
func (r *remote) queueBehindSetup(node etf.Atom, op func(c *dist.Conn, err error)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.setups[node]; s != nil {
		s.ops = append(s.ops, op)
		return true
	}
	return false
}

// unlinkDropped forgets a link whose UNLINK_ID could not be sent (the
// connection is gone, which broke the link anyway).
func (r *remote) unlinkDropped(p *Process, to etf.PID, id uint64) {
	p.mu.Lock()
	if st, ok := p.links[to]; ok && st.isUnlink(id) {
		delete(p.links, to)
	}
	p.mu.Unlock()
	r.forgetLink(p.pid, to)
}
