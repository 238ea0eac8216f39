package cron

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// DefaultConnectTimeout bounds the connection a Send to another node sets
// up first: net_setuptime's default, 7 s.
const DefaultConnectTimeout = 7 * time.Second

type config struct {
	name           etf.Atom
	clock          actors.Clock
	loc            *time.Location
	fallback       etf.Term
	jobs           []Job
	connectTimeout time.Duration
}

// Option configures a cron process (Start, ChildSpec).
type Option func(*config)

// WithName registers the cron process under name, which makes it
// reachable by Attach and visible in the observer's process list.
func WithName(name etf.Atom) Option { return func(c *config) { c.name = name } }

// WithClock sets the clock the scheduler reads and sleeps on (default:
// the real clock); tests pass actorstest.NewFakeClock.
func WithClock(clk actors.Clock) Option { return func(c *config) { c.clock = clk } }

// WithLocation sets the time zone of specs without a CRON_TZ= prefix
// (default time.Local, as Vixie cron).
func WithLocation(loc *time.Location) Option { return func(c *config) { c.loc = loc } }

// WithFallback sets where failures of jobs without a JobFallback of their
// own are reported (a pid, a name, a node.Name or {Name, Node}): a local
// target receives a JobFailed value, a remote one JobFailed.Term().
// Without one, failures are logged at Warn.
func WithFallback(to etf.Term) Option { return func(c *config) { c.fallback = to } }

// WithJobs adds jobs when the process starts. They are added again each
// time a supervisor restarts it; jobs added with AddJob are not.
func WithJobs(jobs ...Job) Option {
	return func(c *config) { c.jobs = append(c.jobs, jobs...) }
}

// WithConnectTimeout bounds the connection setup of a Send to another
// node that is not connected (default DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) { c.connectTimeout = d }
}

