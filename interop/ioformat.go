package interop

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// errFormat is io_lib:format's badarg: a bad format string or arguments.
var errFormat = errors.New("interop: bad format")

// ioLibFormat implements the common subset of io_lib:format/2 so that
// io:format output sent to this node's group leader can be printed:
// ~p ~P ~w ~W ~s ~c ~n ~~ ~b ~B ~x ~X ~# ~+ ~e ~f ~g ~i, with field width,
// precision, padding character and the t/l modifiers (accepted, no
// effect beyond Unicode being always on). Lines are not broken as ~p does
// on BEAM.
// maxFieldWidth bounds field widths and precisions (characters), and
// maxFormatOutput the whole result (bytes): a short format like
// "~1000000c" repeated would otherwise amplify a peer's request a
// millionfold.
const (
	maxFieldWidth   = 1 << 20
	maxFormatOutput = 16 << 20
)

func ioLibFormat(format string, args etf.List) (string, error) {
	var b strings.Builder
	next := func() (etf.Term, error) {
		if len(args) == 0 {
			return nil, errFormat
		}
		a := args[0]
		args = args[1:]
		return a, nil
	}
	for i := 0; i < len(format); {
		r, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if r != '~' {
			b.WriteRune(r)
			continue
		}
		// ~F.P.PadModC
		var fields [2]int
		var have [2]bool
		left := false
		pad := ' '
		for k := 0; k < 2; k++ {
			if k == 1 {
				if i >= len(format) || format[i] != '.' {
					break
				}
				i++
			}
			if i < len(format) && format[i] == '-' {
				left = left || k == 0
				i++
			}
			if i < len(format) && format[i] == '*' {
				a, err := next()
				if err != nil {
					return "", err
				}
				n, ok := a.(int)
				if !ok {
					return "", errFormat
				}
				if n < 0 && k == 0 {
					left, n = true, -n
				}
				fields[k], have[k] = n, true
				i++
			} else {
				j := i
				for j < len(format) && format[j] >= '0' && format[j] <= '9' {
					j++
				}
				if j > i {
					fields[k], _ = strconv.Atoi(format[i:j])
					have[k] = true
				}
				i = j
			}
		}
		if fields[0] < 0 || fields[1] < 0 || fields[0] > maxFieldWidth || fields[1] > maxFieldWidth {
			// A peer's io request must not make the io server allocate
			// without bound (BEAM's group leader would grow until the VM
			// dies); a negative precision is badarg on BEAM too.
			return "", errFormat
		}
		if i < len(format) && format[i] == '.' {
			i++
			if i < len(format) {
				pr, sz := utf8.DecodeRuneInString(format[i:])
				pad = pr
				i += sz
			}
		}
		for i < len(format) && (format[i] == 't' || format[i] == 'l' || format[i] == 'k') {
			i++
		}
		if i >= len(format) {
			return "", errFormat
		}
		c := format[i]
		i++
		var out string
		switch c {
		case '~':
			out = "~"
		case 'n':
			out = "\n"
		case 'c':
			a, err := next()
			if err != nil {
				return "", err
			}
			n, ok := a.(int)
			if !ok {
				return "", errFormat
			}
			reps := 1
			if have[0] {
				reps = fields[0]
			}
			out = strings.Repeat(string(rune(n)), reps)
			have[0] = false
		case 's':
			a, err := next()
			if err != nil {
				return "", err
			}
			s, ok := charsOf(a)
			if !ok {
				return "", errFormat
			}
			if have[1] && fields[1] < utf8.RuneCountInString(s) {
				s = string([]rune(s)[:fields[1]])
			}
			out = s
		case 'p', 'w', 'P', 'W':
			a, err := next()
			if err != nil {
				return "", err
			}
			if c == 'P' || c == 'W' {
				if _, err := next(); err != nil { // depth: not applied
					return "", err
				}
			}
			var tb strings.Builder
			writeTerm(&tb, a, c == 'p' || c == 'P')
			out = tb.String()
		case 'i':
			if _, err := next(); err != nil {
				return "", err
			}
		case 'b', 'B', 'x', 'X', '#', '+':
			a, err := next()
			if err != nil {
				return "", err
			}
			base := 10
			if have[1] {
				base = fields[1]
				have[1] = false
			}
			prefix := ""
			if c == 'x' || c == 'X' {
				p, err := next()
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
			if c != 'b' && c != 'x' {
				digits = strings.ToUpper(digits)
			}
			neg := strings.HasPrefix(digits, "-")
			digits = strings.TrimPrefix(digits, "-")
			if c == '#' || c == '+' {
				prefix = strconv.Itoa(base) + "#"
			}
			out = prefix + digits
			if neg {
				out = "-" + out
			}
		case 'e', 'f', 'g':
			a, err := next()
			if err != nil {
				return "", err
			}
			f, ok := a.(float64)
			if !ok {
				return "", errFormat
			}
			prec := 6
			if have[1] {
				prec = fields[1]
			}
			out = strconv.FormatFloat(f, c, prec, 64)
		default:
			return "", errFormat
		}
		if have[0] {
			w := fields[0]
			n := utf8.RuneCountInString(out)
			switch {
			case n > w && c == 's':
				out = string([]rune(out)[:w])
			case n > w:
				out = strings.Repeat("*", w)
			case left:
				out += strings.Repeat(string(pad), w-n)
			default:
				out = strings.Repeat(string(pad), w-n) + out
			}
		}
		if b.Len()+len(out) > maxFormatOutput {
			return "", errFormat
		}
		b.WriteString(out)
	}
	return b.String(), nil
}
