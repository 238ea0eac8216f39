package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var seq atomic.Int64

func startDemo(t *testing.T) (*node.Node, *Demo) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := cluster.Start(context.Background(), fmt.Sprintf("d%d@127.0.0.1", seq.Add(1)),
		cluster.WithNode(node.WithoutDistribution(), node.WithLogger(log)),
		cluster.WithServices(interop.WithOutput(io.Discard)), cluster.WithoutGlobal(), cluster.WithoutPG())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	n := m.Node()
	d, err := Start(context.Background(), n, m.Services())
	if err != nil {
		t.Fatal(err)
	}
	return n, d
}

// owner is a test process standing in for the BEAM owner of workers.
type owner struct{ ch chan etf.Term }

func (o *owner) Init(*node.Process) error { return nil }
func (o *owner) HandleMessage(p *node.Process, msg etf.Term) error {
	if f, ok := msg.(func(*node.Process) error); ok {
		return f(p)
	}
	if m, ok := msg.(node.ExitMsg); ok && m.Reason == node.Shutdown {
		return &node.ExitError{Reason: m.Reason}
	}
	if m, ok := msg.(interface{ Term() etf.Term }); ok {
		msg = m.Term()
	}
	o.ch <- msg
	return nil
}
func (o *owner) Terminate(*node.Process, etf.Term) {}

func newOwner(t *testing.T, n *node.Node) (etf.PID, chan etf.Term) {
	t.Helper()
	o := &owner{ch: make(chan etf.Term, 32)}
	pid, err := n.Spawn(o, node.WithTrapExit())
	if err != nil {
		t.Fatal(err)
	}
	return pid, o.ch
}

func expect(t *testing.T, ch chan etf.Term, want func(etf.Term) bool, what string) etf.Term {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-ch:
			if want(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
			return nil
		}
	}
}

func equal(want etf.Term) func(etf.Term) bool {
	return func(got etf.Term) bool { return etf.Equal(want, got) }
}

func TestEcho(t *testing.T) {
	n, _ := startDemo(t)
	ctx := context.Background()
	got, err := n.Call(ctx, EchoName, etf.Tuple{etf.Atom("hello"), 42})
	if err != nil || !etf.Equal(etf.Tuple{etf.Atom("hello"), 42}, got) {
		t.Fatalf("call: %v %v", got, err)
	}
	me, ch := newOwner(t, n)
	if err := n.Send(EchoName, etf.Tuple{etf.Atom("$gen_cast"), etf.Tuple{etf.Atom("send"), me, etf.Atom("back")}}); err != nil {
		t.Fatal(err)
	}
	expect(t, ch, equal(etf.Atom("back")), "cast back")
	if err := n.Send(EchoName, etf.Tuple{me, etf.Atom("ping")}); err != nil {
		t.Fatal(err)
	}
	expect(t, ch, equal(etf.Tuple{EchoName, etf.Atom("ping")}), "{echo, ping}")
}

