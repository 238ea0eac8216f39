// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"encoding"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
)

// Marshaler is implemented by types that encode themselves. MarshalTerm
// returns the term to send; it may contain further Go values, which are
// mapped in turn.
type Marshaler interface {
	MarshalTerm() (Term, error)
}

// MarshalError reports a Go value that could not be mapped to a term. Err
// is ErrUnsupportedType (channels, funcs, complex numbers), ErrInvalidTerm
// (non-finite floats, cycles) or the error a Marshaler returned.
type MarshalError struct {
	Type reflect.Type // Go type of the offending value
	Path string       // where it sits in the value, e.g. .Users[2].Name
	Err  error
}

// Error implements error.
func (e *MarshalError) Error() string {
	where := e.Path
	if where == "" {
		where = "value"
	}
	return fmt.Sprintf("etf: cannot marshal %s of type %v: %v", where, e.Type, e.Err)
}

// Unwrap returns the cause.
func (e *MarshalError) Unwrap() error { return e.Err }

// maxReflectDepth bounds recursion through Go values (and so catches
// pointer cycles) in both directions.
const maxReflectDepth = 4096

var (
	marshalerType     = reflect.TypeFor[Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// Marshal returns the external term format of v, with the version byte
// 131. See ToTerm for how Go values map to terms.
func Marshal(v any, opts ...Option) ([]byte, error) {
	var e Encoder
	s := appendState{e: &e, opts: buildOptions(opts)}
	b, err := s.any(append(make([]byte, 0, 64), TagVersion), v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ToTerm maps a Go value to the term types of this package, following the
// rules in MAPPING.md: integers become int (or *big.Int beyond int64),
// strings become binaries, slices lists, maps maps, structs maps with atom
// keys (or records / Elixir structs when marked), nil pointers and nil
// interfaces the nil atom. Values that already are terms are returned
// unchanged; containers (Tuple, List, Map, ImproperList) are copied only
// if they hold Go values that need mapping. A nil element inside those
// term containers keeps the term-level meaning [] that the Encoder gives
// it.
func ToTerm(v any, opts ...Option) (Term, error) {
	s := encState{opts: buildOptions(opts)}
	if v == nil {
		return s.opts.nilAtom, nil
	}
	t, _, err := s.any(v)
	return t, err
}

// encState carries options and depth through one ToTerm call.
type encState struct {
	opts  options
	depth int
}

// any maps v. changed reports whether the result differs from v, so
// containers can avoid copying.
func (s *encState) any(v any) (t Term, changed bool, err error) {
	switch x := v.(type) {
	case Atom, int, []byte, BitString, Charlist, PID, Port, Ref, Alias, Export, Fun:
		return v, false, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false, &MarshalError{Type: reflect.TypeOf(x), Err: fmt.Errorf("%w: non-finite float %v", ErrInvalidTerm, x)}
		}
		return v, false, nil
	case *big.Int:
		if x == nil {
			return s.opts.nilAtom, true, nil
		}
		return v, false, nil
	case bool:
		return boolAtom(x), true, nil
	case string:
		return s.str(x), true, nil
	case Tuple:
		out, ch, err := s.terms(x)
		if err != nil || !ch {
			return v, false, err
		}
		return Tuple(out), true, nil
	case List:
		out, ch, err := s.terms(x)
		if err != nil || !ch {
			return v, false, err
		}
		return List(out), true, nil
	case ImproperList:
		out, ch, err := s.terms(x.Elems)
		if err != nil {
			return v, false, err
		}
		tail, tch, err := s.elem(x.Tail)
		if err != nil {
			return v, false, prefixErr(err, "|tail")
		}
		if !ch && !tch {
			return v, false, nil
		}
		return ImproperList{Elems: out, Tail: tail}, true, nil
	case Map:
		return s.termMap(x)
	}
	t, err = s.value(reflect.ValueOf(v))
	return t, true, err
}

// elem maps an element of a term container: nil stays nil ([]).
func (s *encState) elem(v Term) (Term, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	return s.any(v)
}

// terms maps the elements of a term container, copying on first change.
func (s *encState) terms(in []Term) ([]Term, bool, error) {
	if s.depth++; s.depth > maxReflectDepth {
		return nil, false, &MarshalError{Type: reflect.TypeOf(in), Err: fmt.Errorf("%w: nested too deep or cyclic", ErrInvalidTerm)}
	}
	defer func() { s.depth-- }()
	var out []Term
	for i, e := range in {
		t, ch, err := s.elem(e)
		if err != nil {
			return nil, false, prefixErr(err, fmt.Sprintf("[%d]", i))
		}
		if ch && out == nil {
			out = make([]Term, len(in))
			copy(out, in[:i])
		}
		if out != nil {
			out[i] = t
		}
	}
	if out == nil {
		return in, false, nil
	}
	return out, true, nil
}

func (s *encState) termMap(m Map) (Term, bool, error) {
	if s.depth++; s.depth > maxReflectDepth {
		return nil, false, &MarshalError{Type: reflect.TypeOf(m), Err: fmt.Errorf("%w: nested too deep or cyclic", ErrInvalidTerm)}
	}
	defer func() { s.depth-- }()
	var out Map
	for i, p := range m {
		k, kch, err := s.elem(p.Key)
		if err != nil {
			return nil, false, prefixErr(err, fmt.Sprintf("{key %d}", i))
		}
		v, vch, err := s.elem(p.Value)
		if err != nil {
			return nil, false, prefixErr(err, fmt.Sprintf("{value %d}", i))
		}
		if (kch || vch) && out == nil {
			out = make(Map, len(m))
			copy(out, m[:i])
		}
		if out != nil {
			out[i] = Pair{Key: k, Value: v}
		}
	}
	if out == nil {
		return m, false, nil
	}
	return out, true, nil
}

func boolAtom(b bool) Atom {
	if b {
		return "true"
	}
	return "false"
}

func (s *encState) str(x string) Term {
	if s.opts.stringsAsCharlists {
		return Charlist(x)
	}
	return []byte(x)
}

// value maps a reflected Go value.
func (s *encState) value(rv reflect.Value) (Term, error) {
	if !rv.IsValid() {
		return s.opts.nilAtom, nil
	}
	if s.depth++; s.depth > maxReflectDepth {
		return nil, &MarshalError{Type: rv.Type(), Err: fmt.Errorf("%w: nested too deep or cyclic", ErrInvalidTerm)}
	}
	defer func() { s.depth-- }()

	rt := rv.Type()
	if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return s.opts.nilAtom, nil
	}
	if !rv.CanAddr() && flagsOf(rt).ptrSpecial {
		// MarshalTerm or MarshalText has a pointer receiver but the value
		// is not addressable (passed by value, a map element ...): call
		// it on a copy rather than silently ignoring it, as
		// encoding/json v1 would.
		c := reflect.New(rt).Elem()
		c.Set(rv)
		rv = c
	}
	if rt.Implements(marshalerType) {
		return s.marshaler(rv.Interface().(Marshaler), rt)
	}
	if rv.CanAddr() && reflect.PointerTo(rt).Implements(marshalerType) {
		return s.marshaler(rv.Addr().Interface().(Marshaler), rt)
	}
	if rv.Kind() != reflect.Interface && rv.CanInterface() {
		switch x := rv.Interface().(type) {
		case Atom, BitString, Charlist, PID, Port, Ref, Alias, Export, Fun, Tuple, List, ImproperList, Map, *big.Int:
			t, _, err := s.any(x)
			return t, err
		case big.Int:
			return new(big.Int).Set(&x), nil
		}
		if rt.Implements(textMarshalerType) {
			return s.text(rv.Interface().(encoding.TextMarshaler), rt)
		}
		if rv.CanAddr() && reflect.PointerTo(rt).Implements(textMarshalerType) {
			return s.text(rv.Addr().Interface().(encoding.TextMarshaler), rt)
		}
	}

	switch rv.Kind() {
	case reflect.Bool:
		return boolAtom(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return new(big.Int).SetUint64(u), nil
		}
		return int(u), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &MarshalError{Type: rt, Err: fmt.Errorf("%w: non-finite float %v", ErrInvalidTerm, f)}
		}
		return f, nil
	case reflect.String:
		return s.str(rv.String()), nil
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 {
			return rv.Bytes(), nil
		}
		return s.list(rv)
	case reflect.Array:
		if rt.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return b, nil
		}
		return s.list(rv)
	case reflect.Map:
		return s.goMap(rv)
	case reflect.Pointer, reflect.Interface:
		return s.value(rv.Elem())
	case reflect.Struct:
		return s.structTerm(rv)
	}
	return nil, &MarshalError{Type: rt, Err: ErrUnsupportedType}
}

