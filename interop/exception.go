// Spec: kernel erpc, https://www.erlang.org/doc/man/erpc.html

package interop

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Class is an Erlang exception class: throw, exit or error.
type Class etf.Atom

// The three exception classes.
const (
	ClassThrow Class = "throw"
	ClassExit  Class = "exit"
	ClassError Class = "error"
)

// Exception is an Erlang exception carried as a Go error, in both
// directions:
//
//   - a registered Go function returns one (see Throw, Exit, Raise) to raise
//     that exception in its BEAM caller;
//   - RPC returns one when the remote M:F(A) raised.
//
// Stack is the stacktrace of an error-class exception (a list of
// {M, F, ArityOrArgs, Location} tuples), nil for the other classes.
type Exception struct {
	Class  Class
	Reason etf.Term
	Stack  etf.Term

	// cause is the registered Go error Reason stands for (RPC on a node
	// with a type registry), so that errors.Is/errors.As reach it.
	cause error
}

// Sentinels matching any Exception of a class under errors.Is:
// errors.Is(err, interop.ErrThrow) is true for every thrown exception.
var (
	ErrThrow error = &Exception{Class: ClassThrow}
	ErrExit  error = &Exception{Class: ClassExit}
	ErrError error = &Exception{Class: ClassError}
)

// ErrUndef matches the error-class exception undef, raised by a call of a
// function that is not registered (or not exported on a BEAM node).
var ErrUndef error = &Exception{Class: ClassError, Reason: etf.Atom("undef")}

// Throw returns an error that raises throw:Reason in the BEAM caller.
func Throw(reason etf.Term) error { return &Exception{Class: ClassThrow, Reason: reason} }

// Exit returns an error that raises exit:Reason in the BEAM caller (as
// erlang:exit/1 does in the called function).
func Exit(reason etf.Term) error { return &Exception{Class: ClassExit, Reason: reason} }

// Raise returns an error that raises error:Reason in the BEAM caller (as
// erlang:error/1 does in the called function).
func Raise(reason etf.Term) error { return &Exception{Class: ClassError, Reason: reason} }

// Error formats the exception like Erlang's Class:Reason.
func (e *Exception) Error() string {
	return fmt.Sprintf("%s:%s", e.Class, etf.Format(e.Reason))
}

// Is matches an Exception target of the same class whose Reason is nil (the
// class sentinels) or an equal term.
func (e *Exception) Is(target error) bool {
	t, ok := target.(*Exception)
	if !ok || t.Class != e.Class {
		return false
	}
	return t.Reason == nil || etf.Equal(t.Reason, e.Reason)
}

// Unwrap returns the registered Go error the exception's Reason stands
// for: RPC on a node with a type registry (node.WithRegistry) sets it when
// the remote function failed with a registered sentinel or error type, so
// errors.Is(err, ErrOutOfStock) and errors.As(err, &stockErr) work on the
// caller as they would locally. Nil otherwise.
func (e *Exception) Unwrap() error { return e.cause }

// registeredCause is the registered error an error-class Reason stands for
// (a sentinel's atom or an error type's struct term, or the Go error the
// decoder already produced), or nil.
func registeredCause(reg *etf.Registry, reason etf.Term) error {
	if err, ok := reason.(error); ok {
		return err
	}
	if reg == nil {
		return nil
	}
	if err, ok := reg.TermError(etf.Tuple{etf.Atom("error"), reason}); ok {
		return err
	}
	return nil
}

// outcome is what a function call produced, before it is shaped for erpc
// or rex.
type outcome struct {
	class  Class // "" for a return
	value  etf.Term
	reason etf.Term
	stack  etf.Term
}

// toOutcome maps a Go result onto an Erlang exception class. mfa is the
// stack frame used for error-class exceptions raised by Go code.
func toOutcome(v etf.Term, err error, mfa etf.Tuple) outcome {
	if err == nil {
		if v == nil {
			v = etf.Atom("ok")
		}
		return outcome{value: v}
	}
	var ex *Exception
	if errors.As(err, &ex) {
		o := outcome{class: ex.Class, reason: ex.Reason}
		if ex.Class == ClassError {
			o.stack = ex.Stack
			if o.stack == nil {
				o.stack = etf.List{mfa}
			}
		}
		return o
	}
	var ee *node.ExitError
	if errors.As(err, &ee) {
		return outcome{class: ClassExit, reason: ee.Reason}
	}
	return outcome{class: ClassError, reason: etf.Binary(err.Error()), stack: etf.List{mfa}}
}

// panicOutcome maps a recovered panic onto error:{panic, <<"text">>}.
func panicOutcome(r any, mfa etf.Tuple) outcome {
	return outcome{
		class:  ClassError,
		reason: etf.Tuple{etf.Atom("panic"), etf.Binary(fmt.Sprint(r))},
		stack:  etf.List{mfa},
	}
}

// stackOf returns the Go stack of a panic for logging.
func stackOf() string { return string(debug.Stack()) }
