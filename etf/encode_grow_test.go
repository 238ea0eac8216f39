package etf

import (
	"bytes"
	"testing"
)

// bigTerms are containers at and around bigContainer whose elements are
// smaller and larger than minRoom, so every branch of the big encoders'
// room keeping runs: a list of binaries (reserved exactly), a tuple of
// mixed elements, a list of tuples holding 70 KB binaries (each bigger
// than the room kept), a map of 50,000 integer keys and an atom-keyed map
// of exactly bigContainer pairs.
func bigTerms() map[string]Term {
	bins := make(List, 1000)
	for i := range bins {
		bins[i] = bytes.Repeat([]byte{byte(i)}, (i%3)*5000)
	}
	mixed := func(n int) Tuple {
		t := make(Tuple, n)
		for i := range t {
			switch i % 4 {
			case 0:
				t[i] = i * 1000
			case 1:
				t[i] = Atom("ok")
			case 2:
				t[i] = bytes.Repeat([]byte("m"), i)
			default:
				t[i] = "str"
			}
		}
		return t
	}
	wrapped := make(List, 300)
	for i := range wrapped {
		wrapped[i] = Tuple{i, bytes.Repeat([]byte{byte(i)}, 70_000)}
	}
	m := make(Map, 50_000)
	for i := range m {
		m[i] = Pair{Key: i + 1, Value: Tuple{Atom("v"), i}}
	}
	am := make(Map, bigContainer)
	for i := range am {
		am[i] = Pair{Key: i, Value: bytes.Repeat([]byte("a"), 300)}
	}
	return map[string]Term{
		"bins1000": bins, "tuple255": mixed(255), "tuple256": mixed(256), "tuple257": mixed(257),
		"list255": List(mixed(255)), "list256": List(mixed(256)), "wrapped70k": wrapped,
		"map50k": m, "map256": am,
	}
}

// TestBigContainersEncodeAlike: the bytes of a big term do not depend on
// the buffer it is appended to (empty, small with a prefix, roomy), the
// prefix survives, and the bytes decode to the term.
func TestBigContainersEncodeAlike(t *testing.T) {
	for name, term := range bigTerms() {
		want, err := AppendTerm(nil, term)
		noErr(t, err, name)
		prefix := []byte("prefix")
		small, err := AppendTerm(append(make([]byte, 0, 8), prefix...), term)
		noErr(t, err, name)
		roomy, err := AppendTerm(append(make([]byte, 0, len(want)+len(prefix)), prefix...), term)
		noErr(t, err, name)
		for _, got := range [][]byte{small, roomy} {
			check(t, bytes.HasPrefix(got, prefix), "%s: prefix lost", name)
			check(t, bytes.Equal(got[len(prefix):], want), "%s: encoding depends on the buffer", name)
		}
		back, _, err := (&Decoder{}).DecodeTerm(want)
		noErr(t, err, name)
		check(t, Equal(back, term), "%s: decodes to a different term", name)
	}
}

// TestGrow: grow doubles when it reallocates and leaves a too-large
// request to append; reserve allocates what it is asked for.
func TestGrow(t *testing.T) {
	b := append(make([]byte, 0, 1000), bytes.Repeat([]byte("x"), 900)...)
	g := grow(b, 200)
	check(t, cap(g) >= 2000 && len(g) == 900 && bytes.Equal(g, b), "grow(900/1000, 200): len %d cap %d", len(g), cap(g))
	check(t, cap(grow(b, 50)) == 1000, "grow with room reallocated")
	check(t, cap(grow(b, 5000)) == 1000, "grow(900/1000, 5000) should leave it to append")
	r := reserve(b, 5000)
	check(t, cap(r) >= 5900 && bytes.Equal(r, b), "reserve(900/1000, 5000): len %d cap %d", len(r), cap(r))
}

// TestLiveBigContainers sends the big terms to a real erl, which decodes
// and re-encodes them: the VM must read our bytes as the same term and,
// for the terms without a map over 32 keys, write exactly our bytes.
func TestLiveBigContainers(t *testing.T) {
	echo := startEcho(t)
	for name, term := range bigTerms() {
		enc, err := Encode(term)
		noErr(t, err, name)
		noErr(t, echo.send(0, enc), name)
		vm, err := echo.recv()
		noErr(t, err, name)
		back, err := Decode(vm)
		noErr(t, err, name)
		check(t, Equal(back, term), "%s: the VM read a different term", name)
		if _, isMap := term.(Map); !isMap {
			check(t, bytes.Equal(vm, enc), "%s: the VM's encoding differs from ours", name)
		}
	}
}
