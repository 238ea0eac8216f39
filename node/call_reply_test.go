package node

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Reply to a local alias takes a short cut (replyAlias: a Call is completed
// without building the reply). These check that the other alias kinds
// behave as a Send to the alias does.

func TestReplyLocalAliasModes(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	s := spawnProbe(t, n)
	reply := func(a etf.Ref, v etf.Term) {
		t.Helper()
		tag := etf.ImproperList{Elems: []etf.Term{atomAlias}, Tail: a}
		s.do(func(p *Process) error { return Reply(p, etf.Tuple{pr.pid, tag}, v) })
	}

	t.Run("reply mode: first reply only", func(t *testing.T) {
		var a etf.Alias
		pr.do(func(p *Process) error { a = p.Alias(AliasReply); return nil })
		reply(etf.Ref(a), 1)
		reply(etf.Ref(a), 2)
		if m := pr.recv().(etf.Tuple); m[1] != 1 {
			t.Fatalf("got %#v", m)
		}
		pr.sync() // the second reply was dropped
	})
	t.Run("reply-demonitor mode removes the monitor", func(t *testing.T) {
		target := spawnProbe(t, n)
		var ref, plain etf.Ref
		pr.do(func(p *Process) error {
			var err error
			if ref, err = p.MonitorAlias(target.pid, AliasReplyDemonitor); err != nil {
				return err
			}
			plain, err = p.Monitor(target.pid)
			return err
		})
		reply(ref, etf.Atom("ok"))
		if m := pr.recv().(etf.Tuple); m[1] != etf.Atom("ok") {
			t.Fatalf("got %#v", m)
		}
		_ = n.Exit(target.pid, Kill)
		if d, ok := pr.recv().(DownMsg); !ok || d.Ref != plain {
			t.Fatalf("want the DOWN of the plain monitor only, got %#v", d)
		}
		pr.sync() // no second DOWN: the reply removed the alias's monitor
	})
	t.Run("reply after the call ended is dropped", func(t *testing.T) {
		from := make(chan etf.Term, 1)
		srv, _ := n.Spawn(BehaviorFunc(func(_ *Process, m etf.Term) error {
			if f, _, ok := ParseGenCall(m); ok {
				from <- f // never answered in time
			}
			return nil
		}))
		pr.do(func(p *Process) error {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			if _, err := p.Call(ctx, srv, 1); err != ErrTimeout {
				t.Errorf("call: %v, want ErrTimeout", err)
			}
			return nil
		})
		f := <-from
		s.do(func(p *Process) error { return Reply(p, f, etf.Atom("late")) })
		pr.sync() // the late reply never reached the mailbox
		got, err := pr.p.node.Call(context.Background(), srvEcho(t, n), 7)
		if err != nil || got != 7 {
			t.Fatalf("next call: %v, %v", got, err)
		}
	})
}

// srvEcho spawns a local echo server.
func srvEcho(t *testing.T, n *Node) etf.PID {
	t.Helper()
	pid, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if f, req, ok := ParseGenCall(m); ok {
			return Reply(p, f, req)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
