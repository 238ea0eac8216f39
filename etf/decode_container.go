package etf

// list decodes LIST_EXT: count, elements, tail. A NIL tail gives a List; a
// tail that is itself a list (never produced by ERTS, but legal) is merged
// so the result has the same shape ERTS would give.
func (s *decState) list(start, depth int) (Term, error) {
	if err := s.need(4, TagList, "list length"); err != nil {
		return nil, err
	}
	n := int(s.u32())
	if n >= s.remaining() { // n elements and a tail, at least one byte each
		return nil, s.fail(start, TagList, ErrTruncated, "list length exceeds input")
	}
	var el []Term
	if n > 0 {
		el = s.elems(n)
		for i := range el {
			t, err := s.decode(depth + 1)
			if err != nil {
				return nil, err
			}
			el[i] = t
		}
	}
	tail, err := s.decode(depth + 1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return tail, nil
	}
	switch t := tail.(type) {
	case List:
		if len(t) == 0 {
			return List(el), nil
		}
		return append(List(el), t...), nil
	case Charlist:
		out := List(el)
		for _, r := range t {
			out = append(out, int(r))
		}
		return out, nil
	case ImproperList:
		return ImproperList{Elems: append(el, t.Elems...), Tail: t.Tail}, nil
	}
	return ImproperList{Elems: el, Tail: tail}, nil
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
	m := make(Map, n)
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
	return m, nil
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
		return s.bytes(n), nil
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
