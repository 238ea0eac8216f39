package global

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"

	"github.com/stretchr/testify/require"
)

// cluster is two erl nodes and a Go node running global, all connected.
type cluster struct {
	epmd   int
	cookie string
	a, b   *ct.Node
	g      *ct.GoNode
	s      *Server
}

func startCluster(t *testing.T, goPrefix string, erls int) *cluster {
	t.Helper()
	ct.Need(t, "erl", "erlc", "epmd")
	c := &cluster{epmd: ct.StartEPMD(t), cookie: ct.Uniq("cookie")}
	dir := ct.Compile(t)
	c.g = ct.StartGo(t, c.epmd, c.cookie, goPrefix)
	var err error
	c.s, err = Start(context.Background(), c.g.Node)
	require.NoError(t, err)
	c.s.RegisterResolver(c.g.Services)
	opts := make([]ct.Options, erls)
	nodes := ct.StartNodes(t, c.epmd, c.cookie, dir, opts...)
	c.a = nodes[0]
	if erls > 1 {
		c.b = nodes[1]
	}
	return c
}

func (c *cluster) connect(t *testing.T, from *ct.Node, to etf.Atom) {
	t.Helper()
	require.Equal(t, "true", from.Eval("net_kernel:connect_node("+ct.Atom(to)+")"))
}

