// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"sync"
	"unicode/utf8"
)

// Encoder encodes terms into the External Term Format, choosing the same
// encodings ERTS does (term_to_binary with {minor_version, 2}, and the dist
// encoder with UTF8_ATOMS). The zero value is ready to use and an Encoder is
// safe for concurrent use if its AtomCache is.
type Encoder struct {
	// AtomCache, if set, is asked about every atom (including node names
	// of pids, ports and refs); atoms it knows are emitted as
	// ATOM_CACHE_REF.
	AtomCache AtomCacheEncoder
	// Latin1Atoms emits atoms representable in Latin-1 as ATOM_EXT (100),
	// like term_to_binary with minor_version 0 or 1 (the OTP 25 default).
	// Peers that do not announce UTF8_ATOMS need it.
	Latin1Atoms bool
	// MaxDepth bounds nesting; zero means DefaultLimits.MaxDepth, which
	// is unlimited, as in the Erlang VM: past a few dozen levels the
	// encoder keeps its state on the heap, not the Go stack, and it
	// reports a cyclic Go value (a Tuple that contains itself) as
	// ErrInvalidTerm instead of looping.
	MaxDepth int
	// SortMaps emits the pairs of maps with at most 32 keys in Erlang's
	// map-key order, as ERTS does, so that a term built in Go encodes to
	// exactly the bytes term_to_binary would produce (deterministic
	// output). It costs a sort per unsorted map; larger maps, whose ERTS
	// order comes from its internal hashing, keep their order.
	SortMaps bool
	// Registry, if set, encodes the Go values registered in it with their
	// registered shapes (Elixir structs, records, tagged values) through
	// their compiled codecs, before the reflection path sees them; other
	// values keep the default mapping.
	Registry *Registry
}

// AppendTerm appends the encoding of t, WITHOUT the 131 version byte, to dst
// using a zero Encoder.
func AppendTerm(dst []byte, t Term) ([]byte, error) {
	var e Encoder
	return e.AppendTerm(dst, t)
}

// Encode encodes t as a standalone term: 131 followed by the term.
func Encode(t Term) ([]byte, error) {
	var e Encoder
	return e.Encode(t)
}

// Encode encodes t as a standalone term: 131 followed by the term.
//
// The term is written into a pooled scratch buffer and copied into one
// exactly sized result, so a call costs one allocation instead of the
// chain of reallocations that growing a fresh buffer from one byte takes.
func (e *Encoder) Encode(t Term) ([]byte, error) {
	bp := scratchPool.Get().(*[]byte)
	buf, err := e.AppendTerm(append((*bp)[:0], TagVersion), t)
	var out []byte
	if err == nil {
		out = append([]byte(nil), buf...)
	}
	if cap(buf) <= maxPooledScratch {
		*bp = buf[:0]
		scratchPool.Put(bp)
	}
	return out, err
}

// maxPooledScratch keeps one huge term from pinning a huge buffer in the
// pool.
const maxPooledScratch = 64 << 10

var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// AppendTerm appends the encoding of t, WITHOUT the 131 version byte, to
// dst. On error dst is returned unchanged in length.
func (e *Encoder) AppendTerm(dst []byte, t Term) ([]byte, error) {
	n := len(dst)
	out, err := e.append(dst, t, 0)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

func (e *Encoder) maxDepth() int {
	if e.MaxDepth > 0 {
		return e.MaxDepth
	}
	return DefaultLimits.MaxDepth
}

func (e *Encoder) append(dst []byte, t Term, depth int) ([]byte, error) {
	switch x := t.(type) {
	case Atom:
		return e.appendAtom(dst, x)
	case int:
		return appendInt(dst, int64(x)), nil
	case Tuple:
		return e.appendTuple(dst, x, depth)
	case List:
		return e.appendList(dst, x, depth)
	case []byte:
		return appendBinary(dst, x), nil
	case string:
		dst = appendHeader32(dst, TagBinary, len(x))
		return append(dst, x...), nil
	case Map:
		return e.appendMap(dst, x, depth)
	case PID:
		return e.appendPID(dst, x)
	case Ref:
		return e.appendRef(dst, x)
	case Alias:
		return e.appendRef(dst, Ref(x))
	case nil:
		return append(dst, TagNil), nil
	case bool:
		return e.appendAtom(dst, boolAtom(x))
	case float64:
		return appendFloat(dst, x)
	}
	return e.appendRare(dst, t, depth)
}

// appendRare is append for the kinds of terms that messages seldom carry.
// Kept out of append, whose frame every level of a nested term pays (it
// was 456 bytes with every case's value in it), and whose type switch
// the common kinds then get through sooner.
func (e *Encoder) appendRare(dst []byte, t Term, depth int) ([]byte, error) {
	switch x := t.(type) {
	case float32:
		return appendFloat(dst, float64(x))
	case uint:
		return appendUint(dst, uint64(x)), nil
	case uint64:
		return appendUint(dst, x), nil
	case *big.Int:
		if x == nil {
			return dst, fmt.Errorf("%w: nil *big.Int", ErrInvalidTerm)
		}
		return appendBig(dst, x), nil
	case big.Int:
		return appendBig(dst, &x), nil
	case Charlist:
		return e.appendCharlist(dst, x), nil
	case []any:
		return e.appendList(dst, List(x), depth)
	case ImproperList:
		return e.appendImproper(dst, x, depth)
	case BitString:
		return appendBitString(dst, x)
	case Port:
		return e.appendPort(dst, x)
	case Export:
		return e.appendExport(dst, x)
	case Fun:
		return e.appendFun(dst, x, depth)
	}
	if v, ok := smallInt(t); ok { // the other fixed-size Go integers
		return appendInt(dst, v), nil
	}
	if e.Registry != nil {
		if out, ok, err := e.Registry.appendRegistered(*e, dst, t, depth); ok {
			return out, err
		}
	}
	// The reflection path keeps its Encoder in a heap-allocated state; hand
	// it a copy so that e itself does not escape and the package-level
	// AppendTerm/Encode (zero Encoder on the stack) stay allocation-free.
	ec := *e
	return ec.appendOther(dst, t)
}

func appendHeader32(dst []byte, tag byte, n int) []byte {
	return append(dst, tag, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendU32(dst []byte, v uint32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// appendInt chooses SMALL_INTEGER, INTEGER or SMALL_BIG like ERTS.
func appendInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 255:
		return append(dst, TagSmallInteger, byte(v))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return appendHeader32(dst, TagInteger, int(uint32(int32(v))))
	case v < 0:
		return appendSmallBig(dst, 1, uint64(-v)) // -MinInt64 wraps to itself: correct magnitude
	}
	return appendSmallBig(dst, 0, uint64(v))
}

func appendUint(dst []byte, v uint64) []byte {
	if v <= math.MaxInt64 {
		return appendInt(dst, int64(v))
	}
	return appendSmallBig(dst, 0, v)
}

func appendSmallBig(dst []byte, sign byte, mag uint64) []byte {
	n := (bitsLen(mag) + 7) / 8
	dst = append(dst, TagSmallBig, byte(n), sign)
	for i := 0; i < n; i++ {
		dst = append(dst, byte(mag>>(8*i)))
	}
	return dst
}

func bitsLen(v uint64) int {
	n := 0
	for v != 0 {
		n++
		v >>= 1
	}
	return n
}

func appendBig(dst []byte, x *big.Int) []byte {
	if x.IsInt64() {
		return appendInt(dst, x.Int64())
	}
	mag := x.Bytes() // big-endian magnitude
	sign := byte(0)
	if x.Sign() < 0 {
		sign = 1
	}
	if len(mag) <= 255 {
		dst = append(dst, TagSmallBig, byte(len(mag)), sign)
	} else {
		dst = appendHeader32(dst, TagLargeBig, len(mag))
		dst = append(dst, sign)
	}
	for i := len(mag) - 1; i >= 0; i-- {
		dst = append(dst, mag[i])
	}
	return dst
}

func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%w: non-finite float %v", ErrInvalidTerm, f)
	}
	dst = append(dst, TagNewFloat)
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(f)), nil
}

