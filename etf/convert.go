package etf

import (
	"encoding"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"unicode/utf8"
)

var (
	unmarshalerType     = reflect.TypeFor[Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	atomType            = reflect.TypeFor[Atom]()
	bigIntType          = reflect.TypeFor[big.Int]()
	bitStringType       = reflect.TypeFor[BitString]()
	listType            = reflect.TypeFor[List]()
	refType             = reflect.TypeFor[Ref]()
	aliasType           = reflect.TypeFor[Alias]()
	bytesType           = reflect.TypeFor[[]byte]()
	tupleType           = reflect.TypeFor[Tuple]()
	mapType             = reflect.TypeFor[Map]()
	improperListType    = reflect.TypeFor[ImproperList]()
	pidType             = reflect.TypeFor[PID]()
	portType            = reflect.TypeFor[Port]()
	funType             = reflect.TypeFor[Fun]()
	exportType          = reflect.TypeFor[Export]()
)

// convState carries options and depth through one Convert call.
type convState struct {
	opts  options
	depth int
}

// isNilAtom reports whether t is one of the atoms that mean "no value".
func (s *convState) isNilAtom(t Term) bool {
	a, ok := t.(Atom)
	return ok && (a == "nil" || a == "undefined" || a == s.opts.nilAtom)
}

func (s *convState) typeErr(t Term, rv reflect.Value, err error) error {
	return &UnmarshalTypeError{Term: t, GoType: rv.Type(), Err: err}
}

func (s *convState) mismatch(t Term, rv reflect.Value) error {
	return s.typeErr(t, rv, ErrType)
}

// canon maps Go values that are not decoded term shapes (bool, string,
// int32, []any, structs ...) onto term shapes, so that Convert also accepts
// terms built by hand.
func (s *convState) canon(t Term) (Term, error) {
	switch t.(type) {
	case nil, Atom, int, *big.Int, float64, []byte, BitString, List, ImproperList,
		Charlist, Tuple, Map, PID, Port, Ref, Alias, Fun, Export:
		return t, nil
	}
	e := encState{opts: s.opts}
	out, _, err := e.any(t)
	return out, err
}

// convert stores t into rv, which must be settable.
func (s *convState) convert(t Term, rv reflect.Value) error {
	// No defer: this recursion is the hot path of every Convert.
	if s.depth++; s.depth > maxReflectDepth {
		s.depth--
		return s.typeErr(t, rv, fmt.Errorf("%w: nested too deep", ErrType))
	}
	err := s.convert1(t, rv)
	s.depth--
	return err
}

func (s *convState) convert1(t Term, rv reflect.Value) error {
	if rv.Kind() == reflect.Pointer {
		if s.isNilAtom(t) {
			rv.SetZero()
			return nil
		}
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		return s.convert(t, rv.Elem())
	}
	fl := flagsOf(rv.Type())
	if fl.ptrUnmarshaler && rv.CanAddr() {
		if err := rv.Addr().Interface().(Unmarshaler).UnmarshalTerm(t); err != nil {
			return s.typeErr(t, rv, err)
		}
		return nil
	}
	if rv.Kind() == reflect.Interface {
		return s.toInterface(t, rv)
	}
	t, err := s.canon(t)
	if err != nil {
		return err
	}
	if fl.termType {
		return s.toTermType(t, rv)
	}
	if s.isNilAtom(t) {
		rv.SetZero()
		return nil
	}
	if fl.ptrTextUnmarshaler && rv.CanAddr() {
		text, ok := textOf(t)
		if !ok {
			return s.mismatch(t, rv)
		}
		if err := rv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(text)); err != nil {
			return s.typeErr(t, rv, err)
		}
		return nil
	}

	switch rv.Kind() {
	case reflect.Bool:
		a, ok := t.(Atom)
		if !ok || (a != "true" && a != "false") {
			return s.mismatch(t, rv)
		}
		rv.SetBool(a == "true")
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return s.toInt(t, rv)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return s.toUint(t, rv)
	case reflect.Float32, reflect.Float64:
		return s.toFloat(t, rv)
	case reflect.String:
		str, ok := textOf(t)
		if !ok {
			return s.mismatch(t, rv)
		}
		rv.SetString(str)
		return nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return s.toBytes(t, rv)
		}
		return s.toSlice(t, rv)
	case reflect.Array:
		return s.toArray(t, rv)
	case reflect.Map:
		return s.toMap(t, rv)
	case reflect.Struct:
		return s.toStruct(t, rv)
	}
	return s.typeErr(t, rv, fmt.Errorf("%w: Go type not supported", ErrUnsupportedType))
}

