package etf_test

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// show prints a term in Erlang syntax, for the examples.
func show(t etf.Term) string {
	switch x := t.(type) {
	case nil:
		return "[]"
	case etf.Atom:
		return string(x)
	case int:
		return fmt.Sprint(x)
	case *big.Int:
		return x.String()
	case float64:
		return fmt.Sprint(x)
	case []byte:
		return fmt.Sprintf("<<%q>>", x)
	case etf.Charlist:
		return fmt.Sprintf("%q", string(x))
	case etf.List:
		return "[" + join(x) + "]"
	case etf.Tuple:
		return "{" + join(x) + "}"
	case etf.Map:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = show(p.Key) + " => " + show(p.Value)
		}
		return "#{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(t)
}

func join(ts []etf.Term) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = show(t)
	}
	return strings.Join(parts, ", ")
}

func ExampleMarshal() {
	type User struct {
		Name  string   `etf:"name"`
		Age   int      `etf:"age"`
		Roles []string `etf:"roles"`
		Note  string   `etf:"note,omitempty"`
		Token string   `etf:"-"`
	}
	b, err := etf.Marshal(User{Name: "alice", Age: 30, Roles: []string{"admin"}, Token: "secret"})
	if err != nil {
		panic(err)
	}
	t, _ := etf.Decode(b)
	fmt.Println(show(t))
	// Output: #{name => <<"alice">>, age => 30, roles => [<<"admin">>]}
}

func ExampleUnmarshal() {
	// What an Elixir node sends for %{name: "bob", age: 41, tags: [:a, :b]}.
	b, _ := etf.Encode(etf.Map{
		{Key: etf.Atom("name"), Value: []byte("bob")},
		{Key: etf.Atom("age"), Value: 41},
		{Key: etf.Atom("tags"), Value: etf.List{etf.Atom("a"), etf.Atom("b")}},
	})
	var u struct {
		Name string   `etf:"name"`
		Age  uint8    `etf:"age"`
		Tags []string `etf:"tags"` // atoms decode into strings too
	}
	if err := etf.Unmarshal(b, &u); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", u)
	// Output: {Name:bob Age:41 Tags:[a b]}
}

func ExampleUnmarshal_overflow() {
	b, _ := etf.Encode(300)
	var small uint8
	err := etf.Unmarshal(b, &small)
	fmt.Println(errors.Is(err, etf.ErrOverflow), errors.Is(err, etf.ErrType))
	fmt.Println(err)
	// Output:
	// true true
	// etf: cannot unmarshal integer 300 into Go value of type uint8: etf: term does not fit Go type: number out of range
}

func ExampleToTerm() {
	t, _ := etf.ToTerm(map[string]any{
		"ok":    true,
		"count": uint64(1) << 63,
		"none":  nil,
		"pair":  [2]float64{1, 2.5},
	})
	fmt.Println(show(t))
	// Output: #{<<"count">> => 9223372036854775808, <<"none">> => nil, <<"ok">> => true, <<"pair">> => [1, 2.5]}
}

func ExampleToTerm_erlang() {
	// Erlang APIs want strings as charlists and undefined for "no value".
	t, _ := etf.ToTerm(etf.Tuple{etf.Atom("open"), "file.txt", (*int)(nil)},
		etf.WithStringsAsCharlists(), etf.WithNilAtom("undefined"))
	fmt.Println(show(t))
	// Output: {open, "file.txt", undefined}
}

func ExampleConvert() {
	// Messages reach a process as terms; Convert types them.
	msg := etf.Tuple{etf.Atom("move"), etf.List{1, 2}, 2.5}
	var cmd struct {
		_     etf.Record `etf:"move"`
		Pos   [2]int
		Speed float64
	}
	if err := etf.Convert(msg, &cmd); err != nil {
		panic(err)
	}
	fmt.Println(cmd.Pos, cmd.Speed)
	// Output: [1 2] 2.5
}

func ExampleAs() {
	msg := etf.List{etf.Tuple{etf.Atom("timeout"), 5000}, etf.Tuple{etf.Atom("retries"), 3}}
	opts, err := etf.As[map[etf.Atom]int](msg) // a keyword list into a map
	fmt.Println(opts["timeout"], opts["retries"], err)
	// Output: 5000 3 <nil>
}

// An Elixir struct: %MyApp.User{name: "José", email: nil}.
type ElixirUser struct {
	_     etf.ElixirStruct `etf:"Elixir.MyApp.User"`
	Name  string           `etf:"name"`
	Email *string          `etf:"email"`
}

func ExampleElixirStruct() {
	t, _ := etf.ToTerm(ElixirUser{Name: "José"})
	fmt.Println(show(t))

	back, err := etf.As[ElixirUser](t)
	fmt.Println(back.Name, back.Email, err)

	_, err = etf.As[ElixirUser](etf.Map{{Key: etf.Atom("__struct__"), Value: etf.Atom("Elixir.Other")}})
	fmt.Println(errors.Is(err, etf.ErrType))
	// Output:
	// #{__struct__ => Elixir.MyApp.User, name => <<"José">>, email => nil}
	// José <nil> <nil>
	// true
}

// An Erlang record: -record(point, {x, y}).
type Point struct {
	_    etf.Record `etf:"point"`
	X, Y int
}

func ExampleRecord() {
	t, _ := etf.ToTerm([]Point{{X: 1, Y: 2}, {X: 3, Y: 4}})
	fmt.Println(show(t))
	// Output: [{point, 1, 2}, {point, 3, 4}]
}

func ExampleKeyword() {
	t, _ := etf.ToTerm(etf.Keyword{{Key: "name", Value: "x"}, {Key: "debug", Value: true}})
	fmt.Println(show(t))
	// Output: [{name, <<"x">>}, {debug, true}]
}
