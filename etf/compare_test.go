package etf

import (
	"math/big"
	"testing"
)

// TestCompareOrder checks orders observed on OTP 25 (see TestLiveCompare
// for the randomized check against a real VM).
func TestCompareOrder(t *testing.T) {
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	sorted := []Term{
		-1, 0.5, 1, 2.0, two64, 1e300,
		Atom(""), Atom("a"), Atom("b"), Atom("ä"),
		Ref{Node: "a@h", Creation: 1, Len: 1, ID: [5]uint32{5}},
		Ref{Node: "a@h", Creation: 1, Len: 3, ID: [5]uint32{2, 1, 3}},
		Ref{Node: "a@h", Creation: 1, Len: 3, ID: [5]uint32{1, 2, 3}},
		Ref{Node: "a@h", Creation: 2, Len: 3},
		Ref{Node: "b@h", Creation: 0, Len: 3},
		Export{Module: "erlang", Function: "abs", Arity: 1},
		Export{Module: "lists", Function: "map", Arity: 2},
		Port{Node: "a@h", ID: 1, Creation: 1},
		Port{Node: "a@h", ID: 5, Creation: 1},
		Port{Node: "a@h", ID: 1, Creation: 9},
		Port{Node: "b@h"},
		PID{Node: "a@h", ID: 2, Serial: 0},
		PID{Node: "a@h", ID: 1, Serial: 1, Creation: 1},
		PID{Node: "a@h", ID: 1, Serial: 1, Creation: 2},
		PID{Node: "aa@h", ID: 1, Serial: 1},
		PID{Node: "b@h", ID: 1, Serial: 1},
		Tuple{}, Tuple{1}, Tuple{Atom("a")}, Tuple{0, 0},
		Map{}, Map{{1, Atom("a")}}, Map{{1.0, Atom("a")}}, Map{{Atom("a"), 1}}, Map{{Atom("a"), 2}}, Map{{Atom("b"), 1}},
		Map{{Atom("b"), 1}, {Atom("a"), 1}},
		nil,
		ImproperList{Elems: []Term{1}, Tail: 2}, ImproperList{Elems: []Term{1}, Tail: Atom("a")},
		List{1}, List{1, 2}, Charlist("a"),
		[]byte{}, BitString{Bytes: []byte{0}, Bits: 1}, []byte{0}, []byte{1}, []byte{1, 2},
		BitString{Bytes: []byte{0x02}, Bits: 7}, BitString{Bytes: []byte{0x20}, Bits: 3},
	}
	for i := range sorted {
		for j := range sorted {
			want := sign(i - j)
			if got := Compare(sorted[i], sorted[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", Format(sorted[i]), Format(sorted[j]), got, want)
			}
		}
	}
	// Equal values in different shapes, and int == float.
	for _, p := range [][2]Term{{1, 1.0}, {two64, 18446744073709551616.0}, {Charlist("ab"), List{97, 98}}, {"x", []byte("x")}, {nil, List{}}} {
		if Compare(p[0], p[1]) != 0 {
			t.Errorf("Compare(%#v, %#v) != 0", p[0], p[1])
		}
	}
}
