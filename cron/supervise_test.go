package cron_test

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// TestSupervised: a cron process under an OTP supervisor is restarted
// with its WithJobs jobs (a runtime job is gone), is found by name, shows
// its jobs through sys:get_state and is listed by the observer.
func TestSupervised(t *testing.T) {
	n := localNode(t)
	in := newInbox(t, n)
	clk := actorstest.NewFakeClock(start)
	spec := cron.ChildSpec("crond", cron.WithName("crond"), cron.WithClock(clk), cron.WithLocation(time.UTC),
		cron.WithJobs(cron.Job{Name: "beat", Spec: "* * * * * *", Action: cron.Send(in.pid, etf.Atom("beat"))}))
	sup, err := actors.Spawn(n, &actors.Supervisor{Strategy: actors.OneForOne, Intensity: 5, Period: time.Minute,
		Children: []actors.ChildSpec{spec}}, node.WithName("cron_sup"))
	if err != nil {
		t.Fatal(err)
	}
	c := cron.Attach(n, etf.Atom("crond"))
	ctx := ctxT(t)
	if err := c.AddJob(ctx, "extra", "@hourly", cron.Send(in.pid, etf.Atom("extra"))); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if m := in.next(t); m != etf.Atom("beat") {
		t.Fatalf("got %v", m)
	}

	// sys:get_state shows the jobs as maps.
	state, err := actors.GetState(ctx, n, etf.Atom("crond"))
	if err != nil {
		t.Fatal(err)
	}
	jobs, ok := state.(etf.List)
	if !ok || len(jobs) != 2 {
		t.Fatalf("state %s", etf.Format(state))
	}
	first := jobs[0].(etf.Map)
	if name, _ := first.Get(etf.Atom("name")); !etf.Equal(name, etf.Binary("beat")) {
		t.Fatalf("state %s", etf.Format(state))
	}
	if next, _ := first.Get(etf.Atom("next")); next != start.Add(2*time.Second).UnixMilli() {
		t.Fatalf("next in state %s", etf.Format(state))
	}

	// The observer lists it among the registered processes.
	list, err := observer.Local(n).Processes(ctx, observer.Query{Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := n.Whereis("crond")
	found := false
	for _, p := range list.Processes {
		found = found || (p.Name == "crond" && p.PID == old.String())
	}
	if !found {
		t.Fatalf("observer does not list crond: %+v", list.Processes)
	}

	// Killed, it comes back with its initial job only.
	_ = n.Exit(old, etf.Atom("kill"))
	if _, err := n.WaitExit(ctx, old); err != nil {
		t.Fatal(err)
	}
	var js []cron.JobInfo
	for deadline := time.Now().Add(wait); ; {
		if pid, ok := n.Whereis("crond"); ok && pid != old {
			if js, err = c.Jobs(ctx); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("crond was not restarted")
		}
	}
	if len(js) != 1 || js[0].Name != "beat" {
		t.Fatalf("after restart: %+v", js)
	}
	in.none(t)
	clk.Advance(time.Second)
	if m := in.next(t); m != etf.Atom("beat") {
		t.Fatalf("got %v", m)
	}
	// Stopping the supervisor stops the cron process.
	pid, _ := n.Whereis("crond")
	exited := n.Watch(pid)
	if err := actors.StopProcess(ctx, n, sup, etf.Atom("shutdown")); err != nil {
		t.Fatal(err)
	}
	if reason := <-exited; reason != etf.Atom("shutdown") {
		t.Fatalf("cron exit %v, want shutdown", reason)
	}
}

// cronActor is an actor that owns a cron process.
type cronActor struct {
	actors.Base
	opts []cron.Option
	c    *cron.Cron
}

func (a *cronActor) Init(p *actors.Process, _ ...any) (err error) {
	a.c, err = cron.Start(context.Background(), p.Process, a.opts...)
	return err
}

// TestOwnedByActor: an actor can own a cron process (p.Process); when the
// actor stops normally, the cron process stops too.
func TestOwnedByActor(t *testing.T) {
	n := localNode(t)
	in := newInbox(t, n)
	clk := actorstest.NewFakeClock(start)
	a := &cronActor{opts: []cron.Option{cron.WithClock(clk), cron.WithJobs(
		cron.Job{Name: "beat", Spec: "* * * * * *", Action: cron.Send(in.pid, etf.Atom("beat"))})}}
	pid, err := actors.Spawn(n, a)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if m := in.next(t); m != etf.Atom("beat") {
		t.Fatalf("got %v", m)
	}
	exited := n.Watch(a.c.Target().(etf.PID))
	if err := actors.StopProcess(ctxT(t), n, pid, node.Normal); err != nil {
		t.Fatal(err)
	}
	if reason := <-exited; reason != node.Normal {
		t.Fatalf("cron exit %v, want normal", reason)
	}
}