// toInterface stores t as is into an interface value. An empty interface
// takes any term; other interfaces take terms whose Go type implements
// them.
func (s *convState) toInterface(t Term, rv reflect.Value) error {
	if t == nil {
		rv.SetZero()
		return nil
	}
	tv := reflect.ValueOf(t)
	if !tv.Type().Implements(rv.Type()) {
		return s.mismatch(t, rv)
	}
	rv.Set(tv)
	return nil
}

// toTermType handles targets that are themselves term types.
func (s *convState) toTermType(t Term, rv reflect.Value) error {
	rt := rv.Type()
	if t != nil && reflect.TypeOf(t) == rt && rt != bytesType {
		rv.Set(reflect.ValueOf(t))
		return nil
	}
	switch rt {
	case atomType:
		if b, ok := t.([]byte); ok && utf8.Valid(b) && utf8.RuneCount(b) <= 255 {
			rv.SetString(string(b))
			return nil
		}
	case bigIntType:
		x, ok := bigOf(t)
		if !ok {
			return s.mismatch(t, rv)
		}
		rv.Addr().Interface().(*big.Int).Set(x)
		return nil
	case bitStringType:
		if b, ok := t.([]byte); ok {
			rv.Set(reflect.ValueOf(BitString{Bytes: append([]byte(nil), b...), Bits: 8}))
			return nil
		}
	case refType, aliasType:
		switch x := t.(type) {
		case Ref:
			rv.Set(reflect.ValueOf(x).Convert(rt))
			return nil
		case Alias:
			rv.Set(reflect.ValueOf(x).Convert(rt))
			return nil
		}
	case charlistType:
		if str, ok := textOf(t); ok {
			if _, isAtom := t.(Atom); !isAtom {
				rv.SetString(str)
				return nil
			}
		}
	case listType:
		switch x := t.(type) {
		case nil:
			rv.SetZero()
			return nil
		case Charlist:
			l := make(List, 0, len(x))
			for _, r := range x {
				l = append(l, int(r))
			}
			rv.Set(reflect.ValueOf(l))
			return nil
		}
	}
	if s.isNilAtom(t) && rt != atomType {
		rv.SetZero()
		return nil
	}
	return s.mismatch(t, rv)
}

func isTermType(rt reflect.Type) bool {
	switch rt {
	case atomType, bigIntType, bitStringType, refType, aliasType, charlistType, listType,
		tupleType, mapType, improperListType, pidType, portType, funType, exportType:
		return true
	}
	return false
}

// textOf reads a term as text: a binary, a charlist, a list of code points,
// an atom or [] (the empty string).
func textOf(t Term) (string, bool) {
	switch x := t.(type) {
	case []byte:
		return string(x), true
	case Charlist:
		return string(x), true
	case Atom:
		return string(x), true
	case nil:
		return "", true
	case List:
		rs := make([]rune, len(x))
		for i, e := range x {
			n, ok := e.(int)
			if !ok || n < 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
				return "", false
			}
			rs[i] = rune(n)
		}
		return string(rs), true
	}
	return "", false
}

func bigOf(t Term) (*big.Int, bool) {
	switch x := t.(type) {
	case int:
		return big.NewInt(int64(x)), true
	case *big.Int:
		return x, x != nil
	}
	return nil, false
}

func (s *convState) toInt(t Term, rv reflect.Value) error {
	var n int64
	switch x := t.(type) {
	case int:
		n = int64(x)
	case *big.Int:
		if x == nil || !x.IsInt64() {
			return s.typeErr(t, rv, ErrOverflow)
		}
		n = x.Int64()
	default:
		return s.mismatch(t, rv)
	}
	if rv.OverflowInt(n) {
		return s.typeErr(t, rv, ErrOverflow)
	}
	rv.SetInt(n)
	return nil
}

