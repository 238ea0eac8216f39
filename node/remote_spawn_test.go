package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// rsEcho is a spawnable for Go -> Go remote spawns: it tells args[0] (a
// pid) {self(), Args} and exits with its reason when sent {exit, Reason};
// its exit reason goes to reasons, when set.
type rsEcho struct {
	args    etf.List
	reasons chan etf.Term
}

func (e *rsEcho) Init(p *Process) error {
	if to, ok := e.args[0].(etf.PID); ok {
		return p.Send(to, etf.Tuple{p.Self(), e.args})
	}
	return nil
}

func (e *rsEcho) HandleMessage(_ *Process, m etf.Term) error {
	if t, ok := m.(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("exit") {
		return &ExitError{Reason: t[1]}
	}
	return nil
}

func (e *rsEcho) Terminate(_ *Process, reason etf.Term) {
	if e.reasons != nil {
		e.reasons <- reason
	}
}

// gate is a spawnable whose factory blocks until released, so that the
// SPAWN_REPLY is late by as much as a test wants.
type gate struct {
	entered chan struct{}
	release chan struct{}
	reasons chan etf.Term
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 8), release: make(chan struct{}), reasons: make(chan etf.Term, 8)}
}

func (g *gate) factory(args etf.List) (Behavior, error) {
	g.entered <- struct{}{}
	<-g.release
	return &rsEcho{args: args, reasons: g.reasons}, nil
}

func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(waitFor):
		t.Fatal("the spawn request did not reach the factory")
	}
}

func recvReason(t *testing.T, ch chan etf.Term) etf.Term {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitFor):
		t.Fatal("spawned process did not exit")
		return nil
	}
}

