package cron_test

import (
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
)

// TestDSTRuns runs the documented DST cases through the cron process on
// a fake clock, minute by minute across each change in America/New_York:
// a 02:30 job on the spring-forward day runs once, at 03:00 EDT; a 01:30
// job on the fall-back day runs once, at 01:30 EDT; an every-30-minutes
// job runs in both occurrences of the repeated hour.
func TestDSTRuns(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, spec string
		from       time.Time
		minutes    int
		want       []time.Time
	}{
		{"spring forward 02:30", "30 2 * * *", time.Date(2026, 3, 8, 1, 0, 0, 0, ny), 180,
			[]time.Time{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)}},
		{"fall back 01:30", "30 1 * * *", time.Date(2026, 11, 1, 0, 0, 0, 0, ny), 240,
			[]time.Time{time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)}},
		{"fall back every 30 minutes", "*/30 * * * *", time.Date(2026, 11, 1, 5, 10, 0, 0, time.UTC), 120,
			[]time.Time{
				time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), // 01:30 EDT
				time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),  // 01:00 EST
				time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), // 01:30 EST
				time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC),  // 02:00 EST
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := localNode(t)
			f := newFixtureAt(t, n, c.from, cron.WithLocation(ny))
			in := newInbox(t, n)
			f.add(t, "j", c.spec, cron.Send(in.pid, etf.Atom("run")))
			// A Send runs inside the tick, so the Jobs call after each
			// step sees its run counted, with the time it was due.
			var got []time.Time
			var runs uint64
			for range c.minutes {
				f.clock.Advance(time.Minute)
				if j := f.jobs(t)[0]; j.Runs != runs {
					runs = j.Runs
					got = append(got, j.LastRun)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("runs %v, want %v", got, c.want)
			}
			for i := range c.want {
				if !got[i].Equal(c.want[i]) {
					t.Fatalf("runs %v, want %v", got, c.want)
				}
			}
			for range c.want {
				in.next(t)
			}
		})
	}
}
