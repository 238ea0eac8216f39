package etf

import (
	"math/big"
	"testing"
)

// reshape returns t in a different but Equal Go shape: integers as
// *big.Int or int64, binaries as string, Charlists as Lists, maps
// reversed, []any for lists, nested improper tails.
func reshape(t Term) Term {
	switch x := t.(type) {
	case int:
		if x%2 == 0 {
			return big.NewInt(int64(x))
		}
		return int64(x)
	case []byte:
		return string(x)
	case string:
		return []byte(x)
	case Charlist:
		l := List{}
		for _, r := range x {
			l = append(l, int32(r))
		}
		return l
	case Tuple:
		out := make(Tuple, len(x))
		for i, e := range x {
			out[i] = reshape(e)
		}
		return out
	case List:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = reshape(e)
		}
		return out
	case ImproperList:
		if len(x.Elems) > 1 {
			// [a, b | T] as [a | [b | T]]
			return ImproperList{Elems: []Term{reshape(x.Elems[0])},
				Tail: ImproperList{Elems: []Term{reshape(x.Elems[1])}, Tail: ImproperList{Elems: x.Elems[2:], Tail: reshape(x.Tail)}}}
		}
		return ImproperList{Elems: []Term{reshape(x.Elems[0])}, Tail: reshape(x.Tail)}
	case Map:
		out := make(Map, len(x))
		for i, p := range x {
			out[len(x)-1-i] = Pair{Key: reshape(p.Key), Value: reshape(p.Value)}
		}
		return out
	case Alias:
		return Ref(x)
	}
	return t
}

// TestEqualAndHashAcrossShapes checks that Equal and HashTerm agree on
// differently shaped but equal terms, and that encoding is shape
// independent.
func TestEqualAndHashAcrossShapes(t *testing.T) {
	sorting := Encoder{SortMaps: true}
	for i := 0; i < 500; i++ {
		g := newTermGen(uint64(i))
		term := g.term(4)
		other := reshape(term)
		if !Equal(term, other) || !Equal(other, term) {
			t.Fatalf("seed %d: not Equal after reshape:\n%#v\n%#v", i, term, other)
		}
		if HashTerm(term) != HashTerm(other) {
			t.Fatalf("seed %d: hash differs after reshape:\n%#v\n%#v", i, term, other)
		}
		a, err := Encode(term)
		noErr(t, err)
		b, err := Encode(other)
		noErr(t, err)
		if !g.bigMaps {
			// SortMaps output is independent of pair order and Go shape.
			sa, err := sorting.Encode(term)
			noErr(t, err)
			sb, err := sorting.Encode(other)
			noErr(t, err)
			if string(sa) != string(sb) {
				t.Fatalf("seed %d: SortMaps encodings differ:\n%x\n%x", i, sa, sb)
			}
		}
		da, _ := Decode(a)
		db, _ := Decode(b)
		if !Equal(da, db) {
			t.Fatalf("seed %d: encodings decode differently", i)
		}
	}
}

func TestEqualNegatives(t *testing.T) {
	cases := [][2]Term{
		{1, 1.0},
		{Atom("a"), []byte("a")},
		{[]byte("a"), Charlist("a")},
		{Tuple{1}, List{1}},
		{Map{{1, 2}}, Map{{1, 3}}},
		{Map{{1, 2}}, Map{{2, 2}}},
		{ImproperList{Elems: []Term{1}, Tail: 2}, List{1, 2}},
		{PID{Node: "a", ID: 1}, PID{Node: "a", ID: 2}},
		{BitString{Bytes: []byte{0x80}, Bits: 1}, BitString{Bytes: []byte{0x80}, Bits: 2}},
		{uint64(1 << 63), int64(-1 << 63)},
	}
	for _, c := range cases {
		if Equal(c[0], c[1]) || Equal(c[1], c[0]) {
			t.Errorf("Equal(%#v, %#v) = true", c[0], c[1])
		}
	}
}

// FuzzEncodeRoundTrip encodes random terms (from a fuzzed seed) and checks
// they decode back Equal.
func FuzzEncodeRoundTrip(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(s, uint8(4))
	}
	f.Fuzz(func(t *testing.T, seed uint64, depth uint8) {
		term := newTermGen(seed).term(int(depth % 6))
		b, err := Encode(term)
		if err != nil {
			t.Fatalf("encode %#v: %v", term, err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("decode %x: %v", b, err)
		}
		if !Equal(term, back) {
			t.Fatalf("round trip changed %#v into %#v", term, back)
		}
	})
}

func TestEqualNonTermValuesDoNotPanic(t *testing.T) {
	if !Equal([]string{"a"}, []string{"a"}) {
		t.Fatal("equal []string values compared unequal")
	}
	if Equal([]string{"a"}, []string{"b"}) || Equal(map[string]int{"a": 1}, 1) {
		t.Fatal("different non-term values compared equal")
	}
}
