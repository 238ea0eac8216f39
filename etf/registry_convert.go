package etf

import (
	"fmt"
	"reflect"
)

// Encode encodes v as a standalone term (131 first) with the registered
// shapes of r; see Encoder.Registry.
func (r *Registry) Encode(v any) ([]byte, error) {
	e := Encoder{Registry: r}
	return e.Encode(v)
}

// ToTerm returns the term a registered value encodes to (a Map for an
// Elixir struct, a Tuple for a record or tagged value), for code that
// builds terms rather than bytes. It is the cold path: it encodes and
// decodes.
func (r *Registry) ToTerm(v any) (Term, error) {
	b, err := r.Encode(v)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Decode decodes data (131 first) and converts the term like FromTerm,
// straight from the bytes when it can (see DecodeTerm).
func (r *Registry) Decode(data []byte) (v any, matched bool, err error) {
	if len(data) > 1 && data[0] == TagVersion && data[1] != TagCompressed {
		var d Decoder
		if v, n, ok := r.decodeBytes(&d, data[1:]); ok && n == len(data)-1 {
			return v, true, nil
		}
	}
	t, err := Decode(data)
	if err != nil {
		return nil, false, err
	}
	return r.FromTerm(t)
}

// appendRegistered is the Encoder's hook for Go values that are no term
// type: handled reports whether v's type (or, for a sentinel error, v
// itself) is registered.
func (r *Registry) appendRegistered(e Encoder, dst []byte, v any, depth int) (out []byte, handled bool, err error) {
	s := r.load()
	rt := reflect.TypeOf(v)
	ent, ok := s.byType[rt]
	if !ok {
		if s.errTypes[rt] {
			if name, ok := s.atomByErr[v.(error)]; ok {
				out, err = appendErrorAtom(&e, dst, name)
				return out, true, err
			}
		}
		return dst, false, nil
	}
	e.Registry = r
	out, err = appendEntry(e, dst, ent, reflect.ValueOf(v), depth)
	return out, true, err
}

// appendReflected is the hook of the reflection path (appendState), for
// registered values inside unregistered Go values ([]Order, map[string]Order).
func (r *Registry) appendReflected(e Encoder, dst []byte, v reflect.Value, depth int) (out []byte, handled bool, err error) {
	ent, ok := r.lookup(v.Type())
	if !ok {
		return dst, false, nil
	}
	e.Registry = r
	out, err = appendEntry(e, dst, ent, v, depth)
	return out, true, err
}

func appendErrorAtom(e *Encoder, dst []byte, name Atom) ([]byte, error) {
	dst = append(dst, TagSmallTuple, 2)
	dst, err := e.appendAtom(dst, "error")
	if err != nil {
		return dst, err
	}
	return e.appendAtom(dst, name)
}

func appendEntry(e Encoder, dst []byte, ent regEntry, v reflect.Value, depth int) ([]byte, error) {
	if ent.ptr {
		if v.IsNil() {
			return e.appendAtom(dst, "nil")
		}
		v = v.Elem()
	}
	reg := ent.reg
	if reg.shape == shapeTagged {
		dst = append(dst, TagSmallTuple, 2)
		var err error
		if dst, err = e.appendAtom(dst, reg.name); err != nil {
			return dst, err
		}
	}
	return reg.body.enc(e, dst, v, depth+1)
}

// FromTerm converts a decoded term into the registered Go value it names:
// an Elixir struct whose __struct__ is registered, a tuple whose first
// element is a registered record tag or tagged-value name, or
// {error, Reason} carrying a registered sentinel or error type. Terms that
// name nothing registered cost a map lookup and come back as they are
// with matched == false and a nil error.
//
// A term that names a registered type but does not fit it (missing,
// extra or ill-typed fields) gives a *MismatchError (errors.Is
// ErrMismatch) and, by default, the raw term, to be delivered as it is
// and logged; with WithRejectMismatch, a nil value and an error that also
// matches ErrRejected. FromTerm never panics.
func (r *Registry) FromTerm(t Term) (v any, matched bool, err error) {
	v, matched, err = r.fromTerm(t, 0)
	if err != nil {
		if r.reject {
			if me, ok := err.(*MismatchError); ok {
				me.Rejected = true
			}
			return nil, false, err
		}
		return t, false, err
	}
	if !matched {
		return t, false, nil
	}
	return v, true, nil
}

func (r *Registry) fromTerm(t Term, depth int) (any, bool, error) {
	s := r.load()
	var reg *regType
	switch x := t.(type) {
	case Map:
		if len(s.byStruct) == 0 {
			return nil, false, nil
		}
		for i := range x {
			if x[i].Key == Term(Atom("__struct__")) {
				if a, ok := x[i].Value.(Atom); ok {
					reg = s.byStruct[a]
				}
				break
			}
		}
	case Tuple:
		if len(x) == 0 {
			return nil, false, nil
		}
		a, ok := x[0].(Atom)
		if !ok {
			return nil, false, nil
		}
		if a == "error" && len(x) == 2 {
			if err, matched, mErr := r.errorOf(s, x[1], depth); matched || mErr != nil {
				return err, matched, mErr
			}
		}
		reg = s.byTag[a]
	}
	if reg == nil {
		return nil, false, nil
	}
	v, err := r.decodeReg(reg, t, depth)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// decodeReg decodes t, which names reg, into a new value of reg.typ.
func (r *Registry) decodeReg(reg *regType, t Term, depth int) (any, error) {
	p := reflect.New(reg.val)
	var err error
	if reg.shape == shapeTagged {
		tup, _ := t.(Tuple)
		if len(tup) != 2 || tup[0] != Term(reg.name) {
			err = regTypeErr(t, p.Elem(), fmt.Errorf("%w: want {%s, Value}", ErrType, reg.name))
		} else {
			err = reg.body.dec(tup[1], p.Elem(), depth+1)
		}
	} else {
		err = reg.body.dec(t, p.Elem(), depth+1)
	}
	if err != nil {
		return nil, &MismatchError{Name: reg.name, Type: reg.typ, Term: t, Err: err}
	}
	if reg.typ.Kind() == reflect.Pointer {
		return p.Interface(), nil
	}
	return p.Elem().Interface(), nil
}

// Convert stores t into the value v points to. Registered types (also
// inside slices, maps and pointers, and behind interfaces) decode through
// the registry: a tagged value may then come with or without its tag,
// since the target type says what it is. Other targets follow the
// package-level Convert. A mismatch is a *MismatchError.
func (r *Registry) Convert(t Term, v any) error {
	if err := checkTarget(v); err != nil {
		return err
	}
	return r.convertValue(t, reflect.ValueOf(v).Elem())
}

// AsRegistered converts t into a new value of type T with r.Convert: the
// typed counterpart of FromTerm, for replies whose type the caller knows.
//
//	order, err := etf.AsRegistered[Order](reg, reply)
func AsRegistered[T any](r *Registry, t Term) (T, error) {
	var x T
	err := r.Convert(t, &x)
	return x, err
}

func (r *Registry) convertValue(t Term, rv reflect.Value) error {
	rt := rv.Type()
	if ent, ok := r.lookup(rt); ok {
		reg := ent.reg
		if ent.ptr && isNilTerm(t) {
			rv.SetZero()
			return nil
		}
		target := rv
		var p reflect.Value
		if ent.ptr {
			p = reflect.New(reg.val)
			target = p.Elem()
		}
		body := t
		if reg.shape == shapeTagged {
			if tup, ok := t.(Tuple); ok && len(tup) == 2 && tup[0] == Term(reg.name) {
				body = tup[1]
			}
		}
		if err := reg.body.dec(body, target, 1); err != nil {
			return &MismatchError{Name: reg.name, Type: reg.typ, Term: t, Err: err}
		}
		if ent.ptr {
			rv.Set(p)
		}
		return nil
	}
	if rt.Kind() == reflect.Interface {
		return r.decAny(t, rv, 0)
	}
	if r.reaches(rt) {
		c, err := r.codecFor(rt)
		if err != nil {
			return err
		}
		return c.dec(t, rv, 0)
	}
	return Convert(t, rv.Addr().Interface())
}

// reaches reports whether t is a pointer, slice, array or map leading to a
// registered type.
func (r *Registry) reaches(t reflect.Type) bool {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
			if _, ok := r.lookup(t); ok {
				return true
			}
		default:
			return false
		}
	}
}
