package node

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Remote spawn from Go toward a real erl node: remote_spawn_peer.erl is
// compiled and added to erl's code path through node_peer's eval.

func rsErlSetup(t *testing.T) (*Node, *erlPeer, *probe) {
	t.Helper()
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	dir := erltest.Compile(t, "testdata", "remote_spawn_peer.erl")
	if r := e.eval(t, pr, `code:add_patha("`+dir+`"), {module, M} = code:ensure_loaded(remote_spawn_peer), M.`); r != etf.Atom("remote_spawn_peer") {
		t.Fatalf("load remote_spawn_peer: %#v", r)
	}
	return n, e, pr
}

// spawnIn runs RemoteSpawn (or RemoteSpawnMonitor when mon) inside the
// probe's handler.
func spawnIn(t *testing.T, pr *probe, mon bool, node, m, f etf.Atom, args etf.List, opts ...RemoteSpawnOption) (etf.PID, etf.Ref, error) {
	t.Helper()
	var pid etf.PID
	var ref etf.Ref
	var err error
	pr.do(func(p *Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if mon {
			pid, ref, err = p.RemoteSpawnMonitor(ctx, node, m, f, args, opts...)
		} else {
			pid, err = p.RemoteSpawn(ctx, node, m, f, args, opts...)
		}
		return nil
	})
	return pid, ref, err
}