func (s *convState) toUint(t Term, rv reflect.Value) error {
	var n uint64
	switch x := t.(type) {
	case int:
		if x < 0 {
			return s.typeErr(t, rv, ErrOverflow)
		}
		n = uint64(x)
	case *big.Int:
		if x == nil || !x.IsUint64() {
			return s.typeErr(t, rv, ErrOverflow)
		}
		n = x.Uint64()
	default:
		return s.mismatch(t, rv)
	}
	if rv.OverflowUint(n) {
		return s.typeErr(t, rv, ErrOverflow)
	}
	rv.SetUint(n)
	return nil
}

func (s *convState) toFloat(t Term, rv reflect.Value) error {
	var f float64
	switch x := t.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case *big.Int:
		if x == nil {
			return s.mismatch(t, rv)
		}
		f, _ = new(big.Float).SetInt(x).Float64()
	default:
		return s.mismatch(t, rv)
	}
	if math.IsInf(f, 0) || rv.OverflowFloat(f) {
		return s.typeErr(t, rv, ErrOverflow)
	}
	rv.SetFloat(f)
	return nil
}

// toBytes fills a byte slice: a binary is copied; lists, tuples and
// charlists go element by element, so a code point above 255 is an
// overflow rather than a silent truncation.
func (s *convState) toBytes(t Term, rv reflect.Value) error {
	b, ok := t.([]byte)
	if !ok {
		return s.toSlice(t, rv)
	}
	rv.SetBytes(append(make([]byte, 0, len(b)), b...))
	return nil
}

// elems returns the elements of a list-like term: a list, a tuple or a
// charlist (as code points).
func termElems(t Term) ([]Term, bool) {
	switch x := t.(type) {
	case nil:
		return nil, true
	case List:
		return x, true
	case Tuple:
		return x, true
	case Charlist:
		out := make([]Term, 0, len(x))
		for _, r := range x {
			out = append(out, int(r))
		}
		return out, true
	}
	return nil, false
}

func (s *convState) toSlice(t Term, rv reflect.Value) error {
	es, ok := termElems(t)
	if !ok {
		return s.mismatch(t, rv)
	}
	if len(es) == 0 {
		rv.SetZero()
		return nil
	}
	// Always a fresh backing array: reusing the caller's could write
	// through to other slices sharing it. Grow on the settable value
	// avoids boxing a new slice header.
	rv.SetZero()
	rv.Grow(len(es))
	rv.SetLen(len(es))
	for i, e := range es {
		if err := s.convert(e, rv.Index(i)); err != nil {
			return prefixErr(err, fmt.Sprintf("[%d]", i))
		}
	}
	return nil
}

func (s *convState) toArray(t Term, rv reflect.Value) error {
	if b, ok := t.([]byte); ok && rv.Type().Elem().Kind() == reflect.Uint8 {
		if len(b) != rv.Len() {
			return s.mismatch(t, rv)
		}
		reflect.Copy(rv, reflect.ValueOf(b))
		return nil
	}
	es, ok := termElems(t)
	if !ok || len(es) != rv.Len() {
		return s.mismatch(t, rv)
	}
	for i, e := range es {
		if err := s.convert(e, rv.Index(i)); err != nil {
			return prefixErr(err, fmt.Sprintf("[%d]", i))
		}
	}
	return nil
}

// pairsOf returns the associations of a map or of a keyword list / proplist
// (a list of 2-tuples).
func pairsOf(t Term) ([]Pair, bool) {
	switch x := t.(type) {
	case Map:
		return x, true
	case nil:
		return nil, true
	case List:
		ps := make([]Pair, len(x))
		for i, e := range x {
			tup, ok := e.(Tuple)
			if !ok || len(tup) != 2 {
				return nil, false
			}
			ps[i] = Pair{Key: tup[0], Value: tup[1]}
		}
		return ps, true
	}
	return nil, false
}

