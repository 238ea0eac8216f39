package etf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func compressed(declared uint32, payload []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(payload)
	w.Close()
	return cat([]byte{131, 80}, u32(declared), z.Bytes())
}

func repeat(b []byte, n int) []byte { return bytes.Repeat(b, n) }

// deep4096 is a decoder with the depth limit this package had before
// decoding became iterative.
var deep4096 = Decoder{Limits: Limits{MaxDepth: 4096}}

// noise returns n incompressible bytes (xorshift, fixed seed).
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

type hostileCase struct {
	name string
	in   []byte
	want error
	dec  Decoder
	// notTooLarge: the VM itself refuses the input, so it must not be
	// reported as a per-term limit (ErrTooLarge, ErrTooDeep).
	notTooLarge bool
}

func hostileCases() []hostileCase {
	node := []byte{119, 3, 'a', '@', 'b'}
	zeros := make([]byte, 2<<20)
	zeros[0] = TagBinary
	binary.BigEndian.PutUint32(zeros[1:], uint32(len(zeros)-5))
	return []hostileCase{
		{name: "empty", in: nil, want: ErrTruncated},
		{name: "no version", in: []byte{97, 1}, want: ErrMalformed},
		{name: "version only", in: []byte{131}, want: ErrTruncated},
		{name: "huge tuple arity", in: cat([]byte{131, 105}, u32(0xFFFFFFFF)), want: ErrTruncated},
		{name: "tuple arity beyond input", in: []byte{131, 104, 5, 97, 1}, want: ErrTruncated},
		{name: "huge list length", in: cat([]byte{131, 108}, u32(0xFFFFFFFF), []byte{106}), want: ErrTruncated},
		{name: "list without tail", in: cat([]byte{131, 108}, u32(1), []byte{97, 1}), want: ErrTruncated},
		{name: "huge binary", in: cat([]byte{131, 109}, u32(0xFFFFFFF0), []byte{1, 2}), want: ErrTruncated},
		{name: "huge map arity", in: cat([]byte{131, 116}, u32(0x7FFFFFFF), []byte{97, 1}), want: ErrTruncated},
		{name: "huge string", in: []byte{131, 107, 0xFF, 0xFF, 1}, want: ErrTruncated},
		{name: "huge bitstring", in: cat([]byte{131, 77}, u32(0xFFFFFFFF), []byte{3, 1}), want: ErrTruncated},
		{name: "huge big", in: cat([]byte{131, 111}, u32(0xFFFFFFFF), []byte{0, 1}), want: ErrTruncated},
		{name: "big over custom limit", in: []byte{131, 110, 5, 0, 1, 2, 3, 4, 5}, want: ErrTooLarge, dec: Decoder{Limits: Limits{MaxBigDigits: 4}}},
		{name: "big over VM limit", in: cat([]byte{131, 111}, u32(MaxVMBigDigits+1), []byte{0}, make([]byte, MaxVMBigDigits+1)), want: ErrMalformed, notTooLarge: true},
		{name: "big beyond input", in: cat([]byte{131, 111}, u32(1000), []byte{0, 1}), want: ErrTruncated},
		{name: "big bad sign", in: []byte{131, 110, 1, 2, 5}, want: ErrMalformed},
		{name: "huge fun free vars", in: cat([]byte{131, 112}, u32(40), []byte{0}, make([]byte, 16), u32(0), u32(0xFFFFFFFF)), want: ErrMalformed},
		{name: "atom beyond input", in: []byte{131, 118, 0, 10, 'a'}, want: ErrTruncated},
		{name: "atom invalid utf8", in: []byte{131, 119, 2, 0xC3, 0x28}, want: ErrMalformed},
		{name: "atom overlong utf8", in: []byte{131, 119, 2, 0xC0, 0x80}, want: ErrMalformed},
		{name: "atom 256 chars", in: cat([]byte{131, 118, 1, 0}, repeat([]byte{'a'}, 256)), want: ErrMalformed, notTooLarge: true},
		{name: "atom 256 unicode chars", in: cat([]byte{131, 118, 2, 0}, repeat([]byte{0xC3, 0xA4}, 256)), want: ErrMalformed, notTooLarge: true},
		{name: "atom over a lowered limit", in: cat([]byte{131, 119, 3}, []byte("abc")), want: ErrTooLarge, dec: Decoder{Limits: Limits{MaxAtomLen: 2}}},
		{name: "latin1 atom 256", in: cat([]byte{131, 100, 1, 0}, repeat([]byte{'a'}, 256)), want: ErrMalformed, notTooLarge: true},
		{name: "atom over custom limit", in: []byte{131, 119, 3, 'a', 'b', 'c'}, want: ErrTooLarge, dec: Decoder{Limits: Limits{MaxAtomLen: 2}}},
		{name: "tuple depth over custom limit", in: cat([]byte{131}, repeat([]byte{104, 1}, 100000), []byte{106}), want: ErrTooDeep, dec: deep4096},
		{name: "list depth over custom limit", in: cat([]byte{131}, repeat(cat([]byte{108}, u32(1)), 100000), []byte{106}), want: ErrTooDeep, dec: deep4096},
		{name: "map depth over custom limit", in: cat([]byte{131}, repeat(cat([]byte{116}, u32(1), []byte{97, 1}), 100000), []byte{106}), want: ErrTooDeep, dec: deep4096},
		{name: "deep list without tails", in: cat([]byte{131}, repeat(cat([]byte{108}, u32(1)), 100000)), want: ErrTruncated},
		{name: "deep tuple truncated", in: cat([]byte{131}, repeat([]byte{104, 2, 97, 1}, 100000)), want: ErrTruncated},
		{name: "deep map truncated", in: cat([]byte{131}, repeat(cat([]byte{116}, u32(1), []byte{97, 1}), 100000)), want: ErrTruncated},
		{name: "deep duplicate keys", in: cat([]byte{131}, repeat([]byte{104, 1}, 1000), []byte{116}, u32(2), []byte{97, 1, 106, 97, 1, 106}), want: ErrMalformed},
		{name: "custom depth", in: []byte{131, 104, 1, 104, 1, 104, 1, 106}, want: ErrTooDeep, dec: Decoder{Limits: Limits{MaxDepth: 2}}},
		{name: "term count", in: cat([]byte{131, 108}, u32(100), repeat([]byte{97, 1}, 100), []byte{106}), want: ErrTooLarge, dec: Decoder{Limits: Limits{MaxTerms: 50}}},
		{name: "zip bomb over limit", in: compressed(200<<20, noise(256<<10)), want: ErrTooLarge},
		{name: "zip declared impossible", in: compressed(60<<20, []byte{106}), want: ErrMalformed},
		{name: "zip longer than declared", in: compressed(100, zeros), want: ErrMalformed},
		{name: "zip shorter than declared", in: compressed(uint32(len(zeros)+1), zeros), want: ErrMalformed},
		{name: "zip over custom limit", in: compressed(uint32(len(zeros)), zeros), want: ErrTooLarge, dec: Decoder{Limits: Limits{MaxUncompressed: 1 << 20}}},
		{name: "zip zero size", in: compressed(0, nil), want: ErrMalformed},
		{name: "zip garbage", in: cat([]byte{131, 80}, u32(1), []byte{1, 2, 3, 4}), want: ErrMalformed},
		{name: "zip trailing inside", in: compressed(3, []byte{97, 1, 0}), want: ErrTrailing},
		{name: "zip trailing outside", in: append(compressed(2, []byte{97, 1}), 0), want: ErrTrailing},
		{name: "compressed not at top", in: cat([]byte{131, 104, 1}, compressed(2, []byte{97, 1})[1:]), want: ErrMalformed},
		{name: "duplicate keys", in: cat([]byte{131, 116}, u32(2), []byte{97, 1, 97, 2, 97, 1, 97, 3}), want: ErrMalformed},
		{name: "duplicate keys string vs list", in: cat([]byte{131, 116}, u32(2), []byte{107, 0, 1, 5, 106}, []byte{108}, u32(1), []byte{97, 5, 106, 106}), want: ErrMalformed},
		{name: "duplicate keys int vs big", in: cat([]byte{131, 116}, u32(2), []byte{97, 5, 106, 110, 1, 0, 5, 106}), want: ErrMalformed},
		{name: "duplicate keys large map", in: func() []byte {
			b := cat([]byte{131, 116}, u32(40))
			for i := 0; i < 39; i++ {
				b = append(b, 98, 0, 0, 1, byte(i), 106)
			}
			return append(b, 98, 0, 0, 1, 17, 106)
		}(), want: ErrMalformed},
		{name: "duplicate atom keys", in: cat([]byte{131, 116}, u32(3), []byte{119, 1, 'a', 97, 1, 119, 1, 'b', 97, 1, 100, 0, 1, 'a', 97, 2}), want: ErrMalformed},
		{name: "duplicate atom keys large map", in: func() []byte {
			b := cat([]byte{131, 116}, u32(40))
			for i := 0; i < 39; i++ {
				b = append(b, 119, 2, 'k', byte('0'+i), 106)
			}
			return append(b, 119, 2, 'k', '5', 106)
		}(), want: ErrMalformed},
		{name: "NaN", in: []byte{131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 1}, want: ErrMalformed},
		{name: "+Inf", in: []byte{131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0}, want: ErrMalformed},
		{name: "-Inf", in: []byte{131, 70, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0}, want: ErrMalformed},
		{name: "old float nan", in: cat([]byte{131, 99}, []byte("nan"), make([]byte, 28)), want: ErrMalformed},
		{name: "old float inf", in: cat([]byte{131, 99}, []byte("1e999"), make([]byte, 26)), want: ErrMalformed},
		{name: "bitstring bits 0", in: cat([]byte{131, 77}, u32(1), []byte{0, 1}), want: ErrMalformed},
		{name: "bitstring bits 9", in: cat([]byte{131, 77}, u32(1), []byte{9, 1}), want: ErrMalformed},
		{name: "bitstring empty", in: cat([]byte{131, 77}, u32(0), []byte{3}), want: ErrMalformed},
		{name: "ref len 6", in: cat([]byte{131, 90, 0, 6}, node, u32(1), repeat(u32(1), 6)), want: ErrMalformed},
		{name: "ref len 65535", in: cat([]byte{131, 90, 0xFF, 0xFF}, node, u32(1)), want: ErrMalformed},
		{name: "pid node not atom", in: cat([]byte{131, 88, 97, 1}, u32(1), u32(1), u32(1)), want: ErrMalformed},
		{name: "port node is binary", in: cat([]byte{131, 89, 109}, u32(1), []byte{'a'}, u32(1), u32(1)), want: ErrMalformed},
		{name: "atom cache without cache", in: []byte{131, 82, 0}, want: ErrAtomCache},
		{name: "atom cache out of range", in: []byte{131, 82, 1}, want: ErrAtomCache, dec: Decoder{AtomCache: AtomRefs{"a"}}},
		{name: "FUN_EXT", in: cat([]byte{131, 117}, u32(0), node), want: ErrUnsupported},
		{name: "LOCAL_EXT", in: []byte{131, 121, 1, 2, 3}, want: ErrUnsupported},
		{name: "unknown tag 78", in: []byte{131, 78, 0}, want: ErrUnsupported},
		{name: "unknown tag 0", in: []byte{131, 0}, want: ErrUnsupported},
		{name: "nested version byte", in: []byte{131, 104, 1, 131, 97, 1}, want: ErrMalformed},
		{name: "export arity not small int", in: []byte{131, 113, 119, 1, 'm', 119, 1, 'f', 98, 0, 0, 0, 1}, want: ErrMalformed},
		{name: "fun size too small", in: cat([]byte{131, 112}, u32(3), []byte{0}, make([]byte, 16), u32(0), u32(0), []byte{119, 1, 'm', 97, 0, 97, 0, 88}, node, u32(1), u32(1), u32(1)), want: ErrMalformed},
		{name: "fun creator not pid", in: func() []byte {
			body := cat([]byte{0}, make([]byte, 16), u32(0), u32(0), []byte{119, 1, 'm', 97, 0, 97, 0, 97, 1})
			return cat([]byte{131, 112}, u32(uint32(4+len(body))), body)
		}(), want: ErrMalformed},
		{name: "trailing", in: []byte{131, 97, 1, 0}, want: ErrTrailing},
	}
}

