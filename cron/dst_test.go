package cron

import (
	"testing"
	"time"
)

// TestNextDST checks the DST rules documented on SpecSchedule.Next in
// America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (spring forward),
// 2026-11-01 02:00 EDT -> 01:00 EST (fall back). Times are given in UTC
// so both occurrences of a repeated wall time can be named.
func TestNextDST(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, spec, from string
		want             []string // UTC
	}{
		// Spring forward: 02:30 does not exist; a fixed job runs at the
		// change, 03:00 EDT = 07:00 UTC, then at 02:30 EST the next day.
		{"spring 02:30 fixed", "30 2 * * *", "2026-03-07 12:00:00",
			[]string{"2026-03-08 07:00:00", "2026-03-09 06:30:00"}},
		// Two fixed times inside the gap collapse into one run.
		{"spring two runs in gap", "0,30 2 * * *", "2026-03-08 05:00:00",
			[]string{"2026-03-08 07:00:00", "2026-03-09 06:00:00"}},
		// A fixed job at 03:00 is not doubled by the gap rule.
		{"spring 03:00 fixed", "0 3 * * *", "2026-03-08 05:00:00",
			[]string{"2026-03-08 07:00:00", "2026-03-09 07:00:00"}},
		// A wildcard job just loses the skipped hour: 01:30 EST, 03:30 EDT.
		{"spring hourly wildcard", "30 * * * *", "2026-03-08 06:00:00",
			[]string{"2026-03-08 06:30:00", "2026-03-08 07:30:00"}},
		{"spring every 20 minutes", "*/20 * * * *", "2026-03-08 06:40:00",
			[]string{"2026-03-08 07:00:00", "2026-03-08 07:20:00"}},
		// Fall back: 01:30 exists twice (05:30 and 06:30 UTC). A fixed job
		// runs once, at the first one.
		{"fall 01:30 fixed", "30 1 * * *", "2026-11-01 04:00:00",
			[]string{"2026-11-01 05:30:00", "2026-11-02 06:30:00"}},
		// Started during the second occurrence, it waits for tomorrow.
		{"fall fixed from second occurrence", "45 1 * * *", "2026-11-01 06:10:00",
			[]string{"2026-11-02 06:45:00"}},
		{"fall 02:30 fixed", "30 2 * * *", "2026-11-01 04:00:00",
			[]string{"2026-11-01 07:30:00"}},
		// A wildcard job follows the clock through both occurrences.
		{"fall hourly wildcard", "30 * * * *", "2026-11-01 04:00:00",
			[]string{"2026-11-01 04:30:00", "2026-11-01 05:30:00", "2026-11-01 06:30:00", "2026-11-01 07:30:00"}},
		{"fall every 30 minutes", "*/30 * * * *", "2026-11-01 05:20:00",
			[]string{"2026-11-01 05:30:00", "2026-11-01 06:00:00", "2026-11-01 06:30:00", "2026-11-01 07:00:00"}},
		{"fall every minute in hour 1", "* 1 * * *", "2026-11-01 05:58:30",
			[]string{"2026-11-01 05:59:00", "2026-11-01 06:00:00", "2026-11-01 06:01:00"}},
		// @daily is fixed at midnight; @every ignores the wall clock.
		{"fall daily", "@daily", "2026-10-31 12:00:00",
			[]string{"2026-11-01 04:00:00", "2026-11-02 05:00:00"}},
		{"spring every hour", "@every 1h", "2026-03-08 06:00:00",
			[]string{"2026-03-08 07:00:00", "2026-03-08 08:00:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runs(t, c.spec, ny, utc(c.from), len(c.want))
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i, w := range c.want {
				if !got[i].Equal(utc(w)) {
					t.Fatalf("run %d: got %v (%v), want %s UTC; all %v", i, got[i], got[i].UTC(), w, got)
				}
			}
		})
	}
}

// TestNextMidnightGap: in America/Santiago the clock jumps from 24:00 to
// 01:00 (2026-09-06), so midnight does not exist: @daily runs at 01:00.
func TestNextMidnightGap(t *testing.T) {
	loc := mustLoad(t, "America/Santiago")
	s, err := ParseIn("@daily", loc)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 9, 5, 12, 0, 0, 0, loc)
	got := s.Next(from)
	if h, m, _ := got.Clock(); got.Day() != 6 || h != 1 || m != 0 {
		t.Fatalf("Next(%v) = %v, want 2026-09-06 01:00 local", from, got)
	}
}