// syncAll runs global:sync() on the erl nodes, bounded, and Sync on Go.
func (c *cluster) syncAll(t *testing.T, nodes ...*ct.Node) {
	t.Helper()
	for _, n := range nodes {
		start := time.Now()
		v, err := n.EvalTimeout("global:sync()", 30*time.Second)
		require.NoError(t, err, "global:sync() hangs on", n.Name)
		require.Equal(t, "{ok,ok}", v)
		t.Logf("global:sync() on %s: %v", n.Name, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.s.Sync(ctx))
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ct.Eventually(t, 30*time.Second, what, cond)
}

func TestGlobalWithErl(t *testing.T) {
	t.Parallel()
	c := startCluster(t, "go", 2)
	a, b, g := c.a, c.b, c.g
	c.connect(t, a, b.Name)
	c.connect(t, a, g.Name())
	c.connect(t, b, g.Name())
	c.syncAll(t, a, b)
	ctx := ctxT(t)
	goAtom := ct.Atom(g.Name())
	collector := ct.StartInbox(t, g.Node, "collector")

	t.Run("go name seen by erl", func(t *testing.T) {
		ib := ct.StartInbox(t, g.Node, "")
		require.NoError(t, c.s.Register(ctx, etf.Atom("go_name"), ib.PID))
		for _, n := range []*ct.Node{a, b} {
			eventually(t, "go_name on "+string(n.Name), func() bool {
				return n.Eval("case global:whereis_name(go_name) of undefined -> undefined; P -> node(P) end") == goAtom
			})
		}
		b.Eval("global:send(go_name, hello_from_b)")
		ib.Expect(t, "global:send from erl", func(m etf.Term) bool { return m == etf.Atom("hello_from_b") })
		require.Equal(t, "true", a.Eval("lists:member(go_name, global:registered_names())"))

		require.NoError(t, c.s.Unregister(ctx, etf.Atom("go_name")))
		eventually(t, "go_name gone on erl", func() bool { return a.Eval("global:whereis_name(go_name)") == "undefined" })
	})

	t.Run("erl name seen by go", func(t *testing.T) {
		a.Eval("P = gtest:collect({collector, " + goAtom + "}), yes = global:register_name(erl_name, P)")
		eventually(t, "erl_name on go", func() bool {
			p, ok := c.s.Whereis(etf.Atom("erl_name"))
			return ok && p.Node == a.Name
		})
		_, err := c.s.Send(nil, etf.Atom("erl_name"), etf.Atom("ping"))
		require.NoError(t, err)
		collector.Expect(t, "message via global name", func(m etf.Term) bool {
			tt, ok := m.(etf.Tuple)
			return ok && len(tt) == 3 && tt[2] == etf.Atom("ping")
		})
		// A Go registration of a taken name is refused.
		ib := ct.StartInbox(t, g.Node, "")
		require.ErrorIs(t, c.s.Register(ctx, etf.Atom("erl_name"), ib.PID), ErrNameTaken)
		b.Eval("global:unregister_name(erl_name)")
		eventually(t, "erl_name gone on go", func() bool { _, ok := c.s.Whereis(etf.Atom("erl_name")); return !ok })
	})

	t.Run("process death", func(t *testing.T) {
		a.Eval("P = spawn(fun() -> receive _ -> ok end end), yes = global:register_name(erl_dead, P), register(erl_dead, P)")
		eventually(t, "erl_dead on go", func() bool { _, ok := c.s.Whereis(etf.Atom("erl_dead")); return ok })
		a.Eval("exit(whereis(erl_dead), kill)")
		eventually(t, "erl_dead gone on go", func() bool { _, ok := c.s.Whereis(etf.Atom("erl_dead")); return !ok })

		ib := ct.StartInbox(t, g.Node, "")
		require.NoError(t, c.s.Register(ctx, etf.Atom("go_dead"), ib.PID))
		eventually(t, "go_dead on erl", func() bool { return b.Eval("global:whereis_name(go_dead)") != "undefined" })
		require.NoError(t, g.Send(ib.PID, etf.Atom("stop")))
		eventually(t, "go_dead gone on erl", func() bool { return b.Eval("global:whereis_name(go_dead)") == "undefined" })
	})

	t.Run("locks", func(t *testing.T) {
		require.Equal(t, "true", a.Eval("global:set_lock({res1, a})"))
		id := LockID{Resource: etf.Atom("res1"), Requester: etf.Atom("go")}
		require.ErrorIs(t, c.s.SetLock(ctx, id, nil, 0), ErrLockNotSet)
		require.Equal(t, "true", a.Eval("global:del_lock({res1, a})"))
		require.NoError(t, c.s.SetLock(ctx, id, nil, 0))
		require.Equal(t, "false", a.Eval("global:set_lock({res1, a}, [node() | nodes()], 0)"))
		require.NoError(t, c.s.DelLock(ctx, id, nil))
		require.Equal(t, "done", b.Eval("global:trans({res2, b}, fun() -> done end)"))
		require.Equal(t, "true", b.Eval("global:set_lock({res1, b})"))
		require.Equal(t, "true", b.Eval("global:del_lock({res1, b})"))
	})

	t.Run("resolve_it served by the go node", func(t *testing.T) {
		// What a BEAM resolver calls when the conflicting entry's pid
		// lives on the Go node: rpc:call(GoNode, global, resolve_it, ...).
		got := a.Eval("C = gtest:collect({collector, " + goAtom + "}), P2 = spawn(fun() -> ok end), " +
			"R = rpc:call(" + goAtom + ", global, resolve_it, [fun global:random_notify_name/3, n, C, P2]), R =:= P2")
		require.Equal(t, "true", got)
		collector.Expect(t, "global_name_conflict", func(m etf.Term) bool {
			tt, ok := m.(etf.Tuple)
			return ok && len(tt) == 3 && etf.Equal(tt[2], etf.Tuple{etf.Atom("global_name_conflict"), etf.Atom("n")})
		})
	})

	t.Run("erl node down", func(t *testing.T) {
		b.Eval("P = spawn(fun() -> receive _ -> ok end end), yes = global:register_name(on_b, P)")
		eventually(t, "on_b on go", func() bool { _, ok := c.s.Whereis(etf.Atom("on_b")); return ok })
		b.Kill()
		eventually(t, "on_b gone on go", func() bool { _, ok := c.s.Whereis(etf.Atom("on_b")); return !ok })
		v, err := a.EvalTimeout("global:sync()", 30*time.Second)
		require.NoError(t, err)
		require.Equal(t, "{ok,ok}", v)
		require.NoError(t, c.s.Sync(ctx))
	})

	t.Run("go node down", func(t *testing.T) {
		ib := ct.StartInbox(t, g.Node, "")
		require.NoError(t, c.s.Register(ctx, etf.Atom("go_last"), ib.PID))
		eventually(t, "go_last on erl", func() bool { return a.Eval("global:whereis_name(go_last)") != "undefined" })
		g.Stop(t)
		for _, n := range []*ct.Node{a} {
			eventually(t, "go_last gone", func() bool { return n.Eval("global:whereis_name(go_last)") == "undefined" })
			v, err := n.EvalTimeout("global:sync()", 30*time.Second)
			require.NoError(t, err)
			require.Equal(t, "{ok,ok}", v)
		}
		require.False(t, strings.Contains(a.Eval("nodes()"), string(g.Name())))
	})
}

// TestGlobalConflict registers the same name on both sides before they
// connect: OTP's default resolver keeps the pid on the node with the
// smaller name and kills the other, whichever side resolves.
func TestGlobalConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		goPrefix string // "a..." sorts before "erl...", "zz..." after
		goWins   bool
	}{
		{"go resolves, go wins", "a", true},
		{"erl resolves, erl wins", "zz", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startCluster(t, tc.goPrefix, 1)
			a, g := c.a, c.g
			ctx := ctxT(t)
			a.Eval("P = spawn(fun() -> receive _ -> ok end end), register(clash_proc, P), yes = global:register_name(clash, P)")
			ib := ct.StartInbox(t, g.Node, "")
			require.NoError(t, c.s.Register(ctx, etf.Atom("clash"), ib.PID))
			c.connect(t, a, g.Name())
			c.syncAll(t, a)
			winner := a.Name
			if tc.goWins {
				winner = g.Name()
			}
			eventually(t, "one winner on both sides", func() bool {
				p, ok := c.s.Whereis(etf.Atom("clash"))
				return ok && p.Node == winner &&
					a.Eval("node(global:whereis_name(clash))") == ct.Atom(winner)
			})
			if tc.goWins {
				eventually(t, "erl process killed", func() bool { return a.Eval("whereis(clash_proc)") == "undefined" })
				require.True(t, g.IsAlive(ib.PID))
			} else {
				eventually(t, "go process killed", func() bool { return !g.IsAlive(ib.PID) })
				require.Equal(t, "true", a.Eval("is_process_alive(whereis(clash_proc))"))
			}
		})
	}
}