// TestHostileInput checks that crafted inputs fail with the right sentinel,
// never panic, and never allocate from a wire length.
func TestHostileInput(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			v, err := tc.dec.Decode(tc.in)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("decoded %#v, want error %v", v, tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// What the VM refuses must not look like a per-term limit
			// (dist drops those and keeps the connection).
			if tc.notTooLarge && (errors.Is(err, ErrTooLarge) || errors.Is(err, ErrTooDeep)) {
				t.Fatalf("got %v: the VM refuses this input, it is not a configured limit", err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%v does not satisfy ErrMalformed", err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is not a *DecodeError", err)
			}
			// Inflating the 2 MiB zip cases legitimately allocates 2 MiB;
			// everything else must stay far below any wire length. Deep
			// inputs need a stack frame per level: at most 16 bytes of
			// frame and 16 of pending value per 2 input bytes, doubled by
			// stack growth.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > max(8<<20, 32*uint64(len(tc.in))) {
				t.Fatalf("allocated %d bytes for %d input bytes", alloc, len(tc.in))
			}
			// DecodeTerm on the same bytes (without 131) must not panic.
			if len(tc.in) > 1 {
				tc.dec.DecodeTerm(tc.in[1:])
			}
		})
	}
}

func TestAtomCacheRefs(t *testing.T) {
	d := Decoder{AtomCache: AtomRefs{"foo", "bar"}}
	v, err := d.Decode([]byte{131, 104, 2, 82, 1, 82, 0})
	noErr(t, err)
	check(t, Equal(v, Tuple{Atom("bar"), Atom("foo")}), "got %#v", v)
	// A pid whose node is a cache reference.
	v, err = d.Decode(cat([]byte{131, 88, 82, 0}, u32(1), u32(2), u32(3)))
	noErr(t, err)
	check(t, v == PID{Node: "foo", ID: 1, Serial: 2, Creation: 3}, "got %#v", v)
	// Encoding through a cache.
	e := Encoder{AtomCache: testAtomEnc{"bar": 7}}
	b, err := e.AppendTerm(nil, Tuple{Atom("bar"), Atom("baz")})
	noErr(t, err)
	check(t, bytes.Equal(b, []byte{104, 2, 82, 7, 119, 3, 'b', 'a', 'z'}), "got %v", b)
}

