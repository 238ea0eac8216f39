package etf

import (
	"bytes"
	"errors"
	"math/big"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Deep and big terms: what an Erlang VM builds and sends without trouble
// must decode, encode, compare, hash and print here without a limit and
// without deep Go recursion (a Go stack overflow is a fatal crash, not a
// panic).

// deepShape builds one nesting level around an inner term, the same way
// the Erlang side of the live tests does (testdata/etf_echo.erl build/2).
type deepShape struct {
	name   string
	wrap   func(inner Term) Term
	prefix []byte // encoding of one level before the inner term
	suffix []byte // and after it
}

var deepLeaf = Atom("leaf")

var deepLeafBytes = []byte{119, 4, 'l', 'e', 'a', 'f'}

func deepShapes() []deepShape {
	return []deepShape{
		{"tuple", func(in Term) Term { return Tuple{in} }, []byte{104, 1}, nil},
		{"list", func(in Term) Term { return List{in} }, cat([]byte{108}, u32(1)), []byte{106}},
		{"map", func(in Term) Term { return Map{{Key: Atom("k"), Value: in}} }, cat([]byte{116}, u32(1), []byte{119, 1, 'k'}), nil},
		{"improper", func(in Term) Term { return ImproperList{Elems: []Term{in}, Tail: Atom("t")} }, cat([]byte{108}, u32(1)), []byte{119, 1, 't'}},
		{"fun", func(in Term) Term {
			return Fun{Arity: 0, Module: "m", OldIndex: 0, OldUniq: 0, Pid: PID{Node: "n@h", ID: 1}, FreeVars: []Term{in}}
		}, nil, nil},
	}
}

// buildDeep nests leaf n levels deep in shape s, iteratively.
func buildDeep(s deepShape, n int) Term {
	var t Term = deepLeaf
	for i := 0; i < n; i++ {
		t = s.wrap(t)
	}
	return t
}

// deepBytes is the expected standalone encoding of buildDeep(s, n).
func deepBytes(s deepShape, n int) []byte {
	return cat([]byte{131}, bytes.Repeat(s.prefix, n), deepLeafBytes, bytes.Repeat(s.suffix, n))
}

// deepDepth measures the nesting of a decoded deep term, iteratively.
func deepDepth(t Term) int {
	d := 0
	for {
		switch x := t.(type) {
		case Tuple:
			t = x[0]
		case List:
			t = x[0]
		case Map:
			t = x[0].Value
		case ImproperList:
			t = x.Elems[0]
		case Fun:
			t = x.FreeVars[0]
		default:
			return d
		}
		d++
	}
}

func TestDeepTerms(t *testing.T) {
	depths := []int{10_000, 100_000, 1_000_000}
	if testing.Short() {
		depths = depths[:2]
	}
	for _, s := range deepShapes() {
		for _, n := range depths {
			if n > 100_000 && s.name != "tuple" && s.name != "list" {
				continue // same code paths; keeps the suite fast
			}
			t.Run(s.name+"/"+strconv.Itoa(n), func(t *testing.T) {
				term := buildDeep(s, n)
				enc, err := Encode(term)
				noErr(t, err)
				if s.prefix != nil {
					check(t, bytes.Equal(enc, deepBytes(s, n)), "encoding differs from ERTS's layout")
				}
				back, err := Decode(enc)
				noErr(t, err)
				check(t, deepDepth(back) == n, "decoded depth %d, want %d", deepDepth(back), n)
				check(t, Equal(term, back), "round trip is not Equal")
				check(t, Compare(term, back) == 0, "round trip does not Compare equal")
				check(t, HashTerm(term) == HashTerm(back), "round trip hashes differ")
				again, err := Encode(back)
				noErr(t, err)
				check(t, bytes.Equal(enc, again), "re-encoding differs")
				if len(Format(back)) == 0 {
					t.Fatal("empty Format")
				}
				if n > 100_000 {
					return
				}
				// One more level at the bottom: unequal, ordered, and the
				// walkers must say so without crashing.
				other := buildDeep(s, n)
				check(t, !Equal(term, buildDeep(s, n-1)), "different depths are Equal")
				check(t, Compare(buildDeep(s, n-1), other) != 0, "different depths Compare equal")
				// Through the reflection layer: into any it is the term
				// itself; into a typed target a clear error, no crash.
				var v any
				noErr(t, Convert(back, &v))
				var typed struct{ A []any }
				if err := Convert(back, &typed); err == nil && s.name != "map" {
					t.Fatalf("converting %s into a struct succeeded", s.name)
				}
				var rec []any
				_ = Convert(back, &rec)
				// A decoder with a depth cap reports ErrTooDeep.
				_, err = (&Decoder{Limits: Limits{MaxDepth: n - 1}}).Decode(enc)
				check(t, errors.Is(err, ErrTooDeep), "MaxDepth %d: %v", n-1, err)
				_, err = (&Decoder{Limits: Limits{MaxDepth: n}}).Decode(enc)
				noErr(t, err)
				_, err = (&Encoder{MaxDepth: n - 1}).Encode(term)
				check(t, errors.Is(err, ErrInvalidTerm), "encoder MaxDepth %d: %v", n-1, err)
			})
		}
	}
}

// TestDeepDecodeTerm decodes a deep term without the version byte, as the
// distribution layer does, with bytes left after it.
func TestDeepDecodeTerm(t *testing.T) {
	s := deepShapes()[1]
	enc := deepBytes(s, 100_000)
	var d Decoder
	v, n, err := d.DecodeTerm(append(enc[1:], 97, 7))
	noErr(t, err)
	check(t, n == len(enc)-1 && deepDepth(v) == 100_000, "consumed %d, depth %d", n, deepDepth(v))
}

// TestDeepMixed mixes every container, wide levels and list segments deep
// down, and checks decode against the recursive path's result shape.
func TestDeepMixed(t *testing.T) {
	var term Term = List{}
	for i := 0; i < 5000; i++ {
		switch i % 6 {
		case 0:
			term = Tuple{i, term, Atom("x")}
		case 1:
			term = List{term, 1.5, []byte("b")}
		case 2:
			term = Map{{Key: i, Value: term}, {Key: Atom("z"), Value: Tuple{}}}
		case 3:
			term = ImproperList{Elems: []Term{Charlist("ab"), term}, Tail: i}
		case 4:
			term = Map{{Key: Tuple{term}, Value: List{}}} // deep keys
		case 5:
			term = Fun{Module: "m", OldIndex: 1, OldUniq: 2, Pid: PID{Node: "a@b"}, FreeVars: []Term{term, Map{}}}
		}
	}
	enc, err := Encode(term)
	noErr(t, err)
	back, err := Decode(enc)
	noErr(t, err)
	check(t, Equal(term, back), "mixed deep term changed")
	check(t, Compare(term, back) == 0 && Compare(back, term) == 0, "mixed deep term compares unequal")
	again, err := Encode(back)
	noErr(t, err)
	check(t, bytes.Equal(enc, again), "re-encoding differs")
	// The [a, b | [c | []]] segments the decoder merges, deep down.
	deep := cat([]byte{131}, bytes.Repeat([]byte{104, 1}, 200),
		[]byte{108}, u32(1), []byte{97, 1}, []byte{108}, u32(1), []byte{97, 2}, []byte{107, 0, 2, 3, 4})
	v, err := Decode(deep)
	noErr(t, err)
	for i := 0; i < 200; i++ {
		v = v.(Tuple)[0]
	}
	check(t, Equal(v, List{1, 2, 3, 4}), "merged segments: %#v", v)
	deep = cat([]byte{131}, bytes.Repeat([]byte{104, 1}, 200), []byte{108}, u32(0), []byte{97, 9})
	v, err = Decode(deep)
	noErr(t, err)
	for i := 0; i < 200; i++ {
		v = v.(Tuple)[0]
	}
	check(t, v == 9, "empty LIST_EXT with a tail: %#v", v)
}

// vmBig is 2^8000000 - 1 (8,000,000 bits), as the live tests build it.
func vmBig(neg bool) *big.Int {
	x := new(big.Int).Lsh(big.NewInt(1), 8_000_000)
	x.Sub(x, big.NewInt(1))
	if neg {
		x.Neg(x)
	}
	return x
}

func TestVMBignums(t *testing.T) {
	for _, neg := range []bool{false, true} {
		x := vmBig(neg)
		enc, err := Encode(x)
		noErr(t, err)
		check(t, len(enc) == 1+1+4+1+1_000_000 && enc[1] == TagLargeBig, "encoding: %d bytes, tag %d", len(enc), enc[1])
		back, err := Decode(enc)
		noErr(t, err)
		y, ok := back.(*big.Int)
		check(t, ok && y.Cmp(x) == 0, "round trip changed the bignum")
	}
	// The VM's largest bignum decodes; one byte more is refused like the
	// VM refuses it (malformed, not a per-term limit).
	maxBig := cat([]byte{131, 111}, u32(MaxVMBigDigits), []byte{0}, bytes.Repeat([]byte{0xFF}, MaxVMBigDigits))
	_, err := Decode(maxBig)
	noErr(t, err)
	over := cat([]byte{131, 111}, u32(MaxVMBigDigits+1), []byte{0}, bytes.Repeat([]byte{0xFF}, MaxVMBigDigits+1))
	_, err = Decode(over)
	check(t, errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge), "over the VM limit: %v", err)
}

