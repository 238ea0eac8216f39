package cron

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the host's zoneinfo
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// runs returns the first n run times after from.
func runs(t testing.TB, spec string, loc *time.Location, from time.Time, n int) []time.Time {
	t.Helper()
	s, err := ParseIn(spec, loc)
	if err != nil {
		t.Fatalf("ParseIn(%q): %v", spec, err)
	}
	var out []time.Time
	at := from
	for range n {
		at = s.Next(at)
		if at.IsZero() {
			break
		}
		out = append(out, at)
	}
	return out
}

func TestNextTable(t *testing.T) {
	const layout = "2006-01-02 15:04:05"
	cases := []struct {
		name, spec, from string
		want             []string
	}{
		{"every minute", "* * * * *", "2026-01-01 00:00:30", []string{"2026-01-01 00:01:00", "2026-01-01 00:02:00"}},
		{"every second", "* * * * * *", "2026-01-01 00:00:00", []string{"2026-01-01 00:00:01", "2026-01-01 00:00:02"}},
		{"seconds step", "*/20 * * * * *", "2026-01-01 00:00:45", []string{"2026-01-01 00:01:00", "2026-01-01 00:01:20"}},
		{"hour wrap", "0 30 23 * * *", "2026-12-31 23:30:00", []string{"2027-01-01 23:30:00"}},
		{"list range step", "0 0,15-20/5 9 * * *", "2026-05-05 09:00:00", []string{"2026-05-05 09:15:00", "2026-05-05 09:20:00", "2026-05-06 09:00:00"}},
		{"a/step to max", "0 50/5 * * * *", "2026-05-05 09:00:00", []string{"2026-05-05 09:50:00", "2026-05-05 09:55:00", "2026-05-05 10:50:00"}},
		{"names", "0 0 12 * JAN,mar MON-wed", "2026-01-01 00:00:00", []string{"2026-01-05 12:00:00", "2026-01-06 12:00:00", "2026-01-07 12:00:00", "2026-01-12 12:00:00"}},
		{"dow 7 is sunday", "0 0 * * 7", "2026-03-01 00:00:00", []string{"2026-03-08 00:00:00"}},
		{"leap day", "0 0 29 2 *", "2026-01-01 00:00:00", []string{"2028-02-29 00:00:00", "2032-02-29 00:00:00"}},
		{"leap day across 2100", "0 0 29 2 *", "2096-03-01 00:00:00", []string{"2104-02-29 00:00:00"}},
		{"31st skips short months", "0 0 31 * *", "2026-01-31 00:00:00", []string{"2026-03-31 00:00:00", "2026-05-31 00:00:00", "2026-07-31 00:00:00", "2026-08-31 00:00:00"}},
		{"L in february", "0 0 L 2 *", "2027-01-01 00:00:00", []string{"2027-02-28 00:00:00", "2028-02-29 00:00:00"}},
		{"L every month", "0 12 L * *", "2026-04-01 00:00:00", []string{"2026-04-30 12:00:00", "2026-05-31 12:00:00", "2026-06-30 12:00:00"}},
		{"L and the 1st", "0 0 1,L * *", "2026-04-01 00:00:00", []string{"2026-04-30 00:00:00", "2026-05-01 00:00:00"}},
		{"last friday 5L", "0 18 * * 5L", "2026-01-01 00:00:00", []string{"2026-01-30 18:00:00", "2026-02-27 18:00:00", "2026-03-27 18:00:00"}},
		{"last sunday FRI name", "0 0 * * SUNL", "2026-03-01 00:00:00", []string{"2026-03-29 00:00:00", "2026-04-26 00:00:00"}},
		{"first monday", "0 9 * * MON#1", "2026-01-01 00:00:00", []string{"2026-01-05 09:00:00", "2026-02-02 09:00:00"}},
		{"#5 skips months without one", "0 0 * * 4#5", "2026-01-01 00:00:00", []string{"2026-01-29 00:00:00", "2026-04-30 00:00:00", "2026-07-30 00:00:00", "2026-10-29 00:00:00"}},
		{"fifth sunday of february", "0 0 * 2 0#5", "2026-01-01 00:00:00", []string{"2032-02-29 00:00:00"}},
		{"dom or dow (Vixie)", "0 0 13 * 5", "2026-02-01 00:00:00", []string{"2026-02-06 00:00:00", "2026-02-13 00:00:00", "2026-02-20 00:00:00", "2026-02-27 00:00:00", "2026-03-06 00:00:00"}},
		{"dom star step: and", "0 0 */10 * 1", "2026-06-01 00:00:00", []string{"2026-08-31 00:00:00"}}, // 1, 11, 21, 31 that is a Monday
		{"dow question mark", "0 0 15 * ?", "2026-06-01 00:00:00", []string{"2026-06-15 00:00:00", "2026-07-15 00:00:00"}},
		{"yearly", "@yearly", "2026-06-01 00:00:00", []string{"2027-01-01 00:00:00"}},
		{"monthly", "@monthly", "2026-06-01 00:00:00", []string{"2026-07-01 00:00:00"}},
		{"weekly", "@weekly", "2026-06-01 00:00:00", []string{"2026-06-07 00:00:00"}},
		{"daily", "@daily", "2026-06-01 00:00:00", []string{"2026-06-02 00:00:00"}},
		{"hourly", "@hourly", "2026-06-01 00:59:59", []string{"2026-06-01 01:00:00"}},
		{"every", "@every 90s", "2026-06-01 00:00:00", []string{"2026-06-01 00:01:30", "2026-06-01 00:03:00"}},
		{"never: february 30", "0 0 30 2 *", "2026-01-01 00:00:00", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, err := time.ParseInLocation(layout, c.from, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			n := len(c.want)
			if n == 0 {
				n = 1
			}
			got := runs(t, c.spec, time.UTC, from, n)
			var gotText []string
			for _, g := range got {
				gotText = append(gotText, g.Format(layout))
			}
			if len(gotText) != len(c.want) {
				t.Fatalf("%q from %s: got %v, want %v", c.spec, c.from, gotText, c.want)
			}
			for i := range gotText {
				if gotText[i] != c.want[i] {
					t.Fatalf("%q from %s: got %v, want %v", c.spec, c.from, gotText, c.want)
				}
			}
		})
	}
}

func TestNextSubSecondInput(t *testing.T) {
	s, _ := ParseIn("* * * * * *", time.UTC)
	from := time.Date(2026, 1, 1, 0, 0, 0, 999_000_000, time.UTC)
	if got, want := s.Next(from), time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next(%v) = %v, want %v", from, got, want)
	}
}

func TestNextLocationAndPrefix(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	s, err := Parse("CRON_TZ=Europe/Paris 0 7 * * *")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 6, 1, 7, 0, 0, 0, paris); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got.Location().String() != "Europe/Paris" {
		t.Fatalf("location %v, want Europe/Paris", got.Location())
	}
	s2, err := ParseIn("TZ=Asia/Tokyo @daily", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("Tokyo midnight: got %v", got.UTC())
	}
}
