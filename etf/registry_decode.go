package etf

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"time"
)

// The bytes path: registered values decoded straight from the wire into
// the Go value, without building the term first. It reads only the
// encodings ERTS and our encoder produce for these shapes (keys in term
// order, so __struct__ first for lower-case keys); anything else, a
// misfit included, is handed to the term path (Decoder, then FromTerm),
// which also produces the detailed errors. Both paths give the same
// result (FuzzRegistryDecode checks).

// errSlow sends a decode to the term path.
var errSlow = errors.New("etf: registry bytes path declined")

// byteDec reads one term from b.
type byteDec struct {
	b   []byte
	pos int
	d   *Decoder
}

// decb is a codec's bytes-path decoder; nil means "decode the term, then
// dec" (see fallback).
type decbFn func(bd *byteDec, v reflect.Value, depth int) error

// DecodeTerm decodes one term that is not preceded by the version byte
// (what follows a distribution header) and converts it like FromTerm; n
// is the number of bytes consumed. A registered value whose bytes have
// the usual layout is decoded straight into its Go type; every other term
// takes the term path, d's atom cache and limits applying to both.
func (r *Registry) DecodeTerm(d *Decoder, b []byte) (v any, matched bool, n int, err error) {
	if v, n, ok := r.decodeBytes(d, b); ok {
		return v, true, n, nil
	}
	t, n, err := d.DecodeTerm(b)
	if err != nil {
		return nil, false, 0, err
	}
	v, matched, err = r.FromTerm(t)
	return v, matched, n, err
}

// lookupBytes returns the registered type the term in b names (its
// __struct__, record tag or value tag), or nil. Its byteDec stays on the
// stack, so a term that names nothing costs no allocation.
func (r *Registry) lookupBytes(d *Decoder, b []byte) *regType {
	s := r.load()
	if len(b) < 2 || (len(s.byStruct) == 0 && len(s.byTag) == 0) {
		return nil
	}
	bd := byteDec{b: b, d: d}
	var reg *regType
	switch b[0] {
	case TagMap:
		// The module is the second atom when __struct__ is the first key
		// (or follows an exception's __exception__ => true).
		bd.pos = 5
		if bd.atomIs(exceptionKeyAtom) {
			if !bd.atomIs("true") {
				return nil
			}
		} else {
			bd.pos = 5
		}
		if !bd.atomIs("__struct__") {
			return nil
		}
		raw, cached, ok := bd.atom()
		if !ok {
			return nil
		}
		if raw != nil {
			reg = s.byStruct[Atom(raw)] // no allocation: map lookup by converted bytes
		} else {
			reg = s.byStruct[cached]
		}
		if reg == nil || reg.shape != shapeStruct {
			return nil
		}
	case TagSmallTuple:
		bd.pos = 2
		raw, cached, ok := bd.atom()
		if !ok {
			return nil
		}
		if raw != nil {
			reg = s.byTag[Atom(raw)]
		} else {
			reg = s.byTag[cached]
		}
		if reg == nil {
			return nil
		}
	default:
		return nil
	}
	return reg
}

// decodeBytes tries the bytes path on a term that names a registered
// struct, record or tagged value.
func (r *Registry) decodeBytes(d *Decoder, b []byte) (any, int, bool) {
	reg := r.lookupBytes(d, b)
	if reg == nil {
		return nil, 0, false
	}
	bd := byteDec{b: b, d: d}
	p := reflect.New(reg.val)
	var err error
	if reg.shape == shapeTagged {
		if b[1] != 2 || reg.body.decb == nil {
			return nil, 0, false
		}
		bd.pos = 2
		if _, _, ok := bd.atom(); !ok {
			return nil, 0, false
		}
		err = reg.body.decb(&bd, p.Elem(), 1)
	} else {
		err = reg.body.decb(&bd, p.Elem(), 1)
	}
	if err != nil {
		return nil, 0, false
	}
	if reg.typ.Kind() == reflect.Pointer {
		return p.Interface(), bd.pos, true
	}
	return p.Elem().Interface(), bd.pos, true
}

func (bd *byteDec) need(n int) bool { return n >= 0 && len(bd.b)-bd.pos >= n }

func (bd *byteDec) u32() int {
	v := binary.BigEndian.Uint32(bd.b[bd.pos:])
	bd.pos += 4
	return int(v)
}

