package etf

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// A regCodec is the compiled encoder and decoder of one Go type inside a
// registered type's tree, built once per registry. enc appends v straight
// to dst (no intermediate term); dec stores a decoded term into the
// settable v. The Encoder travels by value so that the callers' Encoders
// (often on the stack) never escape through these function values.
type regCodec struct {
	enc  func(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error)
	dec  func(t Term, v reflect.Value, depth int) error
	decb decbFn // bytes path (registry_decode.go); nil: decode the term, then dec
}

// structCodec writes a struct as a map with atom keys (with __struct__
// when name is set) or, for a record, as a tuple led by name.
type structCodec struct {
	r         *Registry
	typ       reflect.Type
	name      Atom // module or record tag; "" for a plain (unregistered) struct
	record    bool
	exception bool          // an error type: written as an Elixir exception
	fields    []structField // declaration order
	encOrder  []int         // map keys in Erlang term order, __struct__ (index -1) included
	nameBytes []byte        // pre-encoded atoms (UTF-8, no atom cache)
	byKey     map[Atom]int  // for structs with many fields
}

type structField struct {
	key      Atom
	keyBytes []byte
	index    []int
	c        *regCodec
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	errorType         = reflect.TypeFor[error]()
	structKeyBytes    = smallAtomBytes("__struct__")
	exceptionKeyAtom  = Atom("__exception__")
	exceptionKeyBytes = smallAtomBytes(exceptionKeyAtom)
	trueBytes         = smallAtomBytes("true")
)

// smallAtomBytes pre-encodes an atom as SMALL_ATOM_UTF8 (AppendTerm's
// choice when no atom cache and no Latin-1 atoms are in play).
func smallAtomBytes(a Atom) []byte {
	var e Encoder
	b, _ := e.appendAtom(nil, a)
	return b
}

// compileRegistered builds the codec of a registration's body. Caller
// holds r.mu.
func (r *Registry) compileRegistered(reg *regType) (*regCodec, error) {
	if reg.shape == shapeTagged {
		return r.compile(reg.val)
	}
	sc, err := r.newStructCodec(reg.val, reg.name, reg.shape == shapeRecord)
	if err != nil {
		return nil, err
	}
	if reg.shape == shapeStruct && (reg.typ.Implements(errorType) || reflect.PointerTo(reg.val).Implements(errorType)) {
		// Elixir's exceptions are structs with __exception__: true; with
		// it raise, rescue and Exception.message/1 work on the value.
		sc.exception = true
		sc.sortKeys()
	}
	return sc.codec(), nil
}

// codecFor returns the compiled codec of t, compiling it on first use.
func (r *Registry) codecFor(t reflect.Type) (*regCodec, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.codecs == nil {
		r.codecs = map[reflect.Type]*regCodec{}
	}
	return r.compile(t)
}

// compile returns the codec of t. Caller holds r.mu. The codec is cached
// before its parts are built, so recursive types refer to themselves.
func (r *Registry) compile(t reflect.Type) (*regCodec, error) {
	if c, ok := r.codecs[t]; ok {
		return c, nil
	}
	c := &regCodec{}
	r.codecs[t] = c
	if err := r.fill(c, t); err != nil {
		delete(r.codecs, t)
		return nil, err
	}
	return c, nil
}

func (r *Registry) fill(c *regCodec, t reflect.Type) error {
	switch {
	case t == timeType:
		c.enc, c.dec, c.decb = encTime, decTime, decbTime(c)
		return nil
	case t == atomType:
		c.enc, c.dec = encAtom, decAtom
		return nil
	case t.Kind() != reflect.Interface && (isTermType(t) || t == reflect.PointerTo(bigIntType) || flagsOf(t).special || flagsOf(t).ptrSpecial ||
		flagsOf(t).ptrUnmarshaler || flagsOf(t).ptrTextUnmarshaler):
		// Term types and types with their own (un)marshalers keep the
		// reflection layer's mapping.
		c.enc, c.dec = encGeneral, decGeneral
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		c.enc, c.dec, c.decb = encBool, decBool, decbBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.enc, c.dec, c.decb = encInt, decInt, decbInt(c)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		c.enc, c.dec, c.decb = encUint, decUint, decbUint(c)
	case reflect.Float32, reflect.Float64:
		c.enc, c.dec, c.decb = encFloat, decFloat, decbFloat(c)
	case reflect.String:
		c.enc, c.dec, c.decb = encString, decString, decbString(c)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			c.enc, c.dec, c.decb = encBytes, decBytes, decbBytes
			return nil
		}
		elem, err := r.compile(t.Elem())
		if err != nil {
			return err
		}
		c.enc, c.dec = sliceCodec(elem)
		c.decb = decbSlice(c, elem)
	case reflect.Array:
		c.enc, c.dec = encGeneral, decGeneral
	case reflect.Map:
		k, err := r.compile(t.Key())
		if err != nil {
			return err
		}
		v, err := r.compile(t.Elem())
		if err != nil {
			return err
		}
		c.enc, c.dec = mapCodec(t, k, v)
	case reflect.Pointer:
		elem, err := r.compile(t.Elem())
		if err != nil {
			return err
		}
		c.enc, c.dec = ptrCodec(t, elem)
		c.decb = decbPtr(t, elem)
	case reflect.Interface:
		c.enc, c.dec = encAny, r.decAny
	case reflect.Struct:
		// A struct inside a registered tree takes its own registered
		// shape when it has one (looked up per value, so registration
		// order does not matter), else the plain map of its fields.
		plain, err := r.newStructCodec(t, "", false)
		if err != nil {
			return err
		}
		c.enc, c.dec, c.decb = r.nestedStruct(t, plain.codec())
	default:
		return fmt.Errorf("%w: %v", ErrUnsupportedType, t)
	}
	return nil
}

