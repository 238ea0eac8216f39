package etf

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
)

// termGen generates random terms, reproducibly from a seed. The terms use
// only shapes with a canonical ERTS encoding, except that maps come in
// random order and may exceed 32 keys.
type termGen struct {
	r *rand.Rand
	// bigMaps reports whether a generated term contains a map over 32
	// keys (whose ERTS encoding order is not canonical).
	bigMaps bool
	// tiny draws leaves from tiny domains and keeps containers small, so
	// that random terms often share long prefixes (for Compare tests).
	tiny bool
}

func (g *termGen) tinyLeaf() Term {
	nodes := []Atom{"a@h", "b@h", "aa@h"}
	u := func() uint32 { return uint32(g.r.IntN(3)) }
	switch g.r.IntN(14) {
	case 0, 1:
		return []Term{0, 1, 2, -1, 255, 256, math.MaxInt64, BigInt(new(big.Int).Lsh(big.NewInt(1), 64)), BigInt(new(big.Int).Lsh(big.NewInt(-1), 70))}[g.r.IntN(9)]
	case 2:
		return []float64{1.0, 0.5, 2.0, -1.0, 18446744073709551616.0, 1e300}[g.r.IntN(6)]
	case 3, 4:
		return []Atom{"a", "b", "", "ä", "ab", "true"}[g.r.IntN(6)]
	case 5:
		return [][]byte{{}, {1}, {1, 2}, {0}, {255}}[g.r.IntN(5)]
	case 6:
		return []BitString{{Bytes: []byte{0}, Bits: 1}, {Bytes: []byte{0x20}, Bits: 3}, {Bytes: []byte{1, 0x80}, Bits: 1}, {Bytes: []byte{0x02}, Bits: 7}}[g.r.IntN(4)]
	case 7:
		return PID{Node: nodes[g.r.IntN(3)], ID: u(), Serial: u(), Creation: u()}
	case 8:
		return Port{Node: nodes[g.r.IntN(3)], ID: uint64(u()), Creation: u()}
	case 9:
		r := Ref{Node: nodes[g.r.IntN(3)], Creation: u(), Len: uint8(1 + g.r.IntN(3))}
		for i := 0; i < int(r.Len); i++ {
			r.ID[i] = u()
		}
		return r
	case 10:
		return Export{Module: []Atom{"lists", "erlang"}[g.r.IntN(2)], Function: []Atom{"map", "abs"}[g.r.IntN(2)], Arity: uint8(g.r.IntN(3))}
	case 11:
		return Charlist([]string{"a", "ab", "b"}[g.r.IntN(3)])
	}
	return List(nil)
}

func newTermGen(seed uint64) *termGen {
	return &termGen{r: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))}
}

var atomAlphabet = []rune("abcxyz_@.ABZ09äöüßé日本🙂")

func (g *termGen) atom() Atom {
	switch g.r.IntN(10) {
	case 0:
		return Atom([]string{"true", "false", "undefined", "nil", "ok", "error", ""}[g.r.IntN(7)])
	case 1:
		return Atom(strings.Repeat(string(atomAlphabet[g.r.IntN(len(atomAlphabet))]), 255))
	}
	n := g.r.IntN(12)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(atomAlphabet[g.r.IntN(len(atomAlphabet))])
	}
	return Atom(b.String())
}

func (g *termGen) node() Atom {
	return Atom([]string{"a@host", "b@127.0.0.1", "ö@höst", "node123@example.com"}[g.r.IntN(4)])
}

func (g *termGen) bytes(max int) []byte {
	b := make([]byte, g.r.IntN(max+1))
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return b
}

func (g *termGen) integer() Term {
	switch g.r.IntN(8) {
	case 0:
		return g.r.IntN(256)
	case 1:
		return int(int32(g.r.Uint32()))
	case 2:
		return int(g.r.Int64()) - g.r.IntN(2)*math.MaxInt64
	case 3:
		return g.r.Uint64()
	case 4:
		x := new(big.Int).SetBytes(g.bytes(300))
		if g.r.IntN(2) == 0 {
			x.Neg(x)
		}
		return BigInt(x)
	case 5:
		return []int{0, 255, 256, -1, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}[g.r.IntN(10)]
	case 6:
		return int8(g.r.IntN(256) - 128)
	}
	return -g.r.IntN(1000)
}

