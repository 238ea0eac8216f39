// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"fmt"
	"math"
	"reflect"
)

// appendOther encodes a Go value that is not one of the term types (a
// struct, a typed slice or map, a pointer, a named scalar type ...) with
// ToTerm's default rules. This is what lets the node layer send Go values
// directly; use Marshal or ToTerm to pass options.
func (e *Encoder) appendOther(dst []byte, v any) ([]byte, error) {
	s := appendState{e: e, opts: defaultOptions()}
	return s.value(dst, reflect.ValueOf(v))
}

// appendState writes Go values straight to the wire, producing exactly the
// bytes Encode(ToTerm(v)) would, without building the intermediate term
// (which costs an allocation per boxed integer, list and map). Values that
// need the general path (Marshaler, TextMarshaler, term types holding Go
// values) go through ToTerm and the term encoder.
type appendState struct {
	e     *Encoder
	opts  options
	depth int
}

// any encodes v given as an interface value.
func (s *appendState) any(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return s.e.appendAtom(dst, s.opts.nilAtom)
	}
	return s.value(dst, reflect.ValueOf(v))
}

// general encodes rv through ToTerm and the term encoder.
func (s *appendState) general(dst []byte, rv reflect.Value) ([]byte, error) {
	es := encState{opts: s.opts, depth: s.depth}
	t, err := es.value(rv)
	if err != nil {
		return dst, err
	}
	return s.e.AppendTerm(dst, t)
}

func (s *appendState) value(dst []byte, rv reflect.Value) ([]byte, error) {
	if !rv.IsValid() {
		return s.e.appendAtom(dst, s.opts.nilAtom)
	}
	if s.depth++; s.depth > maxReflectDepth {
		s.depth--
		return dst, &MarshalError{Type: rv.Type(), Err: fmt.Errorf("%w: nested too deep or cyclic", ErrInvalidTerm)}
	}
	dst, err := s.value1(dst, rv)
	s.depth--
	return dst, err
}

