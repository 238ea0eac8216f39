// Spec: External Term Format / Distribution Header, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html#distribution-header

package etf

import "sync/atomic"

// AtomCacheDecoder resolves ATOM_CACHE_REF (tag 82) indexes. The
// distribution layer implements it per message from the dist header's atom
// cache references.
type AtomCacheDecoder interface {
	// AtomRef returns the atom the current header binds to index, or false
	// if the index is out of range or the slot is empty.
	AtomRef(index int) (Atom, bool)
}

// AtomTermCache is an optional interface of an AtomCacheDecoder whose
// entries hold their atom boxed as a Term once, when cached: a reference
// then decodes without interning the atom's text again. AtomRefTerm
// returns false where it has no such Term; the decoder then falls back to
// AtomRef.
type AtomTermCache interface {
	AtomRefTerm(index int) (Term, bool)
}

// AtomRefs is the simplest AtomCacheDecoder: the header's atoms in order.
type AtomRefs []Atom

// AtomRef implements AtomCacheDecoder.
func (r AtomRefs) AtomRef(index int) (Atom, bool) {
	if index < 0 || index >= len(r) {
		return "", false
	}
	return r[index], true
}

// AtomCacheEncoder lets the distribution layer replace atoms by references
// into the dist header's atom cache. If AtomRef returns ok, the encoder emits
// ATOM_CACHE_REF (82) with that index instead of the atom.
type AtomCacheEncoder interface {
	AtomRef(a Atom) (index int, ok bool)
}

// Atom interning.
//
// Converting wire bytes to an Atom allocates, and boxing the Atom into a
// Term allocates again; on the distribution hot path most atoms repeat
// (module names, tags, node names). internAtom keeps a small fixed-size,
// direct-mapped table of boxed atoms. It is bounded (atoms are a DoS
// vector: a peer can thrash it but never grow it), lock-free, and purely a
// cache: its content never changes what a decode returns, so sharing it
// between nodes in one process is harmless.

const (
	internSlots  = 1 << 11
	internMaxLen = 64 // longer atoms are rare; not worth caching
)

type internEntry struct {
	a Atom
	t Term // a, already boxed
}

var internTable [internSlots]atomic.Pointer[internEntry]

// internAtom returns the boxed atom whose UTF-8 text is b. b must already be
// validated.
func internAtom[T ~string | ~[]byte](b T) Term {
	if len(b) > internMaxLen {
		return Atom(b)
	}
	h := uint32(2166136261)
	for i := 0; i < len(b); i++ {
		h ^= uint32(b[i])
		h *= 16777619
	}
	slot := &internTable[h&(internSlots-1)]
	if e := slot.Load(); e != nil && string(e.a) == string(b) {
		return e.t
	}
	a := Atom(b)
	e := &internEntry{a: a, t: a}
	slot.Store(e)
	return e.t
}