func appendBinary(dst []byte, b []byte) []byte {
	dst = appendHeader32(dst, TagBinary, len(b))
	return append(dst, b...)
}

func appendBitString(dst []byte, b BitString) ([]byte, error) {
	if len(b.Bytes) == 0 {
		if b.Bits == 0 || b.Bits == 8 {
			return appendBinary(dst, nil), nil
		}
		return dst, fmt.Errorf("%w: bitstring with no bytes but %d bits", ErrInvalidTerm, b.Bits)
	}
	if b.Bits < 1 || b.Bits > 8 {
		return dst, fmt.Errorf("%w: bitstring Bits %d outside 1..8", ErrInvalidTerm, b.Bits)
	}
	if b.Bits == 8 {
		return appendBinary(dst, b.Bytes), nil
	}
	dst = appendHeader32(dst, TagBitBinary, len(b.Bytes))
	dst = append(dst, b.Bits)
	dst = append(dst, b.Bytes...)
	dst[len(dst)-1] &= byte(0xFF << (8 - b.Bits))
	return dst, nil
}

// appendAtom emits SMALL_ATOM_UTF8/ATOM_UTF8 (or the Latin-1 forms when
// asked), or an atom cache reference.
func (e *Encoder) appendAtom(dst []byte, a Atom) ([]byte, error) {
	if e.AtomCache != nil {
		if idx, ok := e.AtomCache.AtomRef(a); ok {
			if idx < 0 || idx > 255 {
				return dst, fmt.Errorf("%w: atom cache index %d out of range", ErrInvalidTerm, idx)
			}
			return append(dst, TagAtomCacheRef, byte(idx)), nil
		}
	}
	n := len(a)
	ascii := true
	for i := 0; i < n; i++ {
		if a[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		if !utf8.ValidString(string(a)) {
			return dst, fmt.Errorf("%w: atom %q is not valid UTF-8", ErrInvalidTerm, string(a))
		}
		if utf8.RuneCountInString(string(a)) > 255 {
			return dst, fmt.Errorf("%w: atom longer than 255 characters", ErrInvalidTerm)
		}
		if e.Latin1Atoms && isLatin1(a) {
			return appendLatin1Atom(dst, a), nil
		}
	} else if n > 255 {
		return dst, fmt.Errorf("%w: atom longer than 255 characters", ErrInvalidTerm)
	} else if e.Latin1Atoms {
		dst = append(dst, TagAtom, 0, byte(n))
		return append(dst, a...), nil
	}
	if n <= 255 {
		dst = append(dst, TagSmallAtomUTF8, byte(n))
	} else {
		dst = append(dst, TagAtomUTF8, byte(n>>8), byte(n))
	}
	return append(dst, a...), nil
}

func isLatin1(a Atom) bool {
	for _, r := range string(a) {
		if r > 255 {
			return false
		}
	}
	return true
}

func appendLatin1Atom(dst []byte, a Atom) []byte {
	n := utf8.RuneCountInString(string(a))
	dst = append(dst, TagAtom, byte(n>>8), byte(n))
	for _, r := range string(a) {
		dst = append(dst, byte(r))
	}
	return dst
}