func TestWorker(t *testing.T) {
	n, _ := startDemo(t)
	me, ch := newOwner(t, n)
	w, err := n.Spawn(actors.NewBehavior(&Worker{Owner: me}))
	if err != nil {
		t.Fatal(err)
	}
	send := func(m etf.Term) {
		t.Helper()
		if err := n.Send(w, m); err != nil {
			t.Fatal(err)
		}
	}
	send(etf.Tuple{etf.Atom("echo"), me, etf.Atom("hi")})
	expect(t, ch, equal(etf.Tuple{etf.Atom("echo"), w, etf.Atom("hi")}), "echo")

	send(etf.Tuple{etf.Atom("call"), EchoName, etf.Atom("q"), 1000})
	expect(t, ch, equal(etf.Tuple{etf.Atom("call_result"), w, etf.Tuple{etf.Atom("ok"), etf.Atom("q")}}), "call ok")
	send(etf.Tuple{etf.Atom("call"), etf.Atom("nobody"), etf.Atom("q"), 1000})
	expect(t, ch, equal(etf.Tuple{etf.Atom("call_result"), w, etf.Tuple{etf.Atom("error"), etf.Atom("noproc")}}), "call noproc")
	// A server that never answers: timeout.
	silent, _ := newOwner(t, n)
	send(etf.Tuple{etf.Atom("call"), silent, etf.Atom("q"), 50})
	expect(t, ch, equal(etf.Tuple{etf.Atom("call_result"), w, etf.Tuple{etf.Atom("error"), etf.Atom("timeout")}}), "call timeout")

	victim, _ := newOwner(t, n)
	send(etf.Tuple{etf.Atom("monitor"), victim})
	mon := expect(t, ch, func(m etf.Term) bool { tp, ok := m.(etf.Tuple); return ok && tp[0] == etf.Atom("monitoring") }, "monitoring").(etf.Tuple)
	_ = n.Send(victim, func(*node.Process) error { return &node.ExitError{Reason: etf.Atom("bye")} })
	expect(t, ch, equal(etf.Tuple{etf.Atom("down"), w, mon[2], etf.Atom("bye")}), "down")

	send(etf.Tuple{etf.Atom("trap_exit"), etf.Atom("true")})
	expect(t, ch, equal(etf.Tuple{etf.Atom("trap_exit"), w, etf.Atom("true")}), "trap_exit")
	send(etf.Tuple{etf.Atom("link"), me})
	expect(t, ch, equal(etf.Tuple{etf.Atom("linked"), w, me}), "linked")
	_ = n.Send(me, func(p *node.Process) error { return p.Exit(w, etf.Atom("poke")) })
	expect(t, ch, equal(etf.Tuple{etf.Atom("exit_seen"), w, me, etf.Atom("poke")}), "exit_seen")

	send(etf.Tuple{etf.Atom("exit"), etf.Atom("done")})
	expect(t, ch, equal(etf.Tuple{etf.Atom("EXIT"), w, etf.Atom("done")}), "linked exit")
}

func TestSupervisor(t *testing.T) {
	n, _ := startDemo(t)
	me, ch := newOwner(t, n)
	ctx := context.Background()
	got, err := n.Call(ctx, SupName, etf.Tuple{etf.Atom("start_child"), etf.List{me}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := got.(etf.Tuple)
	if !ok || len(r) != 2 || r[0] != etf.Atom("ok") {
		t.Fatalf("start_child: %v", got)
	}
	child := r[1].(etf.PID)
	// A crash restarts the child (transient): a new pid appears.
	_ = n.Send(child, etf.Tuple{etf.Atom("exit"), etf.Atom("crash")})
	deadline := time.Now().Add(10 * time.Second)
	for {
		kids, err := n.Call(ctx, SupName, etf.Atom("which_children"))
		if err != nil {
			t.Fatal(err)
		}
		l := kids.(etf.List)
		if len(l) == 1 && l[0].(etf.Tuple)[1] != child {
			newChild := l[0].(etf.Tuple)[1].(etf.PID)
			_ = n.Send(newChild, etf.Tuple{etf.Atom("echo"), me, 1})
			expect(t, ch, equal(etf.Tuple{etf.Atom("echo"), newChild, 1}), "restarted child echoes")
			// A normal exit is not restarted.
			_ = n.Send(newChild, etf.Tuple{etf.Atom("exit"), etf.Atom("normal")})
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child not restarted: %v", kids)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		c, _ := n.Call(ctx, SupName, etf.Atom("count_children"))
		if reflect.DeepEqual(c.(etf.List)[1], etf.Tuple{etf.Atom("active"), 0}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("normal exit restarted: %v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFunctions(t *testing.T) {
	n, _ := startDemo(t)
	ctx := context.Background()
	v, err := interop.RPC(ctx, n, n.Name(), RPCModule, "add", etf.List{2, 3})
	if err != nil || v != 5 {
		t.Fatalf("add: %v %v", v, err)
	}
	_, err = interop.RPC(ctx, n, n.Name(), RPCModule, "fail", etf.List{etf.Atom("oops")})
	if !etf.Equal(etf.Atom("oops"), reasonOf(err)) {
		t.Fatalf("fail: %v", err)
	}
	v, err = interop.RPC(ctx, n, n.Name(), RPCModule, "sleep", etf.List{1})
	if err != nil || v != etf.Atom("ok") {
		t.Fatalf("sleep: %v %v", v, err)
	}
	v, err = interop.RPC(ctx, n, n.Name(), RPCModule, "node_info", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(etf.Map)
	for _, k := range []etf.Atom{"name", "creation", "uptime_ms", "processes"} {
		if _, ok := m.Get(k); !ok {
			t.Errorf("node_info lacks %s", k)
		}
	}
}

func reasonOf(err error) etf.Term {
	if ex, ok := err.(*interop.Exception); ok {
		return ex.Reason
	}
	return nil
}
