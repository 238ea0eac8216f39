// Spec: kernel application, https://www.erlang.org/doc/man/application.html

package interop

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Errors of remote application control. An *AppError carries the
// application and the node's answer; errors.Is matches these sentinels.
var (
	// ErrAlreadyStarted: {error, {already_started, App}}.
	ErrAlreadyStarted = errors.New("interop: application already started")
	// ErrNotStarted: {error, {not_started, App}}: stopping an application
	// that is not running, or starting one whose dependency App is not.
	ErrNotStarted = errors.New("interop: application not started")
	// ErrAppNotAllowed: {error, {not_allowed, App}}, an erlgo node's answer
	// to a caller its allow-list does not admit (see ServeApplications).
	ErrAppNotAllowed = errors.New("interop: remote application control not allowed")
	// ErrAppFailed: any other {error, Reason} (no .app file, a start
	// callback that failed, an invalid restart type...).
	ErrAppFailed = errors.New("interop: application call failed")
)

// AppError is the error of a remote application call that answered
// {error, Reason}.
type AppError struct {
	// App is the application the answer names: the one that was already
	// started, the dependency that was not, the one whose start failed.
	App etf.Atom
	// Reason is the node's whole Reason term.
	Reason etf.Term
	kind   error
}

func (e *AppError) Error() string {
	return fmt.Sprintf("%v: %s: %s", e.kind, e.App, etf.Format(e.Reason))
}

// Unwrap returns the sentinel (ErrAlreadyStarted, ErrNotStarted,
// ErrAppNotAllowed or ErrAppFailed).
func (e *AppError) Unwrap() error { return e.kind }

// AppInfo is one entry of application:which_applications/0.
type AppInfo struct {
	Name        etf.Atom
	Description string
	Version     string
}

var atomApplication = etf.Atom("application")

// StartType is the OTP restart type atom of m: temporary, transient or
// permanent.
func StartType(m actors.AppMode) etf.Atom {
	switch m {
	case actors.AppPermanent:
		return "permanent"
	case actors.AppTransient:
		return "transient"
	}
	return "temporary"
}

// parseStartType is StartType's inverse.
func parseStartType(t etf.Term) (actors.AppMode, bool) {
	switch t {
	case etf.Atom("temporary"):
		return actors.AppTemporary, true
	case etf.Atom("transient"):
		return actors.AppTransient, true
	case etf.Atom("permanent"):
		return actors.AppPermanent, true
	}
	return 0, false
}

// EnsureAllStarted starts app and the applications it depends on on the
// node to, with start type mode, through application:ensure_all_started/2,
// and returns the applications it started, dependencies first (empty when
// all were running). A failure is an *AppError naming the application
// that failed to start (ErrAppFailed, or ErrAppNotAllowed from an erlgo
// node that does not admit this node). Transport errors are RPC's.
func EnsureAllStarted(ctx context.Context, n *node.Node, to, app etf.Atom, mode actors.AppMode) ([]etf.Atom, error) {
	v, err := RPC(ctx, n, to, atomApplication, "ensure_all_started", etf.List{app, StartType(mode)})
	if err != nil {
		return nil, err
	}
	return ensureReply(app, v)
}

// ensureReply decodes {ok, Started} | {error, {App, Reason}}.
func ensureReply(app etf.Atom, v etf.Term) ([]etf.Atom, error) {
	if t, ok := v.(etf.Tuple); ok && len(t) == 2 && t[0] == atomOK {
		l, ok := etf.AsList(t[1])
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
		}
		out := make([]etf.Atom, 0, len(l))
		for _, e := range l {
			a, ok := e.(etf.Atom)
			if !ok {
				return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
			}
			out = append(out, a)
		}
		return out, nil
	}
	// {error, {App, Reason}}.
	if r, ok := errorReason(v); ok {
		if t, ok := r.(etf.Tuple); ok && len(t) == 2 {
			if a, ok := t[0].(etf.Atom); ok {
				return nil, appError(a, t[1])
			}
		}
		return nil, &AppError{App: app, Reason: r, kind: ErrAppFailed}
	}
	return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
}

