package actors_test

import (
	"context"
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

func dictValue(pi node.ProcessInfo, key etf.Atom) etf.Term {
	for _, e := range pi.Dictionary {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// TestAncestors: '$ancestors' lists the processes that started an actor
// (registered names where they have them), never the actor itself, in
// process_info and in sys:get_status; a top-level actor has none.
func TestAncestors(t *testing.T) {
	n := localNode(t)
	j := &journal{}
	top, err := actors.Spawn(n, &actors.Supervisor{Children: []actors.ChildSpec{
		{ID: etf.Atom("mid"), Start: func(etf.List) (actors.Actor, error) {
			return &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "leaf", actors.Permanent)}}, nil
		}},
	}}, node.WithName("top_sup"))
	require.NoError(t, err)
	mid, ok := findPID(t, n, top, "mid")
	require.True(t, ok)
	leaf, ok := findPID(t, n, mid, "leaf")
	require.True(t, ok)

	info := func(pid etf.PID) node.ProcessInfo {
		pi, ok := n.ProcessInfo(pid, node.InfoDictionary, node.InfoCurrentFunction, node.InfoInitialCall)
		require.True(t, ok)
		return pi
	}
	require.Equal(t, etf.List{}, dictValue(info(top), "$ancestors"))
	require.Equal(t, etf.List{etf.Atom("top_sup")}, dictValue(info(mid), "$ancestors"))
	leafInfo := info(leaf)
	require.Equal(t, etf.List{mid, etf.Atom("top_sup")}, dictValue(leafInfo, "$ancestors"))
	require.Equal(t, node.MFA{Module: "gen_server", Function: "loop", Arity: 7}, leafInfo.CurrentFunction)
	require.Equal(t, node.MFA{Module: "proc_lib", Function: "init_p", Arity: 5}, leafInfo.InitialCall)
	require.Equal(t, etf.Tuple{etf.Atom("actors_test.worker"), etf.Atom("init"), 1}, dictValue(leafInfo, "$initial_call"))
	require.Equal(t, etf.Tuple{etf.Atom("supervisor"), etf.Atom("actors.Supervisor"), 1}, dictValue(info(mid), "$initial_call"))

	st, err := actors.GetStatus(context.Background(), n, leaf)
	require.NoError(t, err)
	pdict := st.(etf.Tuple)[3].(etf.List)[0].(etf.List)
	var anc etf.Term
	for _, kv := range pdict {
		if kv := kv.(etf.Tuple); kv[0] == etf.Atom("$ancestors") {
			anc = kv[1]
		}
	}
	require.Equal(t, etf.List{mid, etf.Atom("top_sup")}, anc, "sys:get_status's '$ancestors'")
}

// TestSysStatistics: sys:statistics(Name, true | get | false) as OTP's sys.
func TestSysStatistics(t *testing.T) {
	n := localNode(t)
	j := &journal{}
	pid, err := actors.Spawn(n, &worker{id: "w", j: j})
	require.NoError(t, err)
	ctx := context.Background()
	get := func() etf.Term {
		v, err := n.CallSystem(ctx, pid, etf.Tuple{etf.Atom("debug"), etf.Tuple{etf.Atom("statistics"), etf.Atom("get")}})
		require.NoError(t, err)
		return v
	}
	require.Equal(t, etf.Tuple{etf.Atom("ok"), etf.Atom("no_statistics")}, get())
	v, err := n.CallSystem(ctx, pid, etf.Tuple{etf.Atom("debug"), etf.Tuple{etf.Atom("statistics"), etf.Atom("true")}})
	require.NoError(t, err)
	require.Equal(t, etf.Atom("ok"), v)
	for range 3 {
		_, err := n.Call(ctx, pid, etf.Atom("ping"))
		require.NoError(t, err)
	}
	st := get().(etf.Tuple)
	require.Equal(t, etf.Atom("ok"), st[0])
	stats := st[1].(etf.List)
	keys := make([]etf.Term, len(stats))
	for i, kv := range stats {
		keys[i] = kv.(etf.Tuple)[0]
	}
	require.Equal(t, []etf.Term{etf.Atom("start_time"), etf.Atom("current_time"), etf.Atom("reductions"),
		etf.Atom("messages_in"), etf.Atom("messages_out")}, keys)
	require.GreaterOrEqual(t, stats[3].(etf.Tuple)[1].(uint64), uint64(3), "the three calls are counted in")
	_, err = n.CallSystem(ctx, pid, etf.Tuple{etf.Atom("debug"), etf.Tuple{etf.Atom("statistics"), etf.Atom("false")}})
	require.NoError(t, err)
	require.Equal(t, etf.Tuple{etf.Atom("ok"), etf.Atom("no_statistics")}, get())
}
