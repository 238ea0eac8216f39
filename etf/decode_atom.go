// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"unicode/utf8"
)

// atom decodes an atom in any of its encodings (UTF-8, Latin-1, or an atom
// cache reference) at s.pos.
func (s *decState) atom() (Term, error) {
	start := s.pos
	if err := s.need(1, 0, "atom"); err != nil {
		return nil, err
	}
	tag := s.u8()
	var n int
	switch tag {
	case TagAtomCacheRef:
		if err := s.need(1, tag, "atom cache index"); err != nil {
			return nil, err
		}
		idx := int(s.u8())
		if s.cache == nil {
			return nil, s.fail(start, tag, ErrAtomCache, "atom cache reference without a cache")
		}
		t, err := s.cachedAtom(start, tag, idx)
		if err != nil {
			return nil, err
		}
		s.cacheRefs[idx&3], s.cacheAtoms[idx&3] = uint16(idx)+1, t
		return t, nil
	case TagSmallAtomUTF8, TagSmallAtom:
		if err := s.need(1, tag, "atom length"); err != nil {
			return nil, err
		}
		n = int(s.u8())
	case TagAtomUTF8, TagAtom:
		if err := s.need(2, tag, "atom length"); err != nil {
			return nil, err
		}
		n = s.u16()
	default:
		return nil, s.fail(start, tag, ErrMalformed, "expected an atom")
	}
	if err := s.need(n, tag, "atom text"); err != nil {
		return nil, err
	}
	raw := s.b[s.pos : s.pos+n]
	if tag == TagAtom || tag == TagSmallAtom {
		if n > s.lim.MaxAtomLen {
			return nil, s.atomTooLong(start, tag, n)
		}
		s.pos += n
		if isASCII(raw) {
			return internAtom(raw), nil
		}
		return internAtom(latin1ToUTF8(raw)), nil
	}
	if n > s.lim.MaxAtomLen {
		if chars := utf8.RuneCount(raw); chars > s.lim.MaxAtomLen {
			return nil, s.atomTooLong(start, tag, chars)
		}
	}
	if !isASCII(raw) && !utf8.Valid(raw) {
		return nil, s.fail(start, tag, ErrMalformed, "atom is not valid UTF-8")
	}
	s.pos += n
	return internAtom(raw), nil
}

// cachedAtom resolves atom cache reference idx: boxed by the cache when
// it can (AtomTermCache), else interned from its text.
func (s *decState) cachedAtom(start int, tag byte, idx int) (Term, error) {
	if tc, ok := s.cache.(AtomTermCache); ok {
		if t, ok := tc.AtomRefTerm(idx); ok {
			return t, nil
		}
	}
	a, ok := s.cache.AtomRef(idx)
	if !ok {
		return nil, s.fail(start, tag, ErrAtomCache, "atom cache index out of range or empty")
	}
	return internAtom(string(a)), nil
}

// nodeAtom decodes the node field of a pid, port or reference.
func (s *decState) nodeAtom() (Atom, error) {
	t, err := s.atom()
	if err != nil {
		return "", err
	}
	return t.(Atom), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// latin1ToUTF8 transcodes Latin-1 bytes (each byte one code point) to UTF-8.
func latin1ToUTF8(b []byte) string {
	if isASCII(b) {
		return string(b)
	}
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out)
}

// atomTooLong reports an atom of chars characters over MaxAtomLen. Past
// 255 characters the VM itself refuses the term (and closes a
// distribution connection carrying it), so that is malformed input rather
// than a configured per-term limit.
func (s *decState) atomTooLong(start int, tag byte, chars int) error {
	if chars > 255 {
		return s.fail(start, tag, ErrMalformed, "atom longer than 255 characters")
	}
	return s.fail(start, tag, ErrTooLarge, "atom longer than the limit")
}
