// Spec: kernel application, https://www.erlang.org/doc/man/application.html

package interop

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var atomNotAllowed = etf.Atom("not_allowed")

// AppServer answers BEAM's application calls on an erlgo node: with it,
// rpc:call(GoNode, application, F, Args) and erpc:call reach the node's
// *actors.Applications for
//
//	start/1, start/2, ensure_all_started/1, ensure_all_started/2, stop/1,
//	which_applications/0, which_applications/1,
//	get_env/2, get_env/3, set_env/3, set_env/4
//
// with OTP's application controller's answers: ok, {ok, Started},
// {error, {already_started, App}}, {error, {not_started, Dep}} (start/1,2
// do not start dependencies), {error, {not_started, App}} (stop of an
// application that is not running), {error, {"no such file or
// directory", "App.app"}} for an application that is not loaded (OTP's
// answer when it finds no .app file), {error, {invalid_restart_type, T}}.
// A start whose root fails answers {error, {Reason, {App, start,
// [normal, []]}}}, the shape of a failed start callback.
//
// Remote control is refused by default. Allow admits an application for
// callers from given nodes; start, ensure_all_started, stop and set_env
// of an application the caller is not admitted for answer {error,
// {not_allowed, App}} (ensure_all_started: {error, {App, not_allowed}},
// its {error, {App, Reason}} shape), and get_env answers undefined (or
// the default), as for an unset key, so the environment does not leak.
// which_applications is answered to every caller, as OTP does.
// Dependencies of an admitted application are started with it, since
// the Go program chose them.
//
// The caller's node is the node of the call's group leader: rpc:call and
// erpc:call from a BEAM process run the call under the caller's group
// leader, a process on the caller's node. A request whose group leader is
// this node's own io server (an rpc from an erlgo node without Services,
// or one naming the atom user) has no known caller and is admitted only
// by an Allow with no node list. Like everything over distribution, this
// trusts what a peer that knows the cookie says.
type AppServer struct {
	apps *actors.Applications
	n    *node.Node

	mu    sync.Mutex
	allow map[etf.Atom]map[etf.Atom]bool // app -> nodes; an empty set admits any node
}

// ServeApplications registers the application module's functions on s,
// answering from apps. Nothing may be started or stopped remotely until
// Allow says so.
func ServeApplications(s *Services, apps *actors.Applications) *AppServer {
	a := &AppServer{apps: apps, n: s.Node(), allow: map[etf.Atom]map[etf.Atom]bool{}}
	reg := func(f etf.Atom, arity int, fn Func) { s.Register(atomApplication, f, arity, fn) }
	reg("start", 1, func(ctx context.Context, args etf.List) (etf.Term, error) {
		return a.start(ctx, args[0], etf.Atom("temporary"))
	})
	reg("start", 2, func(ctx context.Context, args etf.List) (etf.Term, error) {
		return a.start(ctx, args[0], args[1])
	})
	reg("ensure_all_started", 1, func(ctx context.Context, args etf.List) (etf.Term, error) {
		return a.ensureAll(ctx, args[0], etf.Atom("temporary"))
	})
	reg("ensure_all_started", 2, func(ctx context.Context, args etf.List) (etf.Term, error) {
		return a.ensureAll(ctx, args[0], args[1])
	})
	reg("stop", 1, a.stop)
	which := func(context.Context, etf.List) (etf.Term, error) { return a.which(), nil }
	reg("which_applications", 0, which)
	reg("which_applications", 1, which)
	reg("loaded_applications", 0, which) // the running ones: Applications lists no loaded-only ones
	reg("get_env", 2, func(ctx context.Context, args etf.List) (etf.Term, error) {
		v, ok, err := a.getEnv(ctx, args)
		if err != nil || !ok {
			return etf.Atom("undefined"), err
		}
		return etf.Tuple{atomOK, v}, nil
	})
	reg("get_env", 3, func(ctx context.Context, args etf.List) (etf.Term, error) {
		v, ok, err := a.getEnv(ctx, args[:2])
		if err != nil || !ok {
			return args[2], err
		}
		return v, nil
	})
	reg("set_env", 3, a.setEnv)
	reg("set_env", 4, func(ctx context.Context, args etf.List) (etf.Term, error) {
		// The options (persistent, timeout) change nothing here: there
		// is no .app file to reload over the value.
		return a.setEnv(ctx, args[:3])
	})
	return a
}

