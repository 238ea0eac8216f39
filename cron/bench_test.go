package cron_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

const benchJobs = 10_000

// counter is a process that signals every benchJobs messages.
func counter(b *testing.B, n *node.Node) (etf.PID, chan struct{}) {
	b.Helper()
	done := make(chan struct{}, 1)
	count := 0
	pid, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error {
		if count++; count%benchJobs == 0 {
			done <- struct{}{}
		}
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	return pid, done
}

// BenchmarkCron10kJobs: 10,000 jobs due every second, each sending a
// message to one process; one op is one second of fake time: the tick,
// 10,000 runs and their delivery. Compare with BenchmarkSend10kDirect.
func BenchmarkCron10kJobs(b *testing.B) {
	n := localNode(b)
	sink, done := counter(b, n)
	f := newFixture(b, n)
	for i := range benchJobs {
		f.add(b, fmt.Sprint("j", i), "* * * * * *", cron.Send(sink, etf.Atom("tick")))
	}
	ctx := ctxT(b)
	b.ReportAllocs()
	for b.Loop() {
		f.clock.Advance(time.Second)
		<-done
		// A barrier: the cron process has set its next timer.
		if err := f.c.Enable(ctx, "j0"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchJobs), "ns/job-run")
}

// BenchmarkSend10kDirect: the same 10,000 messages per op sent by one
// process in a loop, without a scheduler: the baseline of
// BenchmarkCron10kJobs.
func BenchmarkSend10kDirect(b *testing.B) {
	n := localNode(b)
	sink, done := counter(b, n)
	b.ReportAllocs()
	for b.Loop() {
		for range benchJobs {
			_ = n.Send(sink, etf.Atom("tick"))
		}
		<-done
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchJobs), "ns/job-run")
}
