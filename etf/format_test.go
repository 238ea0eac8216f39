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

// TestFormatGoShapes covers the shapes only Go code builds (the decoded
// ones are checked against a real erl in TestFormatMatchesErlang).
func TestFormatGoShapes(t *testing.T) {
	cases := []struct {
		in   Term
		p, w string
	}{
		{List{104, 105}, `"hi"`, "[104,105]"},
		{List{int64(104), uint8(105)}, `"hi"`, "[104,105]"},
		{[]any{104, Atom("x")}, "[104,x]", "[104,x]"},
		{Charlist("hé"), `"hé"`, "[104,233]"},
		{Charlist("€"), "[8364]", "[8364]"},
		{Charlist(""), "[]", "[]"},
		{"héllo", `<<"héllo"/utf8>>`, "<<104,195,169,108,108,111>>"},
		{Map{{Atom("b"), 1}, {Atom("a"), 2}, {1, Atom("x")}}, "#{1 => x,a => 2,b => 1}", "#{1 => x,a => 2,b => 1}"},
		{ImproperList{Elems: []Term{1}, Tail: List{2}}, "[1,2]", "[1,2]"},
		{float32(0.5), "0.5", "0.5"},
		{uint64(1 << 63), "9223372036854775808", "9223372036854775808"},
	}
	for _, tc := range cases {
		if got := Format(tc.in); got != tc.p {
			t.Errorf("Format(%#v) = %s, want %s", tc.in, got, tc.p)
		}
		if got := FormatW(tc.in); got != tc.w {
			t.Errorf("FormatW(%#v) = %s, want %s", tc.in, got, tc.w)
		}
	}
}
