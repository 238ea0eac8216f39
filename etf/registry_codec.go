package etf

import (
	"fmt"
	"math"
	"reflect"
)

// ErrMissingField reports a registered struct or record whose term lacks
// one of its fields.
var ErrMissingField = fmt.Errorf("%w: missing field", ErrType)

// regTypeErr is the error of a term that does not fit v.
func regTypeErr(t Term, v reflect.Value, err error) error {
	return &UnmarshalTypeError{Term: t, GoType: v.Type(), Err: err}
}

var errRegDepth = fmt.Errorf("%w: nested too deep or cyclic", ErrInvalidTerm)

// appendKey writes a pre-encoded atom, or asks appendAtom when an atom
// cache or Latin-1 atoms are in play.
func appendKey(e *Encoder, dst []byte, a Atom, pre []byte) ([]byte, error) {
	if e.AtomCache == nil && !e.Latin1Atoms {
		return append(dst, pre...), nil
	}
	return e.appendAtom(dst, a)
}

func encBool(e Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return e.appendAtom(dst, boolAtom(v.Bool()))
}

func decBool(t Term, v reflect.Value, _ int) error {
	switch t {
	case Atom("true"):
		v.SetBool(true)
	case Atom("false"):
		v.SetBool(false)
	default:
		return regTypeErr(t, v, ErrType)
	}
	return nil
}

func encInt(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendInt(dst, v.Int()), nil
}

func decInt(t Term, v reflect.Value, _ int) error {
	if n, ok := t.(int); ok && !v.OverflowInt(int64(n)) {
		v.SetInt(int64(n))
		return nil
	}
	s := convState{opts: defaultOptions()}
	return s.toInt(t, v)
}

func encUint(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendUint(dst, v.Uint()), nil
}

func decUint(t Term, v reflect.Value, _ int) error {
	if n, ok := t.(int); ok && n >= 0 && !v.OverflowUint(uint64(n)) {
		v.SetUint(uint64(n))
		return nil
	}
	s := convState{opts: defaultOptions()}
	return s.toUint(t, v)
}

func encFloat(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, &MarshalError{Type: v.Type(), Err: fmt.Errorf("%w: non-finite float %v", ErrInvalidTerm, f)}
	}
	return appendFloat(dst, f)
}

func decFloat(t Term, v reflect.Value, _ int) error {
	if f, ok := t.(float64); ok && !v.OverflowFloat(f) {
		v.SetFloat(f)
		return nil
	}
	s := convState{opts: defaultOptions()}
	return s.toFloat(t, v)
}

func encString(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	s := v.String()
	dst = appendHeader32(dst, TagBinary, len(s))
	return append(dst, s...), nil
}

// decString accepts a binary (Elixir's strings), a charlist or [] (Erlang's);
// an atom is a different type.
func decString(t Term, v reflect.Value, _ int) error {
	if b, ok := t.([]byte); ok {
		v.SetString(string(b))
		return nil
	}
	if _, isAtom := t.(Atom); !isAtom {
		if s, ok := textOf(t); ok {
			v.SetString(s)
			return nil
		}
	}
	return regTypeErr(t, v, ErrType)
}

func encAtom(e Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return e.appendAtom(dst, Atom(v.String()))
}

func decAtom(t Term, v reflect.Value, _ int) error {
	if a, ok := t.(Atom); ok {
		v.SetString(string(a))
		return nil
	}
	return regTypeErr(t, v, ErrType)
}

func encBytes(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	return appendBinary(dst, v.Bytes()), nil
}

// decBytes copies a binary; <<>> gives a nil slice.
func decBytes(t Term, v reflect.Value, _ int) error {
	b, ok := t.([]byte)
	if !ok {
		return regTypeErr(t, v, ErrType)
	}
	if len(b) == 0 {
		v.SetZero()
		return nil
	}
	v.SetBytes(append([]byte(nil), b...))
	return nil
}

