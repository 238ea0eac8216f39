// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"unsafe"

	"github.com/erlgo/erlgo/internal/box"
)

// Boxing without one allocation per value.
//
// Storing a Tuple, List, Map, []byte, PID, Ref, float64 or an int outside
// 0..255 in a Term (an interface) normally allocates a private copy of the
// value; for a typical distribution message those small allocations were
// most of the decode cost. The decoder instead writes such values into
// typed slabs that it carves from a few larger allocations (usually one per
// decode, see chunk) and builds the interface around a pointer into the
// slab. The result is an ordinary Term: the Go runtime cannot tell it from
// one made by a conversion, because an interface holding a non-pointer
// value is exactly (type word, pointer to an immutable copy), and a slot is
// written once, before its interface exists, and never again.
//
// Only types whose interface data word is a pointer to the value (not the
// value itself) may go through boxAt (internal/box): slices, and structs
// and scalars that are not pointer-shaped. Every type used below is one.

// sliceHdr has the layout of every slice type, so one slab of them can
// hold Tuples, Lists, Maps and binaries alike. Its first word is a pointer,
// as in a real slice header, so the collector scans it correctly.
type sliceHdr struct {
	data     unsafe.Pointer
	len, cap int
}

func typeWord(v any) unsafe.Pointer { return box.TypeWord(v) }

// Type words of the boxed types; set once at package init and only read.
var (
	typTuple = typeWord(Tuple(nil))
	typList  = typeWord(List(nil))
	typBytes = typeWord([]byte(nil))
	typMap   = typeWord(Map(nil))
	typInt   = typeWord(int(0))
	typFloat = typeWord(float64(0))
	typPID   = typeWord(PID{})
	typRef   = typeWord(Ref{})
	typChars = typeWord(Charlist(""))
	typImp   = typeWord(ImproperList{})
)

// boxAt returns the Term of dynamic type typ whose value is stored at p.
// The value at p must never be modified afterwards.
func boxAt(typ, p unsafe.Pointer) Term { return box.At(typ, p) }

// boxSlice boxes v (of the slice type whose type word is typ) into a slab
// slot. Nil slices box for free and keep the normal path.
func boxSlice[E any](s *decState, typ unsafe.Pointer, v []E) Term {
	if len(s.hdrs) == 0 {
		s.refill(slabHdrs)
	}
	h := &s.hdrs[0]
	s.hdrs = s.hdrs[1:]
	*(*[]E)(unsafe.Pointer(h)) = v
	return boxAt(typ, unsafe.Pointer(h))
}

// charlist decodes the n > 0 Latin-1 bytes of a STRING_EXT at s.pos (n
// already checked) into a boxed Charlist. ASCII text, the usual case, is
// copied into the byte arena and used as the string's memory directly:
// that arena region is written once, here, and never again, which is all
// a Go string needs.
func (s *decState) charlist(n int) Term {
	raw := s.b[s.pos : s.pos+n]
	var str string
	if isASCII(raw) {
		share := s.share
		s.share = false // never alias the caller's buffer from a string
		b := s.bytes(n)
		s.share = share
		str = unsafe.String(&b[0], n)
	} else {
		str = latin1ToUTF8(raw)
		s.pos += n
	}
	if len(s.hdrs) == 0 {
		s.refill(slabHdrs)
	}
	h := &s.hdrs[0]
	s.hdrs = s.hdrs[1:]
	*(*string)(unsafe.Pointer(h)) = str
	return boxAt(typChars, unsafe.Pointer(h))
}

// The slot taking below is written out in each box function on purpose: a
// shared generic slot(s, &s.words, kind) helper, inlined, still cost 3.4%
// more instructions on the shared etf-term decode (callgrind, issue 13).

// boxInt boxes an int; 0..255 are free (the runtime has a static table).
func (s *decState) boxInt(v int) Term {
	if v >= 0 && v < 256 {
		return v
	}
	if len(s.words) == 0 {
		s.refill(slabWords)
	}
	w := &s.words[0]
	s.words = s.words[1:]
	*(*int)(unsafe.Pointer(w)) = v
	return boxAt(typInt, unsafe.Pointer(w))
}

func (s *decState) boxFloat(f float64) Term {
	if len(s.words) == 0 {
		s.refill(slabWords)
	}
	w := &s.words[0]
	s.words = s.words[1:]
	*(*float64)(unsafe.Pointer(w)) = f
	return boxAt(typFloat, unsafe.Pointer(w))
}

func (s *decState) boxPID(p PID) Term {
	if len(s.pids) == 0 {
		s.refill(slabPIDs)
	}
	d := &s.pids[0]
	s.pids = s.pids[1:]
	*d = p
	return boxAt(typPID, unsafe.Pointer(d))
}

func (s *decState) boxRef(r Ref) Term {
	if len(s.refs) == 0 {
		s.refill(slabRefs)
	}
	d := &s.refs[0]
	s.refs = s.refs[1:]
	*d = r
	return boxAt(typRef, unsafe.Pointer(d))
}

// boxImproper boxes an improper list (in OTP 25 every gen_server call's
// From holds one: [alias | Ref]).
func (s *decState) boxImproper(el []Term, tail Term) Term {
	if len(s.imps) == 0 {
		s.refill(slabImps)
	}
	d := &s.imps[0]
	s.imps = s.imps[1:]
	*d = ImproperList{Elems: el, Tail: tail}
	return boxAt(typImp, unsafe.Pointer(d))
}

