package etf

import (
	"bytes"
	"errors"
	"testing"
)

func TestAppendIOData(t *testing.T) {
	deep := Term(Binary("x"))
	for range 100_000 {
		deep = List{deep}
	}
	for _, tc := range []struct {
		name string
		in   Term
		want string // "" with bad: an error
		bad  bool
	}{
		{"binary", Binary("abc"), "abc", false},
		{"go string", "abc", "abc", false},
		{"empty list", nil, "", false},
		{"bytes", List{104, 105}, "hi", false},
		{"nested", List{Binary("a"), List{98, List{Binary("c")}}, nil}, "abc", false},
		{"improper binary tail", ImproperList{Elems: List{97}, Tail: Binary("bc")}, "abc", false},
		{"charlist", Charlist("abc"), "abc", false},
		{"deep", deep, "x", false},
		{"byte alone", 5, "", true},
		{"byte too big", List{256}, "", true},
		{"negative", List{-1}, "", true},
		{"charlist code point", Charlist("ā"), "", true},
		{"improper int tail", ImproperList{Elems: List{97}, Tail: 98}, "", true},
		{"atom", List{Atom("a")}, "", true},
		{"string in a list", List{"abc"}, "", true},
		{"tuple", Tuple{Binary("a")}, "", true},
	} {
		got, err := AppendIOData([]byte(">"), tc.in)
		if tc.bad {
			if !errors.Is(err, ErrNotIOData) || !bytes.Equal(got, []byte(">")) {
				t.Errorf("%s: got %q, %v; want ErrNotIOData and b unchanged", tc.name, got, err)
			}
			continue
		}
		if err != nil || string(got) != ">"+tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, ">"+tc.want)
		}
	}
}
