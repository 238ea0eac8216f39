package node

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// seqSink checks that the messages of each sender ({'$gen_call', sender,
// seq}: requests, so the sink lingers after each) arrive in order and closes done once it has all of them.
type seqSink struct {
	next  map[int]int
	left  int
	done  chan struct{}
	errCh chan string
}

func (s *seqSink) Init(*Process) error { return nil }
func (s *seqSink) HandleMessage(_ *Process, m etf.Term) error {
	t := m.(etf.Tuple)
	from, seq := t[1].(int), t[2].(int)
	if seq != s.next[from] {
		s.errCh <- "out of order"
		return &ExitError{Reason: Normal}
	}
	s.next[from]++
	if s.left--; s.left == 0 {
		close(s.done)
	}
	return nil
}
func (s *seqSink) Terminate(*Process, etf.Term) {}

// TestLingerNoLostWakeup sends with gaps around the linger bound, so
// messages land before, during and after the process gives its goroutine
// up (and in the race between the producer's token and the timer): every
// message must be handled, in order per sender. The gaps shape the
// traffic; nothing waits for readiness on them.
func TestLingerNoLostWakeup(t *testing.T) {
	n := localNode(t)
	const senders, per = 4, 400
	s := &seqSink{next: map[int]int{}, left: senders * per, done: make(chan struct{}), errCh: make(chan string, 1)}
	pid, err := n.Spawn(s)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for seq := range per {
				if err := n.Send(pid, etf.Tuple{GenCall, i, seq}); err != nil {
					t.Error(err)
					return
				}
				// 0 to 2x the linger bound.
				time.Sleep(time.Duration(r.Int64N(int64(2 * lingerFor))))
			}
		})
	}
	wg.Wait()
	select {
	case <-s.done:
	case e := <-s.errCh:
		t.Fatal(e)
	case <-time.After(waitFor):
		t.Fatalf("lost wake-up: %d messages never handled", s.left)
	}
}

// TestLingerGoesIdle: processes that handled a request give their goroutine
// up after the linger bound (state idle, no wake channel, goroutine count
// back to the baseline).
func TestLingerGoesIdle(t *testing.T) {
	n := localNode(t)
	base := runtime.NumGoroutine()
	const count = 2000
	var handled sync.WaitGroup
	handled.Add(count)
	beh := BehaviorFunc(func(*Process, etf.Term) error { handled.Done(); return nil })
	pids := make([]etf.PID, count)
	for i := range pids {
		pid, err := n.Spawn(beh)
		if err != nil {
			t.Fatal(err)
		}
		pids[i] = pid
		_ = n.Send(pid, etf.Tuple{GenCall, i, "hello"})
	}
	handled.Wait()
	// Polled (bounded): base may include goroutines of earlier tests that
	// end meanwhile, so the count alone can reach it while some of ours
	// still linger.
	deadline := time.Now().Add(waitFor)
	for _, pid := range pids {
		p := n.lookup(pid)
		for {
			p.mu.Lock()
			st, w := p.state, p.wake
			p.mu.Unlock()
			if st == stateIdle && w == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%v: state %d, wake %v long after lingering", pid, st, w)
			}
			time.Sleep(time.Millisecond) // polling, not a fixed wait
		}
	}
	waitGoroutines(t, base, waitFor)
}

// TestLingerExitAndCall: a lingering process is killed at once by an exit
// signal, and a lingering server answers a stream of calls.
func TestLingerExitAndCall(t *testing.T) {
	n := localNode(t)
	srv, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if t, ok := m.(etf.Tuple); ok && len(t) == 3 && t[0] == GenCall {
			_ = Reply(p, t[1], t[2]) // the last request has no valid From
		}
		return nil
	}))
	pr := spawnProbe(t, n)
	for i := range 2000 {
		pr.do(func(p *Process) error {
			got, err := p.Call(t.Context(), srv, i)
			if err != nil || got != i {
				t.Errorf("call %d: %v, %v", i, got, err)
			}
			return nil
		})
	}
	down := n.Watch(srv)
	_ = n.Send(srv, etf.Tuple{GenCall, 0, 0}) // srv lingers after it (or has just gone idle)
	if err := n.Exit(srv, Kill); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-down:
		if r != Killed {
			t.Fatalf("exit reason %v, want killed", r)
		}
	case <-time.After(waitFor):
		t.Fatal("lingering process not killed")
	}
}
