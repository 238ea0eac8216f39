package etf

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// Registry maps Go types to the BEAM terms that name them, so that a
// registered Go value encodes to a natural term (an Elixir struct, an
// Erlang record, a tagged tuple) and a term of that shape converts back
// into the same Go type. A Registry is an ordinary value: every node (or
// codec) holds its own, and two registries in one process never share
// state. See the "Registered types" section of MAPPING.md for the shapes.
//
// Register types at start-up; lookups are lock-free and safe for
// concurrent use with each other and with later registrations.
type Registry struct {
	mu     sync.Mutex // serialises registration and codec compilation
	snap   atomic.Pointer[regSnapshot]
	codecs map[reflect.Type]*regCodec // compiled codecs, guarded by mu
	reject bool
}

// regSnapshot is the immutable lookup state; registration replaces it.
type regSnapshot struct {
	byType    map[reflect.Type]regEntry
	byStruct  map[Atom]*regType // Elixir struct module -> type
	byTag     map[Atom]*regType // record tag or tagged-value name -> type
	errByAtom map[Atom]error    // sentinel errors
	atomByErr map[error]Atom
	errTypes  map[reflect.Type]bool // dynamic types of the sentinels
}

// emptySnapshot serves a zero Registry, which behaves as an empty one.
var emptySnapshot = regSnapshot{}

// load returns the current lookup state.
func (r *Registry) load() *regSnapshot {
	if s := r.snap.Load(); s != nil {
		return s
	}
	return &emptySnapshot
}

// regEntry is what a Go type found in a value leads to: its registration,
// and whether the value is the pointer form of it.
type regEntry struct {
	reg *regType
	ptr bool // the value is *V where reg.val is V
}

// regShape is how a registered type is written.
type regShape uint8

const (
	shapeStruct regShape = iota // Elixir struct: map with __struct__
	shapeRecord                 // Erlang record: {Tag, Field1, ...}
	shapeTagged                 // {Name, Value} for named scalars, slices, maps
)

// regType is one registration.
type regType struct {
	name  Atom
	typ   reflect.Type // as registered (may be a pointer)
	val   reflect.Type // typ, or its element when typ is a pointer
	shape regShape
	body  *regCodec // struct or record codec; for tagged, the value's codec
}

// RegistryOption configures a Registry.
type RegistryOption func(*Registry)

// WithRejectMismatch makes FromTerm reject a term that names a registered
// type but does not fit it: it returns a nil value and an error matching
// ErrRejected, so the caller drops the message. By default the raw term is
// returned with the error, to be delivered as it is and logged.
func WithRejectMismatch() RegistryOption {
	return func(r *Registry) { r.reject = true }
}

// TypeOption configures one registration.
type TypeOption func(*typeConfig)

type typeConfig struct {
	record bool
}

// AsRecord registers a struct type as an Erlang record: the name is the
// record tag and the fields follow in declaration order, so
// -record(order, {id, item, price}) is Register[Order](r, "order", AsRecord()).
func AsRecord() TypeOption {
	return func(c *typeConfig) { c.record = true }
}

// ErrRegister reports a registration that cannot be made: a name or type
// registered twice, or a type the registry cannot represent.
var ErrRegister = errors.New("etf: cannot register type")

// NewRegistry returns an empty registry.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{}
	for _, o := range opts {
		if o != nil {
			o(r)
		}
	}
	return r
}

// Register adds the Go type T to r under name. T may be a struct, a
// pointer to a struct, or a named scalar, slice or map type.
//
// A struct is written as the Elixir struct named by name (the module atom
// in full, "Elixir.Shop.Order"; see ElixirModule), or with AsRecord as the
// Erlang record tagged name. Other types are written as the tagged tuple
// {name, Value}. Field keys are the etf tag names, or the field names in
// snake_case (ID -> id, UnitPrice -> unit_price).
func Register[T any](r *Registry, name Atom, opts ...TypeOption) error {
	var cfg typeConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return r.register(reflect.TypeFor[T](), name, cfg)
}

// MustRegister is Register that panics on error, for package-level
// set-up code whose registrations are fixed.
func MustRegister[T any](r *Registry, name Atom, opts ...TypeOption) {
	if err := Register[T](r, name, opts...); err != nil {
		panic(err)
	}
}

