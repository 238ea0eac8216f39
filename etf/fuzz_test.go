package etf

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime/metrics"
	"testing"
)

// fuzzLimits keep each fuzz iteration small and fast. Depth is not
// limited, as by default: deep inputs must stay bounded by their length.
var fuzzLimits = Limits{MaxTerms: 1 << 16, MaxUncompressed: 1 << 20, MaxBigDigits: 1 << 12}

// heapAllocs returns the bytes allocated on the heap so far (cheap: no
// stop-the-world, unlike runtime.ReadMemStats). The runtime publishes it
// per cached span, so a reading may include up to a span per size class
// allocated earlier: decodeAllocBound leaves room for that.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// decodeAllocBound is what decoding data may allocate: a small multiple
// of the bytes it decodes (for a compressed term, the inflated size it
// declares, within the limit) plus a constant for slabs, stacks and the
// metric's granularity. An allocation sized from a hostile length field
// is far beyond it.
func decodeAllocBound(data []byte, lim Limits) uint64 {
	n := len(data)
	if len(data) >= 6 && data[1] == TagCompressed {
		n += min(int(binary.BigEndian.Uint32(data[2:])), lim.MaxUncompressed)
	}
	return 64*uint64(n) + 1<<20
}

// deepSeeds are deep inputs around the switch to the iterative decoder:
// complete, truncated, with a bad leaf, and with list segments.
func deepSeeds() [][]byte {
	var out [][]byte
	for _, s := range deepShapes() {
		if s.prefix == nil {
			continue
		}
		for _, n := range []int{deepSwitch - 1, deepSwitch, deepSwitch + 1, 300} {
			b := deepBytes(s, n)
			out = append(out, b, b[:len(b)-1], b[:1+n*len(s.prefix)])
		}
	}
	return append(out,
		cat([]byte{131}, repeat([]byte{104, 1}, 100), []byte{108}, u32(1), []byte{97, 1, 108}, u32(1), []byte{97, 2, 107, 0, 1, 3}),
		cat([]byte{131}, repeat([]byte{104, 1}, 100), []byte{116}, u32(2), []byte{97, 1, 106, 97, 1, 106}),
		cat([]byte{131}, repeat([]byte{104, 1}, 100), []byte{110, 3, 1, 1, 2, 3}),
	)
}

// FuzzDecode checks that no input panics, that decoding allocates boundedly
// (limits above), and that decode -> encode -> decode is stable: whatever
// decodes re-encodes, and the re-encoding decodes to an Equal term and
// re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	if _, err := os.Stat("testdata/golden.txt"); err == nil {
		for _, v := range loadGolden(f) {
			if len(v.data) <= 2048 {
				f.Add(v.data)
			}
		}
	}
	for _, tc := range hostileCases() {
		if len(tc.in) <= 4096 {
			f.Add(tc.in)
		}
	}
	for _, b := range deepSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Decoder{Limits: fuzzLimits, AtomCache: AtomRefs{"cached", "", "ö"}}
		before := heapAllocs()
		if len(data) > 0 {
			d.DecodeTerm(data[1:]) // must not panic
		}
		v, err := d.Decode(data)
		if alloc, bound := heapAllocs()-before, 2*decodeAllocBound(data, d.Limits.resolve()); alloc > bound {
			t.Fatalf("decoding %d bytes allocated %d (bound %d)", len(data), alloc, bound)
		}
		if err != nil {
			return
		}
		b, err := Encode(v)
		if err != nil {
			t.Fatalf("decoded %#v but cannot re-encode: %v", v, err)
		}
		v2, err := d.Decode(b)
		if err != nil {
			t.Fatalf("re-encoding %x of %#v does not decode: %v", b, v, err)
		}
		if !Equal(v, v2) {
			t.Fatalf("unstable: %#v vs %#v", v, v2)
		}
		b2, err := Encode(v2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("re-encoding not stable: %x vs %x (%v)", b, b2, err)
		}
	})
}
