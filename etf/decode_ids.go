// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import "encoding/binary"

// pid decodes NEW_PID_EXT and the old PID_EXT (8-bit creation).
func (s *decState) pid(start int, tag byte) (Term, error) {
	node, err := s.nodeAtom()
	if err != nil {
		return nil, err
	}
	size := 12
	if tag == TagPID {
		size = 9
	}
	if err := s.need(size, tag, "pid fields"); err != nil {
		return nil, err
	}
	p := PID{Node: node, ID: s.u32(), Serial: s.u32()}
	if tag == TagPID {
		p.Creation = uint32(s.u8())
	} else {
		p.Creation = s.u32()
	}
	return s.boxPID(p), nil
}

// port decodes NEW_PORT_EXT, V4_PORT_EXT and the old PORT_EXT.
func (s *decState) port(start int, tag byte) (Term, error) {
	node, err := s.nodeAtom()
	if err != nil {
		return nil, err
	}
	p := Port{Node: node}
	switch tag {
	case TagV4Port:
		if err := s.need(12, tag, "port fields"); err != nil {
			return nil, err
		}
		p.ID = binary.BigEndian.Uint64(s.b[s.pos:])
		s.pos += 8
		p.Creation = s.u32()
	case TagNewPort:
		if err := s.need(8, tag, "port fields"); err != nil {
			return nil, err
		}
		p.ID = uint64(s.u32())
		p.Creation = s.u32()
	default:
		if err := s.need(5, tag, "port fields"); err != nil {
			return nil, err
		}
		p.ID = uint64(s.u32())
		p.Creation = uint32(s.u8())
	}
	return p, nil
}

// ref decodes NEWER_REFERENCE_EXT, NEW_REFERENCE_EXT and REFERENCE_EXT.
func (s *decState) ref(start int, tag byte) (Term, error) {
	r := Ref{Len: 1}
	if tag != TagReference {
		if err := s.need(2, tag, "reference length"); err != nil {
			return nil, err
		}
		n := s.u16()
		if n > len(r.ID) {
			return nil, s.fail(start, tag, ErrMalformed, "reference longer than 5 words")
		}
		r.Len = uint8(n)
	}
	node, err := s.nodeAtom()
	if err != nil {
		return nil, err
	}
	r.Node = node
	if tag == TagReference {
		if err := s.need(5, tag, "reference fields"); err != nil {
			return nil, err
		}
		r.ID[0] = s.u32()
		r.Creation = uint32(s.u8())
		return s.boxRef(r), nil
	}
	csize := 4
	if tag == TagNewReference {
		csize = 1
	}
	if err := s.need(csize+4*int(r.Len), tag, "reference fields"); err != nil {
		return nil, err
	}
	if csize == 1 {
		r.Creation = uint32(s.u8())
	} else {
		r.Creation = s.u32()
	}
	for i := 0; i < int(r.Len); i++ {
		r.ID[i] = s.u32()
	}
	return s.boxRef(r), nil
}

// export decodes EXPORT_EXT: module and function atoms, arity as a small
// integer.
func (s *decState) export(start int) (Term, error) {
	m, err := s.nodeAtom()
	if err != nil {
		return nil, err
	}
	f, err := s.nodeAtom()
	if err != nil {
		return nil, err
	}
	if err := s.need(2, TagExport, "export arity"); err != nil {
		return nil, err
	}
	if s.u8() != TagSmallInteger {
		return nil, s.fail(start, TagExport, ErrMalformed, "export arity is not a small integer")
	}
	return Export{Module: m, Function: f, Arity: s.u8()}, nil
}

// fun decodes NEW_FUN_EXT. Size covers everything after the tag, itself
// included, and must match what was decoded.
func (s *decState) fun(start, depth int) (Term, error) {
	h, nfree, err := s.funHead(start)
	if err != nil {
		return nil, err
	}
	var small [8]Term
	kids := small[:0]
	if 3+nfree > len(small) {
		kids = make([]Term, 0, 3+nfree)
	}
	for i := 0; i < 3+nfree; i++ {
		t, err := s.decode(depth + 1)
		if err != nil {
			return nil, err
		}
		kids = append(kids, t)
	}
	return s.funFinish(start, h, kids)
}

// funHead reads NEW_FUN_EXT up to its nested terms (OldIndex, OldUniq,
// Pid and nfree free variables, which the caller decodes).
func (s *decState) funHead(start int) (h funHead, nfree int, err error) {
	const fixed = 4 + 1 + 16 + 4 + 4
	if err := s.need(fixed, TagNewFun, "fun header"); err != nil {
		return h, 0, err
	}
	h.size = int(s.u32())
	if h.size < fixed || h.size-4 > s.remaining() {
		return h, 0, s.fail(start, TagNewFun, ErrMalformed, "fun size inconsistent with input")
	}
	h.f.Arity = s.u8()
	copy(h.f.Uniq[:], s.b[s.pos:s.pos+16])
	s.pos += 16
	h.f.Index = s.u32()
	nfree = int(s.u32())
	if nfree > s.remaining() {
		return h, 0, s.fail(start, TagNewFun, ErrTruncated, "fun free variable count exceeds input")
	}
	if h.f.Module, err = s.nodeAtom(); err != nil {
		return h, 0, err
	}
	return h, nfree, nil
}

// funFinish checks and completes a fun from its nested terms kids
// (OldIndex, OldUniq, Pid, free variables...).
func (s *decState) funFinish(start int, h funHead, kids []Term) (Term, error) {
	f := h.f
	f.OldIndex, f.OldUniq = kids[0], kids[1]
	if !isInt(f.OldIndex) || !isInt(f.OldUniq) {
		return nil, s.fail(start, TagNewFun, ErrMalformed, "fun OldIndex/OldUniq are not integers")
	}
	p, ok := kids[2].(PID)
	if !ok {
		return nil, s.fail(start, TagNewFun, ErrMalformed, "fun creator is not a pid")
	}
	f.Pid = p
	if len(kids) > 3 {
		f.FreeVars = append([]Term(nil), kids[3:]...)
	}
	if s.pos-(start+1) != h.size {
		return nil, s.fail(start, TagNewFun, ErrMalformed, "fun size does not match its content")
	}
	return f, nil
}

func isInt(t Term) bool {
	switch t.(type) {
	case int:
		return true
	}
	return false
}
