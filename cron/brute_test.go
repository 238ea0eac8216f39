package cron

import (
	"testing"
	"time"
)

// matchesRef says whether the UTC time t matches s, straight from the
// field definitions (no search): the reference Next is checked against.
func matchesRef(s *SpecSchedule, t time.Time) bool {
	has := func(f field, v int) bool { return f.bits&(1<<uint(v)) != 0 }
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	d, wd := t.Day(), int(t.Weekday())
	dom := has(s.dom, d) || (s.dom.last && d == last)
	dow := has(s.dow, wd) || (s.dow.lastDow&(1<<uint(wd)) != 0 && t.AddDate(0, 0, 7).Month() != t.Month()) ||
		s.dow.nth[wd]&(1<<uint((d-1)/7)) != 0
	day := dom || dow
	if s.dom.star || s.dow.star {
		day = dom && dow
	}
	return day && has(s.month, int(t.Month())) && has(s.hour, t.Hour()) && has(s.min, t.Minute()) && has(s.sec, t.Second())
}

// TestNextAgainstBruteForce compares Next with a minute-by-minute scan
// over 90 days for 5-field specs in UTC.
func TestNextAgainstBruteForce(t *testing.T) {
	specs := []string{
		"*/7 * * * *", "0 */5 * * *", "15 10 L * *", "0 12 * * 5L", "30 6 * * 1#2,3#4", "0 0 13 * 5",
		"0 0 */10 * 1", "45 23 29-31 * *", "0 8 * FEB,AUG SUN", "5 4 1,15,L * MON-FRI", "0 0 * * 0#5",
		"59 23 31 12 *", "0 9-17/2 * * 1-5", "0 0 L 2 *", "20 1 ? * SATL",
	}
	from := time.Date(2028, 1, 20, 0, 0, 0, 0, time.UTC) // over a leap February
	end := from.AddDate(0, 0, 90)
	for _, spec := range specs {
		sched, err := ParseIn(spec, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		s := sched.(*SpecSchedule)
		got := s.Next(from)
		for m := from.Add(time.Minute); m.Before(end); m = m.Add(time.Minute) {
			if !matchesRef(s, m) {
				continue
			}
			if !got.Equal(m) {
				t.Fatalf("%q: Next gave %v, the scan finds %v", spec, got, m)
			}
			got = s.Next(m)
		}
		if got.Before(end) {
			t.Fatalf("%q: Next gave %v, the scan finds nothing before %v", spec, got, end)
		}
	}
}