// TestDeepHostileMemory feeds 10 MB of nested list headers with no tails
// and no leaf: the decoder must fail with ErrTruncated quickly, allocate a
// small multiple of the input (a 16-byte frame per 5-byte level, doubled
// by growth) and retain nothing.
func TestDeepHostileMemory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level []byte
	}{
		{"list headers", cat([]byte{108}, u32(1))},
		{"tuple headers", []byte{104, 1}},
		{"map headers", cat([]byte{116}, u32(1), []byte{97, 1})},
		{"tuples with a sibling", []byte{104, 2, 97, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := cat([]byte{131}, bytes.Repeat(tc.level, (10<<20)/len(tc.level)))
			runtime.GC()
			var before, after, kept runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Decode(in)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			check(t, errors.Is(err, ErrTruncated), "got %v", err)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d input bytes: allocated %d (%.1fx) in %v", len(in), alloc, float64(alloc)/float64(len(in)), took)
			if alloc > 16*uint64(len(in)) {
				t.Fatalf("allocated %d bytes for %d input bytes", alloc, len(in))
			}
			if took > 20*time.Second {
				t.Fatalf("took %v", took)
			}
			runtime.GC()
			runtime.ReadMemStats(&kept)
			if kept.HeapAlloc > before.HeapAlloc+uint64(len(in)) {
				t.Fatalf("retained %d bytes after the failed decode", kept.HeapAlloc-before.HeapAlloc)
			}
			runtime.KeepAlive(in)
		})
	}
}

