// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"encoding/binary"
	"math"
)

// Limits bounds the resources a single Decode may use. Zero fields take the
// value of DefaultLimits; a negative field disables that limit (not
// recommended for input from the network).
//
// The defaults accept every term an Erlang/OTP 25 node can produce: safety
// on hostile input comes from checking every length against the bytes that
// remain (so memory stays proportional to the input) and from the size
// caps below, never from a nesting limit lower than the VM's, which has
// none. A term that exceeds a limit fails with ErrTooDeep or ErrTooLarge;
// see those errors for what that says about the rest of the input.
type Limits struct {
	// MaxDepth bounds nesting of tuples, lists, maps and funs. The default
	// is unlimited: decoding is iterative past a few dozen levels, so
	// depth costs heap memory proportional to the input, not Go stack.
	MaxDepth int
	// MaxTerms bounds the number of terms in one decode.
	MaxTerms int
	// MaxAtomLen bounds atom length in characters (Erlang's own limit,
	// 255, can only be lowered).
	MaxAtomLen int
	// MaxUncompressed bounds the inflated size of a compressed term.
	MaxUncompressed int
	// MaxBigDigits bounds the byte length of SMALL_BIG/LARGE_BIG integers.
	// The default is the VM's own maximum (MaxVMBigDigits).
	MaxBigDigits int
}

// MaxVMBigDigits is the largest big integer, in bytes of magnitude, that
// an Erlang VM on a 64-bit host can hold: ERTS limits a bignum to
// BIG_ARITY_MAX = (1<<19)-1 digit words (erts/emulator/beam/erl_term.h),
// 8 bytes each, and raises system_limit beyond (OTP 25.2: 1 bsl 33554367
// is the largest power of two, binary_to_term accepts a LARGE_BIG_EXT of
// 4194296 bytes and rejects 4194297).
const MaxVMBigDigits = ((1 << 19) - 1) * 8

// DefaultLimits holds the limits used for zero Limits fields. Treat it as
// read-only.
var DefaultLimits = Limits{
	MaxDepth:        math.MaxInt,
	MaxTerms:        16 << 20,
	MaxAtomLen:      255,
	MaxUncompressed: 64 << 20,
	MaxBigDigits:    MaxVMBigDigits,
}

func (l Limits) resolve() Limits {
	if l == (Limits{}) {
		// The common case (a zero Decoder): every field is the default,
		// so skip the per-field work; same clamp as below.
		r := DefaultLimits
		r.MaxAtomLen = min(r.MaxAtomLen, 255)
		return r
	}
	return l.resolveFields()
}

func (l Limits) resolveFields() Limits {
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return math.MaxInt
		}
		return v
	}
	r := Limits{
		MaxDepth:        pick(l.MaxDepth, DefaultLimits.MaxDepth),
		MaxTerms:        pick(l.MaxTerms, DefaultLimits.MaxTerms),
		MaxAtomLen:      pick(l.MaxAtomLen, DefaultLimits.MaxAtomLen),
		MaxUncompressed: pick(l.MaxUncompressed, DefaultLimits.MaxUncompressed),
		MaxBigDigits:    pick(l.MaxBigDigits, DefaultLimits.MaxBigDigits),
	}
	if r.MaxAtomLen > 255 {
		r.MaxAtomLen = 255
	}
	return r
}

// Decoder decodes External Term Format data into terms. The zero value is
// ready to use; a Decoder holds no per-call state and is safe for
// concurrent use if its AtomCache is.
type Decoder struct {
	// AtomCache resolves ATOM_CACHE_REF tags; nil rejects them.
	AtomCache AtomCacheDecoder
	// Limits bounds resource use; zero fields mean DefaultLimits.
	Limits Limits
	// ShareBinaries makes decoded binaries and bitstrings alias the input
	// instead of copying it. Only safe if the input is never modified
	// while the term is in use.
	ShareBinaries bool
}

// Decode decodes one standalone term (starting with the 131 version byte,
// possibly compressed) using a zero Decoder.
func Decode(b []byte) (Term, error) {
	var d Decoder
	return d.Decode(b)
}

