package cron_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

func TestJobsAtRuntime(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	in := newInbox(t, n)
	f.add(t, "tick", "* * * * * *", cron.Send(in.pid, etf.Atom("tick")))
	f.add(t, "daily", "@daily", cron.Send(in.pid, etf.Atom("daily")))
	f.add(t, "later", "0 30 9 * * MON", cron.Send(in.pid, etf.Atom("later")), cron.Disabled())

	js := f.jobs(t)
	if len(js) != 3 || js[0].Name != "daily" || js[1].Name != "later" || js[2].Name != "tick" {
		t.Fatalf("Jobs not sorted by name: %+v", js)
	}
	if got := jobNamed(t, js, "tick").Next; !got.Equal(start.Add(time.Second)) {
		t.Fatalf("tick.Next = %v", got)
	}
	if got := jobNamed(t, js, "daily").Next; !got.Equal(start.AddDate(0, 0, 1)) {
		t.Fatalf("daily.Next = %v", got)
	}
	if j := jobNamed(t, js, "later"); j.Enabled || !j.Next.IsZero() || j.Spec != "0 30 9 * * MON" {
		t.Fatalf("disabled job: %+v", j)
	}

	f.step(t, 1)
	if m := in.next(t); m != etf.Atom("tick") {
		t.Fatalf("got %v", m)
	}
	j := jobNamed(t, f.jobs(t), "tick")
	if j.Runs != 1 || !j.LastRun.Equal(start.Add(time.Second)) || !j.Next.Equal(start.Add(2*time.Second)) || j.LastErr != nil {
		t.Fatalf("after one run: %+v", j)
	}

	ctx := ctxT(t)
	if err := f.c.Disable(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	f.step(t, 3)
	in.none(t)
	if err := f.c.Enable(ctx, "later"); err != nil {
		t.Fatal(err)
	}
	// 2026-01-05 is the first Monday after the start.
	if got := jobNamed(t, f.jobs(t), "later").Next; !got.Equal(time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("enabled later.Next = %v", got)
	}
	if err := f.c.Enable(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	if got := jobNamed(t, f.jobs(t), "tick").Next; !got.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("re-enabled tick.Next = %v (scheduled from now, 00:00:04)", got)
	}
	f.step(t, 1)
	if m := in.next(t); m != etf.Atom("tick") {
		t.Fatalf("got %v", m)
	}
	if err := f.c.Remove(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	f.step(t, 2)
	in.none(t)
	if js := f.jobs(t); len(js) != 2 {
		t.Fatalf("after Remove: %+v", js)
	}
}

func TestJobErrors(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	ctx := ctxT(t)
	noop := cron.Send(etf.Atom("nobody"), etf.Atom("x"))
	f.add(t, "a", "@hourly", noop)
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate", f.c.AddJob(ctx, "a", "@daily", noop), cron.ErrJobExists},
		{"bad spec", f.c.AddJob(ctx, "b", "61 * * * *", noop), cron.ErrBadSpec},
		{"never fires", f.c.AddJob(ctx, "c", "0 0 30 2 *", noop), cron.ErrNoNextRun},
		{"empty name", f.c.AddJob(ctx, "", "@daily", noop), cron.ErrBadJob},
		{"nil action", f.c.AddJob(ctx, "d", "@daily", nil), cron.ErrBadJob},
		{"nil func", f.c.AddJob(ctx, "d", "@daily", cron.Func(nil)), cron.ErrBadJob},
		{"nil factory", f.c.AddJob(ctx, "d", "@daily", cron.Spawn(nil)), cron.ErrBadJob},
		{"nil target", f.c.AddJob(ctx, "d", "@daily", cron.Send(nil, 1)), cron.ErrBadJob},
		{"nil schedule", f.c.AddSchedule(ctx, "e", nil, noop), cron.ErrBadJob},
		{"remove unknown", f.c.Remove(ctx, "zz"), cron.ErrNoJob},
		{"enable unknown", f.c.Enable(ctx, "zz"), cron.ErrNoJob},
		{"disable unknown", f.c.Disable(ctx, "zz"), cron.ErrNoJob},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.err, c.want)
		}
	}
	if js := f.jobs(t); len(js) != 1 {
		t.Fatalf("failed adds left jobs behind: %+v", js)
	}
}

func TestAddScheduleEvery(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	in := newInbox(t, n)
	if err := f.c.AddSchedule(ctxT(t), "e", cron.Every(3*time.Second), cron.Send(in.pid, etf.Atom("e"))); err != nil {
		t.Fatal(err)
	}
	if j := f.jobs(t)[0]; j.Spec != "@every 3s" || !j.Next.Equal(start.Add(3*time.Second)) {
		t.Fatalf("%+v", j)
	}
	f.step(t, 2)
	in.none(t)
	f.step(t, 1)
	in.next(t)
}

// TestSendToName: a registered name is looked up at each run, so a job
// follows the name to a new process.
func TestSendToName(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	first := newInbox(t, n, node.WithName("sink"))
	f.add(t, "n", "* * * * * *", cron.Send(etf.Atom("sink"), etf.Atom("hi")))
	f.step(t, 1)
	if m := first.next(t); m != etf.Atom("hi") {
		t.Fatalf("got %v", m)
	}
	n.Unregister("sink")
	second := newInbox(t, n, node.WithName("sink"))
	f.step(t, 1)
	if m := second.next(t); m != etf.Atom("hi") {
		t.Fatalf("got %v", m)
	}
	first.none(t)
	// Also {Name, Node} for the local node.
	f.add(t, "t", "* * * * * *", cron.Send(etf.Tuple{etf.Atom("sink"), n.Name()}, etf.Atom("tuple")))
	f.step(t, 1)
	got := map[etf.Term]bool{second.next(t): true, second.next(t): true}
	if !got[etf.Atom("hi")] || !got[etf.Atom("tuple")] {
		t.Fatalf("got %v", got)
	}
}

