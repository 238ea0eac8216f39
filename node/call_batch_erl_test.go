package node

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// A remote Call sends MONITOR_P and the request in one batch and holds its
// DEMONITOR_P for the process's next Call (call_remote.go). These tests
// check against a real erl that the monitors a Call leaves on the peer go
// away once the calling process is done, in every way it can be done, and
// that a server exiting while a DEMONITOR_P is held leaks no DOWN.

// erlEcho spawns an echo server (gen:reply to every $gen_call, stop on
// stop) on erl, registered as name, and returns its pid.
func erlEcho(t *testing.T, e *erlPeer, pr *probe, name string) etf.PID {
	t.Helper()
	r := e.eval(t, pr, `P = spawn(fun L() -> receive {'$gen_call', F, R} -> gen:reply(F, R), L(); stop -> ok end end), `+
		`register(`+name+`, P), P.`)
	pid, ok := r.(etf.PID)
	if !ok {
		t.Fatalf("spawn echo: %#v", r)
	}
	return pid
}

// requireUnmonitored waits (bounded, polling on erl) until nobody monitors
// the process registered as name.
func requireUnmonitored(t *testing.T, e *erlPeer, pr *probe, name string) {
	t.Helper()
	r := e.eval(t, pr, `W = fun Wt(0) -> process_info(whereis(`+name+`), monitored_by); `+
		`Wt(K) -> case process_info(whereis(`+name+`), monitored_by) of {monitored_by, []} -> ok; _ -> timer:sleep(5), Wt(K - 1) end end, W(1000).`)
	if r != etf.Atom("ok") {
		t.Fatalf("%s still monitored after the calls: %#v", name, r)
	}
}

// doCheck runs f in pr's handler and fails the test if f fails.
func doCheck(t *testing.T, pr *probe, f func(p *Process) error) {
	t.Helper()
	var err error
	pr.do(func(p *Process) error { err = f(p); return nil })
	if err != nil {
		t.Fatal(err)
	}
}

// callN makes n calls from p to to, checking each echo.
func callN(p *Process, to etf.Term, n int) error {
	for i := range n {
		r, err := p.Call(context.Background(), to, i)
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if r != i {
			return fmt.Errorf("call %d: echo %#v", i, r)
		}
	}
	return nil
}

func TestCallBatchMonitorsGoAway(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	pid := erlEcho(t, e, pr, "batch_echo")
	byName := Name{Name: "batch_echo", Node: e.name}

	t.Run("loop by pid and name", func(t *testing.T) {
		c := spawnProbe(t, n)
		doCheck(t, c, func(p *Process) error {
			if err := callN(p, pid, 100); err != nil {
				return err
			}
			return callN(p, byName, 100)
		})
		requireUnmonitored(t, e, pr, "batch_echo")
	})
	t.Run("Node.Call", func(t *testing.T) {
		for i := range 20 {
			if r, err := n.Call(context.Background(), pid, i); err != nil || r != i {
				t.Fatalf("call %d: %#v, %v", i, r, err)
			}
		}
		requireUnmonitored(t, e, pr, "batch_echo")
	})
	t.Run("exit right after the call", func(t *testing.T) {
		c := spawnProbe(t, n)
		down := watch(t, n, c.pid)
		c.async(func(p *Process) error {
			if _, err := p.Call(context.Background(), pid, 1); err != nil {
				return err
			}
			return &ExitError{Reason: etf.Atom("done")}
		})
		if r := down(); r != etf.Atom("done") {
			t.Fatalf("caller exited with %#v", r)
		}
		requireUnmonitored(t, e, pr, "batch_echo")
	})
	t.Run("call elsewhere next", func(t *testing.T) {
		local, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			if from, req, ok := ParseGenCall(m); ok {
				return Reply(p, from, req)
			}
			return nil
		}))
		c := spawnProbe(t, n)
		doCheck(t, c, func(p *Process) error {
			if _, err := p.Call(context.Background(), pid, 1); err != nil {
				return err
			}
			// A local call in between must not lose the held DEMONITOR_P.
			_, err := p.Call(context.Background(), local, 2)
			return err
		})
		requireUnmonitored(t, e, pr, "batch_echo")
	})
}

// TestCallBatchServerExitsWhileHeld: the server exits after the reply,
// while the caller's handler still runs (its DEMONITOR_P is held); the DOWN
// erl sends for the call's monitor must not reach the caller's mailbox.
func TestCallBatchServerExitsWhileHeld(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	pid := erlEcho(t, e, pr, "batch_echo2")
	w := spawnProbe(t, n)
	doCheck(t, w, func(p *Process) error { _, err := p.Monitor(pid); return err })
	c := spawnProbe(t, n)
	doCheck(t, c, func(p *Process) error {
		if _, err := p.Call(context.Background(), pid, 1); err != nil {
			return err
		}
		if err := p.Send(pid, etf.Atom("stop")); err != nil {
			return err
		}
		select {
		case m := <-w.ch: // the server is dead, the DEMONITOR_P still held
			if d, ok := m.(DownMsg); !ok || d.Reason != Normal {
				return fmt.Errorf("watcher got %#v", m)
			}
		case <-time.After(waitFor):
			return fmt.Errorf("echo server did not stop")
		}
		return nil
	})
	// eval fails on any other message arriving first: a DOWN for the
	// call's monitor was sent before the reply to this.
	if r := e.eval(t, c, `ok.`); r != etf.Atom("ok") {
		t.Fatalf("eval: %#v", r)
	}
}

// TestCallBatchUnderLoad: 8 Go processes each call their own erl echo
// server 2,000 times at once over one connection (replies in order, none
// failed), then no monitor is left.
func TestCallBatchUnderLoad(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	const callers, calls = 8, 2000
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		name := "batch_load" + strconv.Itoa(i)
		pid := erlEcho(t, e, pr, name)
		c := spawnProbe(t, n)
		wg.Add(1)
		c.async(func(p *Process) error {
			defer wg.Done()
			errs <- callN(p, pid, calls)
			return nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range callers {
		requireUnmonitored(t, e, pr, "batch_load"+strconv.Itoa(i))
	}
}

// TestCallBatchHeldPastTickTime: a handler calls erl, then keeps running
// (holding the DEMONITOR_P) past the net_ticktime: the connection stays up,
// the monitor goes once the handler returns, and the next call works.
func TestCallBatchHeldPastTickTime(t *testing.T) {
	n, e, w, pr := burstErlSetup(t)
	pid := erlEcho(t, e, pr, "batch_tick")
	c := spawnProbe(t, n)
	doCheck(t, c, func(p *Process) error {
		if _, err := p.Call(context.Background(), pid, 1); err != nil {
			return err
		}
		time.Sleep(2 * burstTick) // the idle period under test, DEMONITOR_P held
		return nil
	})
	noNodeEvents(t, w, "caller after the idle period")
	requireUnmonitored(t, e, pr, "batch_tick")
	doCheck(t, c, func(p *Process) error { return callN(p, pid, 10) })
	requireUnmonitored(t, e, pr, "batch_tick")
}
