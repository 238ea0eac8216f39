package etf

import (
	"errors"
	"fmt"
	"reflect"
)

// Mismatch sentinels; see FromTerm.
var (
	// ErrMismatch reports a term that names a registered type (its
	// __struct__, record tag or value tag) but does not fit it.
	ErrMismatch = errors.New("etf: term does not fit its registered type")
	// ErrRejected additionally marks a mismatch that the registry
	// rejects (WithRejectMismatch): the message should be dropped.
	ErrRejected = errors.New("etf: term rejected by the registry")
)

// MismatchError is a term that names a registered type but does not fit
// it. It matches ErrMismatch (and ErrRejected when Rejected) and unwraps
// to the detail, usually a *UnmarshalTypeError with the path of the
// offending field (ErrMissingField, ErrUnknownField, ErrType,
// ErrOverflow).
type MismatchError struct {
	Name     Atom         // the registered name the term carries
	Type     reflect.Type // the registered Go type
	Term     Term         // the whole term
	Err      error        // why it does not fit
	Rejected bool         // the registry rejects such terms
}

// Error implements error.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("etf: %s does not fit registered type %v (%s): %v", describe(e.Term), e.Type, e.Name, e.Err)
}

// Unwrap returns the detail.
func (e *MismatchError) Unwrap() error { return e.Err }

// Is matches ErrMismatch, and ErrRejected for a rejected term.
func (e *MismatchError) Is(target error) bool {
	return target == ErrMismatch || (e.Rejected && target == ErrRejected)
}

// ErrorTerm returns the term that carries err to another node or to BEAM
// code, as an exit reason or an {error, Reason} reply would:
//
//   - a registered sentinel anywhere in err's chain: {error, Name};
//   - a registered error type anywhere in the chain: {error, Value}, Value
//     in its registered shape (an Elixir struct or record);
//   - any other error: {error, <<"text">>}, as today.
//
// Wrapping text around a registered error is not sent: the receiver gets
// the registered error itself. ErrorTerm(nil) is the atom ok.
func (r *Registry) ErrorTerm(err error) Term {
	if err == nil {
		return Atom("ok")
	}
	s := r.load()
	if name, found := r.registeredError(s, err); found != nil {
		if name != "" {
			return Tuple{Atom("error"), name}
		}
		if t, terr := r.ToTerm(found); terr == nil {
			return Tuple{Atom("error"), t}
		}
	}
	return Tuple{Atom("error"), []byte(err.Error())}
}

// registeredError finds the first registered error in err's chain
// (depth first through errors.Join): a sentinel (name set) or a value of a
// registered type.
func (r *Registry) registeredError(s *regSnapshot, err error) (name Atom, found error) {
	stack := []error{err}
	for steps := 0; len(stack) > 0 && steps < 1000; steps++ {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		rt := reflect.TypeOf(e)
		if s.errTypes[rt] {
			if n, ok := s.atomByErr[e]; ok {
				return n, e
			}
		}
		if _, ok := s.byType[rt]; ok {
			return "", e
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			stack = append(stack, u.Unwrap())
		case interface{ Unwrap() []error }:
			errs := u.Unwrap()
			for i := len(errs) - 1; i >= 0; i-- {
				stack = append(stack, errs[i])
			}
		}
	}
	return "", nil
}

// TermError is the inverse of ErrorTerm for registered errors: for
// {error, Name} with a registered sentinel it returns that very sentinel
// (errors.Is works, so does ==), for {error, Value} with a registered
// error type the decoded value (errors.As works). ok is false for any
// other term, which the caller maps as before (for instance
// {error, <<"text">>} to an error with that text).
func (r *Registry) TermError(t Term) (err error, ok bool) {
	tup, isTuple := t.(Tuple)
	if !isTuple || len(tup) != 2 || tup[0] != Term(Atom("error")) {
		return nil, false
	}
	e, matched, mErr := r.errorOf(r.load(), tup[1], 0)
	if mErr != nil || !matched {
		return nil, false
	}
	return e, true
}

// errorOf reads the Reason of {error, Reason}: a sentinel's atom, or a
// registered value whose type implements error.
func (r *Registry) errorOf(s *regSnapshot, reason Term, depth int) (error, bool, error) {
	if a, ok := reason.(Atom); ok {
		e, found := s.errByAtom[a]
		return e, found, nil
	}
	switch reason.(type) {
	case Map, Tuple:
	default:
		return nil, false, nil
	}
	v, matched, err := r.fromTerm(reason, depth+1)
	if err != nil || !matched {
		return nil, false, err
	}
	e, isErr := v.(error)
	return e, isErr, nil
}
