package node

import (
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

var boom = etf.Atom("boom")

// TestExitSignalRules is a table of Erlang's rules for receiving exit
// signals (reference manual, "Processes: Receiving Exit Signals", and
// erlang:exit/2, link/1, monitor/2 docs). Each row sets up a receiver,
// delivers one kind of signal and checks the receiver's fate: survives (and
// sees want message, if any) or dies with a reason.
func TestExitSignalRules(t *testing.T) {
	type fate struct {
		dies   bool
		reason etf.Term // exit reason when dies
		msg    etf.Term // message the surviving receiver sees (nil: none)
	}
	// senderExit: a process linked to the receiver exits with reason.
	linkExit := func(reason etf.Term) func(t *testing.T, n *Node, recv *probe) {
		return func(t *testing.T, n *Node, recv *probe) {
			s := spawnProbe(t, n)
			s.do(func(p *Process) error { return p.Link(recv.pid) })
			down := watch(t, n, s.pid)
			s.async(func(p *Process) error { return &ExitError{Reason: reason} })
			down()
		}
	}
	// exit2: another process calls exit(recv, reason).
	exit2 := func(reason etf.Term) func(t *testing.T, n *Node, recv *probe) {
		return func(t *testing.T, n *Node, recv *probe) {
			s := spawnProbe(t, n)
			s.do(func(p *Process) error { return p.Exit(recv.pid, reason) })
		}
	}
	cases := []struct {
		name  string
		trap  bool
		act   func(t *testing.T, n *Node, recv *probe)
		want  fate
		from  string // "sender" when the ExitMsg must come from the signal's sender
		check func(t *testing.T, m etf.Term)
	}{
		{name: "link normal, not trapping: ignored", act: linkExit(Normal), want: fate{}},
		{name: "link normal, trapping: EXIT message", trap: true, act: linkExit(Normal), want: fate{msg: Normal}},
		{name: "link abnormal, not trapping: dies with reason", act: linkExit(boom), want: fate{dies: true, reason: boom}},
		{name: "link abnormal, trapping: EXIT message", trap: true, act: linkExit(boom), want: fate{msg: boom}},
		{name: "link kill, not trapping: dies with kill (not killed)", act: linkExit(Kill), want: fate{dies: true, reason: Kill}},
		{name: "link kill, trapping: EXIT message with kill", trap: true, act: linkExit(Kill), want: fate{msg: Kill}},
		{name: "exit/2 kill, not trapping: killed", act: exit2(Kill), want: fate{dies: true, reason: Killed}},
		{name: "exit/2 kill, trapping: still killed", trap: true, act: exit2(Kill), want: fate{dies: true, reason: Killed}},
		{name: "exit/2 normal, not trapping: ignored", act: exit2(Normal), want: fate{}},
		{name: "exit/2 normal, trapping: EXIT message", trap: true, act: exit2(Normal), want: fate{msg: Normal}},
		{name: "exit/2 abnormal, not trapping: dies", act: exit2(boom), want: fate{dies: true, reason: boom}},
		{name: "exit/2 abnormal, trapping: EXIT message", trap: true, act: exit2(boom), want: fate{msg: boom}},
		{name: "exit/2 shutdown, not trapping: dies", act: exit2(Shutdown), want: fate{dies: true, reason: Shutdown}},
		{name: "exit(self(), normal): dies normal", act: func(t *testing.T, n *Node, recv *probe) {
			recv.async(func(p *Process) error { return p.Exit(p.Self(), Normal) })
		}, want: fate{dies: true, reason: Normal}},
		{name: "exit(self(), normal) trapping: EXIT message", trap: true, act: func(t *testing.T, n *Node, recv *probe) {
			recv.async(func(p *Process) error { return p.Exit(p.Self(), Normal) })
		}, want: fate{msg: Normal}},
		{name: "link to dead pid, not trapping: error noproc, uncaught: dies noproc", act: func(t *testing.T, n *Node, recv *probe) {
			dead := deadPID(t, n)
			recv.async(func(p *Process) error {
				err := p.Link(dead)
				if !errors.Is(err, ErrNoProc) {
					t.Errorf("Link: %v", err)
				}
				return err
			})
		}, want: fate{dies: true, reason: NoProc}},
		{name: "link to dead pid, not trapping: error noproc, caught: survives", act: func(t *testing.T, n *Node, recv *probe) {
			dead := deadPID(t, n)
			recv.do(func(p *Process) error {
				if err := p.Link(dead); !errors.Is(err, ErrNoProc) {
					t.Errorf("Link: %v", err)
				}
				if len(p.Links()) != 0 {
					t.Error("link state left behind")
				}
				return nil
			})
		}, want: fate{}},
		{name: "link to dead pid, trapping: EXIT noproc", trap: true, act: func(t *testing.T, n *Node, recv *probe) {
			dead := deadPID(t, n)
			recv.async(func(p *Process) error { _ = p.Link(dead); return nil })
		}, want: fate{msg: NoProc}},
		{name: "killed propagates as killed over links", act: func(t *testing.T, n *Node, recv *probe) {
			s := spawnProbe(t, n)
			s.do(func(p *Process) error { return p.Link(recv.pid) })
			k := spawnProbe(t, n)
			k.do(func(p *Process) error { return p.Exit(s.pid, Kill) })
		}, want: fate{dies: true, reason: Killed}},
		{name: "killed propagates as EXIT killed to trapping", trap: true, act: func(t *testing.T, n *Node, recv *probe) {
			s := spawnProbe(t, n)
			s.do(func(p *Process) error { return p.Link(recv.pid) })
			down := watch(t, n, s.pid)
			k := spawnProbe(t, n)
			k.do(func(p *Process) error { return p.Exit(s.pid, Kill) })
			down()
		}, want: fate{msg: Killed}},
		{name: "unlinked before exit: no effect", act: func(t *testing.T, n *Node, recv *probe) {
			s := spawnProbe(t, n)
			s.do(func(p *Process) error { return p.Link(recv.pid) })
			s.do(func(p *Process) error { p.Unlink(recv.pid); return nil })
			down := watch(t, n, s.pid)
			s.async(func(p *Process) error { return &ExitError{Reason: boom} })
			down()
		}, want: fate{}},
		{name: "handler error: {error, Text}", act: func(t *testing.T, n *Node, recv *probe) {
			recv.async(func(p *Process) error { return errors.New("bad thing") })
		}, want: fate{dies: true, reason: etf.Tuple{etf.Atom("error"), []byte("bad thing")}}},
		{name: "handler panic: {panic, Text}", act: func(t *testing.T, n *Node, recv *probe) {
			recv.async(func(p *Process) error { panic("oops") })
		}, want: fate{dies: true, reason: etf.Tuple{etf.Atom("panic"), []byte("oops")}}},
		{name: "spawn_link child crash kills parent", act: func(t *testing.T, n *Node, recv *probe) {
			recv.async(func(p *Process) error {
				_, err := p.SpawnLink(BehaviorFunc(func(*Process, etf.Term) error { return &ExitError{Reason: boom} }))
				if err != nil {
					return err
				}
				return nil
			})
			// wake the child: it is idle until it gets a message
			recv.async(func(p *Process) error {
				for _, l := range p.Links() {
					_ = p.Send(l, "go")
				}
				return nil
			})
		}, want: fate{dies: true, reason: boom}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := localNode(t)
			recv := spawnProbe(t, n, func() SpawnOption {
				if tc.trap {
					return WithTrapExit()
				}
				return func(*spawnConfig) {}
			}())
			down := watch(t, n, recv.pid)
			tc.act(t, n, recv)
			if tc.want.dies {
				if r := down(); !etf.Equal(r, tc.want.reason) {
					t.Fatalf("receiver died with %#v, want %#v", r, tc.want.reason)
				}
				if n.IsAlive(recv.pid) {
					t.Fatal("receiver still alive")
				}
				return
			}
			if tc.want.msg != nil {
				m := recv.recv()
				em, ok := m.(ExitMsg)
				if !ok || !etf.Equal(em.Reason, tc.want.msg) {
					t.Fatalf("got %#v, want ExitMsg with reason %v", m, tc.want.msg)
				}
			}
			recv.sync()
		})
	}
}

