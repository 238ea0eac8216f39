package cron

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse: Parse never panics, every error wraps ErrBadSpec, and Next
// on what it accepts terminates (the search is bounded) with strictly
// increasing times, which in UTC match the fields.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"* * * * *", "*/15 0 1,15 * 1-5", "0 30 2 * * *", "0 0 L * *", "0 18 * * 5L",
		"0 9 * * MON#1", "0 0 29 2 *", "0 0 30 2 *", "@daily", "@every 1h",
		"CRON_TZ=America/New_York 30 2 * * *", "TZ=Europe/London 30 1 * * *",
		"0 0 * * 0#5", "59 59 23 31 12 7", "?/3 * ? * ?", "1-2/0 * * * *", "0 0 */10 * 1",
		"0 0 1,L * FRIL,3#2", "@every 999999h", "*/1 */1 */1 */1 */1 */1",
	} {
		f.Add(s)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	from := time.Date(2026, 3, 7, 23, 59, 59, 0, ny)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseIn(spec, ny)
		if err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("ParseIn(%q): %v does not wrap ErrBadSpec", spec, err)
			}
			return
		}
		at := from
		for range 5 {
			next := s.Next(at)
			if next.IsZero() {
				return
			}
			if !next.After(at) {
				t.Fatalf("%q: Next(%v) = %v, not after", spec, at, next)
			}
			at = next
		}
		u, err := ParseIn(spec, time.UTC)
		if err != nil {
			t.Fatalf("%q parses in New York but not in UTC: %v", spec, err)
		}
		if us, ok := u.(*SpecSchedule); ok && us.loc == time.UTC {
			if next := us.Next(from); !next.IsZero() && !matchesRef(us, next) {
				t.Fatalf("%q: Next(%v) = %v does not match the fields", spec, from, next)
			}
		}
	})
}
