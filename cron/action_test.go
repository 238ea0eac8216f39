package cron_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestFuncAction(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	in := newInbox(t, n)
	f.add(t, "f", "*/2 * * * * *", cron.Func(func(ctx context.Context, at time.Time) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return n.Send(in.pid, at)
	}))
	for _, want := range []time.Time{start.Add(2 * time.Second), start.Add(4 * time.Second)} {
		f.step(t, 2)
		if got := in.next(t); got != want {
			t.Fatalf("func called with %v, want %v", got, want)
		}
		f.waitIdle(t, "f") // else the next run may find this one still going
	}
}

// waitIdle polls until the job's last Func run has been reported.
func (f *fixture) waitIdle(t testing.TB, name string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for jobNamed(t, f.jobs(t), name).Running {
		if time.Now().After(deadline) {
			t.Fatalf("job %q still running", name)
		}
	}
}

// TestFuncContextEndsWithCron: a Func still running when the cron
// process is killed sees its ctx end.
func TestFuncContextEndsWithCron(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	started, ended := make(chan struct{}), make(chan error, 1)
	f.add(t, "f", "* * * * * *", cron.Func(func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return nil
	}))
	f.step(t, 1)
	<-started
	_ = n.Exit(cronPID(t, f), etf.Atom("kill"))
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ctx.Err() = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("ctx did not end with the cron process")
	}
}

func TestSpawnAction(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	in := newInbox(t, n)
	f.add(t, "s", "* * * * * *", cron.Spawn(func(at time.Time) node.Behavior {
		return initFunc(func(p *node.Process) error {
			return p.Send(in.pid, etf.Tuple{p.Self(), at})
		})
	}))
	f.step(t, 2)
	a, b := in.next(t).(etf.Tuple), in.next(t).(etf.Tuple)
	if a[0] == b[0] {
		t.Fatalf("one process for two runs: %v %v", a, b)
	}
	if a[1] != start.Add(time.Second) || b[1] != start.Add(2*time.Second) {
		t.Fatalf("runs at %v, %v", a[1], b[1])
	}
}

// initFunc is a Behavior that runs f in Init and then exits normally at
// its first message (none comes).
type initFunc func(p *node.Process) error

func (f initFunc) Init(p *node.Process) error { return f(p) }

func (initFunc) HandleMessage(*node.Process, etf.Term) error {
	return &node.ExitError{Reason: node.Normal}
}

func (initFunc) Terminate(*node.Process, etf.Term) {}

// exitWith is a Behavior that exits with reason at its first message; it
// sends itself one in Init.
type exitWith struct{ reason etf.Term }

func (e exitWith) Init(p *node.Process) error { return p.Send(p.Self(), etf.Atom("go")) }

func (e exitWith) HandleMessage(*node.Process, etf.Term) error {
	return &node.ExitError{Reason: e.reason}
}

func (exitWith) Terminate(*node.Process, etf.Term) {}

