package actors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestRegistryGoToGo: two Go nodes in one process, each with its own
// registry, over the distribution protocol: messages, calls, call
// requests and errors keep their Go types; a third node without Order
// registered gets the plain map (no global state).
func TestRegistryGoToGo(t *testing.T) {
	c := newCluster(t)
	a, _ := c.regNode(t, shopRegistry(t))
	b, _ := c.regNode(t, shopRegistry(t))
	ctx, cancel := context.WithTimeout(context.Background(), 2*erlWait)
	defer cancel()
	_, err := actors.Spawn(a, shop{}, node.WithName("shop"))
	require.NoError(t, err)
	at := func(name etf.Atom) etf.Term { return etf.Tuple{name, a.Name()} }
	require.NoError(t, b.Connect(ctx, a.Name()))
	waitCalls(t, ctx, b, at("shop"))

	t.Run("send", func(t *testing.T) {
		ch := inbox(t, a, "orders", 4)
		require.NoError(t, b.Send(at("orders"), Order{ID: 1, Item: "book", Price: 9.5}))
		require.NoError(t, b.Send(at("orders"), Point{X: 1, Y: 2}))
		require.Equal(t, Order{ID: 1, Item: "book", Price: 9.5}, recv(t, ch))
		require.Equal(t, Point{X: 1, Y: 2}, recv(t, ch))
	})
	t.Run("call", func(t *testing.T) {
		for name, caller := range map[string]*node.Node{"local": a, "remote": b} {
			o, err := actors.Call[Order](ctx, caller, at("shop"), etf.Atom("order"))
			require.NoError(t, err, name)
			require.Equal(t, Order{ID: 1, Item: "book", Price: 9.5}, o, name)
			o, err = actors.Call[Order](ctx, caller, at("shop"), Order{ID: 2, Item: "pen", Price: 1})
			require.NoError(t, err, name)
			require.Equal(t, Order{ID: 2, Item: "pen", Price: 2}, o, name)
			// The untyped Call gets the Go value too.
			r, err := caller.Call(ctx, at("shop"), etf.Atom("order"))
			require.NoError(t, err, name)
			require.Equal(t, Order{ID: 1, Item: "book", Price: 9.5}, r, name)
			_, err = actors.Call[Order](ctx, caller, at("shop"), etf.Atom("reply_oos"))
			require.ErrorIs(t, err, ErrOutOfStock, name)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, caller := range []*node.Node{a, b} {
			spawn := func(name etf.Atom) etf.Term {
				_, err := actors.Spawn(a, shop{}, node.WithName(name))
				require.NoError(t, err)
				return at(name)
			}
			_, err := actors.Call[Order](ctx, caller, spawn("shop_oos"), etf.Atom("oos"))
			require.ErrorIs(t, err, ErrOutOfStock)
			var ee *node.ExitError
			require.ErrorAs(t, err, &ee)
			require.Equal(t, etf.Tuple{etf.Atom("error"), etf.Atom("out_of_stock")}, ee.Reason)

			_, err = actors.Call[Order](ctx, caller, spawn("shop_stock"), etf.Atom("stock"))
			var se StockError
			require.ErrorAs(t, err, &se)
			require.Equal(t, StockError{Item: "pen", Left: 0}, se)

			_, err = actors.Call[Order](ctx, caller, spawn("shop_plain"), etf.Atom("plain"))
			require.ErrorAs(t, err, &ee)
			require.Equal(t, etf.Tuple{etf.Atom("error"), []byte("boom")}, ee.Reason)
			require.False(t, errors.Is(err, ErrOutOfStock))
			waitGone(t, a, "shop_oos", "shop_stock", "shop_plain")
		}
	})
	t.Run("other registry", func(t *testing.T) {
		r := etf.NewRegistry() // Point only
		require.NoError(t, etf.Register[Point](r, "point", etf.AsRecord()))
		o, _ := c.regNode(t, r)
		ch := inbox(t, o, "orders", 2)
		to := etf.Tuple{etf.Atom("orders"), o.Name()}
		require.NoError(t, b.Send(to, Order{ID: 1, Item: "book", Price: 9.5}))
		require.NoError(t, b.Send(to, Point{X: 3, Y: 4}))
		m, ok := recv(t, ch).(etf.Map)
		require.True(t, ok, "an unregistered struct arrives as the plain term")
		mod, _ := m.Get(etf.Atom("__struct__"))
		require.Equal(t, etf.Atom("Elixir.Shop.Order"), mod)
		require.Equal(t, Point{X: 3, Y: 4}, recv(t, ch))
	})
}

// waitGone waits until the names are no longer registered on n (the
// servers stopped after failing a call).
func waitGone(t testing.TB, n *node.Node, names ...etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(erlWait)
	for _, name := range names {
		for {
			if _, ok := n.Whereis(name); !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still registered", name)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestRegistryGoToGoLoad: 50,000 registered structs from one Go node to
// another arrive in order, none lost, and the connection survives an idle
// period past net_ticktime afterwards.
func TestRegistryGoToGoLoad(t *testing.T) {
	c := newCluster(t)
	const tick = 2 * time.Second
	a, _ := c.regNode(t, shopRegistry(t), node.WithTickTime(tick))
	b, _ := c.regNode(t, shopRegistry(t), node.WithTickTime(tick))
	const total = 50000
	ch := inbox(t, a, "orders", total+1)
	to := etf.Tuple{etf.Atom("orders"), a.Name()}
	for i := 0; i < total; i++ {
		require.NoError(t, b.Send(to, Order{ID: i, Item: "book", Price: float64(i) / 2}))
	}
	for i := 0; i < total; i++ {
		m := recv(t, ch)
		o, ok := m.(Order)
		if !ok || o.ID != i || o.Price != float64(i)/2 {
			t.Fatalf("message %d: got %#v", i, m)
		}
	}
	// Idle past the ticktime (the behaviour under test), then use the
	// same connection again.
	time.Sleep(tick + tick/2)
	require.NoError(t, b.Send(to, Order{ID: -1, Item: "last"}))
	require.Equal(t, Order{ID: -1, Item: "last"}, recv(t, ch))
	require.Contains(t, b.ConnectedNodes(), a.Name())
}