type testAtomEnc map[Atom]int

func (m testAtomEnc) AtomRef(a Atom) (int, bool) { i, ok := m[a]; return i, ok }

func TestDecodeTermConsumed(t *testing.T) {
	var d Decoder
	v, n, err := d.DecodeTerm([]byte{97, 5, 106, 1, 2})
	noErr(t, err)
	check(t, n == 2 && v == 5, "got %v, %d", v, n)
	_, _, err = d.DecodeTerm([]byte{131, 97, 5})
	check(t, errors.Is(err, ErrMalformed), "131 inside DecodeTerm: %v", err)
}

func TestEncodeErrors(t *testing.T) {
	cyc := List{nil}
	cyc[0] = cyc
	cases := []struct {
		name string
		in   Term
		want error
	}{
		{"NaN", nan(), ErrInvalidTerm},
		{"long atom", Atom(string(repeat([]byte{'a'}, 256))), ErrInvalidTerm},
		{"bad utf8 atom", Atom("\xff"), ErrInvalidTerm},
		{"bits 0", BitString{Bytes: []byte{1}, Bits: 0}, ErrInvalidTerm},
		{"ref len 6", Ref{Len: 6}, ErrInvalidTerm},
		{"cyclic", cyc, ErrInvalidTerm},
		{"chan", make(chan int), ErrUnsupportedType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := AppendTerm([]byte{1, 2}, tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			check(t, len(b) == 2, "dst not restored: %v", b)
		})
	}
}

