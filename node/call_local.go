package node

import "github.com/erlgo/erlgo/etf"

// callLocal sets up the monitor and delivers the request of a Call to a
// local pid with one process-table lookup (the generic path, monitorRef
// then sendAs then removeWatcher, looks the target up three times, and on
// two cores each lookup's read lock is a contended atomic). It returns
// false, having done nothing, when the generic path must be taken (no
// request, a name or remote target, a target that is gone: the generic
// path turns that into noproc).
func (p *Process) callLocal(pc *pendingCall, ref etf.Ref, t target, msg etf.Tuple) bool {
	n := p.node
	if msg == nil || t.kind != targetPID || t.node != n.name {
		return false
	}
	tp := n.lookup(t.pid)
	if tp == nil {
		return false
	}
	// Booked before the watcher, as monitorRef does: a DOWN that follows
	// at once finds it.
	p.mu.Lock()
	if p.monitors == nil {
		p.monitors = make(map[etf.Ref]monitorTarget)
	}
	p.monitors[ref] = monitorTarget{pid: t.pid, node: t.node}
	p.mu.Unlock()
	if !tp.addWatcher(ref, watcher{pid: p.pid}) {
		p.mu.Lock()
		delete(p.monitors, ref)
		p.mu.Unlock()
		return false
	}
	pc.target = tp
	if err := tp.deliver(msg); err != nil {
		pc.complete(ref, nil, err) // a full bounded mailbox
	}
	return true
}