// TestMissedRunsSkipped: after the clock jumps 10 minutes (or the process
// wakes that late), an every-minute job runs once, for the run that was
// due first, and then at the next minute after the wake-up.
func TestMissedRunsSkipped(t *testing.T) {
	n := localNode(t)
	clk := &jumpClock{now: start, timers: map[*jumpTimer]struct{}{}}
	f := newFixture(t, n, cron.WithClock(clk))
	in := newInbox(t, n)
	var seen []time.Time
	f.add(t, "m", "* * * * *", cron.Func(func(_ context.Context, at time.Time) error {
		return n.Send(in.pid, at)
	}))
	clk.Jump(10*time.Minute + 30*time.Second)
	at := in.next(t).(time.Time)
	seen = append(seen, at)
	f.waitIdle(t, "m") // the Func's return is reported after it sent
	j := f.jobs(t)[0]
	if !at.Equal(start.Add(time.Minute)) || j.Runs != 1 || !j.Next.Equal(start.Add(11*time.Minute)) {
		t.Fatalf("ran at %v, job %+v; want one run due 00:01, next 00:11", seen, j)
	}
	in.none(t)
}

func TestCronStopsWithOwner(t *testing.T) {
	for _, c := range []struct {
		name string
		end  func(n *node.Node, owner etf.PID)
		want etf.Term
	}{
		{"owner exits normally", func(n *node.Node, owner etf.PID) { _ = n.Send(owner, etf.Atom("stop")) }, node.Normal},
		{"owner killed", func(n *node.Node, owner etf.PID) { _ = n.Exit(owner, etf.Atom("kill")) }, etf.Atom("killed")},
		{"owner exits with a reason", func(n *node.Node, owner etf.PID) { _ = n.Exit(owner, etf.Atom("boom")) }, etf.Atom("boom")},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := localNode(t)
			f := newFixture(t, n)
			exited := n.Watch(cronPID(t, f))
			c.end(n, f.own.pid)
			if reason := <-exited; !etf.Equal(reason, c.want) {
				t.Fatalf("cron exit: %v; want %v", reason, c.want)
			}
		})
	}
}

// TestOwnerSeesCronDeath: the link works both ways.
func TestOwnerSeesCronDeath(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	exited := n.Watch(f.own.pid)
	_ = n.Exit(cronPID(t, f), etf.Atom("kill"))
	if reason := <-exited; reason != etf.Atom("killed") {
		t.Fatalf("owner exit: %v; want killed", reason)
	}
}

// cronPID is the pid Start returned.
func cronPID(t testing.TB, f *fixture) etf.PID {
	t.Helper()
	pid, ok := f.c.Target().(etf.PID)
	if !ok {
		t.Fatalf("Target() = %v, want the pid", f.c.Target())
	}
	return pid
}

// TestStartRejectsBadJobs: an invalid WithJobs job makes Start fail.
func TestStartRejectsBadJobs(t *testing.T) {
	n := localNode(t)
	o := &owner{msgs: make(chan etf.Term, 1), opts: []cron.Option{
		cron.WithJobs(cron.Job{Name: "bad", Spec: "0 0 32 * *", Action: cron.Send(etf.Atom("x"), 1)})}}
	_, err := n.Spawn(o)
	if !errors.Is(err, cron.ErrBadSpec) {
		t.Fatalf("Start with a bad job: %v, want ErrBadSpec", err)
	}
}

// TestJobZone: a CRON_TZ= prefix overrides the cron's WithLocation.
func TestJobZone(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n) // WithLocation(time.UTC)
	f.add(t, "tokyo", "CRON_TZ=Asia/Tokyo 0 9 * * *", cron.Send(etf.Atom("x"), 1))
	f.add(t, "utc", "0 9 * * *", cron.Send(etf.Atom("x"), 1))
	js := f.jobs(t)
	// 09:00 JST is 00:00 UTC: the start itself, so the next one is a day later.
	if got := jobNamed(t, js, "tokyo").Next; !got.Equal(start.Add(24 * time.Hour)) {
		t.Fatalf("tokyo.Next = %v", got)
	}
	if got := jobNamed(t, js, "utc").Next; !got.Equal(start.Add(9 * time.Hour)) {
		t.Fatalf("utc.Next = %v", got)
	}
}

// TestSustainedLoad: 2,000 jobs due every second for 10 s of fake time
// all run every time, in order of their due times, with their messages
// delivered.
func TestSustainedLoad(t *testing.T) {
	n := localNode(t)
	f := newFixture(t, n)
	in := newInbox(t, n)
	const jobs, seconds = 2000, 10
	for i := range jobs {
		f.add(t, fmt.Sprint("j", i), "* * * * * *", cron.Send(in.pid, i))
	}
	f.step(t, seconds)
	for range jobs * seconds {
		in.next(t)
	}
	in.none(t)
	for _, j := range f.jobs(t) {
		if j.Runs != seconds || j.Failures != 0 || !j.LastRun.Equal(start.Add(seconds*time.Second)) {
			t.Fatalf("%+v", j)
		}
	}
}
