package interop

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Func is a Go function callable from BEAM as Module:Function(Args...) by
// rpc, erpc and rex. args holds exactly the registered arity of terms.
// Returning a nil error returns the value (nil becomes ok); see the package
// documentation for how errors and panics map onto exception classes.
//
// ctx is cancelled when the Services stop; Process(ctx) is the process
// running the call, whose group leader is the caller's.
type Func func(ctx context.Context, args etf.List) (etf.Term, error)

// MFA names a function: {Module, Function, Arity}.
type MFA struct {
	Module   etf.Atom
	Function etf.Atom
	Arity    int
}

// String formats the MFA as Module:Function/Arity.
func (m MFA) String() string { return fmt.Sprintf("%s:%s/%d", m.Module, m.Function, m.Arity) }

// registry maps MFAs to Go functions. It belongs to one Services value, so
// nodes in one OS process never share functions.
type registry struct {
	mu    sync.RWMutex
	funcs map[MFA]Func
}

func (r *registry) set(m MFA, f Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.funcs == nil {
		r.funcs = make(map[MFA]Func)
	}
	if f == nil {
		delete(r.funcs, m)
		return
	}
	r.funcs[m] = f
}

func (r *registry) get(m MFA) (Func, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.funcs[m]
	return f, ok
}

func (r *registry) list() []MFA {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]MFA, 0, len(r.funcs))
	for m := range r.funcs {
		out = append(out, m)
	}
	return out
}

type procKey struct{}

// Process returns the process running a registered Func (nil outside one).
// Its GroupLeader is the BEAM caller's group leader, so
// Format(ctx, Process(ctx), ...) prints in the caller's shell.
func Process(ctx context.Context) *node.Process {
	p, _ := ctx.Value(procKey{}).(*node.Process)
	return p
}

// apply runs module:function(args) on process p and maps the result.
func (s *Services) apply(p *node.Process, m, f etf.Atom, args etf.List) (o outcome) {
	key := MFA{m, f, len(args)}
	fn, ok := s.reg.get(key)
	if !ok {
		// As BEAM: error:undef with the call itself as the only frame.
		return outcome{
			class:  ClassError,
			reason: etf.Atom("undef"),
			stack:  etf.List{etf.Tuple{m, f, args, etf.List{}}},
		}
	}
	frame := etf.Tuple{m, f, len(args), etf.List{etf.Tuple{etf.Atom("file"), etf.Charlist("go")}}}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("interop: function panicked", "mfa", key.String(), "panic", fmt.Sprint(r), "stack", stackOf())
			o = panicOutcome(r, frame)
		}
	}()
	ctx := context.WithValue(s.ctx, procKey{}, p)
	v, err := fn(ctx, args)
	reg := s.n.Registry()
	if err == nil && v == nil {
		v = atomOK
	} else if err == nil {
		var cerr error
		if reg != nil && !plainLeaf(v) {
			// Registered Go values become their BEAM shapes (an Elixir
			// struct, a record): the reply is a term, whatever the caller.
			v, cerr = reg.ToTerm(v)
		} else {
			v, cerr = etf.ToTerm(v)
		}
		if cerr != nil {
			err = Raise(etf.Tuple{etf.Atom("badreturn"), etf.Binary(cerr.Error())})
		}
	} else if reg != nil {
		err = s.registeredRaise(err)
	}
	return toOutcome(v, err, frame)
}

// plainLeaf reports whether v is of a type no registry can claim (an
// unnamed scalar, a binary, a pid...), so that etf.ToTerm converts it as
// the registry would, without the registry's encode and decode (which
// made a 1 KiB binary result 3.5x slower to return).
func plainLeaf(v etf.Term) bool {
	switch v.(type) {
	case etf.Atom, int, []byte, float64, bool, string, etf.PID, etf.Ref, etf.Charlist:
		return true
	}
	return false
}

// registeredRaise maps a plain error that carries an error registered in
// the node's registry onto error:Reason, Reason its registered term (the
// atom of a sentinel, the struct or record of an error type: what
// Node.ReasonOf puts in {error, Reason}), as erlang:error(Reason) or an
// Elixir raise would. Exceptions, exit errors and unregistered errors
// are left to toOutcome (error:<<"text">> for the last).
func (s *Services) registeredRaise(err error) error {
	var ex *Exception
	var ee *node.ExitError
	if errors.As(err, &ex) || errors.As(err, &ee) {
		return err
	}
	t, ok := s.n.ReasonOf(err).(etf.Tuple)
	if !ok || len(t) != 2 {
		return err
	}
	if _, text := t[1].([]byte); text { // not registered: {error, <<"text">>}
		return err
	}
	return Raise(t[1])
}

// Func0 adapts a typed function of no arguments to a Func. The result is
// converted with etf.ToTerm, or through the node's registry when it has
// one (a registered Go value becomes its Elixir struct or record).
func Func0[R any](f func(ctx context.Context) (R, error)) Func {
	return func(ctx context.Context, _ etf.List) (etf.Term, error) {
		return f(ctx)
	}
}

// Func1 adapts a typed function of one argument to a Func. The argument is
// converted with etf.As, or with etf.AsRegistered and the node's registry
// (node.WithRegistry) when it has one, so that a registered type arrives as
// itself (an Elixir %Shop.Order{} as Order); a term that does not fit
// raises error:badarg.
func Func1[A, R any](f func(ctx context.Context, a A) (R, error)) Func {
	return func(ctx context.Context, args etf.List) (etf.Term, error) {
		a, err := arg[A](ctx, args, 0)
		if err != nil {
			return nil, err
		}
		return f(ctx, a)
	}
}

// Func2 adapts a typed function of two arguments to a Func (see Func1).
func Func2[A, B, R any](f func(ctx context.Context, a A, b B) (R, error)) Func {
	return func(ctx context.Context, args etf.List) (etf.Term, error) {
		a, err := arg[A](ctx, args, 0)
		if err != nil {
			return nil, err
		}
		b, err := arg[B](ctx, args, 1)
		if err != nil {
			return nil, err
		}
		return f(ctx, a, b)
	}
}

// Func3 adapts a typed function of three arguments to a Func (see Func1).
func Func3[A, B, C, R any](f func(ctx context.Context, a A, b B, c C) (R, error)) Func {
	return func(ctx context.Context, args etf.List) (etf.Term, error) {
		a, err := arg[A](ctx, args, 0)
		if err != nil {
			return nil, err
		}
		b, err := arg[B](ctx, args, 1)
		if err != nil {
			return nil, err
		}
		c, err := arg[C](ctx, args, 2)
		if err != nil {
			return nil, err
		}
		return f(ctx, a, b, c)
	}
}

func arg[T any](ctx context.Context, args etf.List, i int) (T, error) {
	var zero T
	if i >= len(args) {
		return zero, Raise(etf.Atom("badarg"))
	}
	var v T
	var err error
	if p := Process(ctx); p != nil && p.Registry() != nil {
		v, err = etf.AsRegistered[T](p.Registry(), args[i])
	} else {
		v, err = etf.As[T](args[i])
	}
	if err != nil {
		return zero, Raise(etf.Atom("badarg"))
	}
	return v, nil
}