// atom reads an atom: raw holds its UTF-8 bytes (aliasing the input), or
// cached the atom an ATOM_CACHE_REF stands for.
func (bd *byteDec) atom() (raw []byte, cached Atom, ok bool) {
	if !bd.need(2) {
		return nil, "", false
	}
	tag := bd.b[bd.pos]
	n := 0
	switch tag {
	case TagSmallAtomUTF8, TagSmallAtom:
		n = int(bd.b[bd.pos+1])
		bd.pos += 2
	case TagAtomUTF8, TagAtom:
		if !bd.need(3) {
			return nil, "", false
		}
		n = int(binary.BigEndian.Uint16(bd.b[bd.pos+1:]))
		bd.pos += 3
	case TagAtomCacheRef:
		if bd.d.AtomCache == nil {
			return nil, "", false
		}
		a, ok := bd.d.AtomCache.AtomRef(int(bd.b[bd.pos+1]))
		bd.pos += 2
		return nil, a, ok
	default:
		return nil, "", false
	}
	if !bd.need(n) || n > 255*4 {
		return nil, "", false
	}
	raw = bd.b[bd.pos : bd.pos+n : bd.pos+n]
	bd.pos += n
	if tag == TagSmallAtom || tag == TagAtom || n > 255 {
		// Latin-1 bytes above 127 differ from UTF-8, and the decoder
		// has the final word on lengths: let the term path decide.
		if n > 255 || !isASCII(raw) {
			return nil, "", false
		}
	}
	return raw, "", true
}

// atomIs reads an atom and reports whether it is want.
func (bd *byteDec) atomIs(want Atom) bool {
	raw, cached, ok := bd.atom()
	if !ok {
		return false
	}
	if raw != nil {
		return string(raw) == string(want)
	}
	return cached == want
}

// fallback decodes the next term with the term decoder and stores it
// with the codec's term decoder.
func (bd *byteDec) fallback(c *regCodec, v reflect.Value, depth int) error {
	t, n, err := bd.d.DecodeTerm(bd.b[bd.pos:])
	if err != nil {
		return err
	}
	bd.pos += n
	return c.dec(t, v, depth)
}

// value decodes the next term into v with codec c.
func (bd *byteDec) value(c *regCodec, v reflect.Value, depth int) error {
	if c.decb != nil {
		return c.decb(bd, v, depth)
	}
	return bd.fallback(c, v, depth)
}

// smallInt reads SMALL_INTEGER, INTEGER or a SMALL_BIG that fits an
// int64; other encodings decline.
func (bd *byteDec) smallInt() (int64, bool) {
	if !bd.need(2) {
		return 0, false
	}
	switch bd.b[bd.pos] {
	case TagSmallBig:
		n := int(bd.b[bd.pos+1])
		if n > 8 || !bd.need(3+n) {
			return 0, false
		}
		sign := bd.b[bd.pos+2]
		var mag uint64
		for i := n - 1; i >= 0; i-- {
			mag = mag<<8 | uint64(bd.b[bd.pos+3+i])
		}
		switch {
		case sign == 0 && mag <= math.MaxInt64:
			bd.pos += 3 + n
			return int64(mag), true
		case sign == 1 && mag <= 1<<63:
			bd.pos += 3 + n
			return int64(-mag), true // -(1<<63) wraps to itself: MinInt64
		}
		return 0, false
	case TagSmallInteger:
		v := bd.b[bd.pos+1]
		bd.pos += 2
		return int64(v), true
	case TagInteger:
		if !bd.need(5) {
			return 0, false
		}
		v := int32(binary.BigEndian.Uint32(bd.b[bd.pos+1:]))
		bd.pos += 5
		return int64(v), true
	}
	return 0, false
}

func decbInt(c *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		start := bd.pos
		n, ok := bd.smallInt()
		if !ok || v.OverflowInt(n) {
			bd.pos = start
			return bd.fallback(c, v, depth) // other integers, and the errors
		}
		v.SetInt(n)
		return nil
	}
}

func decbUint(c *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		start := bd.pos
		n, ok := bd.smallInt()
		if !ok || n < 0 || v.OverflowUint(uint64(n)) {
			bd.pos = start
			return bd.fallback(c, v, depth)
		}
		v.SetUint(uint64(n))
		return nil
	}
}

// decbTime reads the integer nanoseconds of a time.Time.
func decbTime(c *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		start := bd.pos
		n, ok := bd.smallInt()
		if !ok || !v.CanAddr() {
			bd.pos = start
			return bd.fallback(c, v, depth) // bignums, %DateTime{}
		}
		*v.Addr().Interface().(*time.Time) = time.Unix(0, n).UTC()
		return nil
	}
}

func decbFloat(c *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		if !bd.need(9) || bd.b[bd.pos] != TagNewFloat {
			return bd.fallback(c, v, depth) // integers fit floats too
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(bd.b[bd.pos+1:]))
		if math.IsNaN(f) || math.IsInf(f, 0) || v.OverflowFloat(f) {
			return errSlow
		}
		bd.pos += 9
		v.SetFloat(f)
		return nil
	}
}