// TestGlobalTransitive connects the Go node to one erl node of a two-node
// cluster: global's exchange makes it connect to the other (connect_all).
func TestGlobalTransitive(t *testing.T) {
	t.Parallel()
	c := startCluster(t, "go", 2)
	a, b, g := c.a, c.b, c.g
	c.connect(t, a, b.Name)
	require.Equal(t, "ok", a.Eval("global:sync()"))
	b.Eval("P = spawn(fun() -> receive _ -> ok end end), yes = global:register_name(b_name, P)")
	c.connect(t, a, g.Name())
	c.syncAll(t, a)
	// b's name arrived through a (the Go node was not connected to b), and
	// it survives the Go node's monitor of a pid on b.
	_, ok := c.s.Whereis(etf.Atom("b_name"))
	require.True(t, ok, "b_name after sync with a")
	eventually(t, "go connected to b", func() bool {
		return strings.Contains(b.Eval("nodes()"), string(g.Name()))
	})
	c.syncAll(t, b)
	_, ok = c.s.Whereis(etf.Atom("b_name"))
	require.True(t, ok, "b_name after connecting b")
	ib := ct.StartInbox(t, g.Node, "")
	require.NoError(t, c.s.Register(ctxT(t), etf.Atom("via_a"), ib.PID))
	eventually(t, "name on b", func() bool { return b.Eval("global:whereis_name(via_a)") != "undefined" })
}

// TestGlobalGoToGo runs the protocol between two Go nodes (both lockers
// take the initiative).
func TestGlobalGoToGo(t *testing.T) {
	t.Parallel()
	ct.Need(t, "epmd")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	g1, g2 := ct.StartGo(t, epmd, cookie, "goa"), ct.StartGo(t, epmd, cookie, "gob")
	s1, err := Start(context.Background(), g1.Node)
	require.NoError(t, err)
	s2, err := Start(context.Background(), g2.Node)
	require.NoError(t, err)
	ctx := ctxT(t)
	ib := ct.StartInbox(t, g1.Node, "")
	require.NoError(t, s1.Register(ctx, etf.Atom("from_g1"), ib.PID))
	require.NoError(t, g1.Connect(ctx, g2.Name()))
	require.NoError(t, s1.Sync(ctx))
	require.NoError(t, s2.Sync(ctx))
	eventually(t, "name on g2", func() bool { p, ok := s2.Whereis(etf.Atom("from_g1")); return ok && p == ib.PID })
	ib2 := ct.StartInbox(t, g2.Node, "")
	require.NoError(t, s2.Register(ctx, etf.Atom("from_g2"), ib2.PID))
	p, ok := s1.Whereis(etf.Atom("from_g2"))
	require.True(t, ok)
	require.Equal(t, ib2.PID, p)
}

// TestGlobalOverlappingPartitions: when one erl node drops its connection
// to the Go node, prevent_overlapping_partitions makes the other erl node
// ask the Go node to disconnect too (lost_connection, remove_connection).
func TestGlobalOverlappingPartitions(t *testing.T) {
	t.Parallel()
	c := startCluster(t, "go", 2)
	a, b, g := c.a, c.b, c.g
	c.connect(t, a, b.Name)
	c.connect(t, a, g.Name())
	c.connect(t, b, g.Name())
	c.syncAll(t, a, b)
	require.Equal(t, "true", a.Eval("erlang:disconnect_node("+ct.Atom(g.Name())+")"))
	eventually(t, "b disconnected from go", func() bool {
		return !strings.Contains(b.Eval("nodes()"), string(g.Name()))
	})
	t.Logf("after partition: a sees %s, b sees %s", a.Eval("nodes()"), b.Eval("nodes()"))
}