func (s *encState) marshaler(m Marshaler, rt reflect.Type) (Term, error) {
	t, err := m.MarshalTerm()
	if err != nil {
		return nil, &MarshalError{Type: rt, Err: err}
	}
	if t == nil {
		return s.opts.nilAtom, nil
	}
	t, _, err = s.any(t)
	return t, err
}

func (s *encState) text(m encoding.TextMarshaler, rt reflect.Type) (Term, error) {
	b, err := m.MarshalText()
	if err != nil {
		return nil, &MarshalError{Type: rt, Err: err}
	}
	return s.str(string(b)), nil
}

func (s *encState) list(rv reflect.Value) (Term, error) {
	n := rv.Len()
	if n == 0 {
		return List(nil), nil
	}
	out := make(List, n)
	for i := range n {
		t, err := s.value(rv.Index(i))
		if err != nil {
			return nil, prefixErr(err, fmt.Sprintf("[%d]", i))
		}
		out[i] = t
	}
	return out, nil
}

// goMap maps a Go map. Keys are sorted when they are strings or numbers so
// that Marshal output is deterministic.
func (s *encState) goMap(rv reflect.Value) (Term, error) {
	keys := rv.MapKeys()
	sortKeys(keys)
	kt := rv.Type().Key()
	out := make(Map, 0, len(keys))
	for _, k := range keys {
		var kterm Term
		var err error
		if kt.Kind() == reflect.String && s.opts.atomMapKeys && kt != charlistType {
			kterm = Atom(k.String())
		} else {
			kterm, err = s.value(k)
		}
		if err != nil {
			return nil, prefixErr(err, fmt.Sprintf("{key %v}", k))
		}
		v, err := s.value(rv.MapIndex(k))
		if err != nil {
			return nil, prefixErr(err, fmt.Sprintf("[%v]", k))
		}
		out = append(out, Pair{Key: kterm, Value: v})
	}
	return out, nil
}