func newConfig(opts []Option) *config {
	c := &config{loc: time.Local, connectTimeout: DefaultConnectTimeout}
	for _, o := range opts {
		o(c)
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	if c.connectTimeout <= 0 {
		c.connectTimeout = DefaultConnectTimeout
	}
	return c
}

// spawnOptions: the cron process traps exits so that it ends with its
// owner (or supervisor) whatever the owner's reason, normal included, as
// a gen_server ends with its parent.
func (c *config) spawnOptions() []node.SpawnOption {
	opts := []node.SpawnOption{node.WithTrapExit()}
	if c.name != "" {
		opts = append(opts, node.WithName(c.name))
	}
	if c.clock != nil {
		opts = append(opts, actors.WithClock(c.clock))
	}
	return opts
}

// Job describes a job given to WithJobs.
type Job struct {
	Name    string
	Spec    string
	Action  Action
	Options []JobOption
}

// JobOption configures one job.
type JobOption func(*job)

// JobFallback reports this job's failures to "to" instead of the cron's
// WithFallback target.
func JobFallback(to etf.Term) JobOption { return func(j *job) { j.fallback = to } }

// Disabled adds the job disabled; Enable schedules it.
func Disabled() JobOption { return func(j *job) { j.enabled = false } }

// JobInfo describes a job, as Jobs lists it.
type JobInfo struct {
	Name string
	Spec string
	// Next is the next run time, zero while disabled (or when the
	// schedule has no further run).
	Next     time.Time
	Enabled  bool
	LastRun  time.Time // when the last run was due; zero before the first
	LastErr  error     // the last run's failure, nil when it succeeded
	Runs     uint64
	Failures uint64
	// Running: a Func run has not returned yet, a Send waits for its
	// connection to another node, or a SpawnOn for its spawn reply.
	Running bool
}

// Term returns the job as a map for sys:get_state and the observer.
func (j JobInfo) Term() etf.Term {
	m := etf.Map{
		{Key: etf.Atom("name"), Value: etf.Binary(j.Name)},
		{Key: etf.Atom("spec"), Value: etf.Binary(j.Spec)},
		{Key: etf.Atom("enabled"), Value: etf.Atom(fmt.Sprint(j.Enabled))},
		{Key: etf.Atom("next"), Value: millis(j.Next)},
		{Key: etf.Atom("last_run"), Value: millis(j.LastRun)},
		{Key: etf.Atom("runs"), Value: int64(j.Runs)},
		{Key: etf.Atom("failures"), Value: int64(j.Failures)},
	}
	if j.LastErr != nil {
		m = append(m, etf.Pair{Key: etf.Atom("last_error"), Value: etf.Binary(j.LastErr.Error())})
	}
	return m
}

// JobFailed is what a fallback target receives when a job's action
// fails: Err is the send's error (node.ErrNoProc, node.ErrNoConnection,
// ...), the Func's error, ErrPanic, ErrStillRunning, or an *node.ExitError
// with the exit reason of a spawned process.
type JobFailed struct {
	Job string
	Err error
	At  time.Time // when the run was due
}

// Term returns {cron_job_failed, Job, Reason, At}, sent to a fallback on
// another node: Job a binary; Reason the exit reason the error carries
// (an *node.ExitError: noproc, noconnection, {panic, <<"text">>}, a
// spawned process's reason), else the error's text as a binary; At
// milliseconds since the Unix epoch (erlang:system_time(millisecond)).
func (f JobFailed) Term() etf.Term {
	var reason etf.Term = etf.Binary(fmt.Sprint(f.Err))
	if e := (*node.ExitError)(nil); errors.As(f.Err, &e) {
		reason = e.Reason
	}
	return etf.Tuple{etf.Atom("cron_job_failed"), etf.Binary(f.Job), reason, millis(f.At)}
}

func millis(t time.Time) etf.Term {
	if t.IsZero() {
		return etf.Atom("undefined")
	}
	return t.UnixMilli()
}

// Cron is a handle to a cron process. Its methods are gen_server calls
// from the Go side; they take ctx (the node's call timeout, 5 s, when it
// has no deadline).
type Cron struct {
	c  actors.Caller
	to etf.Term
}

// Start starts a cron process linked to owner: it ends when the owner
// ends (whatever the reason), and the owner gets an exit signal when it
// ends (as with gen_server:start_link). Call it from the owner's own
// handlers (Init, HandleMessage; from an actor, pass p.Process). Initial
// jobs (WithJobs) are added before Start returns; an invalid one makes
// Start fail.
func Start(ctx context.Context, owner *node.Process, opts ...Option) (*Cron, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	pid, err := actors.StartLink(owner, newServer(cfg), cfg.spawnOptions()...)
	if err != nil {
		return nil, err
	}
	return &Cron{c: owner.Node(), to: pid}, nil
}

// ChildSpec returns a supervisor child spec (a worker with id) that runs
// a cron process with opts. Use WithName to reach it (Attach) across
// restarts, and WithJobs for jobs that survive them.
func ChildSpec(id etf.Term, opts ...Option) actors.ChildSpec {
	cfg := newConfig(opts)
	return actors.ChildSpec{
		ID:      id,
		Start:   func(etf.List) (actors.Actor, error) { return newServer(cfg), nil },
		Options: cfg.spawnOptions(),
	}
}

// Attach returns a handle to the cron process "to" (a pid or a
// registered name on c's node) that calls it through c (a *node.Node, a
// *node.Process or an *actors.Process).
func Attach(c actors.Caller, to etf.Term) *Cron { return &Cron{c: c, to: to} }

// AddJob adds a job that runs a on spec (see Parse; the zone is the
// cron's WithLocation unless the spec has CRON_TZ=). Errors: ErrBadSpec,
// ErrJobExists, ErrNoNextRun, ErrBadJob, or the call's.
func (c *Cron) AddJob(ctx context.Context, name, spec string, a Action, opts ...JobOption) error {
	return c.ok(ctx, addReq{name: name, spec: spec, action: a, opts: opts})
}

// AddSchedule adds a job on a Schedule of the caller's making (Every, a
// parsed spec, or a custom one); JobInfo.Spec shows its String, if any.
func (c *Cron) AddSchedule(ctx context.Context, name string, s Schedule, a Action, opts ...JobOption) error {
	if s == nil {
		return fmt.Errorf("%w: nil schedule", ErrBadJob)
	}
	spec := "custom"
	if str, ok := s.(fmt.Stringer); ok {
		spec = str.String()
	}
	return c.ok(ctx, addReq{name: name, spec: spec, sched: s, action: a, opts: opts})
}

// Remove deletes a job (ErrNoJob if there is none by that name). A Func
// run in progress finishes; nothing is reported about it.
func (c *Cron) Remove(ctx context.Context, name string) error {
	return c.ok(ctx, removeReq{name: name})
}

// Enable schedules a disabled job again, from now.
func (c *Cron) Enable(ctx context.Context, name string) error {
	return c.ok(ctx, enableReq{name: name, on: true})
}

// Disable stops a job from running until Enable.
func (c *Cron) Disable(ctx context.Context, name string) error {
	return c.ok(ctx, enableReq{name: name, on: false})
}

// Jobs lists the jobs by name with their next run times.
func (c *Cron) Jobs(ctx context.Context) ([]JobInfo, error) {
	return actors.Call[[]JobInfo](ctx, c.c, c.to, listReq{})
}

// Target returns the pid (from Start) or the name (from Attach) the
// handle calls.
func (c *Cron) Target() etf.Term { return c.to }

func (c *Cron) ok(ctx context.Context, req etf.Term) error {
	_, err := actors.Call[etf.Atom](ctx, c.c, c.to, req)
	return err
}
