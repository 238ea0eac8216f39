package pg

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"

	"github.com/stretchr/testify/require"
)

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ct.Eventually(t, 30*time.Second, what, cond)
}

func hasNodePids(s *Scope, g etf.Term, n etf.Atom, want int) bool {
	c := 0
	for _, p := range s.GetMembers(g) {
		if p.Node == n {
			c++
		}
	}
	return c == want
}

// countOn counts the members of group on BEAM node n that live on node of.
func countOn(n *ct.Node, expr string, of etf.Atom) int {
	v := n.Eval("length([P || P <- " + expr + ", node(P) =:= " + ct.Atom(of) + "])")
	switch v {
	case "0":
		return 0
	case "1":
		return 1
	case "2":
		return 2
	}
	return -1
}

func TestPGWithErl(t *testing.T) {
	t.Parallel()
	ct.Need(t, "erl", "erlc", "epmd")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	dir := ct.Compile(t)
	g := ct.StartGo(t, epmd, cookie, "go")
	s, err := Start(context.Background(), g.Node, DefaultScope)
	require.NoError(t, err)
	nodes := ct.StartNodes(t, epmd, cookie, dir, ct.Options{}, ct.Options{})
	a, b := nodes[0], nodes[1]
	scopeA := a.Eval("whereis(pg)")
	require.Equal(t, "true", a.Eval("net_kernel:connect_node("+ct.Atom(b.Name)+")"))
	require.Equal(t, "true", a.Eval("net_kernel:connect_node("+ct.Atom(g.Name())+")"))
	require.Equal(t, "true", b.Eval("net_kernel:connect_node("+ct.Atom(g.Name())+")"))
	ctx := ctxT(t)
	goAtom := ct.Atom(g.Name())
	collector := ct.StartInbox(t, g.Node, "collector")
	grp := etf.Atom("grp")

	t.Run("erl member seen by go", func(t *testing.T) {
		a.Eval("P = spawn(fun() -> receive stop -> ok end end), register(member_a, P), pg:join(grp, P)")
		eventually(t, "erl member on go", func() bool { return hasNodePids(s, grp, a.Name, 1) })
		require.Equal(t, 0, len(s.GetLocalMembers(grp)))
		require.ElementsMatch(t, []etf.Term{grp}, s.WhichGroups())
	})

	g1 := ct.StartInbox(t, g.Node, "")
	t.Run("go member seen by erl", func(t *testing.T) {
		require.NoError(t, s.Join(ctx, grp, g1.PID))
		for _, n := range []*ct.Node{a, b} {
			eventually(t, "go member on "+string(n.Name), func() bool { return countOn(n, "pg:get_members(grp)", g.Name()) == 1 })
			require.Equal(t, 0, countOn(n, "pg:get_local_members(grp)", g.Name()))
			require.Equal(t, "true", n.Eval("lists:member(grp, pg:which_groups())"))
		}
	})

	t.Run("pg:monitor on erl sees go joins and leaves", func(t *testing.T) {
		a.Eval("gtest:pg_watch(pg, grp, {collector, " + goAtom + "})")
		collector.Expect(t, "pg_watching", func(m etf.Term) bool {
			tt, ok := m.(etf.Tuple)
			return ok && tt[0] == etf.Atom("pg_watching")
		})
		g2 := ct.StartInbox(t, g.Node, "")
		require.NoError(t, s.Join(ctx, grp, g2.PID))
		isEvent := func(verb string, pid etf.PID) func(etf.Term) bool {
			return func(m etf.Term) bool {
				tt, ok := m.(etf.Tuple)
				return ok && len(tt) == 5 && tt[0] == etf.Atom("pg_event") && tt[2] == etf.Atom(verb) &&
					etf.Equal(tt[4], etf.List{pid})
			}
		}
		collector.Expect(t, "join event", isEvent("join", g2.PID))
		require.NoError(t, s.Leave(ctx, grp, g2.PID))
		collector.Expect(t, "leave event", isEvent("leave", g2.PID))
		require.ErrorIs(t, s.Leave(ctx, grp, g2.PID), ErrNotJoined)
	})

	t.Run("go monitor sees erl joins and leaves", func(t *testing.T) {
		sub := ct.StartInbox(t, g.Node, "")
		ref, members, err := s.Monitor(ctx, sub.PID, etf.Atom("watched"))
		require.NoError(t, err)
		require.Equal(t, 0, len(members))
		b.Eval("P = spawn(fun() -> receive stop -> ok end end), register(member_b, P), pg:join(watched, P)")
		ev := sub.Expect(t, "join", func(m etf.Term) bool { e, ok := m.(Event); return ok && e.Join }).(Event)
		require.Equal(t, ref, ev.Ref)
		require.Equal(t, b.Name, ev.Pids[0].Node)
		b.Eval("pg:leave(watched, whereis(member_b))")
		sub.Expect(t, "leave", func(m etf.Term) bool { e, ok := m.(Event); return ok && !e.Join })
	})

	t.Run("scope started after the connections discovers them", func(t *testing.T) {
		a.Eval("{ok, _} = pg:start(late), P = spawn(fun() -> receive stop -> ok end end), pg:join(late, lg, P)")
		late, err := Start(ctx, g.Node, "late")
		require.NoError(t, err)
		defer late.Stop()
		eventually(t, "late scope member on go", func() bool { return hasNodePids(late, etf.Atom("lg"), a.Name, 1) })
		m := ct.StartInbox(t, g.Node, "")
		require.NoError(t, late.Join(ctx, etf.Atom("lg"), m.PID))
		eventually(t, "go member in late scope on erl", func() bool { return countOn(a, "pg:get_members(late, lg)", g.Name()) == 1 })
	})

	t.Run("process death both ways", func(t *testing.T) {
		a.Eval("member_a ! stop")
		eventually(t, "erl member gone on go", func() bool { return hasNodePids(s, grp, a.Name, 0) })
		require.NoError(t, g.Send(g1.PID, etf.Atom("stop")))
		eventually(t, "go member gone on erl", func() bool { return countOn(a, "pg:get_members(grp)", g.Name()) == 0 })
	})

	t.Run("erl nodedown", func(t *testing.T) {
		b.Eval("P = spawn(fun() -> receive stop -> ok end end), pg:join(grp, P)")
		eventually(t, "b member on go", func() bool { return hasNodePids(s, grp, b.Name, 1) })
		b.Kill()
		eventually(t, "b member gone on go", func() bool { return hasNodePids(s, grp, b.Name, 0) })
	})

	t.Run("go nodedown", func(t *testing.T) {
		g3 := ct.StartInbox(t, g.Node, "")
		require.NoError(t, s.Join(ctx, etf.Atom("last"), g3.PID))
		eventually(t, "go member on erl", func() bool { return countOn(a, "pg:get_members(last)", g.Name()) == 1 })
		g.Stop(t)
		eventually(t, "go member gone on erl", func() bool { return countOn(a, "pg:get_members(last)", g.Name()) == 0 })
	})

	// The BEAM scope never crashed on anything the Go scope sent.
	require.Equal(t, scopeA, a.Eval("whereis(pg)"))
	require.False(t, strings.Contains(a.Output(), "badarg"), a.Output())
}