// Allow admits remote control of app by callers on nodes; with no nodes,
// by any connected node. Calling it again for app replaces its node list.
func (a *AppServer) Allow(app etf.Atom, nodes ...etf.Atom) {
	set := map[etf.Atom]bool{}
	for _, n := range nodes {
		set[n] = true
	}
	a.mu.Lock()
	a.allow[app] = set
	a.mu.Unlock()
}

// Disallow withdraws remote control of app.
func (a *AppServer) Disallow(app etf.Atom) {
	a.mu.Lock()
	delete(a.allow, app)
	a.mu.Unlock()
}

// allowed reports whether the caller running ctx may control app.
func (a *AppServer) allowed(ctx context.Context, app etf.Atom) bool {
	caller := etf.Atom("")
	if p := Process(ctx); p != nil {
		if gl := p.GroupLeader(); gl.Node != a.n.Name() {
			caller = gl.Node
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	set, ok := a.allow[app]
	if !ok {
		return false
	}
	return len(set) == 0 || (caller != "" && set[caller])
}

func appArg(t etf.Term) (etf.Atom, error) {
	if a, ok := t.(etf.Atom); ok {
		return a, nil
	}
	return "", Raise(etf.Atom("function_clause"))
}

// noAppFile is OTP's reason for an application it cannot load.
func noAppFile(app etf.Atom) etf.Term {
	return etf.Tuple{etf.Charlist("no such file or directory"), etf.Charlist(string(app) + ".app")}
}

func errTuple(r etf.Term) etf.Term { return etf.Tuple{atomError, r} }

func (a *AppServer) running(app etf.Atom) bool {
	return slices.Contains(a.apps.Running(), app)
}

func (a *AppServer) start(ctx context.Context, appT, typ etf.Term) (etf.Term, error) {
	app, err := appArg(appT)
	if err != nil {
		return nil, err
	}
	mode, ok := parseStartType(typ)
	switch {
	case !ok:
		return errTuple(etf.Tuple{etf.Atom("invalid_restart_type"), typ}), nil
	case !a.allowed(ctx, app):
		return errTuple(etf.Tuple{atomNotAllowed, app}), nil
	}
	deps, loaded := a.apps.Deps(app)
	if !loaded {
		return errTuple(noAppFile(app)), nil
	}
	if a.running(app) {
		return errTuple(etf.Tuple{etf.Atom("already_started"), app}), nil
	}
	for _, d := range deps {
		if !a.running(d) {
			return errTuple(etf.Tuple{etf.Atom("not_started"), d}), nil
		}
	}
	if r := a.startOne(ctx, app, mode); r != nil {
		return errTuple(r), nil
	}
	return atomOK, nil
}

// startOne starts a loaded application and returns nil or OTP's reason.
func (a *AppServer) startOne(ctx context.Context, app etf.Atom, mode actors.AppMode) etf.Term {
	err := a.apps.Start(ctx, app, mode)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, actors.ErrAppRunning):
		return etf.Tuple{etf.Atom("already_started"), app}
	case errors.Is(err, actors.ErrAppNotLoaded):
		return noAppFile(app)
	}
	var reason etf.Term = etf.Binary(err.Error())
	var ee *node.ExitError
	if errors.As(err, &ee) {
		reason = ee.Reason
	}
	return etf.Tuple{reason, etf.Tuple{app, etf.Atom("start"), etf.List{etf.Atom("normal"), etf.List{}}}}
}

