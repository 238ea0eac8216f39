// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
)

// Errors of the reflection layer. Every *UnmarshalTypeError about a
// mismatch satisfies errors.Is(err, ErrType); overflows and unknown fields
// additionally match their own sentinel.
var (
	// ErrType reports a term that does not fit the Go type it is decoded
	// into (an atom into an int, a 3-tuple into a 2-field record, ...).
	ErrType = errors.New("etf: term does not fit Go type")
	// ErrOverflow reports an integer (or float) outside the range of the
	// Go type: 300 into a uint8, -1 into a uint, 2^64 into an int64.
	// Values never wrap.
	ErrOverflow = fmt.Errorf("%w: number out of range", ErrType)
	// ErrUnknownField reports a map key that matches no struct field, when
	// WithDisallowUnknownFields is in effect.
	ErrUnknownField = fmt.Errorf("%w: unknown field", ErrType)
	// ErrInvalidTarget reports a Convert or Unmarshal target that is not a
	// non-nil pointer.
	ErrInvalidTarget = errors.New("etf: target must be a non-nil pointer")
)

// Unmarshaler is implemented by types that decode themselves from a term.
// UnmarshalTerm receives the term as decoded (see the package
// documentation for its Go shapes); it must copy any []byte it keeps only if
// the caller may reuse the input buffer.
type Unmarshaler interface {
	UnmarshalTerm(Term) error
}

// UnmarshalTypeError describes a term that could not be stored in a Go
// value.
type UnmarshalTypeError struct {
	Term   Term         // the offending term
	GoType reflect.Type // the Go type it was decoded into
	Path   string       // where, e.g. .Users[2].Name or ["key"]
	Err    error        // ErrType, ErrOverflow, ErrUnknownField or an Unmarshaler's error
}

// Error implements error.
func (e *UnmarshalTypeError) Error() string {
	where := ""
	if e.Path != "" {
		where = " at " + e.Path
	}
	return fmt.Sprintf("etf: cannot unmarshal %s into Go value of type %v%s: %v", describe(e.Term), e.GoType, where, e.Err)
}

// Unwrap returns the cause.
func (e *UnmarshalTypeError) Unwrap() error { return e.Err }

// Unmarshal decodes data (external term format, starting with the version
// byte 131) and stores the result in the value v points to, following the
// rules of Convert. Malformed input fails with a *DecodeError
// (errors.Is(err, ErrMalformed)); a well-formed term that does not fit v
// fails with a *UnmarshalTypeError (errors.Is(err, ErrType)).
func Unmarshal(data []byte, v any, opts ...Option) error {
	o := buildOptions(opts)
	if err := checkTarget(v); err != nil {
		return err
	}
	d := Decoder{}
	if o.limits != nil {
		d.Limits = *o.limits
	}
	t, err := d.Decode(data)
	if err != nil {
		return err
	}
	s := convState{opts: o}
	return s.convert(t, reflect.ValueOf(v).Elem())
}

// Convert stores an already decoded term in the value v points to. This is
// how messages, which reach processes as terms, become Go values:
//
//	var req Request
//	if err := etf.Convert(msg, &req); err != nil { ... }
//
// Decoding into an interface{} stores the term itself. See MAPPING.md for
// the full set of rules. Binaries stored into []byte fields are copied;
// binaries kept inside stored terms (any, Tuple, Map fields) are not.
func Convert(t Term, v any, opts ...Option) error {
	if err := checkTarget(v); err != nil {
		return err
	}
	s := convState{opts: buildOptions(opts)}
	return s.convert(t, reflect.ValueOf(v).Elem())
}

// As converts a term into a new value of type T:
//
//	user, err := etf.As[User](msg)
func As[T any](t Term, opts ...Option) (T, error) {
	var x T
	err := Convert(t, &x, opts...)
	return x, err
}

func checkTarget(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w, got %T", ErrInvalidTarget, v)
	}
	return nil
}

// describe names a term for error messages without printing all of it.
func describe(t Term) string {
	switch x := t.(type) {
	case nil:
		return "[]"
	case Atom:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("atom %q", string(x))
	case int:
		return fmt.Sprintf("integer %d", x)
	case *big.Int:
		if x == nil {
			return "nil *big.Int"
		}
		return fmt.Sprintf("integer of %d bits", x.BitLen())
	case float64:
		return fmt.Sprintf("float %v", x)
	case []byte:
		return fmt.Sprintf("binary of %d bytes", len(x))
	case BitString:
		return "bitstring"
	case List:
		return fmt.Sprintf("list of %d elements", len(x))
	case ImproperList:
		return "improper list"
	case Charlist:
		return "string (charlist)"
	case Tuple:
		return fmt.Sprintf("tuple of size %d", len(x))
	case Map:
		return fmt.Sprintf("map of size %d", len(x))
	case PID:
		return "pid"
	case Port:
		return "port"
	case Ref, Alias:
		return "reference"
	case Fun:
		return "fun"
	case Export:
		return "external fun"
	}
	return fmt.Sprintf("Go value of type %T", t)
}
