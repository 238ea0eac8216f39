package node

import (
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Lingering: when a process's mailbox empties, its goroutine first yields
// once (runtime.Gosched, enough for a local request/response partner), then,
// if the last message it handled was a $gen_call request, parks for up to
// lingerFor waiting for the next message before it goes idle. Only servers
// linger: a flood receiver that parks on a timer after every drained batch
// measured slower than one that gives its goroutine up (8 pairs), and plain
// messages carry no promise of a next one. A request/response server with a steady stream of requests (one
// every round trip over distribution, tens of microseconds apart) so keeps
// one goroutine and its grown stack instead of paying a goroutine start,
// exit and stack growth by copying per request. After lingerFor without a
// message the process goes idle and holds no goroutine, as before.
//
// The bound covers the gap between two requests of one caller across OS
// processes: a round trip over loopback distribution between two busy
// nodes takes 60-200 us on a loaded 2-core machine, so a 50 us bound
// expired before most requests and the server paid a goroutine per request
// anyway (go-go and beam-go call rows with 300 us instead of 50 us: beam-go
// call/p1 p50 0.82x, call/p8 1.28x calls/s, go-go call/p8 1.08x; 1 ms gave
// no more at 1 pair). A lingering goroutine costs a parked goroutine and a
// timer for at most the bound after the last request.
//
// While parked the process is still stateRunning and p.wake holds the
// channel it waits on; a producer that finds p.wake set sends the (never
// blocking, capacity 1) token under p.mu and clears p.wake, so exactly one
// of "producer wakes it" and "timer expires" wins, decided under the lock.
const lingerFor = 300 * time.Microsecond

// isGenCall reports whether m is a {'$gen_call', From, Req} request.
func isGenCall(m any) bool {
	t, ok := m.(etf.Tuple)
	return ok && len(t) == 3 && t[0] == GenCall
}

// lingerer is the parking state of one run goroutine, allocated on the
// first linger and reused while the goroutine lives. Its timer stays
// armed when a message ends a linger (lazyTimer): in request/response
// traffic the goroutine parks once per request.
type lingerer struct {
	ch chan struct{}
	t  lazyTimer
}

// wakeLocked makes p handle what was just queued: it returns true if the
// caller must start a goroutine (p was idle), wakes a lingering goroutine,
// and does nothing if one is running.
func (p *Process) wakeLocked() (start bool) {
	switch {
	case p.state == stateIdle:
		p.state = stateRunning
		return true
	case p.wake != nil:
		p.wakeLingerLocked()
	}
	return false
}

// wakeLingerLocked wakes p's lingering goroutine (p.wake != nil).
func (p *Process) wakeLingerLocked() {
	p.wake <- struct{}{}
	p.wake = nil
}

// linger is called by run with p.mu held and the mailbox empty; it releases
// p.mu. It returns true if a message arrived (run goes on draining) and
// false if p went idle (run returns).
func (l *lingerer) linger(p *Process) bool {
	if l.ch == nil {
		l.ch = make(chan struct{}, 1)
	}
	deadline := time.Now().Add(lingerFor)
	expired := l.t.arm(deadline)
	p.wake = l.ch
	p.mu.Unlock()
	for {
		select {
		case <-l.ch:
			return true // the timer stays armed (see lingerer)
		case <-expired:
		}
		if l.t.fired(deadline) {
			break
		}
	}
	p.mu.Lock()
	if p.wake == nil {
		// A producer won the race: its token is already in ch (sent under
		// p.mu), take it so the next linger does not see it.
		<-l.ch
		p.mu.Unlock()
		return true
	}
	p.wake = nil
	p.state = stateIdle
	p.mu.Unlock()
	return false
}