// Decode decodes one standalone term: the 131 version byte, then a term or a
// compressed term (tag 80). Bytes after the term are an error (ErrTrailing).
func (d *Decoder) Decode(b []byte) (Term, error) {
	if len(b) == 0 {
		return nil, &DecodeError{Offset: 0, Err: ErrTruncated, Msg: "empty input"}
	}
	if b[0] != TagVersion {
		return nil, &DecodeError{Offset: 0, Tag: b[0], Err: ErrMalformed, Msg: "missing version byte 131"}
	}
	lim := d.Limits.resolve()
	if len(b) > 1 && b[1] == TagCompressed {
		raw, err := inflate(b, lim.MaxUncompressed)
		if err != nil {
			return nil, err
		}
		// raw is ours and never reused, so binaries may alias it (a kept
		// binary then keeps the payload alive, like an ERTS sub-binary).
		s := decState{b: raw, lim: lim, deepAt: deepAt(lim), cache: d.AtomCache, share: true}
		t, err := s.decode(0)
		if err != nil {
			if de, ok := err.(*DecodeError); ok {
				de.Msg += " (in compressed payload)"
			}
			return nil, err
		}
		if s.pos != len(raw) {
			return nil, &DecodeError{Offset: s.pos, Err: ErrTrailing, Msg: "trailing bytes in compressed payload"}
		}
		return t, nil
	}
	s := decState{b: b, pos: 1, lim: lim, deepAt: deepAt(lim), cache: d.AtomCache, share: d.ShareBinaries}
	t, err := s.decode(0)
	if err != nil {
		return nil, err
	}
	if s.pos != len(b) {
		return nil, &DecodeError{Offset: s.pos, Err: ErrTrailing, Msg: "trailing bytes"}
	}
	return t, nil
}

// DecodeTerm decodes one term that is NOT preceded by the version byte, as
// found after a distribution header. It returns the term and the number of
// bytes consumed; bytes after the term are left for the caller.
func (d *Decoder) DecodeTerm(b []byte) (t Term, n int, err error) {
	lim := d.Limits.resolve()
	s := decState{b: b, lim: lim, deepAt: deepAt(lim), cache: d.AtomCache, share: d.ShareBinaries}
	t, err = s.decode(0)
	if err != nil {
		return nil, 0, err
	}
	return t, s.pos, nil
}

// decState is the state of one decode. The decoder recurses once per
// nesting level up to deepAt, then continues iteratively (decode_deep.go);
// every count read from the wire is checked against the remaining bytes
// before anything is allocated from it.
type decState struct {
	b      []byte
	pos    int
	lim    Limits
	deepAt int // depth at which decode hands over to decodeDeep
	// pending is the number of containers decodeDeep has open; each will
	// still take a slot or two of the slabs (see budget).
	pending int
	cache   AtomCacheDecoder
	// cacheRefs and cacheAtoms remember ATOM_CACHE_REFs seen in this decode, by
	// index modulo 4 (cacheRefs holds index+1, 0: none): a message's cache
	// entries do not change while it is decoded, and a long list of
	// records repeats the same few atoms, which then cost neither the
	// cache lookup nor interning.
	cacheRefs  [4]uint16
	cacheAtoms [4]Term
	share      bool
	terms      int
	// Slabs that decoded values are carved from (see decode_box.go).
	chunked bool
	slab    []Term
	hdrs    []sliceHdr
	words   []uint64
	pids    []PID
	refs    []Ref
	pairs   []Pair
	imps    []ImproperList
	arena   []byte
	// grown counts the per-kind slabs allocated so far (see slabMax).
	grown [slabKinds]uint8
}

func (s *decState) fail(off int, tag byte, err error, msg string) error {
	return &DecodeError{Offset: off, Tag: tag, Err: err, Msg: msg}
}

// need checks that n more bytes are available.
func (s *decState) need(n int, tag byte, what string) error {
	if n < 0 || len(s.b)-s.pos < n {
		return s.fail(s.pos, tag, ErrTruncated, what)
	}
	return nil
}

func (s *decState) remaining() int { return len(s.b) - s.pos }

