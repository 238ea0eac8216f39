package etf

import "testing"

// TestAtomCacheRefMemo: the decoder remembers ATOM_CACHE_REFs within one
// decode only. Alternating references decode to their own atoms, and
// a second decode with a cache that binds the same index to another atom
// (the next message's header) gets the new atom.
func TestAtomCacheRefMemo(t *testing.T) {
	atoms := benchAtoms{"ok", "error"}
	term := List{Tuple{Atom("ok"), 1}, Tuple{Atom("ok"), 2}, Tuple{Atom("error"), 3}, Tuple{Atom("ok"), 4}}
	data, err := (&Encoder{AtomCache: atoms}).AppendTerm(nil, term)
	noErr(t, err)
	d := Decoder{AtomCache: AtomRefs(atoms)}
	got, _, err := d.DecodeTerm(data)
	noErr(t, err)
	check(t, Equal(got, term), "decoded %s, want %s", Format(got), Format(term))

	d.AtomCache = AtomRefs{"done", "failed"} // the next message's header
	got, _, err = d.DecodeTerm(data)
	noErr(t, err)
	want := List{Tuple{Atom("done"), 1}, Tuple{Atom("done"), 2}, Tuple{Atom("failed"), 3}, Tuple{Atom("done"), 4}}
	check(t, Equal(got, want), "second decode %s, want %s", Format(got), Format(want))

	d.AtomCache = AtomRefs{"only"} // index 1 is now empty
	_, _, err = d.DecodeTerm(data)
	check(t, err != nil, "a reference to an empty slot after a remembered one decoded")
}

// TestAtomCacheRefMemoCollisions: indexes that share a memo slot (1 and
// 9, 2 and 10) alternate and still decode to their own atoms.
func TestAtomCacheRefMemoCollisions(t *testing.T) {
	atoms := benchAtoms{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"}
	var term List
	for i := range 40 {
		term = append(term, Tuple{Atom([]string{"a1", "a9", "a2", "a10"}[i%4]), i})
	}
	data, err := (&Encoder{AtomCache: atoms}).AppendTerm(nil, term)
	noErr(t, err)
	got, _, err := (&Decoder{AtomCache: AtomRefs(atoms)}).DecodeTerm(data)
	noErr(t, err)
	check(t, Equal(got, term), "decoded %s, want %s", Format(got), Format(term))
}
