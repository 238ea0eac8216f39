package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

func freePort(t testing.TB) int { return erltest.FreePort(t) }

// distNode starts a distributed node registered in the EPMD at epmdPort
// (an embedded one is started by the first node if none runs there; not
// the default detached daemon, which would outlive the test).
func distNode(t testing.TB, name string, epmdPort int, cookie string, opts ...Option) *Node {
	t.Helper()
	opts = append([]Option{WithCookie(cookie), WithEPMD("127.0.0.1", epmdPort), WithEmbeddedEPMD(), WithLogger(quietLogger()), WithListenAddr("127.0.0.1:0")}, opts...)
	n, err := Start(context.Background(), name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop %s: %v", name, err)
		}
	})
	return n
}

func goPair(t *testing.T) (*Node, *Node) {
	t.Helper()
	port := freePort(t)
	id := itoa(int(nodeSeq.Add(1)))
	a := distNode(t, "a"+id+"@127.0.0.1", port, "c"+id)
	b := distNode(t, "b"+id+"@127.0.0.1", port, "c"+id)
	return a, b
}

func TestGoGoDistribution(t *testing.T) {
	a, b := goPair(t)
	ctx := context.Background()

	t.Run("send by pid and name, both ways", func(t *testing.T) {
		pa := spawnProbe(t, a, WithName("pa"))
		pb := spawnProbe(t, b, WithName("pb"))
		pa.do(func(p *Process) error { return p.Send(pb.pid, "hello-b") })
		if m := pb.recv(); m != etf.Atom("hello-b") && !etf.Equal(m, "hello-b") {
			t.Fatalf("got %#v", m)
		}
		pb.do(func(p *Process) error { return p.Send(Name{"pa", a.Name()}, etf.Atom("hi")) })
		if m := pa.recv(); m != etf.Atom("hi") {
			t.Fatalf("got %#v", m)
		}
		pb.do(func(p *Process) error { return p.Send(etf.Tuple{etf.Atom("nobody"), a.Name()}, 1) })
	})
	t.Run("call by name across nodes", func(t *testing.T) {
		for _, n := range []*Node{a, b} {
			if _, err := n.Spawn(echoServer(), WithName("echo")); err != nil {
				t.Fatal(err)
			}
		}
		got, err := a.Call(ctx, Name{"echo", b.Name()}, etf.Tuple{etf.Atom("x"), 1})
		if err != nil || !etf.Equal(got, etf.Tuple{etf.Atom("x"), 1}) {
			t.Fatalf("got %#v, %v", got, err)
		}
		if _, err := a.Call(ctx, Name{"nobody", b.Name()}, 1); !errors.Is(err, ErrNoProc) {
			t.Fatalf("unknown name: %v", err)
		}
	})
	t.Run("link exit propagates both ways", func(t *testing.T) {
		for _, dir := range []struct{ from, to *Node }{{a, b}, {b, a}} {
			x := spawnProbe(t, dir.from)
			y := spawnProbe(t, dir.to)
			x.do(func(p *Process) error { return p.Link(y.pid) })
			// make sure the LINK arrived: a round trip on the same connection
			x.do(func(p *Process) error { _, err := p.Call(ctx, Name{"echo", dir.to.Name()}, 0); return err })
			down := watch(t, dir.from, x.pid)
			y.async(func(*Process) error { return &ExitError{Reason: boom} })
			if r := down(); r != boom {
				t.Fatalf("linked process died with %v", r)
			}
		}
	})
	t.Run("trapping process gets EXIT from remote", func(t *testing.T) {
		x := spawnProbe(t, a, WithTrapExit())
		y := spawnProbe(t, b)
		y.do(func(p *Process) error { return p.Link(x.pid) })
		y.async(func(*Process) error { return &ExitError{Reason: boom} })
		em := x.recv().(ExitMsg)
		if em.From != y.pid || em.Reason != boom {
			t.Fatalf("got %#v", em)
		}
	})
	t.Run("link to dead remote pid: noproc", func(t *testing.T) {
		dead := deadPID(t, b)
		x := spawnProbe(t, a, WithTrapExit())
		x.do(func(p *Process) error { return p.Link(dead) })
		if em := x.recv().(ExitMsg); em.From != dead || em.Reason != NoProc {
			t.Fatalf("got %#v", em)
		}
	})
	t.Run("unlink across nodes", func(t *testing.T) {
		x := spawnProbe(t, a)
		y := spawnProbe(t, b)
		x.do(func(p *Process) error { return p.Link(y.pid) })
		x.do(func(p *Process) error { p.Unlink(y.pid); return nil })
		// Round trip so the UNLINK_ID is processed, then kill y.
		x.do(func(p *Process) error { _, err := p.Call(ctx, Name{"echo", b.Name()}, 0); return err })
		down := watch(t, b, y.pid)
		y.async(func(*Process) error { return &ExitError{Reason: boom} })
		down()
		x.do(func(p *Process) error { _, err := p.Call(ctx, Name{"echo", b.Name()}, 0); return err })
		x.sync()
	})
	t.Run("monitor by pid and name; noproc", func(t *testing.T) {
		y := spawnProbe(t, b, WithName("mon_target"))
		x := spawnProbe(t, a)
		var r1, r2, r3, r4 etf.Ref
		x.do(func(p *Process) error {
			r1, _ = p.Monitor(y.pid)
			r2, _ = p.Monitor(Name{"mon_target", b.Name()})
			r3, _ = p.Monitor(Name{"no_such", b.Name()})
			r4, _ = p.Monitor(deadPID(t, b))
			return nil
		})
		got := map[etf.Ref]DownMsg{}
		for range 2 {
			d := x.recv().(DownMsg)
			got[d.Ref] = d
		}
		if d := got[r3]; d.Reason != NoProc || d.Object != (Name{"no_such", b.Name()}) {
			t.Fatalf("by unknown name: %#v", d)
		}
		if d := got[r4]; d.Reason != NoProc {
			t.Fatalf("dead pid: %#v", d)
		}
		y.async(func(*Process) error { return &ExitError{Reason: boom} })
		for range 2 {
			d := x.recv().(DownMsg)
			got[d.Ref] = d
		}
		if d := got[r1]; d.Reason != boom || d.Object != y.pid {
			t.Fatalf("by pid: %#v", d)
		}
		if d := got[r2]; d.Reason != boom || d.Object != (Name{"mon_target", b.Name()}) {
			t.Fatalf("by name: %#v", d)
		}
	})
	t.Run("ordering of 100k messages", func(t *testing.T) {
		const count = 100_000
		done := make(chan error, 1)
		next := 0
		rcv, _ := b.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			if m != next {
				done <- errors.New("out of order")
				return &ExitError{Reason: Normal}
			}
			next++
			if next == count {
				done <- nil
			}
			return nil
		}))
		snd := spawnProbe(t, a)
		snd.async(func(p *Process) error {
			for i := range count {
				if err := p.Send(rcv, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestGoGoNoConnection(t *testing.T) {
	a, b := goPair(t)
	x := spawnProbe(t, a, WithTrapExit())
	y := spawnProbe(t, b)
	var ref etf.Ref
	x.do(func(p *Process) error {
		p.MonitorNode(b.Name(), true)
		ref, _ = p.Monitor(y.pid)
		return p.Link(y.pid)
	})
	// the link and monitor are set once y's side answers a round trip
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	x.do(func(p *Process) error { _, err := p.Call(context.Background(), Name{"echo", b.Name()}, 0); return err })
	// A server that never answers and says when the request arrived, so
	// the call is in flight (not started after the disconnect, which would
	// just reconnect) when the connection goes.
	received := make(chan struct{}, 1)
	if _, err := b.Spawn(BehaviorFunc(func(*Process, etf.Term) error { received <- struct{}{}; return nil }), WithName("sink")); err != nil {
		t.Fatal(err)
	}
	callErr := make(chan error, 1)
	c := spawnProbe(t, a)
	c.async(func(p *Process) error {
		_, err := p.Call(context.Background(), Name{"sink", b.Name()}, etf.Atom("ignore"))
		callErr <- err
		return nil
	})
	select {
	case <-received:
	case <-time.After(waitFor):
		t.Fatal("call did not reach the server")
	}
	if err := a.Disconnect(b.Name()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 3 {
		switch m := x.recv().(type) {
		case ExitMsg:
			if m.From != y.pid || m.Reason != NoConnection {
				t.Fatalf("got %#v", m)
			}
			seen["exit"] = true
		case DownMsg:
			if m.Ref != ref || m.Reason != NoConnection {
				t.Fatalf("got %#v", m)
			}
			seen["down"] = true
		case NodeDownMsg:
			if m.Node != b.Name() {
				t.Fatalf("got %#v", m)
			}
			seen["nodedown"] = true
		default:
			t.Fatalf("unexpected %#v", m)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("seen %v", seen)
	}
	if err := <-callErr; !errors.Is(err, ErrNoConnection) {
		t.Fatalf("pending call: %v", err)
	}
}

func TestMonitorNodes(t *testing.T) {
	a, b := goPair(t)
	w := spawnProbe(t, a)
	w.do(func(p *Process) error { p.MonitorNodes(true); return nil })
	if err := b.Connect(context.Background(), a.Name()); err != nil {
		t.Fatal(err)
	}
	if m := w.recv(); m != (NodeUpMsg{Node: b.Name()}) {
		t.Fatalf("got %#v", m)
	}
	if got := a.Nodes(); len(got) != 1 || got[0] != b.Name() {
		t.Fatalf("Nodes: %v", got)
	}
	if err := b.Disconnect(a.Name()); err != nil {
		t.Fatal(err)
	}
	if m := w.recv(); m != (NodeDownMsg{Node: b.Name()}) {
		t.Fatalf("got %#v", m)
	}
}
