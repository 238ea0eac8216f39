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
	from := civilOf(t)
	from.addSecond() // strictly after t's second
	best := s.search(from, t)
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
	if alt := s.search(civilOf(end), end.Add(-1)); !alt.IsZero() && (best.IsZero() || alt.Before(best)) {
		return alt
	}
	return best
}

// civil is a wall-clock reading, to the second. Next works on it rather
// than on time.Time so that stepping through fields costs no calendar
// conversions.
type civil struct {
	y           int
	mo          time.Month
	d, h, mi, s int
}

func civilOf(t time.Time) civil {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return civil{y, mo, d, h, mi, s}
}

// in returns the instant reading c in loc; for a time that exists twice,
// Go gives the first.
func (c civil) in(loc *time.Location) time.Time {
	return time.Date(c.y, c.mo, c.d, c.h, c.mi, c.s, 0, loc)
}

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.mo != o.mo {
		return c.mo < o.mo
	}
	if c.d != o.d {
		return c.d < o.d
	}
	if c.h != o.h {
		return c.h < o.h
	}
	if c.mi != o.mi {
		return c.mi < o.mi
	}
	return c.s < o.s
}

// addSecond moves c one second on; a day past the month's end is left
// for nextWall to carry.
func (c *civil) addSecond() {
	if c.s++; c.s < 60 {
		return
	}
	c.s = 0
	c.nextMinute()
}

func (c *civil) nextMinute() {
	c.s = 0
	if c.mi++; c.mi < 60 {
		return
	}
	c.mi = 0
	c.nextHour()
}

func (c *civil) nextHour() {
	c.mi, c.s = 0, 0
	if c.h++; c.h < 24 {
		return
	}
	c.h = 0
	c.d++
}

func (c *civil) nextDay() { c.d, c.h, c.mi, c.s = c.d+1, 0, 0, 0 }

// search returns the first instant after "after" whose wall-clock time is
// w or later and matches, following the DST rules of Next.
func (s *SpecSchedule) search(w civil, after time.Time) time.Time {
	lastYear := w.y + searchYears
	for {
		var ok bool
		if w, ok = s.nextWall(w, lastYear); !ok {
			return time.Time{}
		}
		at, ok := s.instant(w, after)
		if ok {
			return at
		}
		gap := !at.IsZero()
		w.addSecond()
		// w was in a gap: the clock next reads the wall time at its end.
		if end := civilOf(at); gap && w.before(end) {
			w = end
		}
	}
}

// instant maps the wall-clock time w to the instant it fires at in s.loc,
// if that is after "after". When w falls in a gap it also returns the
// instant the gap ends.
func (s *SpecSchedule) instant(w civil, after time.Time) (time.Time, bool) {
	first := w.in(s.loc)
	if civilOf(first) != w {
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

// nextWall returns the first wall-clock time at or after w whose fields
// match, unless it would be after lastYear.
func (s *SpecSchedule) nextWall(w civil, lastYear int) (civil, bool) {
	monthOf, dim, wdFirst := 0, 0, 0 // the month dim and wdFirst were computed for
	for w.y <= lastYear {
		if s.month.bits&(1<<uint(w.mo)) == 0 {
			if next, ok := nextBit(s.month.bits, int(w.mo)+1, 12); ok {
				w = civil{y: w.y, mo: time.Month(next), d: 1}
			} else {
				w = civil{y: w.y + 1, mo: time.January, d: 1}
			}
			continue
		}
		if key := w.y*16 + int(w.mo); key != monthOf {
			first := time.Date(w.y, w.mo, 1, 0, 0, 0, 0, time.UTC)
			monthOf, dim, wdFirst = key, daysIn(w.y, w.mo), int(first.Weekday())
		}
		if w.d > dim {
			if w.mo == time.December {
				w = civil{y: w.y + 1, mo: time.January, d: 1}
			} else {
				w = civil{y: w.y, mo: w.mo + 1, d: 1}
			}
			continue
		}
		if !s.dayMatches(w.d, dim, time.Weekday((wdFirst+w.d-1)%7)) {
			w.nextDay()
			continue
		}
		if !s.matchTime(&w) {
			continue
		}
		return w, true
	}
	return civil{}, false
}

// matchTime moves w to the first matching time of day at or after it, or
// past its day (then it reports false and nextWall goes on).
func (s *SpecSchedule) matchTime(w *civil) bool {
	h, ok := nextBit(s.hour.bits, w.h, 23)
	if !ok {
		w.nextDay()
		return false
	}
	if h != w.h {
		w.h, w.mi, w.s = h, 0, 0
	}
	mi, ok := nextBit(s.min.bits, w.mi, 59)
	if !ok {
		w.nextHour()
		return false
	}
	if mi != w.mi {
		w.mi, w.s = mi, 0
	}
	sec, ok := nextBit(s.sec.bits, w.s, 59)
	if !ok {
		w.nextMinute()
		return false
	}
	w.s = sec
	return true
}

// dayMatches applies day-of-month and day-of-week: both must match when
// one of them starts with * (Vixie), else either one. last is the month's
// last day.
func (s *SpecSchedule) dayMatches(d, last int, wd time.Weekday) bool {
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

// gapEnd returns the instant a wall-clock gap containing w ends (the DST
// change), given what time.Date made of w.
func gapEnd(got time.Time, w civil) time.Time {
	start, end := got.ZoneBounds()
	if civilOf(got).before(w) {
		return end
	}
	return start
}

// repeated returns the second occurrence of the wall-clock time w whose
// first occurrence is first, when the clock steps back after first.
func repeated(first time.Time, w civil) (time.Time, bool) {
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
	if second.Before(end) || civilOf(second) != w {
		return time.Time{}, false
	}
	return second, true
}

func offsetAt(t time.Time) int {
	_, off := t.Zone()
	return off
}
