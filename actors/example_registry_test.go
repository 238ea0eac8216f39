package actors_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

type exampleOrder struct {
	ID    int
	Item  string
	Price float64
}

var errExampleOutOfStock = errors.New("out of stock")

// exampleShop answers latest with an Order and anything else with an
// error, which it returns as its reply (so it keeps running).
type exampleShop struct{}

func (exampleShop) Init(*actors.Process, ...any) error         { return nil }
func (exampleShop) HandleCast(*actors.Process, etf.Term) error { return nil }
func (exampleShop) HandleCall(_ *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	if req == etf.Atom("latest") {
		return exampleOrder{ID: 1, Item: "book", Price: 9.5}, nil
	}
	return errExampleOutOfStock, nil
}

// A node with a type registry: Call[T] gets the registered type, and the
// same holds when the shop runs on another Go node or is an Elixir
// GenServer replying %Shop.Order{}; registered errors come back as
// themselves. The terms printed are what other nodes and BEAM receive.
func ExampleCall_registry() {
	reg := etf.NewRegistry()
	etf.MustRegister[exampleOrder](reg, "Elixir.Shop.Order")
	if err := reg.RegisterError("out_of_stock", errExampleOutOfStock); err != nil {
		panic(err)
	}
	ctx := context.Background()
	n, err := node.Start(ctx, "shop@127.0.0.1", node.WithoutDistribution(), node.WithRegistry(reg))
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)
	if _, err := actors.Spawn(n, exampleShop{}, node.WithName("shop")); err != nil {
		panic(err)
	}

	o, err := actors.Call[exampleOrder](ctx, n, etf.Atom("shop"), etf.Atom("latest"))
	fmt.Printf("%+v %v\n", o, err)
	_, err = actors.Call[exampleOrder](ctx, n, etf.Atom("shop"), etf.Atom("other"))
	fmt.Println(errors.Is(err, errExampleOutOfStock))

	t, _ := reg.ToTerm(o)
	fmt.Println(etf.Format(t))
	fmt.Println(etf.Format(n.ReasonOf(fmt.Errorf("checkout: %w", errExampleOutOfStock))))
	// Output:
	// {ID:1 Item:book Price:9.5} <nil>
	// true
	// #{'__struct__' => 'Elixir.Shop.Order',id => 1,item => <<"book">>,price => 9.5}
	// {error,out_of_stock}
}