// ensureAll is application:ensure_all_started/2: dependencies first, the
// started ones listed; on a failure the ones it started are stopped again
// and the answer names the application that failed.
func (a *AppServer) ensureAll(ctx context.Context, appT, typ etf.Term) (etf.Term, error) {
	app, err := appArg(appT)
	if err != nil {
		return nil, err
	}
	mode, ok := parseStartType(typ)
	switch {
	case !ok:
		return errTuple(etf.Tuple{app, etf.Tuple{etf.Atom("invalid_restart_type"), typ}}), nil
	case !a.allowed(ctx, app):
		return errTuple(etf.Tuple{app, atomNotAllowed}), nil
	}
	var order []etf.Atom
	var visit func(x etf.Atom, path []etf.Atom) etf.Term
	visit = func(x etf.Atom, path []etf.Atom) etf.Term {
		if slices.Contains(order, x) || slices.Contains(path, x) {
			return nil // a cycle is the controller's to report
		}
		deps, loaded := a.apps.Deps(x)
		if !loaded {
			return etf.Tuple{x, noAppFile(x)}
		}
		for _, d := range deps {
			if r := visit(d, append(path, x)); r != nil {
				return r
			}
		}
		order = append(order, x)
		return nil
	}
	if r := visit(app, nil); r != nil {
		return errTuple(r), nil
	}
	started := etf.List{}
	for _, x := range order {
		if a.running(x) {
			continue
		}
		if r := a.startOne(ctx, x, mode); r != nil {
			for i := len(started) - 1; i >= 0; i-- {
				_ = a.apps.Stop(ctx, started[i].(etf.Atom))
			}
			return errTuple(etf.Tuple{x, r}), nil
		}
		started = append(started, x)
	}
	return etf.Tuple{atomOK, started}, nil
}

func (a *AppServer) stop(ctx context.Context, args etf.List) (etf.Term, error) {
	app, err := appArg(args[0])
	if err != nil {
		return nil, err
	}
	if !a.allowed(ctx, app) {
		return errTuple(etf.Tuple{atomNotAllowed, app}), nil
	}
	err = a.apps.Stop(ctx, app)
	switch {
	case err == nil:
		return atomOK, nil
	case errors.Is(err, actors.ErrAppNotRunning), errors.Is(err, actors.ErrAppNotLoaded):
		return errTuple(etf.Tuple{etf.Atom("not_started"), app}), nil
	}
	return errTuple(etf.Binary(err.Error())), nil
}

// which lists the running applications, the most recently started first
// as OTP does. Go applications have no description or version: the
// description is the name and the version empty.
func (a *AppServer) which() etf.List {
	run := a.apps.Running()
	out := make(etf.List, 0, len(run))
	for i := len(run) - 1; i >= 0; i-- {
		out = append(out, etf.Tuple{run[i], etf.Charlist(run[i]), etf.Charlist("")})
	}
	return out
}

func (a *AppServer) getEnv(ctx context.Context, args etf.List) (etf.Term, bool, error) {
	app, err := appArg(args[0])
	if err != nil {
		return nil, false, err
	}
	key, err := appArg(args[1])
	if err != nil {
		return nil, false, err
	}
	if !a.allowed(ctx, app) {
		return nil, false, nil
	}
	v, ok := a.apps.GetEnv(app, string(key))
	return v, ok, nil
}

// setEnv is application:set_env/3. OTP answers ok even for an application
// that is not loaded (and keeps the value for when it is); the Go
// controller keeps environments per loaded application, so such a value is
// dropped.
func (a *AppServer) setEnv(ctx context.Context, args etf.List) (etf.Term, error) {
	app, err := appArg(args[0])
	if err != nil {
		return nil, err
	}
	key, err := appArg(args[1])
	if err != nil {
		return nil, err
	}
	if !a.allowed(ctx, app) {
		return errTuple(etf.Tuple{atomNotAllowed, app}), nil
	}
	_ = a.apps.SetEnv(app, string(key), args[2])
	return atomOK, nil
}
