// Package box builds interface values around a pointer to a value that is
// stored elsewhere, without the allocation of a private copy that a
// conversion to an interface makes. It is the one place for that trick,
// used by etf's decoder (values carved from slabs) and by node's Call
// (every term of a request in one allocation). It imports nothing.
//
// Storing a non-pointer-shaped value (a slice, a struct, a float64, most
// ints) in an interface normally allocates a copy; the interface is then
// (type word, pointer to that immutable copy). At builds the same pair
// around a pointer the caller provides, so the runtime cannot tell the
// result from a conversion, on two conditions the caller must keep: the
// type's interface data word is a pointer to the value (true for slices
// and for structs and scalars that are not pointer-shaped), and the value
// at p is written once, before the interface exists, and never again.
package box

import "unsafe"

// eface mirrors the runtime layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// TypeWord returns the type word of v's dynamic type, to pass to At.
func TypeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// At returns the interface of dynamic type typ (from TypeWord) whose value
// is stored at p. The value at p must never be modified afterwards.
func At(typ, p unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}
