package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

func TestRegistry(t *testing.T) {
	n := localNode(t)
	a := spawnProbe(t, n, WithName("a"))
	if pid, ok := n.Whereis("a"); !ok || pid != a.pid {
		t.Fatalf("whereis a: %v %v", pid, ok)
	}
	if _, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil }), WithName("a")); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("dup name: %v", err)
	}
	b := spawnProbe(t, n)
	if err := n.Register("a", b.pid); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("register taken: %v", err)
	}
	if err := n.Register("b", b.pid); err != nil {
		t.Fatal(err)
	}
	if err := n.Register("b2", b.pid); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("second name: %v", err)
	}
	if err := n.Send(etf.Atom("b"), "hi"); err != nil || b.recv() != "hi" {
		t.Fatal("send by name")
	}
	if err := n.Send(etf.Atom("zz"), "hi"); !errors.Is(err, ErrNoProc) {
		t.Fatalf("send to unregistered atom: %v", err)
	}
	if err := n.Send(Name{"zz", n.Name()}, "hi"); err != nil {
		t.Fatalf("send to {unregistered, node} must be dropped silently: %v", err)
	}
	if !n.Unregister("b") || n.Unregister("b") {
		t.Fatal("unregister")
	}
	if err := n.Register("x", deadPID(t, n)); !errors.Is(err, ErrNoProc) {
		t.Fatalf("register dead: %v", err)
	}
}

func TestAliases(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	s := spawnProbe(t, n)
	var explicit, reply etf.Alias
	pr.do(func(p *Process) error {
		explicit = p.Alias(AliasExplicitUnalias)
		reply = p.Alias(AliasReply)
		return nil
	})
	s.do(func(p *Process) error {
		_ = p.Send(explicit, 1)
		_ = p.Send(explicit, 2)
		_ = p.Send(reply, 3)
		_ = p.Send(reply, 4) // dropped: reply alias deactivated by 3
		_ = p.Send(etf.Ref(explicit), 5)
		return nil
	})
	for _, want := range []int{1, 2, 3, 5} {
		if m := pr.recv(); m != want {
			t.Fatalf("got %#v want %d", m, want)
		}
	}
	pr.do(func(p *Process) error {
		if !p.Unalias(explicit) || p.Unalias(explicit) {
			t.Error("unalias")
		}
		return nil
	})
	s.do(func(p *Process) error { return p.Send(explicit, 6) })
	pr.sync()

	t.Run("monitor alias reply_demonitor", func(t *testing.T) {
		target := spawnProbe(t, n)
		var ref etf.Ref
		pr.do(func(p *Process) error { ref, _ = p.MonitorAlias(target.pid, AliasReplyDemonitor); return nil })
		target.do(func(p *Process) error { _ = p.Send(ref, "r1"); return p.Send(ref, "r2") })
		if m := pr.recv(); m != "r1" {
			t.Fatalf("got %#v", m)
		}
		// The monitor went with the first reply: no DOWN when target dies.
		down := watch(t, n, target.pid)
		target.async(func(*Process) error { return &ExitError{Reason: boom} })
		down()
		pr.sync()
	})
	t.Run("monitor alias demonitor mode: deactivated by DOWN", func(t *testing.T) {
		target := spawnProbe(t, n)
		var ref etf.Ref
		pr.do(func(p *Process) error { ref, _ = p.MonitorAlias(target.pid, AliasDemonitor); return nil })
		target.do(func(p *Process) error { return p.Send(ref, "a1") })
		if m := pr.recv(); m != "a1" {
			t.Fatalf("got %#v", m)
		}
		target.async(func(*Process) error { return &ExitError{Reason: boom} })
		if d := pr.recv().(DownMsg); d.Ref != ref {
			t.Fatalf("got %#v", d)
		}
		s.do(func(p *Process) error { return p.Send(ref, "a2") })
		pr.sync()
	})
}

func TestMailboxLimit(t *testing.T) {
	n := localNode(t)
	block := make(chan struct{})
	got := make(chan etf.Term, 100)
	pid, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		<-block
		got <- m
		return nil
	}), WithMailboxLimit(3))
	if err != nil {
		t.Fatal(err)
	}
	_ = n.Send(pid, 0) // taken by the goroutine, blocks in the handler
	// Wait until the first message has been taken off the queue.
	p := n.lookup(pid)
	for p.MessageQueueLen() != 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= 3; i++ {
		if err := n.Send(pid, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Send(pid, 4); !errors.Is(err, ErrMailboxFull) {
		t.Fatalf("want ErrMailboxFull, got %v", err)
	}
	// Signals are never dropped: an exit signal still gets through.
	close(block)
	for i := 0; i <= 3; i++ {
		if m := <-got; m != i {
			t.Fatalf("got %v want %d", m, i)
		}
	}
}

func TestExitSignalsOvertakeMessages(t *testing.T) {
	n := localNode(t)
	block := make(chan struct{})
	handled := make(chan etf.Term, 1000)
	pid, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		<-block
		handled <- m
		return nil
	}))
	down := watch(t, n, pid)
	for i := range 100 {
		_ = n.Send(pid, i)
	}
	k := spawnProbe(t, n)
	k.do(func(p *Process) error { return p.Exit(pid, boom) })
	close(block)
	if r := down(); r != boom {
		t.Fatalf("reason %v", r)
	}
	if len(handled) >= 100 {
		t.Fatalf("all %d queued messages were handled before the exit signal", len(handled))
	}
}