// encGeneral and decGeneral hand a value to the reflection layer: term
// types, arrays and types with their own (un)marshalers.
func encGeneral(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if !v.CanInterface() {
		return dst, &MarshalError{Type: v.Type(), Err: ErrUnsupportedType}
	}
	if v.CanAddr() && flagsOf(v.Type()).ptrSpecial {
		v = v.Addr()
	}
	s := appendState{e: &e, opts: defaultOptions(), depth: depth}
	return s.value(dst, v)
}

func decGeneral(t Term, v reflect.Value, depth int) error {
	s := convState{opts: defaultOptions(), depth: depth}
	return s.convert(t, v)
}

func sliceCodec(elem *regCodec) (func(Encoder, []byte, reflect.Value, int) ([]byte, error), func(Term, reflect.Value, int) error) {
	enc := func(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
		n := v.Len()
		if n == 0 {
			return append(dst, TagNil), nil
		}
		if depth > maxReflectDepth {
			return dst, &MarshalError{Type: v.Type(), Err: errRegDepth}
		}
		dst = appendHeader32(dst, TagList, n)
		var err error
		for i := range n {
			if dst, err = elem.enc(e, dst, v.Index(i), depth+1); err != nil {
				return dst, prefixErr(err, fmt.Sprintf("[%d]", i))
			}
		}
		return append(dst, TagNil), nil
	}
	dec := func(t Term, v reflect.Value, depth int) error {
		if depth > maxReflectDepth {
			return regTypeErr(t, v, fmt.Errorf("%w: nested too deep", ErrType))
		}
		var es []Term
		switch x := t.(type) {
		case nil:
			v.SetZero()
			return nil
		case List:
			es = x
		case Charlist:
			es, _ = termElems(x)
		default:
			return regTypeErr(t, v, ErrType)
		}
		if len(es) == 0 {
			v.SetZero()
			return nil
		}
		// Grow as elements decode rather than sizing from the term: a
		// hostile list of a million 2-byte elements must not allocate a
		// million large Go structs before the first one fails.
		v.Set(reflect.MakeSlice(v.Type(), 0, min(len(es), 64)))
		for i, x := range es {
			if i == v.Cap() {
				v.Grow(1)
			}
			v.SetLen(i + 1)
			if err := elem.dec(x, v.Index(i), depth+1); err != nil {
				return prefixErr(err, fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	}
	return enc, dec
}

func mapCodec(t reflect.Type, kc, vc *regCodec) (func(Encoder, []byte, reflect.Value, int) ([]byte, error), func(Term, reflect.Value, int) error) {
	enc := func(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if depth > maxReflectDepth {
			return dst, &MarshalError{Type: v.Type(), Err: errRegDepth}
		}
		keys := v.MapKeys()
		sortKeys(keys)
		dst = appendHeader32(dst, TagMap, len(keys))
		var err error
		for _, k := range keys {
			if dst, err = kc.enc(e, dst, k, depth+1); err != nil {
				return dst, prefixErr(err, fmt.Sprintf("{key %v}", k))
			}
			if dst, err = vc.enc(e, dst, v.MapIndex(k), depth+1); err != nil {
				return dst, prefixErr(err, fmt.Sprintf("[%v]", k))
			}
		}
		return dst, nil
	}
	dec := func(tm Term, v reflect.Value, depth int) error {
		m, ok := tm.(Map)
		if !ok {
			return regTypeErr(tm, v, ErrType)
		}
		if depth > maxReflectDepth {
			return regTypeErr(tm, v, fmt.Errorf("%w: nested too deep", ErrType))
		}
		out := reflect.MakeMapWithSize(t, min(len(m), 64)) // grows as pairs decode; see sliceCodec
		k := reflect.New(t.Key()).Elem()
		val := reflect.New(t.Elem()).Elem()
		for _, p := range m {
			k.SetZero()
			val.SetZero()
			if err := kc.dec(p.Key, k, depth+1); err != nil {
				return prefixErr(err, fmt.Sprintf("{key %s}", keyLabel(p.Key)))
			}
			if err := vc.dec(p.Value, val, depth+1); err != nil {
				return prefixErr(err, fmt.Sprintf("[%s]", keyLabel(p.Key)))
			}
			out.SetMapIndex(k, val)
		}
		v.Set(out)
		return nil
	}
	return enc, dec
}

// isNilTerm reports the atoms that mean "no value" to Elixir and Erlang.
func isNilTerm(t Term) bool {
	a, ok := t.(Atom)
	return ok && (a == "nil" || a == "undefined")
}

func ptrCodec(t reflect.Type, elem *regCodec) (func(Encoder, []byte, reflect.Value, int) ([]byte, error), func(Term, reflect.Value, int) error) {
	enc := func(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if v.IsNil() {
			return e.appendAtom(dst, "nil")
		}
		if depth > maxReflectDepth {
			return dst, &MarshalError{Type: v.Type(), Err: errRegDepth}
		}
		return elem.enc(e, dst, v.Elem(), depth+1)
	}
	dec := func(tm Term, v reflect.Value, depth int) error {
		if isNilTerm(tm) {
			v.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := elem.dec(tm, p.Elem(), depth+1); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	return enc, dec
}

// encAny writes the dynamic value of an interface field; registered
// values in it take their registered (tagged) shapes.
func encAny(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return e.appendAtom(dst, "nil")
	}
	return e.append(dst, v.Elem().Interface(), depth+1)
}

// decAny stores the term, converted when it names a registered type.
func (r *Registry) decAny(t Term, v reflect.Value, depth int) error {
	if t == Term(Atom("nil")) { // what a nil interface encodes as
		v.SetZero()
		return nil
	}
	x, matched, err := r.fromTerm(t, depth+1)
	if err != nil {
		return err
	}
	var rv reflect.Value
	if matched {
		rv = reflect.ValueOf(x)
	} else if t != nil {
		rv = reflect.ValueOf(t)
	}
	if !rv.IsValid() {
		v.SetZero()
		return nil
	}
	if !rv.Type().AssignableTo(v.Type()) {
		return regTypeErr(t, v, ErrType)
	}
	v.Set(rv)
	return nil
}

func (sc *structCodec) encMap(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxReflectDepth {
		return dst, &MarshalError{Type: v.Type(), Err: errRegDepth}
	}
	dst = appendHeader32(dst, TagMap, len(sc.encOrder))
	var err error
	for _, i := range sc.encOrder {
		if i == -2 {
			if dst, err = appendKey(&e, dst, exceptionKeyAtom, exceptionKeyBytes); err != nil {
				return dst, err
			}
			if dst, err = appendKey(&e, dst, "true", trueBytes); err != nil {
				return dst, err
			}
			continue
		}
		if i < 0 {
			if dst, err = appendKey(&e, dst, "__struct__", structKeyBytes); err != nil {
				return dst, err
			}
			if dst, err = appendKey(&e, dst, sc.name, sc.nameBytes); err != nil {
				return dst, err
			}
			continue
		}
		f := &sc.fields[i]
		if dst, err = appendKey(&e, dst, f.key, f.keyBytes); err != nil {
			return dst, err
		}
		if dst, err = sc.encField(e, dst, v, f, depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (sc *structCodec) encField(e Encoder, dst []byte, v reflect.Value, f *structField, depth int) ([]byte, error) {
	var fv reflect.Value
	if len(f.index) == 1 {
		fv = v.Field(f.index[0])
	} else if x, ok := fieldValue(v, f.index); ok {
		fv = x
	} else {
		return e.appendAtom(dst, "nil") // through a nil embedded pointer
	}
	out, err := f.c.enc(e, dst, fv, depth+1)
	if err != nil {
		return out, prefixErr(err, "."+string(f.key))
	}
	return out, nil
}

func (sc *structCodec) encRecord(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxReflectDepth {
		return dst, &MarshalError{Type: v.Type(), Err: errRegDepth}
	}
	n := len(sc.fields) + 1
	if n <= 255 {
		dst = append(dst, TagSmallTuple, byte(n))
	} else {
		dst = appendHeader32(dst, TagLargeTuple, n)
	}
	dst, err := appendKey(&e, dst, sc.name, sc.nameBytes)
	if err != nil {
		return dst, err
	}
	for i := range sc.fields {
		if dst, err = sc.encField(e, dst, v, &sc.fields[i], depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (sc *structCodec) find(k Atom) int {
	if sc.byKey != nil {
		if i, ok := sc.byKey[k]; ok {
			return i
		}
		return -1
	}
	for i := range sc.fields {
		if sc.fields[i].key == k {
			return i
		}
	}
	return -1
}

func (sc *structCodec) setField(t Term, v reflect.Value, f *structField, depth int) error {
	var fv reflect.Value
	if len(f.index) == 1 {
		fv = v.Field(f.index[0])
	} else {
		fv = fieldForSet(v, f.index)
	}
	if err := f.c.dec(t, fv, depth+1); err != nil {
		return prefixErr(err, "."+string(f.key))
	}
	return nil
}

// decMap accepts exactly the struct's keys (plus __struct__ naming it, and
// an Elixir exception's __exception__): a missing, extra or ill-typed
// field is an error.
func (sc *structCodec) decMap(t Term, v reflect.Value, depth int) error {
	m, ok := t.(Map)
	if !ok {
		return regTypeErr(t, v, ErrType)
	}
	if depth > maxReflectDepth {
		return regTypeErr(t, v, fmt.Errorf("%w: nested too deep", ErrType))
	}
	var small uint64
	var big []bool
	if len(sc.fields) > 64 {
		big = make([]bool, len(sc.fields))
	}
	found, named := 0, false
	for i := range m {
		p := &m[i]
		k, ok := p.Key.(Atom)
		if !ok {
			return regTypeErr(t, v, fmt.Errorf("%w: key %s", ErrUnknownField, keyLabel(p.Key)))
		}
		if k == "__struct__" {
			if sc.name == "" || p.Value != Term(sc.name) {
				return regTypeErr(t, v, fmt.Errorf("%w: __struct__ is %s", ErrType, describe(p.Value)))
			}
			named = true
			continue
		}
		if k == exceptionKeyAtom && sc.name != "" {
			continue
		}
		fi := sc.find(k)
		if fi < 0 {
			return regTypeErr(t, v, fmt.Errorf("%w: %s", ErrUnknownField, keyLabel(k)))
		}
		if big != nil {
			if big[fi] {
				return regTypeErr(t, v, fmt.Errorf("%w: duplicate key %s", ErrType, k))
			}
			big[fi] = true
		} else {
			if small&(1<<fi) != 0 {
				return regTypeErr(t, v, fmt.Errorf("%w: duplicate key %s", ErrType, k))
			}
			small |= 1 << fi
		}
		found++
		if err := sc.setField(p.Value, v, &sc.fields[fi], depth); err != nil {
			return err
		}
	}
	if sc.name != "" && !named {
		return regTypeErr(t, v, fmt.Errorf("%w: no __struct__ key", ErrType))
	}
	if found != len(sc.fields) {
		return regTypeErr(t, v, fmt.Errorf("%w: %s", ErrMissingField, sc.firstMissing(small, big)))
	}
	return nil
}

func (sc *structCodec) firstMissing(small uint64, big []bool) Atom {
	for i := range sc.fields {
		if (len(big) > 0 && !big[i]) || (len(big) == 0 && small&(1<<i) == 0) {
			return sc.fields[i].key
		}
	}
	return ""
}

// decRecord accepts {Tag, F1, ..., Fn} with exactly the struct's fields.
func (sc *structCodec) decRecord(t Term, v reflect.Value, depth int) error {
	tup, ok := t.(Tuple)
	if !ok || len(tup) == 0 || tup[0] != Term(sc.name) {
		return regTypeErr(t, v, ErrType)
	}
	if len(tup) != len(sc.fields)+1 {
		err := ErrMissingField
		if len(tup) > len(sc.fields)+1 {
			err = ErrUnknownField
		}
		return regTypeErr(t, v, fmt.Errorf("%w: record %s has %d fields, want %d", err, sc.name, len(tup)-1, len(sc.fields)))
	}
	if depth > maxReflectDepth {
		return regTypeErr(t, v, fmt.Errorf("%w: nested too deep", ErrType))
	}
	for i := range sc.fields {
		if err := sc.setField(tup[i+1], v, &sc.fields[i], depth); err != nil {
			return err
		}
	}
	return nil
}
