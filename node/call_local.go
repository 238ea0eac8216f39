package node

import "github.com/erlgo/erlgo/etf"

// callLocal sets up the monitor and delivers the request of a Call to a
// local pid with one process-table lookup (the generic path, monitorRef
// then sendAs then removeWatcher, looks the target up three times, and on
// two cores each lookup's read lock is a contended atomic) and no entry in
// the caller's monitor map. It returns
// false, having done nothing, when the generic path must be taken (no
// request, a name or remote target, a target that is gone: the generic
// path turns that into noproc). msg is the boxed request.
func (p *Process) callLocal(pc *pendingCall, ref etf.Ref, t target, msg etf.Term) bool {
	n := p.node
	if msg == nil || t.kind != targetPID || t.node != n.name {
		return false
	}
	tp := n.lookup(t.pid)
	if tp == nil {
		return false
	}
	watched, err := tp.watchAndDeliver(ref, watcher{pid: p.pid}, msg)
	if !watched {
		return false
	}
	// The caller's side of the monitor is pc itself, not an entry in
	// p.monitors: a DOWN for the call's ref completes the call before
	// p.monitors is consulted (signalDown), and one that comes after the
	// call ended is dropped either way (dispatch finds no monitor).
	pc.target = tp
	if err != nil {
		pc.complete(ref, nil, err) // a full bounded mailbox
	}
	return true
}

// watchAndDeliver is addWatcher then deliver under one hold of p.mu (each
// lock is an atomic on a line the server's goroutine also writes). It
// returns false, having done nothing, if p is dead; err is ErrMailboxFull
// when a bounded mailbox is full (the monitor is in place either way, as
// with addWatcher then deliver). msg is a request, never the reply to a
// Call p is blocked in, so deliverFrom's reply check does not apply.
func (p *Process) watchAndDeliver(ref etf.Ref, w watcher, msg any) (watched bool, err error) {
	p.mu.Lock()
	if p.state >= stateDead {
		p.mu.Unlock()
		return false, nil
	}
	if p.watchers == nil {
		p.watchers = make(map[etf.Ref]watcher)
	}
	p.watchers[ref] = w
	start, err := p.queueLocked(msg)
	p.mu.Unlock()
	if start {
		go p.run()
	}
	return true, err
}
