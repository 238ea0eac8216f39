package etf

import (
	"math/big"
	"testing"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		in   Term
		want string
	}{
		{Atom("ok"), "ok"},
		{Atom("Hello"), "'Hello'"},
		{Atom("it's"), `'it\'s'`},
		{Atom(""), "''"},
		{Atom("end"), "'end'"},
		{Atom("a@b.c"), "'a@b.c'"},
		{Atom("node@host"), "node@host"},
		{42, "42"},
		{-7, "-7"},
		{new(big.Int).Lsh(big.NewInt(1), 70), "1180591620717411303424"},
		{1.5, "1.5"},
		{1.0, "1.0"},
		{1e300, "1.0e300"},
		{5e-324, "5.0e-324"},
		{[]byte("hello"), `<<"hello">>`},
		{[]byte{1, 2, 3}, "<<1,2,3>>"},
		{[]byte{}, "<<>>"},
		{BitString{Bytes: []byte{0xFF, 0xA0}, Bits: 3}, "<<255,5:3>>"},
		{Charlist("abc"), `"abc"`},
		{Tuple{Atom("ok"), 1}, "{ok,1}"},
		{List{1, Atom("a")}, "[1,a]"},
		{nil, "[]"},
		{ImproperList{Elems: []Term{1}, Tail: 2}, "[1|2]"},
		{Map{{Atom("a"), 1}}, "#{a => 1}"},
		{PID{Node: "n@h", ID: 1, Serial: 2}, "<n@h.1.2>"},
		{Export{Module: "erlang", Function: "abs", Arity: 1}, "fun erlang:abs/1"},
		{true, "true"},
	}
	for _, tc := range cases {
		if got := Format(tc.in); got != tc.want {
			t.Errorf("Format(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