func TestRemoteSpawnGoGo(t *testing.T) {
	a, b := goPair(t)
	reasons := make(chan etf.Term, 8)
	for _, n := range []*Node{a, b} {
		if err := n.RegisterSpawnable("rs", "echo", func(args etf.List) (Behavior, error) {
			return &rsEcho{args: args, reasons: reasons}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("spawnable with link: killed on b, EXIT arrives", func(t *testing.T) {
		g := spawnProbe(t, a, WithTrapExit())
		pid, _, err := spawnIn(t, g, false, b.Name(), "rs", "echo", etf.List{g.pid, 7}, SpawnLink())
		if err != nil || pid.Node != b.Name() {
			t.Fatalf("RemoteSpawn: %v %v", pid, err)
		}
		if m := g.recv(); !etf.Equal(m, etf.Tuple{pid, etf.List{g.pid, 7}}) {
			t.Fatalf("got %#v", m)
		}
		if p := b.lookup(pid); p == nil || len(p.Links()) != 1 || p.Links()[0] != g.pid {
			t.Fatal("b's process is not linked to the caller")
		}
		_ = b.Exit(pid, etf.Atom("b_kill"))
		if m := g.recv(); m != (ExitMsg{From: pid, Reason: etf.Atom("b_kill")}) {
			t.Fatalf("want EXIT b_kill, got %#v", m)
		}
		recvReason(t, reasons)
	})

	t.Run("monitor, and an unregistered function dies with undef", func(t *testing.T) {
		g := spawnProbe(t, a)
		pid, ref, err := spawnIn(t, g, true, b.Name(), "rs", "echo", etf.List{g.pid})
		if err != nil {
			t.Fatal(err)
		}
		g.recv() // hello
		_ = b.Send(pid, etf.Tuple{etf.Atom("exit"), etf.Atom("bye")})
		if m := g.recv(); m != (DownMsg{Ref: ref, Type: "process", Object: pid, Reason: etf.Atom("bye")}) {
			t.Fatalf("got %#v", m)
		}
		recvReason(t, reasons)
		pid, ref, err = spawnIn(t, g, true, b.Name(), "rs", "nope", etf.List{1})
		if err != nil {
			t.Fatal(err)
		}
		want := etf.Tuple{etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("rs"), etf.Atom("nope"), etf.List{1}, etf.List{}}}}
		if d, ok := g.recv().(DownMsg); !ok || d.Ref != ref || d.Object != pid || !etf.Equal(d.Reason, want) {
			t.Fatalf("want DOWN undef, got %#v", d)
		}
	})

	t.Run("this node itself", func(t *testing.T) {
		g := spawnProbe(t, a, WithTrapExit())
		pid, ref, err := spawnIn(t, g, true, a.Name(), "rs", "echo", etf.List{g.pid}, SpawnLink())
		if err != nil || pid.Node != a.Name() {
			t.Fatalf("local RemoteSpawn: %v %v", pid, err)
		}
		g.recv() // hello
		_ = a.Send(pid, etf.Tuple{etf.Atom("exit"), etf.Atom("local_bye")})
		got := []etf.Term{g.recv(), g.recv()}
		if got[0] != (ExitMsg{From: pid, Reason: etf.Atom("local_bye")}) || got[1] != (DownMsg{Ref: ref, Type: "process", Object: pid, Reason: etf.Atom("local_bye")}) {
			t.Fatalf("got %#v", got)
		}
		recvReason(t, reasons)
	})

	t.Run("ctx cancel abandons: a late linked process gets exit abandoned", func(t *testing.T) {
		gt := newGate()
		if err := b.RegisterSpawnable("rs", "gate", gt.factory); err != nil {
			t.Fatal(err)
		}
		g := spawnProbe(t, a, WithTrapExit())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		g.async(func(p *Process) error {
			_, err := p.RemoteSpawn(ctx, b.Name(), "rs", "gate", etf.List{0}, SpawnLink())
			done <- err
			return nil
		})
		gt.waitEntered(t)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		close(gt.release)
		if r := recvReason(t, gt.reasons); r != etf.Atom("abandoned") {
			t.Fatalf("abandoned process exited with %#v", r)
		}
		g.sync() // no reply, no EXIT
		if l := len(g.p.Links()); l != 0 || a.remote.spawns.len() != 0 {
			t.Fatalf("links %d, pending %d after abandon", l, a.remote.spawns.len())
		}
	})

	t.Run("deadline, SpawnRequestAbandon", func(t *testing.T) {
		gt := newGate()
		if err := b.RegisterSpawnable("rs", "gate2", gt.factory); err != nil {
			t.Fatal(err)
		}
		g := spawnProbe(t, a)
		var err error
		g.do(func(p *Process) error {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err = p.RemoteSpawn(ctx, b.Name(), "rs", "gate2", etf.List{0})
			return nil
		})
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want ErrTimeout, got %v", err)
		}
		gt.waitEntered(t)
		var req etf.Ref
		var abandoned bool
		g.do(func(p *Process) error {
			req, err = p.SpawnRequest(b.Name(), "rs", "gate2", etf.List{0}, SpawnMonitor())
			if err != nil {
				return err
			}
			gt.waitEntered(t)
			abandoned = p.SpawnRequestAbandon(req)
			return nil
		})
		if !abandoned {
			t.Fatal("SpawnRequestAbandon of a pending request: false")
		}
		close(gt.release)
		g.sync()
		if a.remote.spawns.len() != 0 {
			t.Fatal("abandoned requests left pending")
		}
		g.do(func(p *Process) error {
			if p.SpawnRequestAbandon(req) {
				t.Error("abandoned twice")
			}
			return nil
		})
	})

	t.Run("killed while waiting: the late linked process gets exit noproc", func(t *testing.T) {
		gt := newGate()
		if err := b.RegisterSpawnable("rs", "gate4", gt.factory); err != nil {
			t.Fatal(err)
		}
		g := spawnProbe(t, a)
		wait := watch(t, a, g.pid)
		g.async(func(p *Process) error {
			_, err := p.RemoteSpawn(context.Background(), b.Name(), "rs", "gate4", etf.List{0}, SpawnLink())
			return err
		})
		gt.waitEntered(t)
		_ = a.Exit(g.pid, Kill)
		if r := wait(); r != Killed {
			t.Fatalf("caller exited with %#v", r)
		}
		close(gt.release)
		if r := recvReason(t, gt.reasons); r != NoProc {
			t.Fatalf("orphan exited with %#v", r)
		}
		if a.remote.spawns.len() != 0 {
			t.Fatal("requests left pending")
		}
	})

	t.Run("connection lost while waiting: noconnection", func(t *testing.T) {
		gt := newGate()
		if err := b.RegisterSpawnable("rs", "gate3", gt.factory); err != nil {
			t.Fatal(err)
		}
		g := spawnProbe(t, a)
		done := make(chan error, 2)
		g.async(func(p *Process) error {
			if _, err := p.SpawnRequest(b.Name(), "rs", "gate3", etf.List{0}); err != nil {
				return err
			}
			_, err := p.RemoteSpawn(context.Background(), b.Name(), "rs", "gate3", etf.List{0})
			done <- err
			return nil
		})
		gt.waitEntered(t)
		gt.waitEntered(t)
		_ = a.Disconnect(b.Name())
		if err := <-done; !errors.Is(err, ErrNoConnection) {
			t.Fatalf("want ErrNoConnection, got %v", err)
		}
		if m, ok := g.recv().(SpawnReplyMsg); !ok || !errors.Is(m.Err, ErrNoConnection) {
			t.Fatalf("async request: %#v", m)
		}
		close(gt.release)
		if a.remote.spawns.len() != 0 {
			t.Fatal("requests left pending")
		}
	})
}

