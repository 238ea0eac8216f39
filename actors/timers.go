package actors

import (
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// timerSet holds an actor's pending SendAfter timers. Timers fire on the
// clock's goroutines, hence the lock.
type timerSet struct {
	mu sync.Mutex
	m  map[etf.Ref]func() bool
}

func (ts *timerSet) start(p *Process, d time.Duration, msg etf.Term) etf.Ref {
	np := p.np
	ref := np.Node().MakeRef()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.m == nil {
		ts.m = make(map[etf.Ref]func() bool)
	}
	// Registered before the clock can fire it (we hold the lock).
	ts.m[ref] = p.s.clock.AfterFunc(d, func() {
		ts.mu.Lock()
		_, pending := ts.m[ref]
		delete(ts.m, ref)
		ts.mu.Unlock()
		if pending {
			_ = np.Send(np.Self(), msg)
		}
	})
	return ref
}

func (ts *timerSet) cancel(ref etf.Ref) bool {
	ts.mu.Lock()
	stop, ok := ts.m[ref]
	delete(ts.m, ref)
	ts.mu.Unlock()
	if ok {
		stop()
	}
	return ok
}

func (ts *timerSet) cancelAll() {
	ts.mu.Lock()
	m := ts.m
	ts.m = nil
	ts.mu.Unlock()
	for _, stop := range m {
		stop()
	}
}