// toMap fills a Go map from a map or keyword list, merging into an
// existing map as encoding/json does. Keys that collide after conversion
// (atom a and binary "a" into map[string]T) keep the last value.
func (s *convState) toMap(t Term, rv reflect.Value) error {
	ps, ok := pairsOf(t)
	if !ok {
		return s.mismatch(t, rv)
	}
	rt := rv.Type()
	if rv.IsNil() {
		rv.Set(reflect.MakeMapWithSize(rt, len(ps)))
	}
	kt, vt := rt.Key(), rt.Elem()
	for _, p := range ps {
		k := reflect.New(kt).Elem()
		key := p.Key
		if b, ok := key.([]byte); ok && kt.Kind() == reflect.Interface {
			// A binary cannot key a Go map; its string can, and
			// encodes back to the same binary.
			key = string(b)
		}
		if err := s.convert(key, k); err != nil {
			return prefixErr(err, fmt.Sprintf("{key %s}", describe(p.Key)))
		}
		if !k.Comparable() {
			return prefixErr(s.typeErr(p.Key, k, fmt.Errorf("%w: key is not comparable in Go", ErrType)),
				fmt.Sprintf("{key %s}", describe(p.Key)))
		}
		v := reflect.New(vt).Elem()
		if err := s.convert(p.Value, v); err != nil {
			return prefixErr(err, fmt.Sprintf("[%s]", keyLabel(p.Key)))
		}
		rv.SetMapIndex(k, v)
	}
	return nil
}

func keyLabel(k Term) string {
	switch x := k.(type) {
	case Atom:
		return string(x)
	case []byte:
		return fmt.Sprintf("%q", x)
	case int:
		return fmt.Sprint(x)
	}
	return describe(k)
}

// fieldForSet walks a field index path, allocating nil embedded pointers.
func fieldForSet(rv reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv
}

func (s *convState) toStruct(t Term, rv reflect.Value) error {
	si := cachedStructInfo(rv.Type())
	if si.isRecord || (s.opts.structsAsTuples && !si.isElixir) {
		return s.toRecord(t, rv, si)
	}
	ps, ok := pairsOf(t)
	if !ok {
		return s.mismatch(t, rv)
	}
	for _, p := range ps {
		var key string
		switch k := p.Key.(type) {
		case Atom:
			key = string(k)
		case []byte:
			key = string(k)
		case Charlist:
			key = string(k)
		default:
			if s.opts.disallowUnknown {
				return s.typeErr(p.Key, rv, ErrUnknownField)
			}
			continue
		}
		if key == "__struct__" {
			if mod, ok := p.Value.(Atom); si.isElixir && (!ok || mod != si.module) {
				return prefixErr(s.typeErr(t, rv, fmt.Errorf("%w: __struct__ is %s, want %s", ErrType, describe(p.Value), si.module)), ".__struct__")
			}
			continue
		}
		i, ok := si.fieldByKey(key)
		if !ok {
			if s.opts.disallowUnknown {
				return prefixErr(s.typeErr(p.Key, rv, ErrUnknownField), "."+key)
			}
			continue
		}
		f := &si.fields[i]
		if err := s.convert(p.Value, fieldForSet(rv, f.index)); err != nil {
			return prefixErr(err, "."+f.name)
		}
	}
	return nil
}

func (s *convState) toRecord(t Term, rv reflect.Value, si *structInfo) error {
	tup, ok := t.(Tuple)
	if !ok {
		return s.mismatch(t, rv)
	}
	if si.isRecord && si.record != "" {
		if len(tup) != len(si.fields)+1 || tup[0] != Term(si.record) {
			return s.typeErr(t, rv, fmt.Errorf("%w: want record %s with %d fields", ErrType, si.record, len(si.fields)))
		}
		tup = tup[1:]
	} else if len(tup) != len(si.fields) {
		return s.typeErr(t, rv, fmt.Errorf("%w: want a tuple of size %d", ErrType, len(si.fields)))
	}
	for i, f := range si.fields {
		if err := s.convert(tup[i], fieldForSet(rv, f.index)); err != nil {
			return prefixErr(err, "."+f.name)
		}
	}
	return nil
}
