package cron

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkNext: one Next call per op for typical specs.
func BenchmarkNext(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	for _, spec := range []string{
		"* * * * * *", "*/15 * * * *", "30 2 * * *", "0 0 L * *", "0 18 * * 5L", "0 9 * * MON#1",
		"0 0 29 2 *", "@every 1h",
	} {
		s, err := ParseIn(spec, ny)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(spec, func(b *testing.B) {
			b.ReportAllocs()
			at := from
			for b.Loop() {
				if at = s.Next(at); at.IsZero() {
					at = from
				}
			}
		})
	}
}

// benchTable fills a table with n jobs whose spec spec(i) gives.
func benchTable(b *testing.B, n int, spec func(i int) string) (*table, time.Time) {
	b.Helper()
	t := newTable()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		s, err := ParseIn(spec(i), time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		if err := t.add(&job{name: fmt.Sprint(i), sched: s, enabled: true}, now); err != nil {
			b.Fatal(err)
		}
	}
	return t, now
}

// BenchmarkTick10kAllDue: 10,000 jobs due every second; one op is one
// tick that runs (a no-op) and reschedules all of them.
func BenchmarkTick10kAllDue(b *testing.B) {
	t, now := benchTable(b, 10_000, func(int) string { return "* * * * * *" })
	ran := benchTicks(b, t, now)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ran), "ns/job-run")
}

// BenchmarkTick10kSpread: 10,000 jobs spread over the hour (each at its
// own minute and second, about 3 due per second); one op is one tick.
func BenchmarkTick10kSpread(b *testing.B) {
	t, now := benchTable(b, 10_000, func(i int) string {
		return fmt.Sprintf("%d %d * * * *", i%60, (i/60)%60)
	})
	ran := benchTicks(b, t, now)
	b.ReportMetric(float64(ran)/float64(b.N), "jobs/tick")
}

// benchTicks runs one tick a second per op, from now, and returns how
// many job runs the ticks made.
func benchTicks(b *testing.B, t *table, now time.Time) int {
	ran := 0
	run := func(*job, time.Time) { ran++ }
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		t.due(now, run)
	}
	return ran
}
