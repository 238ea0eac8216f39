package cron

import (
	"fmt"
	"strings"
	"time"
)

// Schedule computes a job's run times.
type Schedule interface {
	// Next returns the first run time strictly after t, or the zero time
	// when there is none within the search bound.
	Next(t time.Time) time.Time
}

// maxSpecLen bounds the spec text Parse reads, so hostile input costs
// little; real specs are a few dozen bytes.
const maxSpecLen = 1024

// descriptors are the @ shortcuts of Vixie cron, as 6-field specs.
var descriptors = map[string]string{
	"@yearly":   "0 0 0 1 1 *",
	"@annually": "0 0 0 1 1 *",
	"@monthly":  "0 0 0 1 * *",
	"@weekly":   "0 0 0 * * 0",
	"@daily":    "0 0 0 * * *",
	"@midnight": "0 0 0 * * *",
	"@hourly":   "0 0 * * * *",
}

// Parse parses a spec in the local time zone (time.Local); see ParseIn.
func Parse(spec string) (Schedule, error) { return ParseIn(spec, time.Local) }

// ParseIn parses a spec whose wall-clock fields are read in loc, unless
// the spec names its own zone with a CRON_TZ= or TZ= prefix:
//
//	"30 2 * * *"                      5 fields: minute hour day-of-month month day-of-week
//	"*/10 30 2 * * *"                 6 fields: second first
//	"0 0 L * *"                       the last day of the month
//	"0 18 * * 5L"                     the last Friday of the month
//	"0 9 * * MON#1"                   the first Monday of the month
//	"@daily", "@every 90s"            descriptors
//	"CRON_TZ=Europe/Paris 0 7 * * *"  a zone for this spec only
//
// A nil loc means UTC. The errors wrap ErrBadSpec. Field syntax: package
// documentation.
func ParseIn(spec string, loc *time.Location) (Schedule, error) {
	if len(spec) > maxSpecLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadSpec, maxSpecLen)
	}
	if loc == nil {
		loc = time.UTC
	}
	text, loc, err := zonePrefix(strings.TrimSpace(spec), loc)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(text, "@") {
		return parseDescriptor(spec, text, loc)
	}
	s, err := parseFields(spec, text, loc)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return s, nil
}

// zonePrefix strips a CRON_TZ= or TZ= prefix and loads its zone.
func zonePrefix(text string, loc *time.Location) (string, *time.Location, error) {
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		rest, ok := strings.CutPrefix(text, prefix)
		if !ok {
			continue
		}
		zone, fields := rest, ""
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			zone, fields = rest[:i], rest[i:]
		}
		if zone == "" {
			return "", nil, fmt.Errorf("%w: %s with no time zone", ErrBadSpec, prefix)
		}
		l, err := time.LoadLocation(zone)
		if err != nil {
			return "", nil, fmt.Errorf("%w: time zone %q: %w", ErrBadSpec, zone, err)
		}
		return strings.TrimSpace(fields), l, nil
	}
	return text, loc, nil
}

func parseDescriptor(spec, text string, loc *time.Location) (Schedule, error) {
	if rest, ok := strings.CutPrefix(text, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: @every: %w", ErrBadSpec, err)
		case d < time.Second || d%time.Second != 0:
			return nil, fmt.Errorf("%w: @every %s: want a whole number of seconds, at least 1s", ErrBadSpec, d)
		}
		return Every(d), nil
	}
	fields, ok := descriptors[strings.ToLower(text)]
	if !ok {
		return nil, fmt.Errorf("%w: unknown descriptor %q", ErrBadSpec, text)
	}
	return parseFields(spec, fields, loc) // the descriptors' fields parse
}

// parseFields parses 5 or 6 fields.
func parseFields(spec, text string, loc *time.Location) (*SpecSchedule, error) {
	f := strings.Fields(text)
	switch len(f) {
	case 5:
		f = append([]string{"0"}, f...)
	case 6:
	default:
		return nil, fmt.Errorf("%w: %q: want 5 or 6 fields, got %d", ErrBadSpec, spec, len(f))
	}
	s := &SpecSchedule{spec: spec, loc: loc}
	var err error
	parts := []struct {
		dst    *field
		b      bounds
		dayExt byte
	}{
		{&s.sec, secondField, 0}, {&s.min, minuteField, 0}, {&s.hour, hourField, 0},
		{&s.dom, domField, 'd'}, {&s.month, monthField, 0}, {&s.dow, dowField, 'w'},
	}
	for i, p := range parts {
		if *p.dst, err = parseField(f[i], p.b, p.dayExt); err != nil {
			return nil, err
		}
	}
	s.wildcard = s.min.star || s.hour.star
	s.andDays = s.dom.star || s.dow.star
	return s, nil
}

// SpecSchedule is a parsed field spec (or descriptor other than @every).
// Its fields are read on the wall clock of its location.
type SpecSchedule struct {
	spec                            string
	loc                             *time.Location
	sec, min, hour, dom, month, dow field
	// wildcard: the minute or hour field starts with * (Vixie's MIN_STAR
	// or HR_STAR), which decides the DST behaviour (see Next).
	wildcard bool
	// andDays: day-of-month and day-of-week both have to match, because
	// one of them starts with * (Vixie); otherwise either one suffices.
	andDays bool
}

// String returns the spec as given to Parse.
func (s *SpecSchedule) String() string { return s.spec }

// Location returns the time zone the fields are read in.
func (s *SpecSchedule) Location() *time.Location { return s.loc }

// Every returns a schedule that fires every d, rounded down to whole
// seconds and at least one, whatever the wall clock says: a DST change
// does not move it. Next(t) is t rounded down to the second plus d. It is
// what "@every d" parses to.
func Every(d time.Duration) Schedule {
	return every(max(d.Truncate(time.Second), time.Second))
}

type every time.Duration

func (e every) Next(t time.Time) time.Time {
	return t.Truncate(time.Second).Add(time.Duration(e))
}

func (e every) String() string { return "@every " + time.Duration(e).String() }
