package interop

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// directives maps a control character to its expansion, before the field
// width is applied (see directive.padField).
var directives = map[byte]func(*formatState, *directive) (string, error){
	'~': literal("~"),
	'n': literal("\n"),
	'c': formatChar,
	's': formatChars,
	'p': formatTerm(etf.Format, false),
	'P': formatTerm(etf.Format, true),
	'w': formatTerm(etf.FormatW, false),
	'W': formatTerm(etf.FormatW, true),
	'i': ignoreArg,
	'b': formatInt,
	'B': formatInt,
	'x': formatInt,
	'X': formatInt,
	'#': formatInt,
	'+': formatInt,
	'e': formatFloat,
	'f': formatFloat,
	'g': formatFloat,
}

func literal(s string) func(*formatState, *directive) (string, error) {
	return func(*formatState, *directive) (string, error) { return s, nil }
}

// formatChar is ~c: the character, repeated width times (the width is a
// count here, not a field).
func formatChar(s *formatState, d *directive) (string, error) {
	a, err := s.next()
	if err != nil {
		return "", err
	}
	n, ok := a.(int)
	if !ok {
		return "", errFormat
	}
	reps := 1
	if d.hasWidth {
		reps = d.width
	}
	d.hasWidth = false
	return strings.Repeat(string(rune(n)), reps), nil
}

// formatChars is ~s: chardata, cut to the precision.
func formatChars(s *formatState, d *directive) (string, error) {
	a, err := s.next()
	if err != nil {
		return "", err
	}
	str, ok := charsOf(a)
	if !ok {
		return "", errFormat
	}
	if d.hasPrec && d.prec < utf8.RuneCountInString(str) {
		str = string([]rune(str)[:d.prec])
	}
	return str, nil
}

// formatTerm is ~p/~w, and with depth ~P/~W (the depth argument is
// consumed, not applied).
func formatTerm(format func(etf.Term) string, depth bool) func(*formatState, *directive) (string, error) {
	return func(s *formatState, _ *directive) (string, error) {
		a, err := s.next()
		if err != nil {
			return "", err
		}
		if depth {
			if _, err := s.next(); err != nil {
				return "", err
			}
		}
		return format(a), nil
	}
}

// ignoreArg is ~i: the argument is skipped.
func ignoreArg(s *formatState, _ *directive) (string, error) {
	_, err := s.next()
	return "", err
}

// formatInt is ~b ~B ~x ~X ~# ~+: an integer in the base given as the
// precision (default 10); B, X, # and + use upper-case digits, x and X
// take a prefix argument, # and + prefix Base#.
func formatInt(s *formatState, d *directive) (string, error) {
	a, err := s.next()
	if err != nil {
		return "", err
	}
	base := 10
	if d.hasPrec {
		base = d.prec
	}
	prefix := ""
	if d.c == 'x' || d.c == 'X' {
		p, err := s.next()
		if err != nil {
			return "", err
		}
		prefix, _ = charsOf(p)
	}
	n, ok := a.(int)
	if !ok || base < 2 || base > 36 {
		return "", errFormat
	}
	digits := strconv.FormatInt(int64(n), base)
	if d.c != 'b' && d.c != 'x' {
		digits = strings.ToUpper(digits)
	}
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if d.c == '#' || d.c == '+' {
		prefix = strconv.Itoa(base) + "#"
	}
	out := prefix + digits
	if neg {
		out = "-" + out
	}
	return out, nil
}

// formatFloat is ~e ~f ~g with the precision (default 6).
func formatFloat(s *formatState, d *directive) (string, error) {
	a, err := s.next()
	if err != nil {
		return "", err
	}
	f, ok := a.(float64)
	if !ok {
		return "", errFormat
	}
	prec := 6
	if d.hasPrec {
		prec = d.prec
	}
	return strconv.FormatFloat(f, d.c, prec, 64), nil
}
