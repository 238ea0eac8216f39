package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// App describes an application: a named supervision tree with an
// environment and dependencies (an OTP .app file plus its callback
// module's start/2).
type App struct {
	Name etf.Atom
	// Deps are applications started before this one (and which must be
	// Loaded).
	Deps []etf.Atom
	// Env holds the environment's defaults; SetEnv overrides them. The
	// application's processes read it with Process.Env.
	Env map[string]etf.Term
	// Start builds the root of the tree, usually a *Supervisor. It is
	// started linked to an application master and inherits the
	// application, so every actor of the tree can read Env.
	Start func() (Actor, error)
	// Options are passed to the root's StartLink (e.g. node.WithName).
	Options []node.SpawnOption
}

// AppMode says what happens when an application stops by itself (OTP's
// application restart types).
type AppMode uint8

// Application modes.
const (
	// AppTemporary: the stop is logged; nothing else happens.
	AppTemporary AppMode = iota
	// AppTransient: a normal stop is logged; any other stop acts as
	// AppPermanent.
	AppTransient
	// AppPermanent: all other applications are stopped, then the node;
	// Applications.Done is closed and Err tells which application stopped
	// and why (OTP terminates the runtime system).
	AppPermanent
)

// Errors of the application controller.
var (
	ErrAppNotLoaded     = errors.New("actors: application not loaded")
	ErrAppRunning       = errors.New("actors: application already started")
	ErrAppNotRunning    = errors.New("actors: application not started")
	ErrAppCycle         = errors.New("actors: circular application dependencies")
	ErrAppsShuttingDown = errors.New("actors: applications are shutting down")
)

// AppExitError is Applications.Err after a permanent application stopped.
type AppExitError struct {
	App    etf.Atom
	Reason etf.Term
}

func (e *AppExitError) Error() string {
	return fmt.Sprintf("actors: application %s exited: %v", e.App, e.Reason)
}

// Applications is a node's application controller. It is safe for
// concurrent use. Create one per node with NewApplications.
type Applications struct {
	n *node.Node

	mu      sync.Mutex
	apps    map[etf.Atom]*appRun
	order   []etf.Atom // running, in start order
	done    chan struct{}
	err     error
	closing bool
}

// NewApplications returns the application controller for n.
func NewApplications(n *node.Node) *Applications {
	return &Applications{n: n, apps: map[etf.Atom]*appRun{}, done: make(chan struct{})}
}

// appRun is a loaded application.
type appRun struct {
	spec App
	ctl  *Applications

	mu       sync.Mutex
	over     map[string]etf.Term
	master   etf.PID
	running  bool
	mode     AppMode
	stopping bool
}

func (a *appRun) env(key string) (etf.Term, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.over[key]; ok {
		return v, true
	}
	v, ok := a.spec.Env[key]
	return v, ok
}

