package cron

import "errors"

// Errors returned by Parse, the Cron handle's methods and in JobFailed.
var (
	// ErrBadSpec is wrapped by every error Parse returns.
	ErrBadSpec = errors.New("cron: bad spec")
	// ErrNoNextRun is returned by AddJob for a schedule that never fires
	// within the search bound (e.g. "0 0 30 2 *", February 30th).
	ErrNoNextRun = errors.New("cron: schedule never fires")
	// ErrJobExists is returned by AddJob for a name already in use.
	ErrJobExists = errors.New("cron: job already exists")
	// ErrNoJob is returned by Remove, Enable and Disable for an unknown name.
	ErrNoJob = errors.New("cron: no such job")
	// ErrBadJob is returned by AddJob for an empty name, a nil action or
	// an action made with a nil target, factory or function.
	ErrBadJob = errors.New("cron: bad job")
	// ErrPanic is wrapped by the error an action's panic (a Func, a Spawn
	// factory) is reported as, together with the *node.ExitError
	// {panic, <<"text">>} a panicking process would exit with.
	ErrPanic = errors.New("cron: action panicked")
	// ErrStillRunning is reported when a job is due while its previous run
	// is still going (JobInfo.Running): that run is skipped.
	ErrStillRunning = errors.New("cron: previous run still running")
)