// RegisterError registers a sentinel error value under an atom. The
// sentinel travels as {error, name} and converts back into the very same
// value, so errors.Is works on the receiver. err must be comparable
// (errors.New values are).
func (r *Registry) RegisterError(name Atom, err error) error {
	if err == nil || !reflect.TypeOf(err).Comparable() {
		return fmt.Errorf("%w: error %v under %q is nil or not comparable", ErrRegister, err, name)
	}
	if name == "" || len(name) > 255 {
		return fmt.Errorf("%w: bad atom %q", ErrRegister, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.load()
	if _, dup := old.errByAtom[name]; dup {
		return fmt.Errorf("%w: error name %q registered twice", ErrRegister, name)
	}
	if _, dup := old.atomByErr[err]; dup {
		return fmt.Errorf("%w: error %v registered twice", ErrRegister, err)
	}
	s := old.clone()
	s.errByAtom[name] = err
	s.atomByErr[err] = name
	s.errTypes[reflect.TypeOf(err)] = true
	r.snap.Store(s)
	return nil
}

func (s *regSnapshot) clone() *regSnapshot {
	return &regSnapshot{
		byType: cloneMap(s.byType), byStruct: cloneMap(s.byStruct), byTag: cloneMap(s.byTag),
		errByAtom: cloneMap(s.errByAtom), atomByErr: cloneMap(s.atomByErr), errTypes: cloneMap(s.errTypes),
	}
}

// cloneMap copies m (nil included) into a map with room for one more.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	c := make(map[K]V, len(m)+2)
	maps.Copy(c, m)
	return c
}

func (r *Registry) register(t reflect.Type, name Atom, cfg typeConfig) error {
	if name == "" || len(name) > 255 {
		return fmt.Errorf("%w: %v: bad atom %q", ErrRegister, t, name)
	}
	reg := &regType{name: name, typ: t, val: t}
	if t.Kind() == reflect.Pointer {
		if t.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("%w: %v: only pointers to structs can be registered", ErrRegister, t)
		}
		reg.val = t.Elem()
	}
	switch {
	case isTermType(reg.val) || reg.val == timeType || reg.val.Kind() == reflect.Interface:
		return fmt.Errorf("%w: %v has a fixed mapping already", ErrRegister, t)
	case reg.val.Kind() == reflect.Struct:
		reg.shape = shapeStruct
		if cfg.record {
			reg.shape = shapeRecord
		}
	case reg.val.Name() == "":
		return fmt.Errorf("%w: %v is not a named type", ErrRegister, t)
	case cfg.record:
		return fmt.Errorf("%w: %v: AsRecord needs a struct type", ErrRegister, t)
	default:
		reg.shape = shapeTagged
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.codecs == nil {
		r.codecs = map[reflect.Type]*regCodec{}
	}
	old := r.load()
	for _, k := range []reflect.Type{reg.val, reflect.PointerTo(reg.val)} {
		if e, dup := old.byType[k]; dup {
			return fmt.Errorf("%w: %v is registered already as %q", ErrRegister, t, e.reg.name)
		}
	}
	if reg.shape == shapeStruct {
		if _, dup := old.byStruct[name]; dup {
			return fmt.Errorf("%w: struct %q registered twice", ErrRegister, name)
		}
	} else if _, dup := old.byTag[name]; dup {
		return fmt.Errorf("%w: tag %q registered twice", ErrRegister, name)
	}
	body, err := r.compileRegistered(reg)
	if err != nil {
		return fmt.Errorf("%w: %v: %w", ErrRegister, t, err)
	}
	reg.body = body

	s := old.clone()
	s.byType[reg.val] = regEntry{reg: reg}
	s.byType[reflect.PointerTo(reg.val)] = regEntry{reg: reg, ptr: true}
	if reg.shape == shapeStruct {
		s.byStruct[name] = reg
	} else {
		s.byTag[name] = reg
	}
	r.snap.Store(s)
	return nil
}

// lookup returns the registration a Go type leads to.
func (r *Registry) lookup(t reflect.Type) (regEntry, bool) {
	e, ok := r.load().byType[t]
	return e, ok
}

// snakeCase turns a Go field name into an Elixir-style key: ID -> id,
// UnitPrice -> unit_price, HTTPServer -> http_server, Item2 -> item2.
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, c := range rs {
		if !unicode.IsUpper(c) {
			b.WriteRune(c)
			continue
		}
		if i > 0 {
			prev := rs[i-1]
			prevLower := unicode.IsLower(prev) || unicode.IsDigit(prev)
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
