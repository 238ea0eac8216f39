package actors_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// failInit is a child whose Init fails with err.
type failInit struct{ err error }

func (f failInit) Init(*actors.Process, ...any) error { return f.err }
func (failInit) HandleCall(*actors.Process, actors.From, etf.Term) (etf.Term, error) {
	return nil, nil
}
func (failInit) HandleCast(*actors.Process, etf.Term) error { return nil }

// shopSup starts a simple_one_for_one supervisor named shop_sup on n
// whose children fail to start as their extra argument says.
func shopSup(t *testing.T, n *node.Node) {
	t.Helper()
	tmpl := actors.ChildSpec{ID: etf.Atom("order"), Restart: actors.Temporary,
		Start: func(extra etf.List) (actors.Actor, error) {
			switch extra[0] {
			case etf.Atom("oos"): // the factory fails
				return nil, fmt.Errorf("stock check: %w", ErrOutOfStock)
			case etf.Atom("stock"):
				return nil, StockError{Item: "pen", Left: 0}
			case etf.Atom("init_oos"): // the child's Init fails
				return failInit{err: ErrOutOfStock}, nil
			case etf.Atom("plain"):
				return nil, errors.New("no luck")
			}
			return shop{}, nil
		}}
	_, err := actors.Spawn(n, &actors.Supervisor{Strategy: actors.SimpleOneForOne,
		Children: []actors.ChildSpec{tmpl}}, node.WithName("shop_sup"))
	require.NoError(t, err)
}

// TestSupervisorRegisteredErrors: a supervisor on a node with a type
// registry answers a failed start_child with {error, Reason}, Reason the
// node's registered term for the child's error ({error, out_of_stock},
// {error, %Shop.StockError{}}), unregistered errors as {error, <<"text">>};
// StartChildArgs from the same node and from another Go node gives an error
// that errors.Is / errors.As match, and a real erl node calling
// supervisor:start_child pattern-matches the registered shapes.
func TestSupervisorRegisteredErrors(t *testing.T) {
	c := newCluster(t)
	a, _ := c.regNode(t, shopRegistry(t))
	b, _ := c.regNode(t, shopRegistry(t))
	shopSup(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 2*erlWait)
	defer cancel()
	sup := etf.Tuple{etf.Atom("shop_sup"), a.Name()}
	require.NoError(t, b.Connect(ctx, a.Name()))

	oos := etf.Tuple{etf.Atom("error"), etf.Atom("out_of_stock")}
	r, err := a.Call(ctx, sup, etf.Tuple{etf.Atom("start_child"), etf.List{etf.Atom("oos")}})
	require.NoError(t, err)
	require.Equal(t, etf.Tuple{etf.Atom("error"), oos}, r, "the reply carries the registered term")

	for name, caller := range map[string]*node.Node{"local": a, "remote": b} {
		for _, arg := range []etf.Atom{"oos", "init_oos"} {
			_, err := actors.StartChildArgs(ctx, caller, sup, arg)
			require.ErrorIs(t, err, ErrOutOfStock, "%s %s", name, arg)
			var se *actors.SupervisorError
			require.ErrorAs(t, err, &se, name)
			require.True(t, etf.Equal(oos, se.Reason), "%s %s: %v", name, arg, se.Reason)
		}
		_, err := actors.StartChildArgs(ctx, caller, sup, etf.Atom("stock"))
		var stock StockError
		require.ErrorAs(t, err, &stock, name)
		require.Equal(t, StockError{Item: "pen", Left: 0}, stock, name)
		_, err = actors.StartChildArgs(ctx, caller, sup, etf.Atom("plain"))
		var se *actors.SupervisorError
		require.ErrorAs(t, err, &se, name)
		require.Nil(t, se.Unwrap(), name)
		require.True(t, etf.Equal(etf.Tuple{etf.Atom("error"), []byte("no luck")}, se.Reason), "%s: %v", name, se.Reason)
		pid, err := actors.StartChildArgs(ctx, caller, sup, etf.Atom("ok"))
		require.NoError(t, err, name)
		require.NoError(t, actors.TerminateChild(ctx, caller, sup, pid), name)
	}

	erl := c.startErl(t, fmt.Sprintf(`Sup = {shop_sup, '%s'},
		{error, {error, out_of_stock}} = supervisor:start_child(Sup, [oos]),
		{error, {error, out_of_stock}} = supervisor:start_child(Sup, [init_oos]),
		{error, {error, #{'__struct__' := 'Elixir.Shop.StockError', item := <<"pen">>, left := 0}}} =
			supervisor:start_child(Sup, [stock]),
		{error, {error, <<"no luck">>}} = supervisor:start_child(Sup, [plain]),
		io:format("MATCHED~n"), halt().`, a.Name()))
	erl.until(t, "MATCHED")
}