func deadPID(t testing.TB, n *Node) etf.PID {
	t.Helper()
	d := spawnProbe(t, n)
	down := watch(t, n, d.pid)
	d.async(func(p *Process) error { return &ExitError{Reason: Normal} })
	down()
	return d.pid
}

func TestMonitorRules(t *testing.T) {
	n := localNode(t)
	w := spawnProbe(t, n)

	t.Run("monitor dead pid: DOWN noproc", func(t *testing.T) {
		dead := deadPID(t, n)
		var ref etf.Ref
		w.do(func(p *Process) error { ref, _ = p.Monitor(dead); return nil })
		d := w.recv().(DownMsg)
		if d.Ref != ref || d.Reason != NoProc || d.Object != dead {
			t.Fatalf("got %#v", d)
		}
	})
	t.Run("monitor unknown name: DOWN noproc with {Name, Node}", func(t *testing.T) {
		var ref etf.Ref
		w.do(func(p *Process) error { ref, _ = p.Monitor(etf.Atom("nobody")); return nil })
		d := w.recv().(DownMsg)
		if d.Ref != ref || d.Reason != NoProc || d.Object != (Name{"nobody", n.Name()}) {
			t.Fatalf("got %#v", d)
		}
	})
	t.Run("monitor by name: DOWN with name object and reason", func(t *testing.T) {
		s := spawnProbe(t, n, WithName("srv"))
		var ref etf.Ref
		w.do(func(p *Process) error { ref, _ = p.Monitor(etf.Atom("srv")); return nil })
		s.async(func(p *Process) error { return &ExitError{Reason: boom} })
		d := w.recv().(DownMsg)
		if d.Ref != ref || d.Reason != boom || d.Object != (Name{"srv", n.Name()}) {
			t.Fatalf("got %#v", d)
		}
		if _, ok := n.Whereis("srv"); ok {
			t.Fatal("name still registered")
		}
	})
	t.Run("messages sent before death arrive before DOWN", func(t *testing.T) {
		s := spawnProbe(t, n)
		w.do(func(p *Process) error { _, err := p.Monitor(s.pid); return err })
		s.async(func(p *Process) error {
			for i := range 100 {
				_ = p.Send(w.pid, i)
			}
			return &ExitError{Reason: Normal}
		})
		for i := range 100 {
			if m := w.recv(); m != i {
				t.Fatalf("got %#v want %d", m, i)
			}
		}
		if d := w.recv().(DownMsg); d.Reason != Normal {
			t.Fatalf("got %#v", d)
		}
	})
	t.Run("demonitor flushes a queued DOWN", func(t *testing.T) {
		s := spawnProbe(t, n)
		var ref etf.Ref
		w.do(func(p *Process) error { ref, _ = p.Monitor(s.pid); return nil })
		// Inside one handler: make the target die and wait until its DOWN
		// is queued, then demonitor: the DOWN must never be delivered.
		w.do(func(p *Process) error {
			done := watch(t, n, s.pid)
			s.async(func(p *Process) error { return &ExitError{Reason: boom} })
			done()
			if !p.Demonitor(ref) {
				t.Error("Demonitor: monitor not active")
			}
			return nil
		})
		w.sync()
	})
	t.Run("demonitor returns false for unknown ref", func(t *testing.T) {
		w.do(func(p *Process) error {
			if p.Demonitor(n.MakeRef()) {
				t.Error("true for unknown ref")
			}
			return nil
		})
	})
}