// Load registers an application (application:load/1). Loading the same
// name again replaces the spec of a stopped application.
func (c *Applications) Load(app App) error {
	if app.Name == "" || app.Start == nil {
		return fmt.Errorf("actors: application needs a Name and a Start")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.apps[app.Name]; r != nil {
		if r.running {
			return fmt.Errorf("%w: %s", ErrAppRunning, app.Name)
		}
		r.spec = app
		return nil
	}
	c.apps[app.Name] = &appRun{spec: app, ctl: c}
	return nil
}

// Start starts a loaded application and, first, its dependencies (with
// the same mode), like application:ensure_all_started/2. Starting a
// running application is a no-op for dependencies and ErrAppRunning for
// the named one.
func (c *Applications) Start(ctx context.Context, name etf.Atom, mode AppMode) error {
	c.mu.Lock()
	r := c.apps[name]
	c.mu.Unlock()
	if r == nil {
		return fmt.Errorf("%w: %s", ErrAppNotLoaded, name)
	}
	if r.isRunning() {
		return fmt.Errorf("%w: %s", ErrAppRunning, name)
	}
	return c.start(ctx, name, mode, nil)
}

func (c *Applications) start(ctx context.Context, name etf.Atom, mode AppMode, path []etf.Atom) error {
	if slices.Contains(path, name) {
		return fmt.Errorf("%w: %v -> %s", ErrAppCycle, path, name)
	}
	c.mu.Lock()
	r := c.apps[name]
	closing := c.closing
	c.mu.Unlock()
	switch {
	case closing:
		return ErrAppsShuttingDown
	case r == nil:
		return fmt.Errorf("%w: %s", ErrAppNotLoaded, name)
	case r.isRunning():
		return nil
	}
	for _, d := range r.spec.Deps {
		if err := c.start(ctx, d, mode, append(path, name)); err != nil {
			return fmt.Errorf("actors: starting %s: dependency: %w", name, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &appMaster{run: r}
	pid, err := Spawn(c.n, m, node.WithTrapExit())
	if err != nil {
		return fmt.Errorf("actors: starting application %s: %w", name, err)
	}
	r.mu.Lock()
	r.master, r.running, r.mode, r.stopping = pid, true, mode, false
	r.mu.Unlock()
	c.mu.Lock()
	c.order = append(c.order, name)
	c.mu.Unlock()
	c.n.Logger().Debug("application started", "application", name)
	return nil
}

func (a *appRun) isRunning() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.running
}

// Stop stops a running application (application:stop/1): its tree is shut
// down from the root. Applications depending on it are not stopped, as
// in OTP.
func (c *Applications) Stop(ctx context.Context, name etf.Atom) error {
	c.mu.Lock()
	r := c.apps[name]
	c.mu.Unlock()
	if r == nil {
		return fmt.Errorf("%w: %s", ErrAppNotLoaded, name)
	}
	r.mu.Lock()
	if !r.running {
		r.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrAppNotRunning, name)
	}
	r.stopping = true
	master := r.master
	r.mu.Unlock()
	err := StopProcess(ctx, c.n, master, node.Shutdown)
	if errors.Is(err, node.ErrNoProc) {
		err = nil
	}
	c.stopped(r)
	return err
}

func (c *Applications) stopped(r *appRun) {
	r.mu.Lock()
	r.running = false
	r.mu.Unlock()
	c.mu.Lock()
	c.order = slices.DeleteFunc(c.order, func(a etf.Atom) bool { return a == r.spec.Name })
	c.mu.Unlock()
	c.n.Logger().Debug("application stopped", "application", r.spec.Name)
}

// Deps reports whether name is loaded and, if it is, the dependencies
// its spec names (for callers that answer as OTP's controller does, e.g.
// {error, {not_started, Dep}} from application:start/1).
func (c *Applications) Deps(name etf.Atom) ([]etf.Atom, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.apps[name]
	if r == nil {
		return nil, false
	}
	return slices.Clone(r.spec.Deps), true
}

// Running lists the running applications in start order
// (application:which_applications/0).
func (c *Applications) Running() []etf.Atom {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.order)
}

// Master returns the pid of a running application's master
// (application_controller:get_master/1); sys:get_state on it answers
// {application_master, Name, RootPid}, the root of its supervision tree.
func (c *Applications) Master(name etf.Atom) (etf.PID, bool) {
	c.mu.Lock()
	r := c.apps[name]
	c.mu.Unlock()
	if r == nil {
		return etf.PID{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.master, r.running
}

// GetEnv reads an application's environment (application:get_env/2).
func (c *Applications) GetEnv(app etf.Atom, key string) (etf.Term, bool) {
	c.mu.Lock()
	r := c.apps[app]
	c.mu.Unlock()
	if r == nil {
		return nil, false
	}
	return r.env(key)
}

// SetEnv overrides a key of an application's environment
// (application:set_env/3); running processes see it at once.
func (c *Applications) SetEnv(app etf.Atom, key string, val etf.Term) error {
	c.mu.Lock()
	r := c.apps[app]
	c.mu.Unlock()
	if r == nil {
		return fmt.Errorf("%w: %s", ErrAppNotLoaded, app)
	}
	r.mu.Lock()
	if r.over == nil {
		r.over = map[string]etf.Term{}
	}
	r.over[key] = val
	r.mu.Unlock()
	return nil
}

// Done is closed when a permanent application (or a transient one, with
// an abnormal reason) has stopped and the controller has stopped the
// other applications and the node.
func (c *Applications) Done() <-chan struct{} { return c.done }

// Err returns an *AppExitError once Done is closed, else nil.
func (c *Applications) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// StopAll stops every running application in reverse start order.
func (c *Applications) StopAll(ctx context.Context) error {
	var errs []error
	for {
		run := c.Running()
		if len(run) == 0 {
			return errors.Join(errs...)
		}
		if err := c.Stop(ctx, run[len(run)-1]); err != nil && !errors.Is(err, ErrAppNotRunning) {
			errs = append(errs, err)
		}
	}
}

// exited is told by an application master that its tree stopped on its
// own.
func (c *Applications) exited(r *appRun, reason etf.Term) {
	r.mu.Lock()
	expected, mode := r.stopping, r.mode
	r.mu.Unlock()
	if expected {
		return
	}
	c.stopped(r)
	name := r.spec.Name
	fatal := mode == AppPermanent || (mode == AppTransient && reason != node.Normal)
	// Routine for a normal exit; otherwise a real problem, as OTP's
	// application_controller reports it by default.
	lvl := slog.LevelWarn
	if reason == node.Normal {
		lvl = slog.LevelDebug
	}
	c.n.Logger().Log(context.Background(), lvl, "application exited", "application", name, "reason", fmt.Sprint(reason), "mode", mode)
	if !fatal {
		return
	}
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing = true
	c.err = &AppExitError{App: name, Reason: reason}
	c.mu.Unlock()
	// As OTP's application controller: stop everything, then the node.
	go func() {
		ctx := context.Background()
		_ = c.StopAll(ctx)
		_ = c.n.Stop(ctx)
		close(c.done)
	}()
}

// appMaster links the application's root and reports its exit.
type appMaster struct {
	Base
	run  *appRun
	root etf.PID
}

func (m *appMaster) Init(p *Process, _ ...any) error {
	p.s.app = m.run
	a, err := m.run.spec.Start()
	if err != nil {
		return err
	}
	m.root, err = p.StartLink(a, m.run.spec.Options...)
	return err
}

func (m *appMaster) HandleInfo(p *Process, msg etf.Term) error {
	if e, ok := msg.(node.ExitMsg); ok && e.From == m.root {
		m.root = etf.PID{}
		m.run.ctl.exited(m.run, e.Reason)
		return StopNormal
	}
	return nil
}

func (m *appMaster) Terminate(p *Process, _ etf.Term) {
	if m.root != (etf.PID{}) {
		shutdownLinked(p, []stopTarget{{pid: m.root, timeout: Infinity, id: m.run.spec.Name}})
	}
}

func (m *appMaster) State() etf.Term {
	return etf.Tuple{etf.Atom("application_master"), m.run.spec.Name, m.root}
}
