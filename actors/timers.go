package actors

import (
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// timerSet holds an actor's pending SendAfter timers, run on the actor's
// Clock (node's own timers cannot take a fake clock). Timers fire on the
// clock's goroutines, hence the lock.
type timerSet struct {
	mu sync.Mutex
	m  map[etf.Ref]actorTimer
}

type actorTimer struct {
	stop func() bool
	self bool // addressed to the actor's own pid: cancelled when it exits, as node's
}

func (ts *timerSet) start(p *Process, d time.Duration, to, msg etf.Term) etf.Ref {
	np := p.Process
	ref := np.Node().MakeRef()
	self := false
	if pid, ok := to.(etf.PID); ok && pid == np.Self() {
		self = true
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.m == nil {
		ts.m = make(map[etf.Ref]actorTimer)
	}
	// Registered before the clock can fire it (we hold the lock).
	ts.m[ref] = actorTimer{self: self, stop: p.s.clock.AfterFunc(d, func() {
		ts.mu.Lock()
		_, pending := ts.m[ref]
		delete(ts.m, ref)
		ts.mu.Unlock()
		if pending {
			_ = np.Send(to, msg)
		}
	})}
	return ref
}

func (ts *timerSet) cancel(ref etf.Ref) bool {
	ts.mu.Lock()
	t, ok := ts.m[ref]
	delete(ts.m, ref)
	ts.mu.Unlock()
	if ok {
		t.stop()
	}
	return ok
}

// cancelSelf cancels the timers addressed to the actor itself (it exits).
func (ts *timerSet) cancelSelf() {
	ts.mu.Lock()
	var stops []func() bool
	for ref, t := range ts.m {
		if t.self {
			stops = append(stops, t.stop)
			delete(ts.m, ref)
		}
	}
	ts.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}
