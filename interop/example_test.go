package interop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// Register Go functions for BEAM callers and call them the way a BEAM node
// would (here through the node's own rex, so the example needs no peer).
func Example() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)
	svc, err := interop.Start(ctx, n)
	if err != nil {
		panic(err)
	}
	// erpc:call(GoNode, demo, add, [2, 3]) returns 5.
	svc.Register("demo", "add", 2, interop.Func2(func(_ context.Context, a, b int) (int, error) {
		return a + b, nil
	}))
	// erpc:call(GoNode, demo, fail, [oops]) raises error:{exception, oops, _}.
	svc.Register("demo", "fail", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		return nil, interop.Raise(args[0])
	})

	v, err := interop.RPC(ctx, n, n.Name(), "demo", "add", etf.List{2, 3})
	fmt.Println(v, err)
	_, err = interop.RPC(ctx, n, n.Name(), "demo", "fail", etf.List{etf.Atom("oops")})
	fmt.Println(err, errors.Is(err, interop.ErrError))
	_, err = interop.RPC(ctx, n, n.Name(), "demo", "nope", nil)
	fmt.Println(errors.Is(err, interop.ErrUndef))
	// Output:
	// 5 <nil>
	// error:oops true
	// true
}

// Decode Elixir terms into Go types with the typed adapters: an Elixir
// struct %Person{} arrives as a Go struct and goes back as one.
func ExampleFunc1() {
	type Person struct {
		_    etf.ElixirStruct `etf:"Elixir.Person"`
		Name string           `etf:"name"`
		Age  int              `etf:"age"`
	}
	birthday := interop.Func1(func(_ context.Context, p Person) (Person, error) {
		p.Age++
		return p, nil
	})
	in := etf.Map{
		{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Person")},
		{Key: etf.Atom("name"), Value: etf.Binary("Ann")},
		{Key: etf.Atom("age"), Value: 41},
	}
	out, err := birthday(context.Background(), etf.List{in})
	fmt.Printf("%+v %v\n", out, err)
	// Output:
	// {_:{} Name:Ann Age:42} <nil>
}