func TestSendAfter(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	var never etf.Ref
	var cancelled, again bool
	pr.do(func(p *Process) error {
		p.SendAfter(time.Millisecond, p.Self(), "later")
		never = p.SendAfter(time.Hour, p.Self(), "never")
		return nil
	})
	if m := pr.recv(); m != "later" {
		t.Fatalf("got %#v", m)
	}
	pr.do(func(p *Process) error {
		cancelled = p.CancelTimer(never)
		again = p.CancelTimer(never)
		return nil
	})
	if !cancelled || again {
		t.Fatalf("CancelTimer: first %v (want true), second %v (want false)", cancelled, again)
	}
}

func TestStopShutsProcessesDown(t *testing.T) {
	n, err := Start(context.Background(), "stop@127.0.0.1", WithoutDistribution(), WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	reasons := make(chan etf.Term, 10)
	term := &terminateRecorder{ch: reasons}
	for range 3 {
		if _, err := n.Spawn(term); err != nil {
			t.Fatal(err)
		}
	}
	// a trapping process that exits on the shutdown EXIT message
	_, _ = n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if em, ok := m.(ExitMsg); ok {
			return &ExitError{Reason: em.Reason}
		}
		return nil
	}), WithTrapExit())
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if r := <-reasons; r != Shutdown {
			t.Fatalf("terminate reason %v", r)
		}
	}
	if n.ProcessCount() != 0 {
		t.Fatalf("%d processes left", n.ProcessCount())
	}
	if _, err := n.Spawn(term); !errors.Is(err, ErrStopped) {
		t.Fatalf("spawn after stop: %v", err)
	}
	if err := n.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

type terminateRecorder struct{ ch chan etf.Term }

func (r *terminateRecorder) Init(*Process) error                    { return nil }
func (r *terminateRecorder) HandleMessage(*Process, etf.Term) error { return nil }
func (r *terminateRecorder) Terminate(_ *Process, reason etf.Term)  { r.ch <- reason }

func TestInitFailure(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	pr.do(func(p *Process) error {
		_, err := p.SpawnLink(&failingInit{})
		if err == nil || err.Error() != "no" {
			t.Errorf("SpawnLink: %v", err)
		}
		_, ref, err := p.SpawnMonitor(&failingInit{})
		if err == nil || ref == (etf.Ref{}) {
			t.Errorf("SpawnMonitor: %v", err)
		}
		return nil
	})
	d := pr.recv().(DownMsg)
	if !etf.Equal(d.Reason, etf.Tuple{etf.Atom("error"), []byte("no")}) {
		t.Fatalf("DOWN %#v", d)
	}
	pr.sync() // not killed by the failed spawn link
}

type failingInit struct{ BehaviorFunc }

func (failingInit) Init(*Process) error { return errors.New("no") }

func TestMonitorNodeWithoutDistribution(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	pr.do(func(p *Process) error { p.MonitorNode("other@127.0.0.1", true); return nil })
	if m := pr.recv(); m != (NodeDownMsg{Node: "other@127.0.0.1"}) {
		t.Fatalf("got %#v", m)
	}
	pr.do(func(p *Process) error {
		if err := p.Send(Name{"x", "other@127.0.0.1"}, 1); !errors.Is(err, ErrNoConnection) {
			t.Errorf("send: %v", err)
		}
		return nil
	})
}

func TestManyProcessesConcurrently(t *testing.T) {
	n := localNode(t)
	const procs, msgs = 50, 200
	done := make(chan struct{}, procs)
	var pids []etf.PID
	for range procs {
		count := 0
		pid, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			count++
			if count == msgs*procs/procs*procs {
				done <- struct{}{}
			}
			return nil
		}))
		pids = append(pids, pid)
	}
	for i := range procs {
		go func() {
			for j := range msgs * procs {
				_ = n.Send(pids[(i+j)%procs], j)
			}
		}()
	}
	for range procs {
		select {
		case <-done:
		case <-time.After(waitFor):
			t.Fatal("timeout")
		}
	}
}

func TestSpawnArgs(t *testing.T) {
	tests := []struct {
		name string
		in   etf.Term
		want etf.List
		ok   bool
	}{
		{"nil", nil, etf.List{}, true},
		{"empty list", etf.List{}, etf.List{}, true},
		{"list", etf.List{etf.Atom("a"), 1}, etf.List{etf.Atom("a"), 1}, true},
		{"charlist of small ints", etf.Charlist("\x01\x02"), etf.List{1, 2}, true},
		{"latin1 charlist", etf.Charlist("hé"), etf.List{104, 233}, true},
		{"improper", etf.ImproperList{Elems: etf.List{1}, Tail: 2}, nil, false},
		{"atom", etf.Atom("x"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := spawnArgs(tt.in)
			if ok != tt.ok || (ok && !etf.Equal(got, tt.want)) || (ok && got == nil) {
				t.Fatalf("spawnArgs(%#v) = %#v, %v; want %#v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