// TestEncodeCycles checks that cyclic Go values of every container kind
// are reported, not encoded forever.
func TestEncodeCycles(t *testing.T) {
	tup := Tuple{nil}
	tup[0] = tup
	m := Map{{Key: 1, Value: nil}}
	m[0].Value = m
	l := List{nil}
	il := ImproperList{Elems: []Term{1}, Tail: l}
	l[0] = il
	f := Fun{Module: "m", OldIndex: 0, OldUniq: 0, FreeVars: []Term{nil}}
	f.FreeVars[0] = Tuple{f}
	for name, v := range map[string]Term{"tuple": tup, "map": m, "improper tail": il, "fun": f} {
		_, err := Encode(v)
		check(t, errors.Is(err, ErrInvalidTerm), "%s: %v", name, err)
	}
}

// BenchmarkDecodeDeep decodes a 4000-deep tuple (the deep path; the old
// recursive decoder's limit was 4096) and BenchmarkEncodeDeep encodes it.
func BenchmarkDecodeDeep(b *testing.B) {
	data := deepBytes(deepShapes()[0], 4000)
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := d.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDeep(b *testing.B) {
	t := buildDeep(deepShapes()[0], 4000)
	buf := make([]byte, 0, 16<<10)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendTerm(buf[:0], t); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeepMapKeys nests maps in map keys 20,000 levels deep, each level a
// map of two map keys, so comparing sorts keys at every level: Equal,
// Compare and HashTerm must answer without exhausting the Go stack.
func TestDeepMapKeys(t *testing.T) {
	build := func() Term {
		side := Map{{Key: Atom("a"), Value: 1}, {Key: Atom("b"), Value: 2}}
		var m Term = Map{{Key: Atom("c"), Value: 3}, {Key: Atom("d"), Value: 4}}
		for i := 0; i < 20_000; i++ {
			m = Map{{Key: m, Value: 1}, {Key: side, Value: 2}}
		}
		return m
	}
	a, b := build(), build()
	check(t, Equal(a, b), "equal deep map keys")
	check(t, Compare(a, b) == 0, "deep map keys compare unequal")
	check(t, HashTerm(a) == HashTerm(b), "hashes differ")
	enc, err := Encode(a)
	noErr(t, err)
	back, err := Decode(enc)
	noErr(t, err)
	check(t, Equal(a, back), "round trip changed the term")
	// (Encoder.SortMaps on this term works but sorts afresh at every
	// level, 20,000 x 10,000 comparisons: not tested here.)
}
