package node

import (
	"errors"
	"sync"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// spawnReq is a spawn request waiting for its reply.
type spawnReq struct {
	owner         *Process
	link, monitor bool // requested (the reply's flags say what was set up)
	reply         SpawnReplyMode
	tag           etf.Term
	conn          *dist.Conn // the connection it was sent over; nil until sent

	// wait is the pendingCall of a blocked RemoteSpawn (nil for
	// SpawnRequest), completed under waitRef.
	wait    *pendingCall
	waitRef etf.Ref
}

// finish reports the outcome of request reqID to its owner: completes the
// blocked RemoteSpawn, or delivers a SpawnReplyMsg if the reply mode asks
// for this outcome. The message is a system message (not subject to the
// mailbox bound), like the DOWN and EXIT that may follow it.
func (e *spawnReq) finish(reqID etf.Ref, pid etf.PID, err error) {
	if e.wait != nil {
		e.wait.complete(e.waitRef, spawnOutcome{pid: pid, err: err}, nil)
		return
	}
	switch e.reply {
	case SpawnReplyNo:
		return
	case SpawnReplyErrorOnly:
		if err == nil {
			return
		}
	case SpawnReplySuccessOnly:
		if err != nil {
			return
		}
	}
	e.owner.deliverInfo(SpawnReplyMsg{Ref: reqID, Pid: pid, Err: err, Tag: e.tag})
}

// spawnTable holds a node's pending spawn requests by request id. Taking an
// entry out is what decides a request's fate: the reply handler, a failure,
// the connection's loss and an abandon all take, and only the one that
// got the entry acts on it.
type spawnTable struct {
	mu sync.Mutex
	m  map[etf.Ref]*spawnReq
}

func (t *spawnTable) put(ref etf.Ref, e *spawnReq) {
	t.mu.Lock()
	if t.m == nil {
		t.m = make(map[etf.Ref]*spawnReq)
	}
	t.m[ref] = e
	t.mu.Unlock()
}

// bind records the connection the request goes out on; false if it is no
// longer pending (abandoned).
func (t *spawnTable) bind(ref etf.Ref, c *dist.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[ref]
	if e == nil {
		return false
	}
	e.conn = c
	return true
}

// take removes and returns request ref. With c non-nil the request must
// have been sent over c, and with to non-zero it must be to's: a reply is
// honoured only from the connection its request went out on, for the
// process that asked.
func (t *spawnTable) take(ref etf.Ref, c *dist.Conn, to etf.PID) *spawnReq {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[ref]
	if e == nil || (c != nil && e.conn != c) || (to != (etf.PID{}) && e.owner.pid != to) {
		return nil
	}
	delete(t.m, ref)
	return e
}

// abandon removes request ref if p made it and it is still pending.
func (t *spawnTable) abandon(ref etf.Ref, p *Process) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[ref]
	if e == nil || e.owner != p {
		return false
	}
	delete(t.m, ref)
	return true
}

// takeConn removes every request sent over c.
func (t *spawnTable) takeConn(c *dist.Conn) map[etf.Ref]*spawnReq {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[etf.Ref]*spawnReq
	for ref, e := range t.m {
		if e.conn == c {
			if out == nil {
				out = make(map[etf.Ref]*spawnReq)
			}
			out[ref] = e
			delete(t.m, ref)
		}
	}
	return out
}

// len returns the number of pending requests.
func (t *spawnTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// spawnLocal serves a spawn request to this node itself, as
// spawn_request(node(), ...) does: the registered spawnable (or a process
// that exits with undef), with the link and monitor set up before Init and
// the outcome reported before the new process can signal anything.
func (n *Node) spawnLocal(reqID etf.Ref, e *spawnReq, module, function etf.Atom, args etf.List, gl etf.PID) {
	owner := e.owner
	b := n.spawnBehavior(dist.SpawnRequest{Module: module, Function: function, Arity: len(args)}, args)
	setup := func(c *Process) {
		if e.link {
			c.mu.Lock()
			if c.links == nil {
				c.links = make(linkMap)
			}
			c.links[owner.pid] = linkActive
			c.mu.Unlock()
			if !owner.addLink(c.pid) {
				c.signalExit(owner.pid, NoProc, true)
			}
		}
		if e.monitor && owner.addMonitor(reqID, monitorTarget{pid: c.pid, node: n.name}) {
			c.mu.Lock()
			if c.watchers == nil {
				c.watchers = make(map[etf.Ref]watcher)
			}
			c.watchers[reqID] = watcher{pid: owner.pid}
			c.mu.Unlock()
		}
		e.finish(reqID, c.pid, nil)
	}
	var opts []SpawnOption
	if gl != (etf.PID{}) {
		opts = append(opts, WithGroupLeader(gl))
	}
	// Only a stopped node fails before the process exists; a failed Init
	// comes after setup (the outcome is reported, the exit reaches the
	// link and monitor).
	if _, _, err := n.spawn(nil, b, opts, false, false, setup); errors.Is(err, ErrStopped) {
		e.finish(reqID, etf.PID{}, ErrSystemLimit)
	}
}