// budget sizes slabs: the remaining input, which bounds what is still to
// be decoded, plus what the containers decodeDeep has open will need
// when they close (every one of them consumed input bytes too, so this
// stays proportional to the input).
func (s *decState) budget() int { return len(s.b) - s.pos + 16*s.pending }

func (s *decState) u8() byte { v := s.b[s.pos]; s.pos++; return v }

func (s *decState) u16() int {
	v := binary.BigEndian.Uint16(s.b[s.pos:])
	s.pos += 2
	return int(v)
}

func (s *decState) u32() uint32 {
	v := binary.BigEndian.Uint32(s.b[s.pos:])
	s.pos += 4
	return v
}

// elems returns a slice of n term slots. Small slices are carved from a
// shared slab to save allocations: first the message's chunk (see
// decode_box.go), then slabs sized from the remaining input (every element
// needs at least one byte), so memory stays within a small constant factor
// of the input; a chunk or slab stays alive as long as any value carved
// from it does.
func (s *decState) elems(n int) []Term {
	if n == 0 {
		return []Term{}
	}
	if n > len(s.slab) && !s.chunked {
		s.refill(slabTerms)
	}
	if n > len(s.slab) {
		if n >= 16 {
			return make([]Term, n)
		}
		s.slab = make([]Term, bounded(n+s.budget()/16, s.slabMax(slabTerms, 64)))
	}
	r := s.slab[:n:n]
	s.slab = s.slab[n:]
	return r
}

// bytes returns the next n input bytes: the input itself with
// ShareBinaries, else a copy. Small copies share an arena, sized like the
// element slab from the remaining input.
func (s *decState) bytes(n int) []byte {
	src := s.b[s.pos : s.pos+n : s.pos+n]
	s.pos += n
	if s.share {
		return src
	}
	if n == 0 {
		return []byte{}
	}
	if n > len(s.arena) && !s.chunked {
		s.refill(slabBytes)
	}
	if n > len(s.arena) {
		if n > 64 {
			out := make([]byte, n)
			copy(out, src)
			return out
		}
		s.arena = make([]byte, bounded(n+s.remaining()/2, s.slabMax(slabBytes, 512)))
	}
	out := s.arena[:n:n]
	s.arena = s.arena[n:]
	copy(out, src)
	return out
}

// deepAt returns the depth at which decoding leaves the recursive fast
// path: deepSwitch, or just past a lower MaxDepth so that the one check
// there also enforces the limit.
func deepAt(lim Limits) int {
	if lim.MaxDepth < deepSwitch {
		return lim.MaxDepth + 1
	}
	return deepSwitch
}

// decode decodes the term at s.pos.
func (s *decState) decode(depth int) (Term, error) {
	if depth >= s.deepAt {
		return s.decodeDeep(depth)
	}
	s.terms++
	if s.terms > s.lim.MaxTerms {
		return nil, s.fail(s.pos, 0, ErrTooLarge, "term count limit exceeded")
	}
	if s.pos >= len(s.b) {
		return nil, s.fail(s.pos, 0, ErrTruncated, "missing tag")
	}
	start := s.pos
	tag := s.b[s.pos]
	s.pos++
	switch tag {
	case TagSmallInteger:
		if err := s.need(1, tag, "small integer"); err != nil {
			return nil, err
		}
		return int(s.u8()), nil
	case TagInteger:
		if err := s.need(4, tag, "integer"); err != nil {
			return nil, err
		}
		return s.boxInt(int(int32(s.u32()))), nil
	case TagNewFloat:
		return s.newFloat(start)
	case TagFloat:
		return s.oldFloat(start)
	case TagSmallAtomUTF8:
		// Fast path for the common short ASCII atom; anything else takes
		// the general path, which re-reads from start.
		if s.pos < len(s.b) {
			n := int(s.b[s.pos])
			if end := s.pos + 1 + n; end <= len(s.b) && n <= s.lim.MaxAtomLen {
				if raw := s.b[s.pos+1 : end]; isASCII(raw) {
					s.pos = end
					return internAtom(raw), nil
				}
			}
		}
		s.pos = start
		return s.atom()
	case TagAtomCacheRef:
		// A reference seen before in this decode (see cacheRefs) skips atom().
		if s.pos < len(s.b) {
			if idx := s.b[s.pos]; s.cacheRefs[idx&3] == uint16(idx)+1 {
				s.pos++
				return s.cacheAtoms[idx&3], nil
			}
		}
		s.pos = start
		return s.atom()
	case TagAtomUTF8, TagAtom, TagSmallAtom:
		s.pos = start
		return s.atom()
	case TagSmallTuple, TagLargeTuple:
		return s.tuple(start, tag, depth)
	case TagNil:
		return List(nil), nil
	case TagString:
		return s.str()
	case TagList:
		return s.list(start, depth)
	case TagBinary:
		return s.binary()
	case TagBitBinary:
		return s.bitBinary(start)
	case TagSmallBig, TagLargeBig:
		return s.big(start, tag)
	case TagMap:
		return s.mapTerm(start, depth)
	case TagNewPID, TagPID:
		return s.pid(start, tag)
	case TagNewPort, TagV4Port, TagPort:
		return s.port(start, tag)
	case TagNewerReference, TagNewReference, TagReference:
		return s.ref(start, tag)
	case TagNewFun:
		return s.fun(start, depth)
	case TagExport:
		return s.export(start)
	}
	return nil, s.badTag(start, tag)
}

