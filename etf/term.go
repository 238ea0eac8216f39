// Package etf implements Erlang's External Term Format: the term vocabulary
// shared by every erlgo layer (Atom, Tuple, List, Map, PID, Ref, ...), a fast
// term-level Encoder/Decoder used by the distribution layer, and a
// reflection layer (Marshal/Unmarshal) mapping terms to Go values in the
// spirit of encoding/json.
//
// Decoding into a Term yields these Go types:
//
//	atom              Atom (true/false stay Atom("true")/Atom("false"))
//	small int/int/big int   int when it fits in int64, *big.Int otherwise
//	float             float64
//	binary            []byte (alias Binary)
//	bitstring         BitString
//	[] and proper list List (nil slice for [])
//	improper list     ImproperList
//	string (STRING_EXT) Charlist
//	tuple             Tuple
//	map               Map (ordered pairs, any key type)
//	pid / port / ref  PID / Port / Ref
//	fun / export      Fun / Export
//
// Old encodings (PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT,
// FLOAT_EXT, Latin-1 ATOM_EXT/SMALL_ATOM_EXT) decode into the same types.
// A list whose tail is a list is merged as ERTS does, and BIT_BINARY_EXT
// with 8 used bits is a plain binary.
//
// # Codec
//
// Decode/Encode handle standalone terms (leading 131, optionally
// compressed); Decoder.DecodeTerm and Encoder.AppendTerm handle the bare
// terms that follow a distribution header, with ATOM_CACHE_REF resolved
// through AtomCacheDecoder/AtomCacheEncoder. The encoder chooses the
// encodings ERTS 25 does (SMALL_INTEGER/INTEGER/SMALL_BIG/LARGE_BIG,
// STRING_EXT for short byte lists, NEW_PID, NEW_PORT or V4_PORT,
// NEWER_REFERENCE, UTF-8 atoms), so re-encoding what ERTS produced gives
// ERTS's bytes, except for maps over 32 keys, whose order ERTS derives
// from its internal hashing; with Encoder.SortMaps, maps built in Go in any
// order encode to term_to_binary's bytes too. Go strings encode as binaries; besides the
// term types the encoder accepts bool, every Go integer size, *big.Int,
// float32/float64, []any and nil ([]); other Go values go through the
// reflection layer (Marshal).
//
// Decoding is safe on hostile input: every length is checked against the
// remaining bytes before anything is allocated, term count, atom length,
// big integer size and inflated size are bounded by Limits (by default
// exactly as far as the Erlang VM goes), duplicate map keys and non-finite
// floats are rejected, and every failure is a *DecodeError that matches
// ErrMalformed and one specific sentinel. Nesting has no default limit:
// like ERTS, the decoder and encoder handle terms of any depth (a
// 1,000,000-deep list included) with a heap stack, so memory grows with
// the input, never the Go stack. Equal, Compare, HashTerm and Format are
// safe on such terms too; the reflection layer (Convert, Unmarshal,
// Marshal) reports Go values nested deeper than 4096 levels as an error.
//
// Equal (=:=), HashTerm (consistent with Equal), Compare (Erlang term
// order) and Format (Erlang syntax) work on any of the Go shapes a term can
// take. Tuple, List, ImproperList, Map, BitString, Export and Fun implement
// fmt.Formatter with Format, so %v and %s print them as Erlang does ({a,1},
// #{k => v}) while %#v keeps Go syntax.
//
// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html
package etf

import (
	"fmt"
	"log/slog"
	"math/big"
	"strings"
)

// Term is any Erlang term. See the package documentation for the Go types a
// decoded term can hold.
type Term = any

// Atom is an Erlang atom. Atoms are at most 255 characters.
type Atom string

// Tuple is an Erlang tuple.
type Tuple []Term

// List is a proper Erlang list. The empty list [] is a nil or empty List.
type List []Term

