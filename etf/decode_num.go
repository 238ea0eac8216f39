// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
)

// oldFloat decodes FLOAT_EXT: 31 bytes of "%.20e" text, NUL padded.
func (s *decState) oldFloat(start int) (Term, error) {
	if err := s.need(31, TagFloat, "float text"); err != nil {
		return nil, err
	}
	txt := s.b[s.pos : s.pos+31]
	s.pos += 31
	if i := bytes.IndexByte(txt, 0); i >= 0 {
		txt = txt[:i]
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(txt)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, s.fail(start, TagFloat, ErrMalformed, "bad float text")
	}
	return f, nil
}

// big decodes SMALL_BIG_EXT and LARGE_BIG_EXT: count, sign, little-endian
// base-256 digits. Values that fit an int64 decode to int.
func (s *decState) big(start int, tag byte) (Term, error) {
	var n int
	if tag == TagSmallBig {
		if err := s.need(2, tag, "big header"); err != nil {
			return nil, err
		}
		n = int(s.u8())
	} else {
		if err := s.need(5, tag, "big header"); err != nil {
			return nil, err
		}
		n = int(s.u32())
	}
	sign := s.u8()
	if sign > 1 {
		return nil, s.fail(start, tag, ErrMalformed, "big integer sign is not 0 or 1")
	}
	if err := s.need(n, tag, "big digits"); err != nil {
		return nil, err
	}
	if n > MaxVMBigDigits {
		// The VM refuses such a term (and closes a distribution
		// connection carrying it): malformed, not a configured limit.
		return nil, s.fail(start, tag, ErrMalformed, "big integer larger than the VM allows")
	}
	if n > s.lim.MaxBigDigits {
		return nil, s.fail(start, tag, ErrTooLarge, "big integer has too many digits")
	}
	d := s.b[s.pos : s.pos+n]
	s.pos += n
	// Ignore leading zero digits (most significant are last).
	for len(d) > 0 && d[len(d)-1] == 0 {
		d = d[:len(d)-1]
	}
	if len(d) <= 8 {
		var u uint64
		for i := len(d) - 1; i >= 0; i-- {
			u = u<<8 | uint64(d[i])
		}
		if sign == 0 && u <= math.MaxInt64 {
			return s.boxInt(int(u)), nil
		}
		if sign == 1 && u <= 1<<63 {
			return s.boxInt(int(-int64(u))), nil // -(1<<63) wraps to itself: correct
		}
		x := new(big.Int).SetUint64(u)
		if sign == 1 {
			x.Neg(x)
		}
		return x, nil
	}
	be := make([]byte, len(d))
	for i, c := range d {
		be[len(d)-1-i] = c
	}
	x := new(big.Int).SetBytes(be)
	if sign == 1 {
		x.Neg(x)
	}
	return x, nil
}
