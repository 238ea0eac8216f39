package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, spec, want string }{
		{"empty", "", "want 5 or 6 fields"},
		{"four fields", "* * * *", "want 5 or 6 fields"},
		{"seven fields", "* * * * * * *", "want 5 or 6 fields"},
		{"minute 60", "60 * * * *", "minute field"},
		{"second 60", "60 * * * * *", "second field"},
		{"hour 24", "0 24 * * *", "hour field"},
		{"dom 0", "0 0 0 * *", "day-of-month field"},
		{"dom 32", "0 0 32 * *", "day-of-month field"},
		{"month 13", "0 0 1 13 *", "month field"},
		{"dow 8", "0 0 * * 8", "day-of-week field"},
		{"bad name", "0 0 * FOO *", "month field"},
		{"reversed range", "0 10-5 * * *", "range start after its end"},
		{"zero step", "*/0 * * * *", "step must be a positive number"},
		{"negative step", "*/-1 * * * *", "step must be a positive number"},
		{"bad step", "*/x * * * *", "step must be a positive number"},
		{"empty item", "1,,2 * * * *", "empty list item"},
		{"L in minute", "L * * * *", "minute field"},
		{"L in dow alone", "0 0 * * L", "day-of-week field"},
		{"xL in dom", "0 0 5L * *", "day-of-month field"},
		{"# in dom", "0 0 1#2 * *", "day-of-month field"},
		{"#0", "0 0 * * 1#0", "n from 1 to 5"},
		{"#6", "0 0 * * 1#6", "n from 1 to 5"},
		{"# bad day", "0 0 * * 9#1", "day-of-week field"},
		{"? in minute", "? * * * *", "minute field"},
		{"plus sign", "+5 * * * *", "minute field"},
		{"unknown descriptor", "@fortnightly", "unknown descriptor"},
		{"every sub-second", "@every 1500ms", "whole number of seconds"},
		{"every zero", "@every 0s", "whole number of seconds"},
		{"every garbage", "@every soon", "@every"},
		{"bad zone", "CRON_TZ=Mars/Olympus 0 0 * * *", "time zone"},
		{"empty zone", "TZ= 0 0 * * *", "TZ= with no time zone"},
		{"too long", strings.Repeat("1,", 600) + "1 * * * *", "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseIn(c.spec, time.UTC)
			if err == nil || s != nil {
				t.Fatalf("ParseIn(%q) = %v, %v; want nil and an error", c.spec, s, err)
			}
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("error %v does not wrap ErrBadSpec", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, spec := range []string{
		"  0 0 * * *  ", "0\t0 * * *", "0 0 ? * MON-FRI", "0 0 * * 0-7", "0 0 * * 5-7/2",
		"0 0 L,15 * *", "0 0 * * 1L,FRI#2,3", "0 0 * jan-DEC/3 *", "@ANNUALLY", "@midnight",
		"TZ=UTC @every 1h30m", "CRON_TZ=America/New_York */5 * * * * *", "CRON_TZ=UTC\t0 0 * * *",
	} {
		if _, err := ParseIn(spec, time.UTC); err != nil {
			t.Errorf("ParseIn(%q): %v", spec, err)
		}
	}
}

func TestScheduleStrings(t *testing.T) {
	s, err := ParseIn("@every 90s", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(interface{ String() string }).String(); got != "@every 1m30s" {
		t.Fatalf("String() = %q", got)
	}
	p, err := ParseIn("CRON_TZ=Europe/Paris 0 7 * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	sp := p.(*SpecSchedule)
	if sp.String() != "CRON_TZ=Europe/Paris 0 7 * * *" || sp.Location().String() != "Europe/Paris" {
		t.Fatalf("String %q, Location %v", sp.String(), sp.Location())
	}
	if Every(0).Next(time.Unix(10, 0)) != time.Unix(11, 0) {
		t.Fatal("Every(0) is not clamped to one second")
	}
	if got := Every(2500 * time.Millisecond).Next(time.Unix(10, 0)); got != time.Unix(12, 0) {
		t.Fatalf("Every(2.5s).Next(10s) = %v, want 12s (whole seconds)", got)
	}
}