// StartApplication starts app on the node to through
// application:start/2, which (unlike EnsureAllStarted) does not start
// dependencies: a dependency that is not running is an *AppError with
// ErrNotStarted naming it, a running app ErrAlreadyStarted.
func StartApplication(ctx context.Context, n *node.Node, to, app etf.Atom, mode actors.AppMode) error {
	return okOrAppError(RPC(ctx, n, to, atomApplication, "start", etf.List{app, StartType(mode)}))
}

// StopApplication stops app on the node to (application:stop/1). An
// application that is not running is an *AppError with ErrNotStarted.
func StopApplication(ctx context.Context, n *node.Node, to, app etf.Atom) error {
	return okOrAppError(RPC(ctx, n, to, atomApplication, "stop", etf.List{app}))
}

// WhichApplications lists the applications running on the node to
// (application:which_applications/0), as the node orders them (OTP: the
// most recently started first).
func WhichApplications(ctx context.Context, n *node.Node, to etf.Atom) ([]AppInfo, error) {
	v, err := RPC(ctx, n, to, atomApplication, "which_applications", nil)
	if err != nil {
		return nil, err
	}
	return whichReply(v)
}

// whichReply decodes [{Name, Description, Vsn}].
func whichReply(v etf.Term) ([]AppInfo, error) {
	l, ok := etf.AsList(v)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
	}
	out := make([]AppInfo, 0, len(l))
	for _, e := range l {
		t, ok := e.(etf.Tuple)
		if !ok || len(t) != 3 {
			return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
		}
		name, ok1 := t[0].(etf.Atom)
		desc, ok2 := charlistString(t[1])
		vsn, ok3 := charlistString(t[2])
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
		}
		out = append(out, AppInfo{Name: name, Description: desc, Version: vsn})
	}
	return out, nil
}

// okOrAppError maps ok | {error, Reason} of application:start/stop.
func okOrAppError(v etf.Term, err error) error {
	if err != nil {
		return err
	}
	if v == atomOK {
		return nil
	}
	if r, ok := errorReason(v); ok {
		return appError("", r)
	}
	return fmt.Errorf("%w: %s", ErrBadReply, etf.Format(v))
}

// errorReason splits {error, Reason}.
func errorReason(v etf.Term) (etf.Term, bool) {
	t, ok := v.(etf.Tuple)
	if !ok || len(t) != 2 || t[0] != atomError {
		return nil, false
	}
	return t[1], true
}

// appError classifies a Reason: {already_started, A}, {not_started, A}
// and {not_allowed, A} name their application; anything else is
// ErrAppFailed for app.
func appError(app etf.Atom, r etf.Term) *AppError {
	if t, ok := r.(etf.Tuple); ok && len(t) == 2 {
		if a, ok := t[1].(etf.Atom); ok {
			switch t[0] {
			case etf.Atom("already_started"):
				return &AppError{App: a, Reason: r, kind: ErrAlreadyStarted}
			case etf.Atom("not_started"):
				return &AppError{App: a, Reason: r, kind: ErrNotStarted}
			case atomNotAllowed:
				return &AppError{App: a, Reason: r, kind: ErrAppNotAllowed}
			}
		}
	}
	if r == atomNotAllowed {
		return &AppError{App: app, Reason: r, kind: ErrAppNotAllowed}
	}
	return &AppError{App: app, Reason: r, kind: ErrAppFailed}
}

// charlistString reads an Erlang string (STRING_EXT, a list of code
// points, or [] which arrives as an empty list).
func charlistString(t etf.Term) (string, bool) {
	switch v := t.(type) {
	case etf.Charlist:
		return string(v), true
	case nil:
		return "", true
	case etf.List:
		rs := make([]rune, 0, len(v))
		for _, e := range v {
			c, ok := e.(int)
			if !ok {
				return "", false
			}
			rs = append(rs, rune(c))
		}
		return string(rs), true
	}
	return "", false
}
