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
	if tp == nil || !tp.addWatcher(ref, watcher{pid: p.pid}) {
		return false
	}
	// The caller's side of the monitor is pc itself, not an entry in
	// p.monitors: a DOWN for the call's ref completes the call before
	// p.monitors is consulted (signalDown), and one that comes after the
	// call ended is dropped either way (dispatch finds no monitor).
	pc.target = tp
	if err := tp.deliver(msg); err != nil {
		pc.complete(ref, nil, err) // a full bounded mailbox
	}
	return true
}
