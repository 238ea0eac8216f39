package node

import (
	"time"

	"github.com/erlgo/erlgo/etf"
)

// procTimer is one pending SendAfter of a process.
type procTimer struct {
	t *time.Timer
	// self: addressed to the setter's own pid, so cancelled when it exits
	// (OTP cancels a timer to a pid when that process dies; for other
	// destinations the timer outlives its setter, as in OTP).
	self bool
}

// SendAfter sends msg to "to" from this process after d
// (erlang:send_after/3: Time, Dest, Msg). The returned ref cancels it with
// CancelTimer. A timer to the process's own pid is cancelled when the
// process exits; a timer to another destination fires even if the setter
// has exited by then (a message to a dead pid is dropped anyway).
func (p *Process) SendAfter(d time.Duration, to etf.Term, msg etf.Term) etf.Ref {
	n := p.node
	ref := n.newRef()
	self := false
	if pid, ok := to.(etf.PID); ok && pid == p.pid {
		self = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if self && p.state == stateDead {
		return ref // as send_after to a dead pid: nothing to deliver
	}
	e := p.extLocked()
	if e.timers == nil {
		e.timers = make(map[etf.Ref]*procTimer)
	}
	pt := &procTimer{self: self}
	e.timers[ref] = pt
	// Booked before it can fire: the callback needs p.mu, which we hold.
	pt.t = time.AfterFunc(d, func() {
		if p.takeTimer(ref) {
			_ = n.send(p.pid, to, msg)
		}
	})
	return ref
}

// CancelTimer cancels a timer this process set with SendAfter
// (erlang:cancel_timer/1). It reports whether the timer was still pending;
// a message already sent is not recalled.
func (p *Process) CancelTimer(ref etf.Ref) bool {
	p.mu.Lock()
	var pt *procTimer
	if p.ext != nil {
		pt = p.ext.timers[ref]
		delete(p.ext.timers, ref)
	}
	p.mu.Unlock()
	if pt == nil {
		return false
	}
	pt.t.Stop()
	return true
}

// takeTimer removes a due timer; false if it was cancelled meanwhile.
func (p *Process) takeTimer(ref etf.Ref) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return false
	}
	if _, ok := p.ext.timers[ref]; !ok {
		return false
	}
	delete(p.ext.timers, ref)
	return true
}

// stopSelfTimersLocked cancels the timers addressed to the process itself;
// called as it exits.
func (p *Process) stopSelfTimersLocked() {
	if p.ext == nil {
		return
	}
	for ref, pt := range p.ext.timers {
		if pt.self {
			pt.t.Stop()
			delete(p.ext.timers, ref)
		}
	}
}