func TestRemoteSpawnErl(t *testing.T) {
	n, e, pr := rsErlSetup(t)
	mod := etf.Atom("remote_spawn_peer")

	t.Run("spawn a module function", func(t *testing.T) {
		pid, _, err := spawnIn(t, pr, false, e.name, mod, "hello", etf.List{pr.pid})
		if err != nil || pid.Node != e.name {
			t.Fatalf("RemoteSpawn: %v %v", pid, err)
		}
		if m := pr.recv(); !etf.Equal(m, etf.Tuple{pid, etf.Atom("hello")}) {
			t.Fatalf("got %#v", m)
		}
		pr.do(func(p *Process) error { return p.Send(pid, etf.Tuple{p.Self(), etf.Atom("ping")}) })
		if m := pr.recv(); !etf.Equal(m, etf.Tuple{pid, etf.Atom("pong")}) {
			t.Fatalf("got %#v", m)
		}
		pr.do(func(p *Process) error { return p.Send(pid, etf.Atom("stop")) })
	})

	t.Run("link: killed on erl, EXIT arrives; erl holds the link", func(t *testing.T) {
		g := spawnProbe(t, n, WithTrapExit())
		pid, _, err := spawnIn(t, g, false, e.name, mod, "loop", nil, SpawnLink())
		if err != nil {
			t.Fatal(err)
		}
		if ls := g.p.Links(); len(ls) != 1 || ls[0] != pid {
			t.Fatalf("Go side links %v", ls)
		}
		g.do(func(p *Process) error { return p.Send(pid, etf.Tuple{p.Self(), etf.Atom("links")}) })
		if m := g.recv(); !etf.Equal(m, etf.Tuple{pid, etf.List{g.pid}}) {
			t.Fatalf("erl side links: %#v", m)
		}
		if r := e.eval(t, pr, `exit(binary_to_term(`+termLiteral(t, pid)+`), erl_kill), ok.`); r != etf.Atom("ok") {
			t.Fatalf("eval: %#v", r)
		}
		if m := g.recv(); m != (ExitMsg{From: pid, Reason: etf.Atom("erl_kill")}) {
			t.Fatalf("want EXIT erl_kill, got %#v", m)
		}
	})

	t.Run("monitor: the process exits, DOWN arrives", func(t *testing.T) {
		g := spawnProbe(t, n)
		pid, ref, err := spawnIn(t, g, true, e.name, mod, "loop", nil)
		if err != nil {
			t.Fatal(err)
		}
		g.do(func(p *Process) error { return p.Send(pid, etf.Atom("stop")) })
		if m := g.recv(); m != (DownMsg{Ref: ref, Type: "process", Object: pid, Reason: Normal}) {
			t.Fatalf("want DOWN normal, got %#v", m)
		}
	})

	t.Run("a process that exits at once still delivers EXIT and DOWN", func(t *testing.T) {
		g := spawnProbe(t, n, WithTrapExit())
		pid, _, err := spawnIn(t, g, false, e.name, "erlang", "exit", etf.List{etf.Atom("at_once")}, SpawnLink())
		if err != nil {
			t.Fatal(err)
		}
		if m := g.recv(); m != (ExitMsg{From: pid, Reason: etf.Atom("at_once")}) {
			t.Fatalf("want EXIT at_once, got %#v", m)
		}
		pid, ref, err := spawnIn(t, g, true, e.name, mod, "quick", nil)
		if err != nil {
			t.Fatal(err)
		}
		if m := g.recv(); m != (DownMsg{Ref: ref, Type: "process", Object: pid, Reason: Normal}) {
			t.Fatalf("want DOWN normal, got %#v", m)
		}
		// A non-trapping caller linked to a process that dies at once dies
		// with it, as spawn_link does.
		k := spawnProbe(t, n)
		wait := watch(t, n, k.pid)
		k.async(func(p *Process) error {
			_, err := p.RemoteSpawn(context.Background(), e.name, "erlang", "exit", etf.List{etf.Atom("take_you")}, SpawnLink())
			return err
		})
		if r := wait(); r != etf.Atom("take_you") {
			t.Fatalf("linked caller exited with %#v", r)
		}
	})

	t.Run("unknown module: spawned, dies with undef", func(t *testing.T) {
		g := spawnProbe(t, n)
		pid, ref, err := spawnIn(t, g, true, e.name, "no_such_mod", "f", etf.List{1})
		if err != nil {
			t.Fatalf("erl spawns for an unknown module too: %v", err)
		}
		want := etf.Tuple{etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("no_such_mod"), etf.Atom("f"), etf.List{1}, etf.List{}}}}
		d, ok := g.recv().(DownMsg)
		if !ok || d.Ref != ref || d.Object != pid || !etf.Equal(d.Reason, want) {
			t.Fatalf("want DOWN %v, got %#v", want, d)
		}
	})

	t.Run("badopt from erl", func(t *testing.T) {
		_, _, err := spawnIn(t, pr, false, e.name, mod, "loop", nil, SpawnOpt(etf.Atom("bogus")))
		if !errors.Is(err, ErrBadOpt) {
			t.Fatalf("want badopt, got %v", err)
		}
		_, _, err = spawnIn(t, pr, false, e.name, mod, "loop", nil, SpawnOpt(etf.Tuple{etf.Atom("priority"), etf.Atom("ultra")}))
		if !errors.Is(err, ErrBadOpt) {
			t.Fatalf("want badopt, got %v", err)
		}
		// A valid spawn_opt option reaches erl.
		pid, _, err := spawnIn(t, pr, false, e.name, mod, "loop", nil, SpawnOpt(etf.Tuple{etf.Atom("priority"), etf.Atom("high")}))
		if err != nil {
			t.Fatal(err)
		}
		if r := e.eval(t, pr, `element(2, process_info(binary_to_term(`+termLiteral(t, pid)+`), priority)).`); r != etf.Atom("high") {
			t.Fatalf("priority %#v", r)
		}
		pr.do(func(p *Process) error { return p.Send(pid, etf.Atom("stop")) })
	})

	t.Run("group leader: the caller's, an explicit one, else the node's pid", func(t *testing.T) {
		glp := spawnProbe(t, n)
		g := spawnProbe(t, n, WithGroupLeader(glp.pid))
		for _, c := range []struct {
			name string
			p    *probe
			opts []RemoteSpawnOption
			want etf.PID
		}{
			{"caller's", g, nil, glp.pid},
			{"explicit", pr, []RemoteSpawnOption{SpawnGroupLeader(glp.pid)}, glp.pid},
			{"none", pr, nil, n.sys.pid},
		} {
			pid, _, err := spawnIn(t, c.p, false, e.name, mod, "gl", etf.List{c.p.pid}, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if m := c.p.recv(); !etf.Equal(m, etf.Tuple{pid, c.want}) {
				t.Fatalf("%s: got %#v, want gl %v", c.name, m, c.want)
			}
		}
		// io:format with no group leader fails at once instead of hanging.
		r := e.eval(t, pr, `P = self(), {Pid, Ref} = spawn_monitor(fun() -> group_leader(binary_to_term(`+termLiteral(t, n.sys.pid)+`), self()), P ! {io, catch io:format("x~n")} end), receive {io, R} -> R after 5000 -> hung end.`)
		if tu, ok := r.(etf.Tuple); !ok || tu[0] != etf.Atom("EXIT") {
			t.Fatalf("io:format with the node's pid as group leader: %#v", r)
		}
	})

	t.Run("async SpawnRequest: reply message, then DOWN; reply modes", func(t *testing.T) {
		g := spawnProbe(t, n)
		var req etf.Ref
		g.do(func(p *Process) error {
			var err error
			req, err = p.SpawnRequest(e.name, mod, "quick", nil, SpawnMonitor())
			return err
		})
		rep, ok := g.recv().(SpawnReplyMsg)
		if !ok || rep.Ref != req || rep.Err != nil || rep.Pid.Node != e.name || rep.Tag != etf.Atom("spawn_reply") {
			t.Fatalf("reply %#v", rep)
		}
		if !etf.Equal(rep.Term(), etf.Tuple{etf.Atom("spawn_reply"), req, etf.Atom("ok"), rep.Pid}) {
			t.Fatalf("Term %#v", rep.Term())
		}
		if m := g.recv(); m != (DownMsg{Ref: req, Type: "process", Object: rep.Pid, Reason: Normal}) {
			t.Fatalf("want DOWN after the reply, got %#v", m)
		}
		// Errors as messages, with a reply tag.
		g.do(func(p *Process) error {
			var err error
			req, err = p.SpawnRequest(e.name, mod, "loop", nil, SpawnOpt(etf.Atom("bogus")), SpawnReplyTag(etf.Atom("mine")))
			return err
		})
		rep, ok = g.recv().(SpawnReplyMsg)
		if !ok || rep.Ref != req || !errors.Is(rep.Err, ErrBadOpt) ||
			!etf.Equal(rep.Term(), etf.Tuple{etf.Atom("mine"), req, etf.Atom("error"), etf.Atom("badopt")}) {
			t.Fatalf("error reply %#v", rep)
		}
		// error_only: a success is not reported, the monitor still works;
		// success_only: a failure is not reported.
		g.do(func(p *Process) error {
			_, err := p.SpawnRequest(e.name, mod, "quick", nil, SpawnMonitor(), SpawnReply(SpawnReplyErrorOnly))
			if err != nil {
				return err
			}
			_, err = p.SpawnRequest(e.name, mod, "quick", nil, SpawnOpt(etf.Atom("bogus")), SpawnReply(SpawnReplySuccessOnly))
			return err
		})
		if d, ok := g.recv().(DownMsg); !ok || d.Reason != Normal {
			t.Fatalf("want only the DOWN, got %#v", d)
		}
		// erl answers one connection's requests in order: a reply to a
		// third request comes after the unreported failure.
		g.do(func(p *Process) error {
			var err error
			req, err = p.SpawnRequest(e.name, mod, "quick", nil)
			return err
		})
		if rep, ok := g.recv().(SpawnReplyMsg); !ok || rep.Ref != req {
			t.Fatalf("want only the third reply, got %#v", rep)
		}
		if l := n.remote.spawns.len(); l != 0 {
			t.Fatalf("%d requests left pending", l)
		}
	})

	t.Run("from the node", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		pid, err := n.RemoteSpawn(ctx, e.name, mod, "hello", etf.List{pr.pid})
		if err != nil {
			t.Fatal(err)
		}
		if m := pr.recv(); !etf.Equal(m, etf.Tuple{pid, etf.Atom("hello")}) {
			t.Fatalf("got %#v", m)
		}
		_ = n.Send(pid, etf.Atom("stop"))
		if _, err := n.RemoteSpawn(ctx, e.name, mod, "loop", nil, SpawnLink()); !errors.Is(err, ErrBadOpt) {
			t.Fatalf("link from the node: %v", err)
		}
	})
}

