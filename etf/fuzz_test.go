package etf

import (
	"bytes"
	"os"
	"testing"
)

// fuzzLimits keep each fuzz iteration small and fast.
var fuzzLimits = Limits{MaxDepth: 256, MaxTerms: 1 << 16, MaxUncompressed: 1 << 20, MaxBigDigits: 1 << 12}

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
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Decoder{Limits: fuzzLimits, AtomCache: AtomRefs{"cached", "", "ö"}}
		if len(data) > 0 {
			d.DecodeTerm(data[1:]) // must not panic
		}
		v, err := d.Decode(data)
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