// binary reads BINARY_EXT, aliasing the input.
func (bd *byteDec) binary() ([]byte, bool) {
	if !bd.need(5) || bd.b[bd.pos] != TagBinary {
		return nil, false
	}
	bd.pos++
	n := bd.u32()
	if !bd.need(n) {
		return nil, false
	}
	b := bd.b[bd.pos : bd.pos+n]
	bd.pos += n
	return b, true
}

func decbString(c *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		if bd.need(1) && bd.b[bd.pos] != TagBinary {
			return bd.fallback(c, v, depth) // charlists
		}
		b, ok := bd.binary()
		if !ok {
			return errSlow
		}
		v.SetString(string(b))
		return nil
	}
}

func decbBytes(bd *byteDec, v reflect.Value, _ int) error {
	b, ok := bd.binary()
	if !ok {
		return errSlow
	}
	if len(b) == 0 {
		v.SetZero()
	} else {
		v.SetBytes(append([]byte(nil), b...))
	}
	return nil
}

func decbBool(bd *byteDec, v reflect.Value, _ int) error {
	raw, cached, ok := bd.atom()
	if !ok {
		return errSlow
	}
	switch {
	case (raw != nil && string(raw) == "true") || (raw == nil && cached == "true"):
		v.SetBool(true)
	case (raw != nil && string(raw) == "false") || (raw == nil && cached == "false"):
		v.SetBool(false)
	default:
		return errSlow
	}
	return nil
}

func decbSlice(c, elem *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		if !bd.need(1) {
			return errSlow
		}
		switch bd.b[bd.pos] {
		case TagNil:
			bd.pos++
			v.SetZero()
			return nil
		case TagList:
		default:
			return bd.fallback(c, v, depth) // STRING_EXT
		}
		if !bd.need(5) || depth > maxReflectDepth {
			return errSlow
		}
		bd.pos++
		n := bd.u32()
		if !bd.need(n) || n == 0 {
			return errSlow
		}
		v.Set(reflect.MakeSlice(v.Type(), 0, min(n, 64)))
		for i := range n {
			if i == v.Cap() {
				v.Grow(1)
			}
			v.SetLen(i + 1)
			if err := bd.value(elem, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		if !bd.need(1) || bd.b[bd.pos] != TagNil {
			return errSlow
		}
		bd.pos++
		return nil
	}
}

func decbPtr(t reflect.Type, elem *regCodec) decbFn {
	return func(bd *byteDec, v reflect.Value, depth int) error {
		start := bd.pos
		if raw, cached, ok := bd.atom(); ok {
			if (raw != nil && (string(raw) == "nil" || string(raw) == "undefined")) || cached == "nil" || cached == "undefined" {
				v.SetZero()
				return nil
			}
		}
		bd.pos = start
		p := reflect.New(t.Elem())
		if err := bd.value(elem, p.Elem(), depth+1); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
}

func (sc *structCodec) decbMap(bd *byteDec, v reflect.Value, depth int) error {
	if !bd.need(5) || bd.b[bd.pos] != TagMap || depth > maxReflectDepth {
		return errSlow
	}
	bd.pos++
	if bd.u32() != len(sc.encOrder) {
		return errSlow
	}
	// Expect the keys in the order we write them (ERTS's for small maps);
	// any other order takes the term path.
	for _, i := range sc.encOrder {
		switch i {
		case -1:
			if !bd.atomIs("__struct__") || !bd.atomIs(sc.name) {
				return errSlow
			}
			continue
		case -2:
			if !bd.atomIs(exceptionKeyAtom) || !bd.atomIs("true") {
				return errSlow
			}
			continue
		}
		f := &sc.fields[i]
		if !bd.atomIs(f.key) {
			return errSlow
		}
		if err := sc.setFieldb(bd, v, f, depth); err != nil {
			return err
		}
	}
	return nil
}

func (sc *structCodec) setFieldb(bd *byteDec, v reflect.Value, f *structField, depth int) error {
	var fv reflect.Value
	if len(f.index) == 1 {
		fv = v.Field(f.index[0])
	} else {
		fv = fieldForSet(v, f.index)
	}
	return bd.value(f.c, fv, depth+1)
}

func (sc *structCodec) decbRecord(bd *byteDec, v reflect.Value, depth int) error {
	n := len(sc.fields) + 1
	if n > 255 || !bd.need(2) || bd.b[bd.pos] != TagSmallTuple || int(bd.b[bd.pos+1]) != n || depth > maxReflectDepth {
		return errSlow
	}
	bd.pos += 2
	if !bd.atomIs(sc.name) {
		return errSlow
	}
	for i := range sc.fields {
		if err := sc.setFieldb(bd, v, &sc.fields[i], depth); err != nil {
			return err
		}
	}
	return nil
}