// TestFallback: every kind of failure reaches the fallback as JobFailed
// with the run's due time and an error that errors.Is can match; a job's
// JobFallback overrides the cron's.
func TestFallback(t *testing.T) {
	n := localNode(t)
	fb := newInbox(t, n)
	own := newInbox(t, n)
	f := newFixture(t, n, cron.WithFallback(fb.pid))
	dead := newInbox(t, n)
	_ = n.Exit(dead.pid, etf.Atom("kill"))
	if _, err := n.WaitExit(ctxT(t), dead.pid); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	cases := []struct {
		name   string
		action cron.Action
		check  func(err error) bool
	}{
		{"unregistered name", cron.Send(etf.Atom("nobody"), 1), func(err error) bool { return errors.Is(err, node.ErrNoProc) }},
		{"dead local pid", cron.Send(dead.pid, 1), func(err error) bool { return errors.Is(err, node.ErrNoProc) }},
		{"bad target", cron.Send(42, 1), func(err error) bool { return errors.Is(err, node.ErrBadTarget) }},
		{"func error", cron.Func(func(context.Context, time.Time) error { return errBoom }), func(err error) bool { return errors.Is(err, errBoom) }},
		{"func panic", cron.Func(func(context.Context, time.Time) error { panic("oops") }), func(err error) bool {
			var e *node.ExitError
			return errors.Is(err, cron.ErrPanic) && errors.As(err, &e) &&
				etf.Equal(e.Reason, etf.Tuple{etf.Atom("panic"), etf.Binary("oops")})
		}},
		{"spawn factory panic", cron.Spawn(func(time.Time) node.Behavior { panic("no") }), func(err error) bool { return errors.Is(err, cron.ErrPanic) }},
		{"spawn init fails", cron.Spawn(func(time.Time) node.Behavior {
			return initFunc(func(*node.Process) error { return errBoom })
		}), func(err error) bool { return err != nil }},
		{"spawned process crashes", cron.Spawn(func(time.Time) node.Behavior { return exitWith{etf.Atom("crash")} }), func(err error) bool {
			var e *node.ExitError
			return errors.As(err, &e) && e.Reason == etf.Atom("crash")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each case's job first runs at second 1 of the next minute.
			f.add(t, c.name, "1 * * * * *", c.action)
			defer func() { _ = f.c.Remove(ctxT(t), c.name) }()
			f.untilRun(t, c.name)
			m, ok := fb.next(t).(cron.JobFailed)
			if !ok || m.Job != c.name || !c.check(m.Err) {
				t.Fatalf("fallback got %#v", m)
			}
			if m.At.Second() != 1 || !m.At.Equal(f.clock.Now()) {
				t.Fatalf("At = %v, want the due time (second 1, now %v)", m.At, f.clock.Now())
			}
			j := jobNamed(t, f.jobs(t), c.name)
			if j.Failures != 1 || j.LastErr == nil {
				t.Fatalf("job after failure: %+v", j)
			}
		})
	}
	// A job's own fallback wins; a successful send reports nothing.
	f.add(t, "own", "1 * * * * *", cron.Send(etf.Atom("nobody"), 1), cron.JobFallback(own.pid))
	f.add(t, "fine", "1 * * * * *", cron.Send(own.pid, etf.Atom("fine")))
	f.untilRun(t, "own")
	got := map[string]bool{}
	for range 2 {
		switch m := own.next(t).(type) {
		case cron.JobFailed:
			got["failed:"+m.Job] = true
		case etf.Atom:
			got[string(m)] = true
		}
	}
	if !got["failed:own"] || !got["fine"] {
		t.Fatalf("own fallback got %v", got)
	}
	fb.none(t)
}

// untilRun advances the clock to the job's next run (at most a minute
// away: the cron process sleeps at most a minute at a time).
func (f *fixture) untilRun(t testing.TB, name string) {
	t.Helper()
	next := jobNamed(t, f.jobs(t), name).Next
	f.clock.Advance(next.Sub(f.clock.Now()))
	f.jobs(t)
}

// TestStillRunning: a Func run due while the previous one has not
// returned is skipped and reported.
func TestStillRunning(t *testing.T) {
	n := localNode(t)
	fb := newInbox(t, n)
	f := newFixture(t, n, cron.WithFallback(fb.pid))
	release, started := make(chan struct{}), make(chan struct{}, 4)
	f.add(t, "slow", "* * * * * *", cron.Func(func(context.Context, time.Time) error {
		started <- struct{}{}
		<-release
		return nil
	}))
	f.step(t, 1)
	<-started
	f.step(t, 1)
	m, ok := fb.next(t).(cron.JobFailed)
	if !ok || !errors.Is(m.Err, cron.ErrStillRunning) || !m.At.Equal(start.Add(2*time.Second)) {
		t.Fatalf("got %#v", m)
	}
	if j := f.jobs(t)[0]; !j.Running || j.Runs != 0 {
		t.Fatalf("while running: %+v", j)
	}
	close(release)
	// Once it returned, the next run goes ahead.
	f.waitIdle(t, "slow")
	f.step(t, 1)
	<-started
	fb.none(t)
}

// TestRemoveWhileRunning: a job removed while its Func runs, or while its
// Send waits for a connection, reports nothing afterwards.
func TestRemoveWhileRunning(t *testing.T) {
	n := localNode(t)
	fb := newInbox(t, n)
	f := newFixture(t, n, cron.WithFallback(fb.pid))
	release, started := make(chan struct{}), make(chan struct{})
	f.add(t, "slow", "* * * * * *", cron.Func(func(context.Context, time.Time) error {
		close(started)
		<-release
		return errors.New("late failure")
	}))
	before := goleak.IgnoreCurrent() // the goroutines before the run's
	f.step(t, 1)
	<-started
	if err := f.c.Remove(ctxT(t), "slow"); err != nil {
		t.Fatal(err)
	}
	close(release)
	// The run's goroutine ends right after putting its report in the cron
	// process's mailbox; the Jobs call after that is handled after it.
	if err := goleak.Find(before); err != nil {
		t.Fatal(err)
	}
	f.jobs(t)
	fb.none(t)
}