func (s *appendState) value1(dst []byte, rv reflect.Value) ([]byte, error) {
	rt := rv.Type()
	k := rv.Kind()
	if s.e.Registry != nil && k != reflect.Interface {
		if out, ok, err := s.e.Registry.appendReflected(*s.e, dst, rv, s.depth); ok {
			return out, err
		}
	}
	if (k == reflect.Pointer || k == reflect.Interface) && rv.IsNil() {
		return s.e.appendAtom(dst, s.opts.nilAtom)
	}
	switch rt {
	case atomType:
		return s.e.appendAtom(dst, Atom(rv.String()))
	case charlistType:
		return s.e.appendCharlist(dst, Charlist(rv.String())), nil
	}
	if f := flagsOf(rt); f.special || f.ptrSpecial {
		return s.general(dst, rv)
	}
	switch k {
	case reflect.Bool:
		return s.e.appendAtom(dst, boolAtom(rv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(dst, rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendUint(dst, rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, &MarshalError{Type: rt, Err: fmt.Errorf("%w: non-finite float %v", ErrInvalidTerm, f)}
		}
		return appendFloat(dst, f)
	case reflect.String:
		if s.opts.stringsAsCharlists {
			return s.e.appendCharlist(dst, Charlist(rv.String())), nil
		}
		str := rv.String()
		dst = appendHeader32(dst, TagBinary, len(str))
		return append(dst, str...), nil
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 {
			return appendBinary(dst, rv.Bytes()), nil
		}
		return s.list(dst, rv)
	case reflect.Array:
		if rt.Elem().Kind() == reflect.Uint8 {
			n := rv.Len()
			dst = appendHeader32(dst, TagBinary, n)
			for i := range n {
				dst = append(dst, byte(rv.Index(i).Uint()))
			}
			return dst, nil
		}
		return s.list(dst, rv)
	case reflect.Map:
		return s.goMap(dst, rv)
	case reflect.Pointer, reflect.Interface:
		return s.value(dst, rv.Elem())
	case reflect.Struct:
		return s.structValue(dst, rv)
	}
	return dst, &MarshalError{Type: rt, Err: ErrUnsupportedType}
}

// smallIntElem reports whether a list element maps to an integer in
// 0..255, in which case the term encoder would emit STRING_EXT.
func smallIntElem(ev reflect.Value) (byte, bool) {
	for ev.Kind() == reflect.Interface || ev.Kind() == reflect.Pointer {
		if ev.IsNil() {
			return 0, false
		}
		if f := flagsOf(ev.Type()); f.special || f.ptrSpecial {
			return 0, false
		}
		ev = ev.Elem()
	}
	if f := flagsOf(ev.Type()); f.special || f.ptrSpecial {
		return 0, false
	}
	switch ev.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if x := ev.Int(); x >= 0 && x <= 255 {
			return byte(x), true
		}
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Uint8:
		if x := ev.Uint(); x <= 255 {
			return byte(x), true
		}
	}
	return 0, false
}

func (s *appendState) list(dst []byte, rv reflect.Value) ([]byte, error) {
	n := rv.Len()
	if n == 0 {
		return append(dst, TagNil), nil
	}
	if n <= 65535 {
		ek := rv.Type().Elem().Kind()
		if ek == reflect.Interface || ek == reflect.Pointer || (ek >= reflect.Int && ek <= reflect.Uintptr) {
			bytesOnly := true
			for i := range n {
				if _, ok := smallIntElem(rv.Index(i)); !ok {
					bytesOnly = false
					break
				}
			}
			if bytesOnly {
				dst = append(dst, TagString, byte(n>>8), byte(n))
				for i := range n {
					b, _ := smallIntElem(rv.Index(i))
					dst = append(dst, b)
				}
				return dst, nil
			}
		}
	}
	dst = appendHeader32(dst, TagList, n)
	var err error
	for i := range n {
		if dst, err = s.value(dst, rv.Index(i)); err != nil {
			return dst, prefixErr(err, fmt.Sprintf("[%d]", i))
		}
	}
	return append(dst, TagNil), nil
}

func (s *appendState) goMap(dst []byte, rv reflect.Value) ([]byte, error) {
	keys := rv.MapKeys()
	sortKeys(keys)
	kt := rv.Type().Key()
	atomKeys := kt.Kind() == reflect.String && s.opts.atomMapKeys && kt != charlistType
	dst = appendHeader32(dst, TagMap, len(keys))
	var err error
	for _, k := range keys {
		if atomKeys {
			dst, err = s.e.appendAtom(dst, Atom(k.String()))
		} else {
			dst, err = s.value(dst, k)
		}
		if err != nil {
			return dst, prefixErr(err, fmt.Sprintf("{key %v}", k))
		}
		if dst, err = s.value(dst, rv.MapIndex(k)); err != nil {
			return dst, prefixErr(err, fmt.Sprintf("[%v]", k))
		}
	}
	return dst, nil
}

func (s *appendState) structValue(dst []byte, rv reflect.Value) ([]byte, error) {
	si := cachedStructInfo(rv.Type())
	var err error
	if si.isRecord || (s.opts.structsAsTuples && !si.isElixir) {
		n := len(si.fields)
		if si.isRecord && si.record != "" {
			n++
		}
		if n <= 255 {
			dst = append(dst, TagSmallTuple, byte(n))
		} else {
			dst = appendHeader32(dst, TagLargeTuple, n)
		}
		if si.isRecord && si.record != "" {
			if dst, err = s.e.appendAtom(dst, si.record); err != nil {
				return dst, err
			}
		}
		for _, f := range si.fields {
			fv, ok := fieldValue(rv, f.index)
			if !ok {
				dst, err = s.e.appendAtom(dst, s.opts.nilAtom)
			} else {
				dst, err = s.value(dst, fv)
			}
			if err != nil {
				return dst, prefixErr(err, "."+f.name)
			}
		}
		return dst, nil
	}
	// Count the pairs first: the map header comes before them.
	n := 0
	if si.isElixir {
		n++
	}
	for _, f := range si.fields {
		if fv, ok := fieldValue(rv, f.index); ok && !(f.omitEmpty && !si.isElixir && isEmptyValue(fv)) {
			n++
		}
	}
	dst = appendHeader32(dst, TagMap, n)
	if si.isElixir {
		if dst, err = s.e.appendAtom(dst, "__struct__"); err != nil {
			return dst, err
		}
		if dst, err = s.e.appendAtom(dst, si.module); err != nil {
			return dst, err
		}
	}
	binKeys := s.opts.binaryFieldKeys && !si.isElixir
	for _, f := range si.fields {
		fv, ok := fieldValue(rv, f.index)
		if !ok || (f.omitEmpty && !si.isElixir && isEmptyValue(fv)) {
			continue
		}
		if binKeys {
			dst = appendHeader32(dst, TagBinary, len(f.name))
			dst = append(dst, f.name...)
		} else if dst, err = s.e.appendAtom(dst, Atom(f.name)); err != nil {
			return dst, err
		}
		if dst, err = s.value(dst, fv); err != nil {
			return dst, prefixErr(err, "."+f.name)
		}
	}
	return dst, nil
}
