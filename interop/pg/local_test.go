package pg

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func pids(ps ...etf.PID) []etf.Term {
	out := make([]etf.Term, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

func terms(ps []etf.PID) []etf.Term { return pids(ps...) }

func TestJoinLeaveLocal(t *testing.T) {
	n, s := localScope(t, DefaultScope)
	ctx := ctxT(t)
	a, b := startInbox(t, n), startInbox(t, n)
	g := etf.Atom("g")

	require.NoError(t, s.Join(ctx, g, a.pid))
	require.NoError(t, s.Join(ctx, g, a.pid, b.pid)) // a twice, as pg allows
	require.ElementsMatch(t, pids(a.pid, a.pid, b.pid), terms(s.GetMembers(g)))
	require.ElementsMatch(t, pids(a.pid, a.pid, b.pid), terms(s.GetLocalMembers(g)))
	require.ElementsMatch(t, []etf.Term{g}, s.WhichGroups())

	require.NoError(t, s.Leave(ctx, g, a.pid))
	require.ElementsMatch(t, pids(a.pid, b.pid), terms(s.GetMembers(g)))
	require.ErrorIs(t, s.Leave(ctx, etf.Atom("nope"), a.pid), ErrNotJoined)
	require.ErrorIs(t, s.Join(ctx, g, etf.PID{Node: "other@h", ID: 1}), ErrNotLocal)

	// Death removes every membership.
	require.NoError(t, n.Send(a.pid, etf.Atom("stop")))
	require.Eventually(t, func() bool { return len(s.GetMembers(g)) == 1 }, waitFor, 10*time.Millisecond)
	require.NoError(t, s.Leave(ctx, g, b.pid))
	require.Equal(t, 0, len(s.WhichGroups()))
}

func TestMonitorLocal(t *testing.T) {
	n, s := localScope(t, DefaultScope)
	ctx := ctxT(t)
	sub, m := startInbox(t, n), startInbox(t, n)
	g := etf.Tuple{etf.Atom("room"), 1}
	require.NoError(t, s.Join(ctx, g, m.pid))

	ref, members, err := s.Monitor(ctx, sub.pid, g)
	require.NoError(t, err)
	require.ElementsMatch(t, pids(m.pid), terms(members))
	sref, groups, err := s.MonitorScope(ctx, sub.pid)
	require.NoError(t, err)
	require.Equal(t, 1, len(groups))

	x := startInbox(t, n)
	require.NoError(t, s.Join(ctx, g, x.pid))
	seen := map[etf.Ref]Event{}
	for range 2 {
		ev := sub.recv(t).(Event)
		seen[ev.Ref] = ev
	}
	for _, r := range []etf.Ref{ref, sref} {
		ev := seen[r]
		require.True(t, ev.Join)
		require.ElementsMatch(t, pids(x.pid), terms(ev.Pids))
	}
	require.NoError(t, s.Demonitor(ctx, sref))
	require.NoError(t, n.Send(x.pid, etf.Atom("stop")))
	ev := sub.recv(t).(Event)
	require.Equal(t, ref, ev.Ref)
	require.False(t, ev.Join)
	require.True(t, etf.Equal(etf.Tuple{ref, etf.Atom("leave"), g, etf.List{x.pid}}, ev.Term()))
}

// TestPeerProtocol plays a remote scope (a local process standing in for
// it) and checks every message shape the scope sends and accepts.
func TestPeerProtocol(t *testing.T) {
	n, s := localScope(t, DefaultScope)
	ctx := ctxT(t)
	peer := startInbox(t, n)
	mine := startInbox(t, n)
	g := etf.Atom("g")
	require.NoError(t, s.Join(ctx, g, mine.pid))

	// discover -> sync cast + discover back.
	require.NoError(t, n.Send(s.PID(), etf.Tuple{atomDiscover, peer.pid}))
	want := []etf.Term{
		etf.Tuple{node.GenCast, etf.Tuple{atomSync, s.PID(), etf.List{etf.Tuple{g, etf.List{mine.pid}}}}},
		etf.Tuple{atomDiscover, s.PID()},
	}
	for _, w := range want {
		got := peer.recv(t)
		require.True(t, etf.Equal(w, got), "want %v got %v", w, got)
	}

	// The peer's members arrive by sync, join and leave.
	r1, r2 := etf.PID{Node: "far@h", ID: 1, Creation: 1}, etf.PID{Node: "far@h", ID: 2, Creation: 1}
	steps := []struct {
		name string
		msg  etf.Term
		want []etf.Term
	}{
		{"sync", etf.Tuple{node.GenCast, etf.Tuple{atomSync, peer.pid, etf.List{etf.Tuple{g, etf.List{r1}}}}}, pids(mine.pid, r1)},
		{"join one", etf.Tuple{atomJoin, peer.pid, g, r2}, pids(mine.pid, r1, r2)},
		{"leave list", etf.Tuple{atomLeave, peer.pid, etf.List{r1}, etf.List{g}}, pids(mine.pid, r2)},
		{"join list", etf.Tuple{atomJoin, peer.pid, g, etf.List{r1}}, pids(mine.pid, r1, r2)},
		{"resync", etf.Tuple{node.GenCast, etf.Tuple{atomSync, peer.pid, etf.List{}}}, pids(mine.pid)},
		{"join again", etf.Tuple{atomJoin, peer.pid, g, etf.List{r1, r2}}, pids(mine.pid, r1, r2)},
		{"unknown peer ignored", etf.Tuple{atomJoin, etf.PID{Node: "x@h", ID: 9}, g, r1}, pids(mine.pid, r1, r2)},
		{"garbage ignored", etf.Tuple{etf.Atom("what"), 1, 2}, pids(mine.pid, r1, r2)},
	}
	for _, st := range steps {
		require.NoError(t, n.Send(s.PID(), st.msg))
		require.Eventually(t, func() bool {
			return len(terms(s.GetMembers(g))) == len(st.want)
		}, waitFor, 5*time.Millisecond, st.name)
		require.ElementsMatch(t, st.want, terms(s.GetMembers(g)))
		require.ElementsMatch(t, pids(mine.pid), terms(s.GetLocalMembers(g)))
	}

	// Our changes are broadcast to the peer.
	other := startInbox(t, n)
	require.NoError(t, s.Join(ctx, g, other.pid))
	require.True(t, etf.Equal(etf.Tuple{atomJoin, s.PID(), g, other.pid}, peer.recv(t)))
	require.NoError(t, s.Leave(ctx, g, other.pid))
	require.True(t, etf.Equal(etf.Tuple{atomLeave, s.PID(), other.pid, etf.List{g}}, peer.recv(t)))
	require.NoError(t, n.Send(mine.pid, etf.Atom("stop")))
	require.True(t, etf.Equal(etf.Tuple{atomLeave, s.PID(), mine.pid, etf.List{g}}, peer.recv(t)))

	// The peer scope going down takes its members with it.
	require.NoError(t, n.Send(peer.pid, etf.Atom("stop")))
	require.Eventually(t, func() bool { return len(s.GetMembers(g)) == 0 }, waitFor, 5*time.Millisecond)
}

func TestPubSubLocal(t *testing.T) {
	n, s := localScope(t, PhoenixScope)
	ctx := ctxT(t)
	ps, err := StartPubSub(ctx, s, AdapterName("MyApp.PubSub"))
	require.NoError(t, err)
	require.ElementsMatch(t, pids(ps.Worker()), terms(s.GetMembers(etf.Atom("Elixir.MyApp.PubSub.Adapter"))))
	a, b := startInbox(t, n), startInbox(t, n)
	ps.Subscribe(a.pid, "room:1")
	ps.Subscribe(b.pid, "room:1")
	ps.Subscribe(b.pid, "room:2")

	// What a remote PG2 worker sends.
	fwd := etf.Tuple{etf.Atom("forward_to_local"), []byte("room:1"), etf.Tuple{etf.Atom("hi"), 1}, DefaultDispatcher}
	require.NoError(t, n.Send(ps.adapter, fwd))
	for _, ib := range []*inbox{a, b} {
		require.True(t, etf.Equal(etf.Tuple{etf.Atom("hi"), 1}, ib.recv(t)))
	}
	require.NoError(t, ps.BroadcastFrom(nil, a.pid, "room:1", etf.Atom("x")))
	require.Equal(t, etf.Atom("x"), b.recv(t))
	require.NoError(t, ps.DirectBroadcast(nil, n.Name(), "room:2", etf.Atom("y")))
	require.Equal(t, etf.Atom("y"), b.recv(t))
	ps.Unsubscribe(b.pid, "room:1")
	require.NoError(t, ps.Broadcast(nil, "room:1", etf.Atom("z")))
	require.Equal(t, etf.Atom("z"), a.recv(t))
	select {
	case m := <-b.ch:
		t.Fatalf("unsubscribed got %v", m)
	default:
	}
	ps.Stop()
	require.Eventually(t, func() bool { return len(s.GetMembers(ps.adapter)) == 0 }, waitFor, 5*time.Millisecond)

	pool, err := StartPubSub(ctx, s, AdapterName("Pool"), WithPoolSize(3))
	require.NoError(t, err)
	defer pool.Stop()
	want := []etf.Term{etf.Atom("Elixir.Pool.Adapter"), etf.Atom("Elixir.Pool.Adapter_2"), etf.Atom("Elixir.Pool.Adapter_3")}
	require.ElementsMatch(t, want, s.WhichGroups())
	pool.Subscribe(a.pid, "t")
	require.NoError(t, n.Send(etf.Atom("Elixir.Pool.Adapter_3"), etf.Tuple{etf.Atom("forward_to_local"), []byte("t"), 7, DefaultDispatcher}))
	require.Equal(t, 7, a.recv(t))
}

// FuzzScopeMessage feeds decoded hostile terms to a scope: it must never
// crash.
func FuzzScopeMessage(f *testing.F) {
	p := etf.PID{Node: "x@h", ID: 1}
	for _, s := range []etf.Term{
		etf.Tuple{atomDiscover, p},
		etf.Tuple{atomDiscover, p, 1},
		etf.Tuple{atomJoin, p, etf.Atom("g"), etf.List{p, 1}},
		etf.Tuple{atomLeave, p, p, etf.List{etf.Atom("g")}},
		etf.Tuple{node.GenCast, etf.Tuple{atomSync, p, etf.List{etf.Tuple{1, etf.List{p}}, 5}}},
	} {
		b, err := etf.Encode(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	n, err := node.Start(context.Background(), "pfz@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quietLogger()))
	if err != nil {
		f.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	}()
	var i atomic.Int64
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		// A fresh scope per input keeps the state (and the run time) from
		// growing with the corpus.
		s, err := Start(context.Background(), n, etf.Atom(fmt.Sprintf("fz%d", i.Add(1))))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		before := s.PID()
		_ = n.Send(before, etf.Tuple{atomDiscover, etf.PID{Node: "x@h", ID: 1}})
		_ = n.Send(before, term)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, _, err := s.Monitor(ctx, s.PID(), etf.Atom("probe")); err != nil {
			t.Fatalf("scope died on %v: %v", term, err)
		}
		// A restart would hide a crash from the call above.
		if after := s.PID(); after != before {
			t.Fatalf("scope died on %v (restarted as %v)", term, after)
		}
	})
}