func (g *termGen) float() float64 {
	switch g.r.IntN(4) {
	case 0:
		return []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1}[g.r.IntN(7)]
	case 1:
		return g.r.NormFloat64() * 1e6
	}
	for {
		f := math.Float64frombits(g.r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
}

func (g *termGen) leaf() Term {
	switch g.r.IntN(16) {
	case 0, 1:
		return g.integer()
	case 2:
		return g.float()
	case 3, 4:
		return g.atom()
	case 5:
		return g.bytes(40)
	case 6:
		return string(g.bytes(10))
	case 7:
		b := g.bytes(10)
		if len(b) == 0 {
			b = []byte{0xFF}
		}
		bits := uint8(1 + g.r.IntN(7))
		b[len(b)-1] &= byte(0xFF << (8 - bits))
		return BitString{Bytes: b, Bits: bits}
	case 8:
		return PID{Node: g.node(), ID: g.r.Uint32(), Serial: g.r.Uint32(), Creation: g.r.Uint32()}
	case 9:
		id := uint64(g.r.Uint32() & 0x0FFFFFFF)
		if g.r.IntN(2) == 0 {
			id = g.r.Uint64()
		}
		return Port{Node: g.node(), ID: id, Creation: g.r.Uint32()}
	case 10:
		r := Ref{Node: g.node(), Creation: g.r.Uint32(), Len: uint8(1 + g.r.IntN(5))}
		for i := 0; i < int(r.Len); i++ {
			r.ID[i] = g.r.Uint32()
		}
		return r
	case 11:
		return Export{Module: g.atom(), Function: g.atom(), Arity: uint8(g.r.IntN(256))}
	case 12:
		var b strings.Builder
		n := g.r.IntN(20)
		for i := 0; i < n; i++ {
			if g.r.IntN(10) == 0 {
				b.WriteRune(rune(256 + g.r.IntN(0x2000)))
			} else {
				b.WriteRune(rune(g.r.IntN(256)))
			}
		}
		return Charlist(b.String())
	case 13:
		return true
	case 14:
		return nil
	}
	return List(nil)
}

// term returns a random term nested at most depth levels.
func (g *termGen) term(depth int) Term {
	if g.tiny {
		return g.tinyTerm(depth)
	}
	if depth <= 0 || g.r.IntN(3) == 0 {
		return g.leaf()
	}
	switch g.r.IntN(6) {
	case 0:
		t := make(Tuple, g.r.IntN(6))
		if g.r.IntN(50) == 0 {
			t = make(Tuple, 256+g.r.IntN(10))
		}
		for i := range t {
			t[i] = g.term(depth - 1)
		}
		return t
	case 1:
		l := make(List, g.r.IntN(6))
		for i := range l {
			l[i] = g.term(depth - 1)
		}
		return l
	case 2:
		n := 1 + g.r.IntN(4)
		el := make([]Term, n)
		for i := range el {
			el[i] = g.term(depth - 1)
		}
		tail := g.term(depth - 1)
		switch tail.(type) {
		case nil, List, Charlist, []any:
			tail = Atom("tail")
		}
		return ImproperList{Elems: el, Tail: tail}
	case 3:
		n := g.r.IntN(6)
		if g.r.IntN(10) == 0 {
			n = 33 + g.r.IntN(40)
		}
		m := make(Map, 0, n)
		for len(m) < n {
			k := g.term(depth - 1)
			if _, dup := m.Get(k); dup {
				k = Tuple{k, len(m)}
				if _, dup := m.Get(k); dup {
					continue
				}
			}
			m = append(m, Pair{Key: k, Value: g.term(depth - 1)})
		}
		if n > 32 {
			g.bigMaps = true
		}
		return m
	case 4:
		l := make(List, g.r.IntN(8))
		for i := range l {
			l[i] = g.r.IntN(256)
		}
		return l
	}
	return []any{g.term(depth - 1), g.leaf()}
}

func (g *termGen) tinyTerm(depth int) Term {
	if depth <= 0 || g.r.IntN(3) == 0 {
		return g.tinyLeaf()
	}
	n := g.r.IntN(4)
	switch g.r.IntN(4) {
	case 0:
		t := make(Tuple, n)
		for i := range t {
			t[i] = g.tinyTerm(depth - 1)
		}
		return t
	case 1:
		l := make(List, n)
		for i := range l {
			l[i] = g.tinyTerm(depth - 1)
		}
		return l
	case 2:
		el := make([]Term, 1+n)
		for i := range el {
			el[i] = g.tinyTerm(depth - 1)
		}
		return ImproperList{Elems: el, Tail: g.tinyLeaf()}
	}
	m := Map{}
	for len(m) < n {
		k := g.tinyTerm(depth - 1)
		if _, dup := m.Get(k); dup {
			continue
		}
		m = append(m, Pair{Key: k, Value: g.tinyTerm(depth - 1)})
	}
	return m
}

// mutate returns a copy of t with one randomly chosen leaf replaced, so
// that t and the result usually agree on a long prefix.
func (g *termGen) mutate(t Term) Term {
	switch x := t.(type) {
	case Tuple:
		if len(x) > 0 {
			out := append(Tuple(nil), x...)
			i := g.r.IntN(len(x))
			out[i] = g.mutate(x[i])
			return out
		}
	case List:
		if len(x) > 0 {
			out := append(List(nil), x...)
			i := g.r.IntN(len(x))
			out[i] = g.mutate(x[i])
			return out
		}
	case ImproperList:
		out := ImproperList{Elems: append([]Term(nil), x.Elems...), Tail: x.Tail}
		if i := g.r.IntN(len(x.Elems) + 1); i < len(x.Elems) {
			out.Elems[i] = g.mutate(x.Elems[i])
		} else {
			out.Tail = g.tinyLeaf()
		}
		return out
	case Map:
		if len(x) > 0 {
			out := append(Map(nil), x...)
			i := g.r.IntN(len(x))
			out[i].Value = g.mutate(x[i].Value)
			return out
		}
	}
	return g.tinyLeaf()
}