// newStructCodec compiles the fields of struct type t. Field selection,
// embedding and conflicts follow the reflection layer (MAPPING.md); only
// the default key differs: snake_case instead of the Go name.
func (r *Registry) newStructCodec(t reflect.Type, name Atom, record bool) (*structCodec, error) {
	si := buildStructInfo(t)
	sc := &structCodec{r: r, typ: t, name: name, record: record}
	if name != "" {
		sc.nameBytes = smallAtomBytes(name)
	}
	seen := map[Atom]bool{}
	for _, f := range si.fields {
		key := f.name
		if !f.tagged {
			key = snakeCase(key)
		}
		if len(key) > 255 || key == "__struct__" || key == string(exceptionKeyAtom) || seen[Atom(key)] {
			return nil, fmt.Errorf("field key %q is not usable (too long, reserved or duplicate)", key)
		}
		seen[Atom(key)] = true
		c, err := r.compile(f.typ)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		sc.fields = append(sc.fields, structField{key: Atom(key), keyBytes: smallAtomBytes(Atom(key)), index: f.index, c: c})
	}
	if len(sc.fields) > 16 {
		sc.byKey = make(map[Atom]int, len(sc.fields))
		for i, f := range sc.fields {
			sc.byKey[f.key] = i
		}
	}
	sc.sortKeys()
	return sc, nil
}

// sortKeys orders the map keys as ERTS writes small maps, in term order
// (atoms compare by their text), so that our bytes are term_to_binary's.
// -1 stands for __struct__, -2 for __exception__.
func (sc *structCodec) sortKeys() {
	order := make([]int, 0, len(sc.fields)+2)
	if sc.name != "" {
		order = append(order, -1)
	}
	if sc.exception {
		order = append(order, -2)
	}
	for i := range sc.fields {
		order = append(order, i)
	}
	keyOf := func(i int) string {
		switch i {
		case -1:
			return "__struct__"
		case -2:
			return string(exceptionKeyAtom)
		}
		return string(sc.fields[i].key)
	}
	if len(order) <= 32 {
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(keyOf(a), keyOf(b)) })
	}
	sc.encOrder = order
}

func (sc *structCodec) codec() *regCodec {
	if sc.record {
		return &regCodec{enc: sc.encRecord, dec: sc.decRecord, decb: sc.decbRecord}
	}
	return &regCodec{enc: sc.encMap, dec: sc.decMap, decb: sc.decbMap}
}

// nestedStruct is the codec of a struct-typed value inside a tree.
func (r *Registry) nestedStruct(t reflect.Type, plain *regCodec) (
	func(Encoder, []byte, reflect.Value, int) ([]byte, error), func(Term, reflect.Value, int) error, decbFn) {
	enc := func(e Encoder, dst []byte, v reflect.Value, depth int) ([]byte, error) {
		if ent, ok := r.lookup(t); ok && ent.reg.shape != shapeTagged {
			return ent.reg.body.enc(e, dst, v, depth)
		}
		return plain.enc(e, dst, v, depth)
	}
	dec := func(tm Term, v reflect.Value, depth int) error {
		if ent, ok := r.lookup(t); ok && ent.reg.shape != shapeTagged {
			return ent.reg.body.dec(tm, v, depth)
		}
		return plain.dec(tm, v, depth)
	}
	decb := func(bd *byteDec, v reflect.Value, depth int) error {
		if ent, ok := r.lookup(t); ok && ent.reg.shape != shapeTagged {
			return bd.value(ent.reg.body, v, depth)
		}
		return bd.value(plain, v, depth)
	}
	return enc, dec, decb
}
