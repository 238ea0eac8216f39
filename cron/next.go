package cron

import (
	"math/bits"
	"time"
)

// searchYears bounds Next's search. Eight years separate two February
// 29ths around 2100 (not a leap year), so "0 0 29 2 *" needs more than
// five.
const searchYears = 10

// Next returns the first run time strictly after t, in the schedule's
// location, or the zero time when none comes within ten years (a spec
// such as February 30th).
//
// Fields match the wall clock. Where a DST change makes a wall-clock time
// not exist or exist twice, Next does what Vixie cron does, which depends
// on whether the minute or hour field starts with * (a "wildcard" job,
// such as "*/5 * * * *" or "0 * * * *") or not (a "fixed-time" job, such
// as "30 2 * * *"):
//
//   - spring forward (America/New_York, 2026-03-08, 02:00 -> 03:00): a
//     fixed-time job due in the skipped hour runs once, at the change
//     (03:00 EDT); a wildcard job's runs in the skipped hour do not
//     happen, its next run is the next one the new wall clock reaches.
//   - fall back (2026-11-01, 02:00 EDT -> 01:00 EST): a fixed-time job due
//     in the repeated hour runs once, at the first occurrence (01:30 EDT);
//     a wildcard job runs in both occurrences, as the clock reads.
func (s *SpecSchedule) Next(t time.Time) time.Time {
	t = t.In(s.loc)
	best := s.search(wallOf(t).Truncate(time.Second).Add(time.Second), t)
	if !s.wildcard {
		return best
	}
	// The wall clock reads earlier times again after t's zone ends with a
	// step back: look for a run in the repeated stretch too.
	_, end := t.ZoneBounds()
	if end.IsZero() || (!best.IsZero() && best.Before(end)) {
		return best
	}
	if _, before := t.Zone(); offsetAt(end) >= before {
		return best
	}
	if alt := s.search(wallOf(end), end.Add(-1)); !alt.IsZero() && (best.IsZero() || alt.Before(best)) {
		return alt
	}
	return best
}

// search returns the first instant after "after" whose wall-clock time is
// w or later and matches, following the DST rules of Next.
func (s *SpecSchedule) search(w time.Time, after time.Time) time.Time {
	limit := w.AddDate(searchYears, 0, 0)
	for {
		w = s.nextWall(w, limit)
		if w.IsZero() {
			return time.Time{}
		}
		at, ok := s.instant(w, after)
		if ok {
			return at
		}
		w = w.Add(time.Second)
		if at.IsZero() {
			continue
		}
		// w was in a gap: the clock next reads the wall time at its end.
		if end := wallOf(at); end.After(w) {
			w = end
		}
	}
}

// instant maps the wall-clock time w (a UTC time standing for a civil
// time) to the instant it fires at in s.loc, if that is after "after".
// When w falls in a gap it also returns the instant the gap ends.
func (s *SpecSchedule) instant(w time.Time, after time.Time) (time.Time, bool) {
	first := civilIn(w, s.loc)
	if !wallOf(first).Equal(w) {
		// w falls in a gap: only a fixed-time job runs, at the change.
		at := gapEnd(first, w)
		return at, !s.wildcard && at.After(after)
	}
	if first.After(after) {
		return first, true
	}
	if s.wildcard {
		if second, ok := repeated(first, w); ok && second.After(after) {
			return second, true
		}
	}
	return time.Time{}, false
}

// nextWall returns the first wall-clock time at or after w (UTC standing
// for civil time) whose fields match, or zero past limit.
func (s *SpecSchedule) nextWall(w, limit time.Time) time.Time {
	for w.Before(limit) {
		y, mo, d := w.Date()
		h, mi, sec := w.Clock()
		if s.month.bits&(1<<uint(mo)) == 0 {
			if next, ok := nextBit(s.month.bits, int(mo)+1, 12); ok {
				w = time.Date(y, time.Month(next), 1, 0, 0, 0, 0, time.UTC)
			} else {
				w = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			continue
		}
		if !s.dayMatches(y, mo, d, w.Weekday()) {
			w = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if next, ok := nextBit(s.hour.bits, h, 23); !ok {
			w = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			continue
		} else if next != h {
			w = time.Date(y, mo, d, next, 0, 0, 0, time.UTC)
			continue
		}
		if next, ok := nextBit(s.min.bits, mi, 59); !ok {
			w = time.Date(y, mo, d, h+1, 0, 0, 0, time.UTC)
			continue
		} else if next != mi {
			w = time.Date(y, mo, d, h, next, 0, 0, time.UTC)
			continue
		}
		if next, ok := nextBit(s.sec.bits, sec, 59); !ok {
			w = time.Date(y, mo, d, h, mi+1, 0, 0, time.UTC)
			continue
		} else if next != sec {
			w = time.Date(y, mo, d, h, mi, next, 0, time.UTC)
		}
		return w
	}
	return time.Time{}
}

// dayMatches applies day-of-month and day-of-week: both must match when
// one of them starts with * (Vixie), else either one.
func (s *SpecSchedule) dayMatches(y int, mo time.Month, d int, wd time.Weekday) bool {
	last := daysIn(y, mo)
	dom := s.dom.bits&(1<<uint(d)) != 0 || (s.dom.last && d == last)
	dow := s.dow.bits&(1<<uint(wd)) != 0 ||
		(s.dow.lastDow&(1<<uint(wd)) != 0 && d+7 > last) ||
		s.dow.nth[wd]&(1<<uint((d-1)/7)) != 0
	if s.andDays {
		return dom && dow
	}
	return dom || dow
}

// nextBit returns the lowest set bit of mask in [from, max].
func nextBit(mask uint64, from, max int) (int, bool) {
	if from > max {
		return 0, false
	}
	m := mask >> uint(from) << uint(from)
	if m == 0 {
		return 0, false
	}
	b := bits.TrailingZeros64(m)
	return b, b <= max
}

func daysIn(y int, mo time.Month) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// wallOf returns t's wall-clock reading as a UTC time (a civil time).
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// civilIn returns the instant with wall-clock reading w in loc; for a time
// that exists twice, Go gives the first.
func civilIn(w time.Time, loc *time.Location) time.Time {
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, loc)
}

// gapEnd returns the instant a wall-clock gap containing w ends (the DST
// change), given what time.Date made of w.
func gapEnd(got, w time.Time) time.Time {
	start, end := got.ZoneBounds()
	if wallOf(got).Before(w) {
		return end
	}
	return start
}

// repeated returns the second occurrence of the wall-clock time w whose
// first occurrence is first, when the clock steps back after first.
func repeated(first, w time.Time) (time.Time, bool) {
	_, end := first.ZoneBounds()
	if end.IsZero() {
		return time.Time{}, false
	}
	_, before := first.Zone()
	after := offsetAt(end)
	if after >= before {
		return time.Time{}, false
	}
	second := first.Add(time.Duration(before-after) * time.Second)
	if second.Before(end) || !wallOf(second).Equal(w) {
		return time.Time{}, false
	}
	return second, true
}

func offsetAt(t time.Time) int {
	_, off := t.Zone()
	return off
}
