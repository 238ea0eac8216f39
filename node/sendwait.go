package node

import (
	"sync"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// sendWaiter is a Process seen as the dist.Interrupter of its own sends: a
// process blocked because a connection's write queue is full (a peer that
// does not read) is still killed at once by an exit signal, as BEAM kills a
// process suspended on a busy distribution port. The conversion from
// *Process costs nothing, so the send fast path does not allocate.
type sendWaiter Process

// Interrupted implements dist.Interrupter: a killing signal is queued.
func (w *sendWaiter) Interrupted() bool { return (*Process)(w).urgentN.Load() != 0 }

// Waiting implements dist.Interrupter: it books the connection the process
// sleeps on so that signalExit can wake it.
func (w *sendWaiter) Waiting(c *dist.Conn) {
	p := (*Process)(w)
	if r := p.node.remote; r != nil {
		r.blocked.set(p.pid, c)
	}
}

// blockedSenders maps processes blocked by backpressure to the connection
// they wait on. It is touched only on that slow path and on killing
// signals, so a plain mutex is enough.
type blockedSenders struct {
	mu sync.Mutex
	m  map[etf.PID]*dist.Conn
}

func (b *blockedSenders) set(pid etf.PID, c *dist.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c == nil {
		delete(b.m, pid)
		return
	}
	if b.m == nil {
		b.m = map[etf.PID]*dist.Conn{}
	}
	b.m[pid] = c
}

// wake wakes pid if it is blocked in a send, so that it sees the killing
// signal just queued for it.
func (b *blockedSenders) wake(pid etf.PID) {
	b.mu.Lock()
	c := b.m[pid]
	b.mu.Unlock()
	if c != nil {
		c.WakeSenders()
	}
}

// pendingExit is the error an interrupted send returns: the exit reason of
// the first queued killing signal (the process exits with it when its
// handler returns).
func (p *Process) pendingExit() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.urgent {
		if e, ok := s.(*exitSignal); ok {
			return &ExitError{Reason: exitReason(e.reason, e.link)}
		}
	}
	return &ExitError{Reason: Killed}
}
