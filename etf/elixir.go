package etf

import (
	"fmt"
	"strings"
)

// ElixirStruct marks a Go struct as an Elixir struct. Put it in a blank
// field whose tag is the module atom, written out in full:
//
//	type User struct {
//		_    etf.ElixirStruct `etf:"Elixir.MyApp.User"`
//		Name string           `etf:"name"`
//	}
//
// Such a struct encodes as %MyApp.User{name: ...}: a map with atom keys
// plus __struct__ => 'Elixir.MyApp.User'. Every field is written, even with
// omitempty, because Elixir code expects all keys of a struct. Decoding
// accepts a map whose __struct__ is that module, or a map without
// __struct__; any other module is an error.
//
// A marker field was chosen over an interface method because the module
// belongs to the type, not to a value: it is read once per type (and
// cached), and works when decoding into a zero value.
type ElixirStruct struct{}

// ElixirModule returns the atom Elixir uses for a module alias:
// ElixirModule("MyApp.User") is 'Elixir.MyApp.User'. A name that already
// starts with "Elixir." is returned unchanged.
func ElixirModule(alias string) Atom {
	if strings.HasPrefix(alias, "Elixir.") {
		return Atom(alias)
	}
	return Atom("Elixir." + alias)
}

// KV is one entry of a Keyword list.
type KV struct {
	Key   Atom
	Value any
}

// Keyword is an Elixir keyword list ([timeout: 5000, name: "x"]), which is
// an Erlang proplist with atom keys: a list of {Key, Value} tuples whose
// order matters and whose keys may repeat. Go maps lose both properties,
// so use Keyword when talking to APIs that take options.
//
// Values are mapped with the usual rules when encoding and kept as terms
// when decoding.
type Keyword []KV

// Get returns the first value stored under key.
func (k Keyword) Get(key Atom) (any, bool) {
	for _, kv := range k {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// MarshalTerm implements Marshaler: a list of 2-tuples.
func (k Keyword) MarshalTerm() (Term, error) {
	if len(k) == 0 {
		return List(nil), nil
	}
	l := make(List, len(k))
	for i, kv := range k {
		v := kv.Value
		if v == nil {
			// A nil value is a Go nil, not the term []: the same
			// reading ToTerm gives nil interfaces.
			v = (*struct{})(nil)
		}
		l[i] = Tuple{kv.Key, v}
	}
	return l, nil
}

// UnmarshalTerm implements Unmarshaler. It accepts [] and lists of
// {atom, Value} tuples.
func (k *Keyword) UnmarshalTerm(t Term) error {
	l, ok := t.(List)
	if !ok && t != nil {
		return fmt.Errorf("%w: keyword list must be a list, got %s", ErrType, describe(t))
	}
	out := make(Keyword, 0, len(l))
	for i, e := range l {
		tup, ok := e.(Tuple)
		if !ok || len(tup) != 2 {
			return fmt.Errorf("%w: keyword list element %d is %s, want {atom, value}", ErrType, i, describe(e))
		}
		key, ok := tup[0].(Atom)
		if !ok {
			return fmt.Errorf("%w: keyword list key %d is %s, want an atom", ErrType, i, describe(tup[0]))
		}
		out = append(out, KV{Key: key, Value: tup[1]})
	}
	*k = out
	return nil
}
