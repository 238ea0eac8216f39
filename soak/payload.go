package soak

import (
	"bytes"
	"math/big"

	"github.com/erlgo/erlgo/etf"
)

// payload mirrors erlgo_soak:payload/1: the term sent with sequence number
// seq. It cycles through the shapes that take different codec paths (small
// and big integers, floats, binaries, tuples, lists, maps, atoms) and every
// 512th message is a 100 kB binary, which the VM sends in fragments.
func payload(seq int) etf.Term {
	switch seq % 8 {
	case 0:
		return seq
	case 1:
		return bytes.Repeat([]byte{byte(seq % 256)}, seq%1000)
	case 2:
		return etf.Tuple{seq, etf.Atom("soak"), etf.List{etf.Atom("a"), etf.Atom("b"), 1000}}
	case 3:
		return etf.Map{{Key: etf.Atom("seq"), Value: seq}, {Key: etf.Atom("tag"), Value: []byte("soak")}}
	case 4:
		b := new(big.Int).Lsh(big.NewInt(1), 70)
		b.Add(b, big.NewInt(int64(seq)))
		return b.Neg(b)
	case 5:
		return float64(seq) * 0.5
	case 6:
		return etf.List{seq, etf.Tuple{}, []byte{}}
	default:
		if seq%512 == 7 {
			return bytes.Repeat([]byte{byte(seq % 256)}, 100_000)
		}
		return etf.Tuple{seq}
	}
}