func TestRemoteSpawnUnreachable(t *testing.T) {
	a, _ := goPair(t)
	g := spawnProbe(t, a)
	_, _, err := spawnIn(t, g, false, "nobody@127.0.0.1", "m", "f", nil)
	if !errors.Is(err, ErrNoConnection) {
		t.Fatalf("want ErrNoConnection, got %v", err)
	}
	g.do(func(p *Process) error { _, err := p.SpawnRequest("nobody@127.0.0.1", "m", "f", nil); return err })
	if m, ok := g.recv().(SpawnReplyMsg); !ok || !errors.Is(m.Err, ErrNoConnection) {
		t.Fatalf("async: %#v", m)
	}
	local := localNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := local.RemoteSpawn(ctx, "nobody@127.0.0.1", "m", "f", nil); !errors.Is(err, ErrNoConnection) {
		t.Fatalf("without distribution: %v", err)
	}
	for name, opt := range map[string]RemoteSpawnOption{
		"nil option": SpawnOpt(nil), "bad reply mode": SpawnOpt(etf.Tuple{etf.Atom("reply"), etf.Atom("maybe")}),
		"bad mode": SpawnReply(9),
	} {
		if _, err := a.RemoteSpawn(ctx, "nobody@127.0.0.1", "m", "f", nil, opt); !errors.Is(err, ErrBadOpt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := spawnIn(t, g, false, "nobody@127.0.0.1", "m", "f", make(etf.List, 256)); !errors.Is(err, ErrSystemLimit) {
		t.Errorf("256 arguments: %v", err)
	}
}

// TestRemoteSpawnNotSup: a peer whose handshake leaves out DFLAG_SPAWN
// gets no SPAWN_REQUEST; the caller gets notsup.
func TestRemoteSpawnNotSup(t *testing.T) {
	a, _ := goPair(t)
	const peerName = "nospawn@127.0.0.1"
	rawPeer(t, a, dist.Config{Name: peerName, Cookie: a.cfg.cookie, Creation: 3,
		Flags: dist.DefaultFlags &^ dist.FlagSpawn}, nopHandler{})
	g := spawnProbe(t, a)
	if _, _, err := spawnIn(t, g, false, peerName, "m", "f", nil); !errors.Is(err, ErrNotSup) {
		t.Fatalf("want ErrNotSup, got %v", err)
	}
}