// termLiteral renders t as an Erlang binary literal <<...>> of its
// external format, for eval code that needs a Go pid or ref.
func termLiteral(t *testing.T, term etf.Term) string {
	t.Helper()
	b, err := etf.Encode(term)
	if err != nil {
		t.Fatal(err)
	}
	s := "<<"
	for i, c := range b {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(int(c))
	}
	return s + ">>"
}

// TestRemoteSpawnErlLoad: 2,000 remote spawns in a row toward erl, then
// 2,000 asynchronous ones, all replied and none left pending.
func TestRemoteSpawnErlLoad(t *testing.T) {
	n, e, pr := rsErlSetup(t)
	const count = 2000
	pr.do(func(p *Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		for i := 0; i < count; i++ {
			pid, err := p.RemoteSpawn(ctx, e.name, "remote_spawn_peer", "quick", nil)
			if err != nil || pid.Node != e.name {
				t.Errorf("spawn %d: %v %v", i, pid, err)
				return nil
			}
		}
		return nil
	})
	g := spawnProbe(t, n)
	reqs := make(map[etf.Ref]bool, count)
	g.do(func(p *Process) error {
		for i := 0; i < count; i++ {
			ref, err := p.SpawnRequest(e.name, "remote_spawn_peer", "quick", nil, SpawnLink())
			if err != nil {
				return err
			}
			reqs[ref] = true
		}
		return nil
	})
	for i := 0; i < count; i++ {
		m, ok := g.recv().(SpawnReplyMsg)
		if !ok || !reqs[m.Ref] || m.Err != nil {
			t.Fatalf("reply %d: %#v", i, m)
		}
		delete(reqs, m.Ref)
	}
	if l := n.remote.spawns.len(); l != 0 {
		t.Fatalf("%d requests left pending", l)
	}
	// Links to processes that exited normally are gone on both sides.
	deadline := time.Now().Add(waitFor)
	for len(g.p.Links()) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d links left", len(g.p.Links()))
		}
		time.Sleep(10 * time.Millisecond) // polling
	}
}

