package etf_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Order is %Shop.Order{} in Elixir: defmodule Shop.Order do defstruct [:id, :item, :price, :placed] end.
type Order struct {
	ID     int
	Item   string
	Price  float64
	Placed time.Time // nanoseconds since the epoch: DateTime.from_unix!(n, :nanosecond)
}

// Status travels as {'Elixir.Shop.Status', <<"open">>} at the top level of a
// message, and as a plain binary inside a registered struct.
type Status string

var ErrOutOfStock = errors.New("out of stock")

func ExampleRegister() {
	reg := etf.NewRegistry()
	etf.MustRegister[Order](reg, "Elixir.Shop.Order")
	etf.MustRegister[Status](reg, "Elixir.Shop.Status")
	if err := reg.RegisterError("out_of_stock", ErrOutOfStock); err != nil {
		panic(err)
	}

	// Encoding: what Elixir receives is a real %Shop.Order{}.
	o := Order{ID: 1, Item: "book", Price: 9.5, Placed: time.Unix(1700000000, 0)}
	term, _ := reg.ToTerm(o)
	fmt.Println(etf.Format(term))

	// Decoding: a term that names a registered type becomes that type.
	b, _ := reg.Encode(o) // or etf.Encoder{Registry: reg}, as a node does
	v, matched, _ := reg.Decode(b)
	fmt.Printf("%T %v %+v\n", v, matched, v.(Order).Item)

	// Errors: a registered sentinel comes back as itself.
	reason := reg.ErrorTerm(fmt.Errorf("order 1: %w", ErrOutOfStock))
	fmt.Println(etf.Format(reason))
	err, _ := reg.TermError(reason)
	fmt.Println(errors.Is(err, ErrOutOfStock))

	// A term that names a registered type but does not fit it.
	_, matched, err = reg.FromTerm(etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Shop.Order")}, {Key: etf.Atom("id"), Value: 1}})
	fmt.Println(matched, errors.Is(err, etf.ErrMismatch), errors.Is(err, etf.ErrMissingField))
	// Output:
	// #{'__struct__' => 'Elixir.Shop.Order',id => 1,item => <<"book">>,placed => 1700000000000000000,price => 9.5}
	// etf_test.Order true book
	// {error,out_of_stock}
	// true
	// false true true
}
