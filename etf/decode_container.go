// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

// list decodes LIST_EXT: count, elements, tail. A NIL tail gives a List.
// A tail that is itself a LIST_EXT or STRING_EXT (never produced by ERTS,
// but legal) is merged in place, iteratively, so the result has the shape
// ERTS would give and a chain of tails costs neither recursion nor
// quadratic copying.
func (s *decState) list(start, depth int) (Term, error) {
	var el []Term
	merged := false
chain:
	for {
		if err := s.need(4, TagList, "list length"); err != nil {
			return nil, err
		}
		n := int(s.u32())
		if n >= s.remaining() { // n elements and a tail, at least one byte each
			return nil, s.fail(start, TagList, ErrTruncated, "list length exceeds input")
		}
		if n > 0 {
			var dst []Term
			if el == nil {
				el = s.elems(n)
				dst = el
			} else {
				if !merged {
					el = append(make([]Term, 0, len(el)+n), el...)
					merged = true
				}
				el = append(el, make([]Term, n)...)
				dst = el[len(el)-n:]
			}
			for i := range dst {
				t, err := s.decode(depth + 1)
				if err != nil {
					return nil, err
				}
				dst[i] = t
			}
		}
		if s.pos >= len(s.b) {
			return nil, s.fail(s.pos, TagList, ErrTruncated, "missing list tail")
		}
		switch s.b[s.pos] {
		case TagList:
			s.pos++
			continue chain
		case TagString:
			if len(el) == 0 {
				break chain // the tail is the whole list
			}
			s.pos++
			if err := s.need(2, TagString, "string length"); err != nil {
				return nil, err
			}
			n := s.u16()
			if err := s.need(n, TagString, "string bytes"); err != nil {
				return nil, err
			}
			if !merged {
				el = append(make([]Term, 0, len(el)+n), el...)
			}
			for _, c := range s.b[s.pos : s.pos+n] {
				el = append(el, int(c))
			}
			s.pos += n
			return boxSlice(s, typList, el), nil
		}
		break chain
	}
	tail, err := s.decode(depth + 1)
	if err != nil {
		return nil, err
	}
	if len(el) == 0 {
		return tail, nil
	}
	if l, ok := tail.(List); ok && len(l) == 0 {
		return boxSlice(s, typList, el), nil
	}
	return s.boxImproper(el, tail), nil
}

// mapTerm decodes MAP_EXT, keeping wire order and rejecting duplicate keys.
func (s *decState) mapTerm(start, depth int) (Term, error) {
	if err := s.need(4, TagMap, "map arity"); err != nil {
		return nil, err
	}
	n := int(s.u32())
	if n > s.remaining()/2 {
		return nil, s.fail(start, TagMap, ErrTruncated, "map arity exceeds input")
	}
	m := s.mapPairs(n)
	for i := range m {
		k, err := s.decode(depth + 1)
		if err != nil {
			return nil, err
		}
		v, err := s.decode(depth + 1)
		if err != nil {
			return nil, err
		}
		m[i] = Pair{Key: k, Value: v}
	}
	if hasDuplicateKeys(m) {
		return nil, s.fail(start, TagMap, ErrMalformed, "duplicate map key")
	}
	return boxSlice(s, typMap, m), nil
}

// mapPairs returns a Map of n pairs, carved from a shared slab when small
// (like elems). n has been checked against the remaining input.
func (s *decState) mapPairs(n int) Map {
	if n == 0 {
		return Map{}
	}
	if n > len(s.pairs) && !s.chunked {
		s.refill(slabPairs)
	}
	if n > len(s.pairs) {
		if n >= 16 {
			return make(Map, n)
		}
		s.pairs = make([]Pair, bounded(n+s.budget()/32, s.slabMax(slabPairs, 32)))
	}
	r := s.pairs[:n:n]
	s.pairs = s.pairs[n:]
	return Map(r)
}

// bitBinary decodes BIT_BINARY_EXT. Unused trailing bits are cleared so that
// equal bitstrings decode to equal values; Bits == 8 is a plain binary.
func (s *decState) bitBinary(start int) (Term, error) {
	if err := s.need(5, TagBitBinary, "bitstring header"); err != nil {
		return nil, err
	}
	n := int(s.u32())
	bits := s.u8()
	if n == 0 || bits < 1 || bits > 8 {
		return nil, s.fail(start, TagBitBinary, ErrMalformed, "bitstring with empty data or bits outside 1..8")
	}
	if err := s.need(n, TagBitBinary, "bitstring bytes"); err != nil {
		return nil, err
	}
	if bits == 8 {
		return boxSlice(s, typBytes, s.bytes(n)), nil
	}
	mask := byte(0xFF << (8 - bits))
	var data []byte
	if s.share && s.b[s.pos+n-1]&^mask == 0 {
		data = s.bytes(n)
	} else {
		data = make([]byte, n)
		copy(data, s.b[s.pos:s.pos+n])
		s.pos += n
		data[n-1] &= mask
	}
	return BitString{Bytes: data, Bits: bits}, nil
}
