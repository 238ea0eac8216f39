package node

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/erlgo/erlgo/etf"
)

// Recover is the one way node and the layers above turn a panic in user
// code into an exit. Deferred directly:
//
//	defer node.Recover(&err, p, "actor callback panicked")
//
// it stops a panic, logs it once at Error with its stack on p's logger,
// and sets *err (if err is not nil) to an *ExitError with the reason a
// panicking handler exits with, {panic, <<"text">>}. Without a panic it
// does nothing. attrs are added to the log line.
func Recover(err *error, p *Process, what string, attrs ...any) {
	r := recover()
	if r == nil {
		return
	}
	e := panicError(p.Logger(), what, r, attrs)
	if err != nil {
		*err = e
	}
}

// recoverTo is Recover for code that runs outside any process (a spawn
// factory), logging on the node's logger.
func (n *Node) recoverTo(err *error, what string, attrs ...any) {
	if r := recover(); r != nil {
		e := panicError(n.log, what, r, attrs)
		if err != nil {
			*err = e
		}
	}
}

func panicError(log *slog.Logger, what string, v any, attrs []any) *ExitError {
	log.Error(what, append(attrs, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))...)
	return &ExitError{Reason: panicReason(v)}
}

// panicReason is the exit reason of a handler that panicked:
// {panic, <<"formatted value">>}.
func panicReason(v any) etf.Term {
	return etf.Tuple{etf.Atom("panic"), []byte(fmt.Sprint(v))}
}
