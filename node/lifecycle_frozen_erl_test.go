package node

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Lifecycle faults against a hung BEAM peer (SIGSTOP): Go processes
// flooding it block on the connection's backpressure; then the peer is
// killed, or the Go node is stopped. Helpers are in lifecycle_erl_test.go.

// freezeAndFill stops the BEAM peer with SIGSTOP (erl must already be
// connected and hold the registered sink lsink) and floods it from
// senders Go processes with 64 KiB binaries until the connection's write
// queue and socket buffers are full and every sender is blocked in Send.
// The returned channel gets each sender's final Send error; pids are the
// senders.
func freezeAndFill(t *testing.T, n *Node, e *erlPeer, senders int) (errs <-chan error, pids []etf.PID) {
	t.Helper()
	if err := syscall.Kill(-e.cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	errc := make(chan error, senders)
	blob := make([]byte, 64<<10)
	for range senders {
		s := spawnProbe(t, n)
		pids = append(pids, s.pid)
		s.async(func(p *Process) error {
			for {
				if err := p.Send(Name{"lsink", e.name}, blob); err != nil {
					errc <- err
					return nil
				}
				sent.Add(1)
			}
		})
	}
	// Blocked: more than the 4 MiB write queue went out and nothing moved
	// for half a second.
	last, deadline := int64(-1), time.Now().Add(30*time.Second)
	for {
		time.Sleep(500 * time.Millisecond) // sampling the counter
		c := sent.Load()
		if c == last && c*int64(len(blob)) > 4<<20 {
			t.Logf("senders blocked after %d MiB", c*int64(len(blob))>>20)
			return errc, pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("senders never blocked: %d sends", c)
		}
		last = c
	}
}

// TestErlKill9FrozenPeer: the peer hangs (SIGSTOP) while Go processes
// flood it, so they block on the connection's backpressure, a call waits
// behind them and a trapping process is linked to it; then the peer is
// killed. The blocked senders must be released with ErrNoConnection, the
// call fail, the link fire, at once, and every goroutine go.
func TestErlKill9FrozenPeer(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	baseline := runtime.NumGoroutine()
	loadLifecyclePeer(t, e, pr)
	target, ok := e.eval(t, pr, `lifecycle_peer:sink().`).(etf.PID)
	if !ok {
		t.Fatal("no sink on erl")
	}
	l := spawnProbe(t, n, WithTrapExit())
	l.do(func(p *Process) error { return p.Link(target) })
	e.eval(t, pr, `ok.`) // the LINK went out before this round trip

	errs, _ := freezeAndFill(t, n, e, 4)
	callErr := make(chan error, 1)
	c := spawnProbe(t, n)
	c.async(func(p *Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_, err := p.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		callErr <- err
		return nil
	})
	// The call is stuck behind the senders (its own 60 s deadline is far).
	select {
	case err := <-callErr:
		t.Fatalf("call to the frozen peer returned before the kill: %v", err)
	case <-time.After(300 * time.Millisecond):
	}

	killed := time.Now()
	if err := syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrNoConnection) {
				t.Errorf("blocked sender %d: %v", i, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("blocked sender %d still blocked 30 s after the kill", i)
		}
	}
	select {
	case err := <-callErr:
		if !errors.Is(err, ErrNoConnection) {
			t.Errorf("call: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("call still pending 30 s after the kill")
	}
	if em, ok := l.recv().(ExitMsg); !ok || em.From != target || em.Reason != NoConnection {
		t.Errorf("linked process got %#v", em)
	}
	// Far below the 60 s ticktime that would otherwise end the connection.
	if d := time.Since(killed); d > 5*time.Second {
		t.Errorf("released %v after the kill", d)
	}
	waitGoroutines(t, baseline, 10*time.Second)
}

// TestErlStopFrozenPeer stops the Go node while its peer hangs (SIGSTOP)
// with a full write queue and processes blocked sending to it. Stop must
// succeed within its bound: its kill interrupts the blocked sends, as
// BEAM kills a sender suspended on a busy distribution port, and no
// process and no goroutine is left.
func TestErlStopFrozenPeer(t *testing.T) {
	e, startGo := erlFirst(t, "frozen")
	baseline := runtime.NumGoroutine()
	n := startGo()
	pr := spawnProbe(t, n)
	loadLifecyclePeer(t, e, pr)
	e.eval(t, pr, `lifecycle_peer:sink().`)
	errs, _ := freezeAndFill(t, n, e, 4)

	const grace = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	start := time.Now()
	err := n.Stop(ctx)
	took := time.Since(start)
	t.Logf("Stop took %v: %v", took, err)
	if err != nil {
		t.Errorf("Stop: %v", err)
	}
	if took > grace+time.Second+5*time.Second+2*time.Second {
		t.Errorf("Stop took %v", took)
	}
	for i := range 4 {
		select {
		case <-errs:
		case <-time.After(waitFor):
			t.Fatalf("sender %d still blocked after Stop", i)
		}
	}
	if c := n.ProcessCount(); c != 0 {
		t.Errorf("%d processes left after Stop", c)
	}
	waitGoroutines(t, baseline, 10*time.Second)
}

// TestErlKillBlockedSender: with the peer hung (SIGSTOP) and senders
// blocked on the full connection, exit(Pid, kill) ends a blocked sender at
// once (DOWN killed), as BEAM kills a process suspended on a busy
// distribution port; the other senders stay blocked and the connection up.
func TestErlKillBlockedSender(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	loadLifecyclePeer(t, e, pr)
	e.eval(t, pr, `lifecycle_peer:sink().`)
	errs, senders := freezeAndFill(t, n, e, 2)
	t.Cleanup(func() { _ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGCONT) })
	victim := senders[0]
	w := spawnProbe(t, n)
	var ref etf.Ref
	w.do(func(p *Process) error { var err error; ref, err = p.Monitor(victim); return err })
	killed := time.Now()
	if err := n.Exit(victim, Kill); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !errors.Is(err, &ExitError{Reason: Killed}) {
			t.Errorf("interrupted Send returned %v, want exit killed", err)
		}
	case <-time.After(waitFor):
		t.Fatal("killed sender still blocked")
	}
	dm, ok := w.recv().(DownMsg)
	if !ok || dm.Ref != ref || dm.Reason != Killed {
		t.Errorf("monitor of the killed sender got %#v", dm)
	}
	if d := time.Since(killed); d > 5*time.Second {
		t.Errorf("killed after %v", d)
	}
	// The other sender is still blocked, the connection still up.
	select {
	case err := <-errs:
		t.Errorf("the other sender returned: %v", err)
	default:
	}
	if !slicesContains(n.ConnectedNodes(), e.name) {
		t.Error("connection dropped by the kill")
	}
}

func slicesContains(s []etf.Atom, a etf.Atom) bool {
	for _, x := range s {
		if x == a {
			return true
		}
	}
	return false
}