// newFloat decodes NEW_FLOAT_EXT; BEAM has no NaN or infinity.
func (s *decState) newFloat(start int) (Term, error) {
	if err := s.need(8, TagNewFloat, "float"); err != nil {
		return nil, err
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(s.b[s.pos:]))
	s.pos += 8
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, s.fail(start, TagNewFloat, ErrMalformed, "non-finite float")
	}
	return s.boxFloat(f), nil
}

// tuple decodes SMALL_TUPLE_EXT and LARGE_TUPLE_EXT.
func (s *decState) tuple(start int, tag byte, depth int) (Term, error) {
	var n int
	if tag == TagSmallTuple {
		if err := s.need(1, tag, "tuple arity"); err != nil {
			return nil, err
		}
		n = int(s.u8())
	} else {
		if err := s.need(4, tag, "tuple arity"); err != nil {
			return nil, err
		}
		n = int(s.u32())
	}
	if n > s.remaining() {
		return nil, s.fail(start, tag, ErrTruncated, "tuple arity exceeds input")
	}
	el := s.elems(n)
	for i := range el {
		t, err := s.decode(depth + 1)
		if err != nil {
			return nil, err
		}
		el[i] = t
	}
	return boxSlice(s, typTuple, el), nil
}

// str decodes STRING_EXT (a list of bytes) as a Charlist.
func (s *decState) str() (Term, error) {
	if err := s.need(2, TagString, "string length"); err != nil {
		return nil, err
	}
	n := s.u16()
	if err := s.need(n, TagString, "string bytes"); err != nil {
		return nil, err
	}
	if n == 0 {
		return List(nil), nil
	}
	return s.charlist(n), nil
}

// binary decodes BINARY_EXT.
func (s *decState) binary() (Term, error) {
	if err := s.need(4, TagBinary, "binary length"); err != nil {
		return nil, err
	}
	n := int(s.u32())
	if err := s.need(n, TagBinary, "binary bytes"); err != nil {
		return nil, err
	}
	return boxSlice(s, typBytes, s.bytes(n)), nil
}

// badTag is the error for a tag that cannot appear inside a term.
func (s *decState) badTag(start int, tag byte) error {
	switch tag {
	case TagCompressed:
		return s.fail(start, tag, ErrMalformed, "compressed term below top level")
	case TagFun:
		return s.fail(start, tag, ErrUnsupported, "FUN_EXT was removed in OTP 23")
	case TagLocal:
		return s.fail(start, tag, ErrUnsupported, "LOCAL_EXT is node-local and cannot be decoded")
	case TagVersion:
		return s.fail(start, tag, ErrMalformed, "unexpected version byte inside term")
	}
	return s.fail(start, tag, ErrUnsupported, "unknown tag")
}
