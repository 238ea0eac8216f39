package cron_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// start is where the fake clocks start: a Thursday, 00:00:00 UTC.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// wait bounds every wait for something that must happen: generous, only
// there so a broken test fails instead of hanging.
const wait = erltest.Wait

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func localNode(t testing.TB) *node.Node {
	t.Helper()
	n, err := node.Start(context.Background(), "cron_test@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(n) })
	return n
}

func stopNode(n *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_ = n.Stop(ctx)
}

// inbox is a process whose messages arrive on a channel.
type inbox struct {
	n   *node.Node
	pid etf.PID
	ch  chan etf.Term
}

func newInbox(t testing.TB, n *node.Node, opts ...node.SpawnOption) *inbox {
	t.Helper()
	in := &inbox{n: n, ch: make(chan etf.Term, 100_000)}
	pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		in.ch <- msg
		return nil
	}), opts...)
	if err != nil {
		t.Fatal(err)
	}
	in.pid = pid
	return in
}

// next returns the next message, failing after wait.
func (in *inbox) next(t testing.TB) etf.Term {
	t.Helper()
	select {
	case m := <-in.ch:
		return m
	case <-time.After(wait):
		t.Fatal("no message")
		return nil
	}
}

// none checks that nothing arrived so far: it sends the inbox a marker
// and fails on anything that comes before it. Messages a cron process
// sent before a barrier call (fixture.jobs) returned are in the inbox's
// mailbox ahead of the marker.
func (in *inbox) none(t testing.TB) {
	t.Helper()
	marker := etf.Tuple{etf.Atom("marker"), in.n.MakeRef()}
	if err := in.n.Send(in.pid, marker); err != nil {
		t.Fatal(err)
	}
	for {
		m := in.next(t)
		if etf.Equal(m, marker) {
			return
		}
		t.Fatalf("unexpected message %s", etf.Format(m))
	}
}

// owner is a process that starts a cron in its Init and forwards its
// messages to a channel.
type owner struct {
	opts []cron.Option
	c    *cron.Cron
	pid  etf.PID
	msgs chan etf.Term
}

func (o *owner) Init(p *node.Process) error {
	c, err := cron.Start(context.Background(), p, o.opts...)
	o.c, o.pid = c, p.Self()
	return err
}

func (o *owner) HandleMessage(_ *node.Process, msg etf.Term) error {
	if msg == etf.Atom("stop") {
		return &node.ExitError{Reason: node.Normal}
	}
	o.msgs <- msg
	return nil
}

func (o *owner) Terminate(*node.Process, etf.Term) {}

// fixture is a cron process with a fake clock, owned by a test process.
type fixture struct {
	n     *node.Node
	clock *actorstest.FakeClock
	own   *owner
	c     *cron.Cron
}

func newFixture(t testing.TB, n *node.Node, opts ...cron.Option) *fixture {
	t.Helper()
	return newFixtureAt(t, n, start, opts...)
}

// newFixtureAt is newFixture with the fake clock starting at "at".
func newFixtureAt(t testing.TB, n *node.Node, at time.Time, opts ...cron.Option) *fixture {
	t.Helper()
	f := &fixture{n: n, clock: actorstest.NewFakeClock(at)}
	f.own = &owner{msgs: make(chan etf.Term, 16),
		opts: append([]cron.Option{cron.WithClock(f.clock), cron.WithLocation(time.UTC)}, opts...)}
	if _, err := n.Spawn(f.own); err != nil {
		t.Fatal(err)
	}
	f.c = f.own.c
	return f
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// step advances the fake clock one second at a time, n times; after each
// step a call to the cron process makes sure it has handled the tick and
// set its next timer before the clock moves on.
func (f *fixture) step(t testing.TB, n int) {
	t.Helper()
	for range n {
		f.clock.Advance(time.Second)
		f.jobs(t)
	}
}

func (f *fixture) jobs(t testing.TB) []cron.JobInfo {
	t.Helper()
	js, err := f.c.Jobs(ctxT(t))
	if err != nil {
		t.Fatalf("Jobs: %v", err)
	}
	return js
}

func (f *fixture) add(t testing.TB, name, spec string, a cron.Action, opts ...cron.JobOption) {
	t.Helper()
	if err := f.c.AddJob(ctxT(t), name, spec, a, opts...); err != nil {
		t.Fatalf("AddJob(%q, %q): %v", name, spec, err)
	}
}

func jobNamed(t testing.TB, js []cron.JobInfo, name string) cron.JobInfo {
	t.Helper()
	for _, j := range js {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q in %+v", name, js)
	return cron.JobInfo{}
}

// jumpClock is an actors.Clock whose Jump moves the time first and then
// fires what became due, as a wall clock stepped by NTP does:
// actorstest.FakeClock fires each timer at its own instant instead.
type jumpClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*jumpTimer]struct{}
}

type jumpTimer struct {
	at time.Time
	f  func()
}

var _ actors.Clock = (*jumpClock)(nil)

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &jumpTimer{at: c.now.Add(d), f: f}
	c.timers[t] = struct{}{}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.timers[t]
		delete(c.timers, t)
		return ok
	}
}

func (c *jumpClock) Jump(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*jumpTimer
	for t := range c.timers {
		if !t.at.After(c.now) {
			due = append(due, t)
			delete(c.timers, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}
