package cron

import (
	"fmt"
	"strconv"
	"strings"
)

// bounds describes one field of a spec: its name (for errors), its range
// and the names it accepts (JAN..DEC, SUN..SAT), which map to min+index.
type bounds struct {
	name     string
	min, max int
	names    []string
}

var (
	secondField = bounds{name: "second", min: 0, max: 59}
	minuteField = bounds{name: "minute", min: 0, max: 59}
	hourField   = bounds{name: "hour", min: 0, max: 23}
	domField    = bounds{name: "day-of-month", min: 1, max: 31}
	monthField  = bounds{name: "month", min: 1, max: 12, names: []string{
		"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	// Day of week accepts 0-7, 7 being Sunday again (Vixie cron).
	dowField = bounds{name: "day-of-week", min: 0, max: 7, names: []string{
		"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
)

// field is one parsed field: a bit per allowed value, plus the day
// extensions that depend on the month (L in day-of-month; xL and x#n in
// day-of-week).
type field struct {
	bits uint64
	// star: the field starts with * or ? (Vixie's *_STAR flags). For the
	// day fields it selects AND instead of OR; for minute and hour it makes
	// the job a "wildcard" job for DST (see Next).
	star    bool
	last    bool     // day-of-month L: the month's last day
	lastDow uint8    // day-of-week xL: bit x = last weekday x of the month
	nth     [7]uint8 // day-of-week x#n: nth[x] bit n-1 = nth weekday x
}

// parseField parses a comma-separated list of items for b. dayExt says
// which extensions the field accepts: 'd' for day-of-month, 'w' for
// day-of-week, 0 for none.
func parseField(s string, b bounds, dayExt byte) (field, error) {
	var f field
	if s == "" {
		return f, fieldErr(b, s, "empty")
	}
	f.star = s[0] == '*' || (s[0] == '?' && dayExt != 0)
	for item := range strings.SplitSeq(s, ",") {
		if err := f.addItem(item, b, dayExt); err != nil {
			return f, err
		}
	}
	if dayExt == 'w' && f.bits&(1<<7) != 0 {
		f.bits = f.bits&^(1<<7) | 1 // 7 is Sunday
	}
	return f, nil
}

func (f *field) addItem(item string, b bounds, dayExt byte) error {
	switch {
	case item == "":
		return fieldErr(b, item, "empty list item")
	case dayExt == 'd' && strings.EqualFold(item, "L"):
		f.last = true
		return nil
	case dayExt == 'w' && strings.ContainsRune(item, '#'):
		return f.addNth(item, b)
	case dayExt == 'w' && len(item) > 1 && (item[len(item)-1] == 'L' || item[len(item)-1] == 'l'):
		d, err := value(item[:len(item)-1], b)
		if err != nil {
			return err
		}
		f.lastDow |= 1 << (d % 7)
		return nil
	}
	lo, hi, step, err := rangeOf(item, b, dayExt != 0)
	if err != nil {
		return err
	}
	for v := lo; v <= hi; v += step {
		f.bits |= 1 << uint(v)
	}
	return nil
}

// addNth parses x#n: the nth (1-5) weekday x of the month.
func (f *field) addNth(item string, b bounds) error {
	day, nth, _ := strings.Cut(item, "#")
	d, err := value(day, b)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(nth)
	if err != nil || n < 1 || n > 5 || nth[0] == '+' {
		return fieldErr(b, item, "want x#n with n from 1 to 5")
	}
	f.nth[d%7] |= 1 << uint(n-1)
	return nil
}

// rangeOf parses *, ?, a, a-b, each optionally followed by /step (a/step
// means a to the field's maximum).
func rangeOf(item string, b bounds, question bool) (lo, hi, step int, err error) {
	expr, stepText, hasStep := strings.Cut(item, "/")
	step = 1
	if hasStep {
		step, err = strconv.Atoi(stepText)
		if err != nil || step < 1 || stepText[0] == '+' {
			return 0, 0, 0, fieldErr(b, item, "step must be a positive number")
		}
	}
	switch {
	case expr == "*" || (question && expr == "?"):
		return b.min, b.max, step, nil
	case strings.Contains(expr, "-"):
		l, h, _ := strings.Cut(expr, "-")
		if lo, err = value(l, b); err != nil {
			return 0, 0, 0, err
		}
		if hi, err = value(h, b); err != nil {
			return 0, 0, 0, err
		}
		if lo > hi {
			return 0, 0, 0, fieldErr(b, item, "range start after its end")
		}
		return lo, hi, step, nil
	}
	if lo, err = value(expr, b); err != nil {
		return 0, 0, 0, err
	}
	if hasStep {
		return lo, b.max, step, nil
	}
	return lo, lo, 1, nil
}

// value parses a number or a name within b.
func value(s string, b bounds) (int, error) {
	for i, name := range b.names {
		if strings.EqualFold(s, name) {
			return b.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fieldErr(b, s, "not a number or name")
	}
	if v < b.min || v > b.max {
		return 0, fieldErr(b, s, fmt.Sprintf("out of range %d-%d", b.min, b.max))
	}
	return v, nil
}

func fieldErr(b bounds, s, why string) error {
	return fmt.Errorf("%w: %s field %q: %s", ErrBadSpec, b.name, s, why)
}
