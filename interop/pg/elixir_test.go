package pg

import (
	"path/filepath"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/global"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"

	"github.com/stretchr/testify/require"
)

// TestPubSubWithElixir runs erl + elixir + Go: global and the default pg
// scope across all three, and Phoenix.PubSub's PG2 message shapes between
// Go and an Elixir node (testdata/fake_pubsub.ex).
func TestPubSubWithElixir(t *testing.T) {
	t.Parallel()
	ct.Need(t, "erl", "erlc", "epmd", "elixir", "elixirc")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	dir := ct.Compile(t, filepath.Join("testdata", "fake_pubsub.ex"))
	g := ct.StartGo(t, epmd, cookie, "go")
	ctx := ctxT(t)
	gs, err := global.Start(ctx, g.Node)
	require.NoError(t, err)
	def, err := Start(ctx, g.Node, DefaultScope)
	require.NoError(t, err)
	phx, err := Start(ctx, g.Node, PhoenixScope)
	require.NoError(t, err)
	adapter := AdapterName("MyApp.PubSub")
	ps, err := StartPubSub(ctx, phx, adapter)
	require.NoError(t, err)

	nodes := ct.StartNodes(t, epmd, cookie, dir, ct.Options{}, ct.Options{Prefix: "ex", Elixir: true})
	e, x := nodes[0], nodes[1]
	goAtom := ct.Atom(g.Name())
	require.Equal(t, "true", e.Eval("net_kernel:connect_node("+ct.Atom(x.Name)+")"))
	require.Equal(t, "true", e.Eval("net_kernel:connect_node("+goAtom+")"))
	require.Equal(t, "true", x.Eval("net_kernel:connect_node("+goAtom+")"))
	require.Equal(t, "ok", x.Eval("'Elixir.FakePubSub':start()"))

	t.Run("global across erl, elixir and go", func(t *testing.T) {
		for _, n := range []*ct.Node{e, x} {
			v, err := n.EvalTimeout("global:sync()", ctDeadline)
			require.NoError(t, err)
			require.Equal(t, "{ok,ok}", v)
		}
		ib := ct.StartInbox(t, g.Node, "")
		require.NoError(t, gs.Register(ctx, etf.Atom("go_in_elixir"), ib.PID))
		eventually(t, "go name on elixir", func() bool {
			return x.Eval("case global:whereis_name(go_in_elixir) of undefined -> no; P -> node(P) end") == goAtom
		})
		x.Eval("P = spawn(fun() -> receive _ -> ok end end), yes = global:register_name(ex_name, P)")
		eventually(t, "elixir name on go", func() bool { p, ok := gs.Whereis(etf.Atom("ex_name")); return ok && p.Node == x.Name })
	})

	t.Run("default pg scope across all three", func(t *testing.T) {
		m := ct.StartInbox(t, g.Node, "")
		require.NoError(t, def.Join(ctx, etf.Atom("demo"), m.PID))
		x.Eval("P = spawn(fun() -> receive _ -> ok end end), pg:join(demo, P)")
		e.Eval("P = spawn(fun() -> receive _ -> ok end end), pg:join(demo, P)")
		eventually(t, "three members on go", func() bool { return len(def.GetMembers(etf.Atom("demo"))) == 3 })
		for _, n := range []*ct.Node{e, x} {
			eventually(t, "three members on "+string(n.Name), func() bool { return n.Eval("length(pg:get_members(demo))") == "3" })
		}
	})

	t.Run("phoenix pubsub shapes", func(t *testing.T) {
		eventually(t, "adapter group on go", func() bool { return len(phx.GetMembers(adapter)) == 2 })
		eventually(t, "adapter group on elixir", func() bool { return x.Eval("length('Elixir.FakePubSub':members())") == "2" })

		sub := ct.StartInbox(t, g.Node, "")
		ps.Subscribe(sub.PID, "room:1")
		x.Eval("'Elixir.FakePubSub':broadcast(<<\"room:1\">>, {hello, from_elixir})")
		sub.Expect(t, "broadcast from elixir", func(m etf.Term) bool {
			return etf.Equal(m, etf.Tuple{etf.Atom("hello"), etf.Atom("from_elixir")})
		})
		x.Eval("'Elixir.FakePubSub':direct_broadcast(" + goAtom + ", <<\"room:1\">>, direct_from_elixir)")
		sub.Expect(t, "direct broadcast from elixir", func(m etf.Term) bool { return m == etf.Atom("direct_from_elixir") })

		collector := ct.StartInbox(t, g.Node, "collector")
		require.Equal(t, "ok", x.Eval("C = gtest:collect({collector, "+goAtom+"}), 'Elixir.FakePubSub':subscribe(C, <<\"room:2\">>)"))
		require.NoError(t, ps.Broadcast(nil, "room:2", etf.Tuple{etf.Atom("hello"), etf.Atom("from_go")}))
		collector.Expect(t, "broadcast from go", func(m etf.Term) bool {
			tt, ok := m.(etf.Tuple)
			return ok && len(tt) == 3 && etf.Equal(tt[2], etf.Tuple{etf.Atom("hello"), etf.Atom("from_go")})
		})
		require.NoError(t, ps.DirectBroadcast(nil, x.Name, "room:2", etf.Atom("direct_from_go")))
		collector.Expect(t, "direct broadcast from go", func(m etf.Term) bool {
			tt, ok := m.(etf.Tuple)
			return ok && len(tt) == 3 && tt[2] == etf.Atom("direct_from_go")
		})
	})
}
