package actors_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestRegistryElixir: a real Elixir node sends %Shop.Order{} to two Go
// nodes, which receive Order; misfits (a missing field, an extra key)
// arrive as the raw term with a warning on the default node and are
// dropped (logged) on the WithRejectMismatch node, whose connection and
// later messages are unaffected. Each Go node answers with an Order that
// Elixir pattern-matches as %Shop.Order{id: 1}, then calls a GenServer
// that replies %Shop.Order{} and matches a Go Order request.
func TestRegistryElixir(t *testing.T) {
	erltest.Tool(t, "elixir")
	c := newCluster(t)
	plain, plainLog := c.regNode(t, shopRegistry(t))
	reject, rejectLog := c.regNode(t, shopRegistry(t, etf.WithRejectMismatch()))
	plainIn := inbox(t, plain, "go_inbox", 8)
	rejectIn := inbox(t, reject, "go_inbox", 8)
	exName := fmt.Sprintf("ex_reg_%d@127.0.0.1", erlSeq.Add(1))
	ex := c.startCmd(t, "elixir", "--name", exName, "--cookie", c.cookie,
		"testdata/registry_it.exs", string(plain.Name()), string(reject.Name()))

	want := Order{ID: 1, Item: "book", Price: 9.5}
	require.Equal(t, want, recv(t, plainIn))
	for _, id := range []int{2, 3} {
		m, ok := recv(t, plainIn).(etf.Map)
		require.True(t, ok, "a misfit arrives as the raw term")
		got, _ := m.Get(etf.Atom("id"))
		require.Equal(t, id, got)
	}
	after := etf.Tuple{etf.Atom("after"), 4}
	require.Equal(t, after, recv(t, plainIn))
	require.Equal(t, want, recv(t, rejectIn))
	require.Equal(t, after, recv(t, rejectIn), "misfits dropped, the next message delivered")
	require.Equal(t, 2, strings.Count(plainLog.String(), "delivered as the raw term"), plainLog.String())
	require.Equal(t, 2, strings.Count(rejectLog.String(), "dropped"), rejectLog.String())

	exMain := etf.Tuple{etf.Atom("ex_main"), etf.Atom(exName)}
	require.NoError(t, plain.Send(exMain, want))
	require.NoError(t, reject.Send(exMain, want))
	ex.until(t, "MATCHED")

	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	server := etf.Tuple{etf.Atom("shop_server"), etf.Atom(exName)}
	for _, n := range []*node.Node{plain, reject} {
		o, err := actors.Call[Order](ctx, n, server, etf.Atom("order"))
		require.NoError(t, err)
		require.Equal(t, Order{ID: 7, Item: "pen", Price: 1.5}, o)
		o, err = actors.Call[Order](ctx, n, server, Order{ID: 5, Item: "cup", Price: 2})
		require.NoError(t, err)
		require.Equal(t, Order{ID: 105, Item: "cup", Price: 2}, o)
	}
}

// TestRegistryErlang: the same with an Erlang record: erl sends
// {point, 1, 2}, the Go node receives Point and answers Point{3, 4},
// which erl matches as {point, 3, 4}; a wrong arity is a misfit (raw term
// and a warning); a plain gen_server echoing the record gives Point to
// actors.Call[Point].
func TestRegistryErlang(t *testing.T) {
	c := newCluster(t)
	n, log := c.regNode(t, shopRegistry(t))
	in := inbox(t, n, "go_inbox", 4)
	erl := c.startErl(t, fmt.Sprintf(`{ok, _} = erl_echo:start(), register(erl_main, self()),
		Go = '%s', true = net_kernel:connect_node(Go),
		{go_inbox, Go} ! {point, 1, 2}, {go_inbox, Go} ! {point, 1},
		receive {point, 3, 4} -> io:format("MATCHED~n") end,
		receive stop -> ok end.`, n.Name()))

	require.Equal(t, Point{X: 1, Y: 2}, recv(t, in))
	require.Equal(t, etf.Tuple{etf.Atom("point"), 1}, recv(t, in))
	require.Contains(t, log.String(), "delivered as the raw term")
	require.NoError(t, n.Send(etf.Tuple{etf.Atom("erl_main"), etf.Atom(erl.name)}, Point{X: 3, Y: 4}))
	erl.until(t, "MATCHED")

	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	echo := etf.Tuple{etf.Atom("erl_echo"), etf.Atom(erl.name)}
	p, err := actors.Call[Point](ctx, n, echo, etf.Tuple{etf.Atom("echo"), Point{X: 5, Y: 6}})
	require.NoError(t, err)
	require.Equal(t, Point{X: 5, Y: 6}, p)
}
