package etf

import (
	"errors"
	"testing"
)

// TestDuplicateKeysHashed runs the hashed duplicate search on maps of int
// keys (dense, strided so that many share low bits, negative) and of
// compound keys, all unique by construction, then with one key copied
// over another at a random place.
func TestDuplicateKeysHashed(t *testing.T) {
	g := newTermGen(20261202)
	for _, n := range []int{9, 10, 33, 257, 1000, 3000} {
		for _, kind := range []string{"dense", "strided", "negative", "mixed"} {
			m := make(Map, n)
			for i := range m {
				var k Term
				switch kind {
				case "dense":
					k = i
				case "strided":
					k = i << 20
				case "negative":
					k = -i * 7
				default:
					k = Tuple{Atom("k"), i, []byte{byte(i), byte(i >> 8)}}
				}
				m[i] = Pair{Key: k, Value: i}
			}
			check(t, !hasDuplicateKeys(m), "n=%d %s: unique keys reported as duplicates", n, kind)
			for range 3 {
				i, j := g.r.IntN(n), g.r.IntN(n)
				if i == j {
					continue
				}
				d := append(Map(nil), m...)
				d[i].Key = d[j].Key
				check(t, hasDuplicateKeys(d), "n=%d %s: key %d copied to %d not found", n, kind, j, i)
			}
		}
	}
}

// TestLiveDuplicateKeysRefused: a 50,000-key map with one key twice is
// refused by the VM's binary_to_term and by Decode alike.
func TestLiveDuplicateKeysRefused(t *testing.T) {
	echo := startEcho(t)
	m := make(Map, 50_000)
	for i := range m {
		m[i] = Pair{Key: i, Value: i}
	}
	m[40_000].Key = 123
	enc, err := Encode(m) // the encoder does not look for duplicates
	noErr(t, err)
	noErr(t, echo.send(0, enc))
	_, err = echo.recv()
	check(t, err != nil, "the VM accepted a map with a duplicate key")
	_, err = Decode(enc)
	check(t, errors.Is(err, ErrMalformed), "Decode of a duplicate key: %v, want ErrMalformed", err)
}
