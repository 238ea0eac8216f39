package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/demo"
	"github.com/erlgo/erlgo/node"
)

// TestDemoWorkerLinkDeadPid checks interop/demo's worker against Erlang's
// link/1 on a dead local pid: not trapping, the worker exits with noproc;
// trapping, it receives {'EXIT', Pid, noproc} and carries on.
func TestDemoWorkerLinkDeadPid(t *testing.T) {
	n, err := node.Start(context.Background(), "demolink@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(context.Background()) })
	got := make(chan etf.Term, 16)
	owner, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, m etf.Term) error { got <- m; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	dead, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return &node.ExitError{Reason: node.Normal} }))
	if err != nil {
		t.Fatal(err)
	}
	_ = n.Send(dead, etf.Atom("die"))
	recv := func() etf.Term {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message")
			return nil
		}
	}
	start := func() etf.PID {
		t.Helper()
		b, err := demo.SpawnWorker(etf.List{owner})
		if err != nil {
			t.Fatal(err)
		}
		pid, err := n.Spawn(b)
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	// Poll until dead has exited.
	deadline := time.Now().Add(10 * time.Second)
	for n.IsAlive(dead) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}

	t.Run("not trapping: exits noproc", func(t *testing.T) {
		w := start()
		reason := make(chan etf.Term, 1)
		mon, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, m etf.Term) error {
			if d, ok := m.(node.DownMsg); ok {
				reason <- d.Reason
				return &node.ExitError{Reason: node.Normal}
			}
			_, err := p.Monitor(w)
			if err == nil {
				err = p.Send(w, etf.Tuple{etf.Atom("link"), dead})
			}
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		_ = n.Send(mon, etf.Atom("go"))
		select {
		case r := <-reason:
			if r != node.NoProc {
				t.Fatalf("worker exited with %#v, want noproc", r)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("worker did not exit")
		}
	})
	t.Run("trapping: EXIT noproc message", func(t *testing.T) {
		w := start()
		_ = n.Send(w, etf.Tuple{etf.Atom("trap_exit"), etf.Atom("true")})
		if m := recv(); !etf.Equal(m, etf.Tuple{etf.Atom("trap_exit"), w, etf.Atom("true")}) {
			t.Fatalf("got %#v", m)
		}
		_ = n.Send(w, etf.Tuple{etf.Atom("link"), dead})
		for _, want := range []etf.Term{
			etf.Tuple{etf.Atom("linked"), w, dead},
			etf.Tuple{etf.Atom("exit_seen"), w, dead, node.NoProc},
		} {
			if m := recv(); !etf.Equal(m, want) {
				t.Fatalf("got %#v, want %#v", m, want)
			}
		}
		if !n.IsAlive(w) {
			t.Fatal("trapping worker died")
		}
	})
}