func nan() float64 {
	var z float64
	return z / z
}

// TestConcurrentDecode decodes the golden vectors from several goroutines
// with one shared Decoder (the atom intern table is shared too); run with
// -race.
func TestConcurrentDecode(t *testing.T) {
	vs := loadGolden(t)
	var d Decoder
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for _, v := range vs {
				if _, err := d.Decode(v.data); err != nil && v.variant != "raw" {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		noErr(t, <-errs)
	}
}

// TestListTailChain decodes [1 | [1 | [1 | ... []]]] written as a chain of
// 100000 one-element LIST_EXTs (legal, never produced by ERTS): it must
// give one proper list, without deep recursion or quadratic copying.
func TestListTailChain(t *testing.T) {
	const n = 100000
	in := cat([]byte{131}, repeat(cat([]byte{108}, u32(1), []byte{97, 1}), n), []byte{107, 0, 2, 7, 8})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := Decode(in)
	runtime.ReadMemStats(&after)
	noErr(t, err)
	l, ok := v.(List)
	if !ok || len(l) != n+2 || l[n+1] != 8 {
		t.Fatalf("got %T of %d", v, len(l))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Fatalf("allocated %d bytes for a %d-byte input", alloc, len(in))
	}
	// An improper tail after the chain.
	v, err = Decode(cat([]byte{131, 108}, u32(1), []byte{97, 1, 108}, u32(1), []byte{97, 2, 97, 3}))
	noErr(t, err)
	check(t, Equal(v, ImproperList{Elems: []Term{1, 2}, Tail: 3}), "got %#v", v)
}