func sortKeys(keys []reflect.Value) {
	if len(keys) < 2 {
		return
	}
	switch keys[0].Kind() {
	case reflect.String:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmpOrdered(a.Int(), b.Int()) })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmpOrdered(a.Uint(), b.Uint()) })
	case reflect.Float32, reflect.Float64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmpOrdered(a.Float(), b.Float()) })
	case reflect.Bool:
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmpOrdered(boolInt(a.Bool()), boolInt(b.Bool()))
		})
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmpOrdered[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var charlistType = reflect.TypeFor[Charlist]()

// fieldValue walks a field index path; ok is false when it passes through a
// nil embedded pointer.
func fieldValue(rv reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return reflect.Value{}, false
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv, true
}

func (s *encState) structTerm(rv reflect.Value) (Term, error) {
	si := cachedStructInfo(rv.Type())
	if si.isRecord || (s.opts.structsAsTuples && !si.isElixir) {
		out := make(Tuple, 0, len(si.fields)+1)
		if si.isRecord && si.record != "" {
			out = append(out, si.record)
		}
		for _, f := range si.fields {
			fv, ok := fieldValue(rv, f.index)
			if !ok {
				out = append(out, s.opts.nilAtom)
				continue
			}
			t, err := s.value(fv)
			if err != nil {
				return nil, prefixErr(err, "."+f.name)
			}
			out = append(out, t)
		}
		return out, nil
	}
	out := make(Map, 0, len(si.fields)+1)
	if si.isElixir {
		out = append(out, Pair{Key: Atom("__struct__"), Value: si.module})
	}
	for _, f := range si.fields {
		fv, ok := fieldValue(rv, f.index)
		if !ok || (f.omitEmpty && !si.isElixir && isEmptyValue(fv)) {
			continue
		}
		t, err := s.value(fv)
		if err != nil {
			return nil, prefixErr(err, "."+f.name)
		}
		var key Term = Atom(f.name)
		if s.opts.binaryFieldKeys && !si.isElixir {
			key = []byte(f.name)
		}
		out = append(out, Pair{Key: key, Value: t})
	}
	return out, nil
}

// isEmptyValue is the omitempty test of encoding/json.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// prefixErr prepends a path segment to a MarshalError or UnmarshalTypeError
// travelling up from a nested value.
func prefixErr(err error, seg string) error {
	switch e := err.(type) {
	case *MarshalError:
		e.Path = seg + e.Path
	case *UnmarshalTypeError:
		e.Path = seg + e.Path
	}
	return err
}