// ImproperList is a list whose tail is not []: [a, b | Tail].
// OTP 24+ uses one as the gen_server call tag: [alias | Ref].
type ImproperList struct {
	Elems []Term
	Tail  Term
}

// Charlist is an Erlang string: a list of Unicode code points. STRING_EXT
// decodes to a Charlist; a Charlist encodes as STRING_EXT when every code
// point is at most 255 and it has at most 65535 of them, else as a LIST_EXT
// of integers.
type Charlist string

// Binary is an Erlang binary (an Elixir string). It is an alias for []byte
// so that decoded binaries need no conversion.
type Binary = []byte

// BitString is a binary whose length is not a whole number of bytes. Bits
// is the number of bits used in the last byte of Bytes (1..8), counted from
// the most significant bit.
type BitString struct {
	Bytes []byte
	Bits  uint8
}

// Pair is one key/value association of a Map.
type Pair struct {
	Key   Term
	Value Term
}

// Map is an Erlang map. It is a slice of pairs rather than a Go map because
// Erlang map keys can be any term (tuples, lists, maps), which Go maps
// cannot hold. Order is not significant; keys are unique.
type Map []Pair

// Get returns the value stored under key, comparing keys with Equal.
func (m Map) Get(key Term) (Term, bool) {
	for _, p := range m {
		if Equal(p.Key, key) {
			return p.Value, true
		}
	}
	return nil, false
}

// PID is an Erlang process identifier.
type PID struct {
	Node     Atom
	ID       uint32
	Serial   uint32
	Creation uint32
}

// String formats the pid like Erlang's local view <0.ID.Serial>, followed by
// the node so that pids of different nodes stay distinguishable.
func (p PID) String() string {
	return fmt.Sprintf("<%s.%d.%d>", p.Node, p.ID, p.Serial)
}

// LogValue implements slog.LogValuer.
func (p PID) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Port is an Erlang port identifier.
type Port struct {
	Node     Atom
	ID       uint64
	Creation uint32
}

// String formats the port like Erlang: #Port<Node.ID>.
func (p Port) String() string { return fmt.Sprintf("#Port<%s.%d>", p.Node, p.ID) }

// LogValue implements slog.LogValuer.
func (p Port) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Ref is an Erlang reference. ID holds up to five 32-bit words; Len says how
// many are used (3 for plain refs, up to 5 for process-bound refs and
// aliases on OTP 24+). Ref is comparable, so it can key Go maps.
type Ref struct {
	Node     Atom
	Creation uint32
	Len      uint8
	ID       [5]uint32
}

// String formats the ref like Erlang: #Ref<Node.W2.W1.W0> (words printed
// most significant first).
func (r Ref) String() string {
	var b strings.Builder
	b.WriteString("#Ref<")
	b.WriteString(string(r.Node))
	for i := int(r.Len) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, ".%d", r.ID[i])
	}
	b.WriteByte('>')
	return b.String()
}

// LogValue implements slog.LogValuer.
func (r Ref) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Alias is a process alias (OTP 24+): a reference that routes messages to the
// process that created it while it is active. On the wire it is a Ref.
type Alias Ref

// String formats the alias like its reference.
func (a Alias) String() string { return Ref(a).String() }

// LogValue implements slog.LogValuer.
func (a Alias) LogValue() slog.Value { return slog.StringValue(a.String()) }

// Export is an external fun: fun Module:Function/Arity.
type Export struct {
	Module   Atom
	Function Atom
	Arity    uint8
}

// Fun is a local fun (NEW_FUN_EXT). Go cannot run it; it is kept whole so it
// can be sent back to a BEAM node unchanged.
type Fun struct {
	Arity    uint8
	Uniq     [16]byte
	Index    uint32
	Module   Atom
	OldIndex Term
	OldUniq  Term
	Pid      PID
	FreeVars []Term
}

// BigInt returns x as a term: an int when it fits, else x itself.
func BigInt(x *big.Int) Term {
	if x.IsInt64() {
		return int(x.Int64())
	}
	return x
}
