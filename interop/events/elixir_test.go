package events

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestElixirSubscriber: a real Elixir node subscribes with the documented
// Elixir client (testdata/erlgo_events.ex, GenServer.call to
// {:erlgo_events, go_node}), gets the buffer and every message in order,
// and a DOWN with the reason when the Go producer dies; an Elixir
// producer publishes to Go subscribers with its token.
func TestElixirSubscriber(t *testing.T) {
	c := newCluster(t)
	g, s := c.goNode(t, "go")
	x := beamPeers(t, c, true, ct.Options{Prefix: "ex", Elixir: true})[0]
	ctx := ctxT(t)
	prod := spawnProc(t, g)
	tok, err := s.Register(ctx, prod.P, "news", WithBuffer(3), WithNotify())
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	col, to := reports(t, g, "collector")
	goNode := ct.Atom(g.Name())
	x.Eval("'Elixir.EventsSubscriber':start(" + goNode + ", news, " + to + ")")
	require.Equal(t, ints(3, 5), listOf(t, expect(t, col, "subscribed")[0]))
	require.Equal(t, Started{Event: tok.Event()}, prod.recv(t))
	const msgs = 500
	for i := range msgs {
		require.NoError(t, Publish(prod.P, tok, etf.Tuple{etf.Atom("item"), i}))
	}
	for i := range msgs {
		require.Equal(t, []etf.Term{etf.Tuple{etf.Atom("item"), i}}, expect(t, col, "got"))
	}
	prod.exit(t, etf.Atom("producer_gone"))
	require.Equal(t, []etf.Term{etf.Atom("producer_gone")}, expect(t, col, "down"))

	// The other way: an Elixir process registers and publishes.
	sub := spawnProc(t, g)
	x.Eval("Me = self(), P = spawn(fun() -> {ok, T} = 'Elixir.ErlgoEvents':register(" + goNode +
		", from_elixir, [{buffer, 1}]), Me ! {tok, T}, receive go -> 'Elixir.ErlgoEvents':publish(T, hello), receive stop -> ok end end end), " +
		"register(ex_prod, P), receive {tok, T} -> T end")
	ref, last, err := s.Monitor(ctx, sub.P, Event{Name: "from_elixir", Node: g.Name()})
	require.NoError(t, err)
	require.Empty(t, last)
	x.Eval("ex_prod ! go")
	require.Equal(t, etf.Atom("hello"), sub.recvMsg(t).Msg)
	x.Eval("exit(whereis(ex_prod), kill)")
	down, ok := sub.recv(t).(node.DownMsg)
	require.True(t, ok)
	require.Equal(t, ref, down.Ref)
	require.Equal(t, etf.Atom("killed"), down.Reason, "the event ends with its producer's reason")
}