// TestRemoteSpawnErlIdle: a linked process spawned on erl stays linked and
// working after both sides idle past 2 x net_ticktime.
func TestRemoteSpawnErlIdle(t *testing.T) {
	const tick = 2 * time.Second
	t.Setenv("ERL_AFLAGS", "-kernel net_ticktime 2")
	e, startGo := erlFirst(t, "rsidle")
	n := startGo(WithTickTime(tick))
	pr := spawnProbe(t, n)
	dir := erltest.Compile(t, "testdata", "remote_spawn_peer.erl")
	e.eval(t, pr, `code:add_patha("`+dir+`").`)
	g := spawnProbe(t, n, WithTrapExit())
	pid, _, err := spawnIn(t, g, false, e.name, "remote_spawn_peer", "loop", nil, SpawnLink())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2*tick + tick/2) // the idle period under test
	select {
	case m := <-g.ch:
		t.Fatalf("while idle: %#v", m)
	default:
	}
	g.do(func(p *Process) error { return p.Send(pid, etf.Tuple{p.Self(), etf.Atom("links")}) })
	if m := g.recv(); !etf.Equal(m, etf.Tuple{pid, etf.List{g.pid}}) {
		t.Fatalf("after idle: %#v", m)
	}
	g.do(func(p *Process) error { return p.Send(pid, etf.Atom("stop")) })
	if m := g.recv(); m != (ExitMsg{From: pid, Reason: Normal}) {
		t.Fatalf("want EXIT normal, got %#v", m)
	}
}
