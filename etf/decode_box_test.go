package etf

import (
	"math/big"
	"reflect"
	"runtime"
	"testing"
)

// TestDecodeBoxedSurviveGC checks that values the decoder boxes into slabs
// (decode_box.go) are ordinary Terms: they keep their dynamic types and
// values across garbage collections, and decodes sharing nothing do not
// see each other's slots. Sizes cover every chunk class and the per-kind
// slabs beyond them.
func TestDecodeBoxedSurviveGC(t *testing.T) {
	pid := PID{Node: "a@127.0.0.1", ID: 7, Serial: 1, Creation: 3}
	ref := Ref{Node: "a@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}
	mk := func(n int) Term {
		l := make(List, n)
		for i := range l {
			l[i] = Tuple{i * 1000, float64(i) + 0.5, []byte{byte(i), 1, 2}, pid, ref,
				Map{{Key: Atom("k"), Value: Charlist("abc")}}, List{Atom("x"), -i - 300}}
		}
		return Tuple{Atom("big"), l, new(big.Int).Lsh(big.NewInt(1), 70)}
	}
	tests := []struct {
		name string
		term Term
	}{
		{"tiny", Tuple{pid, 42}},
		{"tiny int", Tuple{Atom("ok"), 100000}},
		{"small", Tuple{Atom("$gen_call"), Tuple{pid, ImproperList{Elems: []Term{Atom("alias")}, Tail: ref}}, 3.25}},
		{"rep", repTerm()},
		{"medium", mk(3)},
		{"large", mk(200)},
	}
	var d Decoder
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(tc.term)
			noErr(t, err)
			want, err := d.Decode(data)
			noErr(t, err)
			var kept []Term
			for i := 0; i < 50; i++ {
				got, err := d.Decode(data)
				noErr(t, err)
				kept = append(kept, got)
			}
			runtime.GC()
			runtime.GC()
			for _, got := range kept {
				if !Equal(got, tc.term) || !reflect.DeepEqual(got, want) {
					t.Fatalf("after GC: got %s, want %s", Format(got), Format(tc.term))
				}
			}
			// Mutating one decode's tuple must not show in another's.
			if tu, ok := kept[0].(Tuple); ok && len(tu) > 0 {
				tu[0] = Atom("changed")
				if Equal(kept[1], kept[0]) {
					t.Fatal("decodes share element slots")
				}
			}
		})
	}
}
