package cron_test

import (
	"context"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

func ExampleParseIn() {
	s, err := cron.ParseIn("0 18 * * 5L", time.UTC) // the last Friday of the month, 18:00
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 3 {
		at = s.Next(at)
		fmt.Println(at.Format("Mon 2006-01-02 15:04"))
	}
	// Output:
	// Fri 2026-01-30 18:00
	// Fri 2026-02-27 18:00
	// Fri 2026-03-27 18:00
}

// A job at 02:30 in New York: on the spring-forward day 02:30 does not
// exist and the job runs at the change, 03:00 EDT; on the fall-back day
// 01:30 exists twice and a 01:30 job runs at the first one only.
func ExampleSpecSchedule_Next_dst() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	spring, _ := cron.ParseIn("30 2 * * *", ny)
	fall, _ := cron.ParseIn("30 1 * * *", ny)
	show := func(s cron.Schedule, from time.Time) {
		first := s.Next(from)
		second := s.Next(first)
		fmt.Println(first.Format("01-02 15:04 MST"), "then", second.Format("01-02 15:04 MST"))
	}
	show(spring, time.Date(2026, 3, 7, 12, 0, 0, 0, ny))
	show(fall, time.Date(2026, 10, 31, 12, 0, 0, 0, ny))
	// Output:
	// 03-08 03:00 EDT then 03-09 02:30 EDT
	// 11-01 01:30 EDT then 11-02 01:30 EST
}

// starter is a process that owns a cron process: the cron ends with it.
type starter struct {
	opts []cron.Option
	c    *cron.Cron
}

func (s *starter) Init(p *node.Process) (err error) {
	s.c, err = cron.Start(context.Background(), p, s.opts...)
	return err
}

func (*starter) HandleMessage(*node.Process, etf.Term) error { return nil }
func (*starter) Terminate(*node.Process, etf.Term)           {}

func ExampleStart() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)

	// A fake clock so that the example runs at once; leave WithClock out
	// for the real one.
	clock := actorstest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	got := make(chan etf.Term, 1)
	sink, _ := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		got <- msg
		return nil
	}))
	own := &starter{opts: []cron.Option{cron.WithClock(clock), cron.WithLocation(time.UTC), cron.WithName("crond")}}
	if _, err := n.Spawn(own); err != nil {
		panic(err)
	}
	c := own.c
	_ = c.AddJob(ctx, "report", "@every 1m", cron.Send(sink, etf.Atom("report")))
	_ = c.AddJob(ctx, "month-end", "0 23 L * *", cron.Func(func(ctx context.Context, at time.Time) error {
		return nil // close the books
	}))
	clock.Advance(time.Minute)
	fmt.Println("received", <-got)

	jobs, _ := c.Jobs(ctx)
	for _, j := range jobs {
		fmt.Printf("%s %q next %s runs %d\n", j.Name, j.Spec, j.Next.Format(time.DateTime), j.Runs)
	}
	// Output:
	// received report
	// month-end "0 23 L * *" next 2026-01-31 23:00:00 runs 0
	// report "@every 1m" next 2026-01-01 00:02:00 runs 1
}