// Slab kinds for refill.
const (
	slabTerms = iota
	slabHdrs
	slabWords
	slabPIDs
	slabRefs
	slabPairs
	slabBytes
	slabImps
	slabKinds
)

// slabMax is the most slots the next slab of kind may have: base for the
// first, doubling with each further one of the same decode up to 32 times
// base. A message that needs many slabs of a kind (a list of 200,000
// tuples needs some 12,000 of 16 headers) so takes a few dozen bigger
// ones, fewer allocations and fewer objects for the collector, while a
// small message keeps small slabs and a value kept from a big one pins at
// most one slab (every size stays bounded by the remaining input too).
func (s *decState) slabMax(kind, base int) int {
	g := s.grown[kind]
	if g < 5 {
		s.grown[kind] = g + 1
	}
	return base << g
}

// The chunks hold every slab a message needs in one allocation. The first
// refill of a decode picks the smallest class for the remaining input
// (which bounds what the term can contain); sizes follow typical
// distribution traffic: {Pid, Msg} (micro), the payloads of gen_server
// and erpc calls and replies with a pid, an alias or ref and a few
// containers (tiny, small), the control terms the connection's fast path
// does not take, such as SPAWN_REQUEST with two pids, a ref and three
// containers (small), and small records and maps (medium). A message that
// outgrows a slab continues with per-kind slabs, and inputs over
// mediumChunkInput bytes use per-kind slabs only.
type microChunk struct {
	terms [2]Term
	hdrs  [1]sliceHdr
	words [1]uint64
	pids  [1]PID
}

type tinyChunk struct {
	terms [6]Term
	hdrs  [2]sliceHdr
	words [1]uint64
	pids  [1]PID
	refs  [1]Ref
	imps  [1]ImproperList // a gen_server From's [alias | Ref]
}

type smallChunk struct {
	terms [10]Term
	hdrs  [3]sliceHdr
	words [2]uint64
	pids  [2]PID
	refs  [1]Ref
	imps  [1]ImproperList
	arena [16]byte
}

// mediumChunk fits a 640-byte size class exactly; pids and refs are rarer
// in messages of this size and get their own slab when present.
type mediumChunk struct {
	terms [10]Term
	hdrs  [6]sliceHdr
	words [2]uint64
	pairs [6]Pair
	arena [120]byte
}

const (
	microChunkInput  = 32
	tinyChunkInput   = 48
	smallChunkInput  = 96
	mediumChunkInput = 256
)

// refill provides a fresh slab of the given kind. Every size is bounded by
// the remaining input (each boxed value consumes at least one input byte,
// most several) plus the containers a deep decode has open (see budget),
// so a hostile length can never make it allocate more than a small
// constant factor of the input.
func (s *decState) refill(kind int) {
	if !s.chunked {
		s.chunked = true
		switch rem := s.remaining(); {
		case rem <= microChunkInput:
			c := new(microChunk)
			s.slab, s.hdrs, s.words, s.pids = c.terms[:], c.hdrs[:], c.words[:], c.pids[:]
		case rem <= tinyChunkInput:
			c := new(tinyChunk)
			s.slab, s.hdrs, s.words = c.terms[:], c.hdrs[:], c.words[:]
			s.pids, s.refs, s.imps = c.pids[:], c.refs[:], c.imps[:]
		case rem <= smallChunkInput:
			c := new(smallChunk)
			s.slab, s.hdrs, s.words = c.terms[:], c.hdrs[:], c.words[:]
			s.pids, s.refs, s.arena = c.pids[:], c.refs[:], c.arena[:]
			s.imps = c.imps[:]
		case rem <= mediumChunkInput:
			c := new(mediumChunk)
			s.slab, s.hdrs, s.words = c.terms[:], c.hdrs[:], c.words[:]
			s.pairs, s.arena = c.pairs[:], c.arena[:]
		}
		if !s.needs(kind) {
			return
		}
	}
	rem := s.budget()
	switch kind {
	case slabHdrs:
		s.hdrs = make([]sliceHdr, bounded(rem/8+1, s.slabMax(slabHdrs, 16)))
	case slabWords:
		s.words = make([]uint64, bounded(rem/9+1, s.slabMax(slabWords, 16)))
	case slabPIDs:
		s.pids = make([]PID, bounded(rem/16+1, s.slabMax(slabPIDs, 8)))
	case slabRefs:
		s.refs = make([]Ref, bounded(rem/20+1, s.slabMax(slabRefs, 4)))
	case slabImps:
		s.imps = make([]ImproperList, bounded(rem/8+1, s.slabMax(slabImps, 4)))
	}
}

// needs reports whether the slab of kind is still empty (the chunk did
// not provide one); terms, pairs and bytes are refilled by their callers,
// which know the size they need.
func (s *decState) needs(kind int) bool {
	switch kind {
	case slabHdrs:
		return len(s.hdrs) == 0
	case slabWords:
		return len(s.words) == 0
	case slabPIDs:
		return len(s.pids) == 0
	case slabRefs:
		return len(s.refs) == 0
	case slabImps:
		return len(s.imps) == 0
	}
	return false
}

func bounded(n, max int) int {
	if n > max {
		return max
	}
	return n
}
