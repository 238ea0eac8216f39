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
// effect beyond Unicode being always on: ~p is ~tp). Lines are not broken
// as ~p does on BEAM. Terms print with etf.Format (~p) and etf.FormatW
// (~w).
//
// maxFieldWidth bounds field widths and precisions (characters), and
// maxFormatOutput the whole result (bytes): a short format like
// "~1000000c" repeated would otherwise amplify a peer's request a
// millionfold.
const (
	maxFieldWidth   = 1 << 20
	maxFormatOutput = 16 << 20
)

func ioLibFormat(format string, args etf.List) (string, error) {
	s := &formatState{format: format, args: args}
	var b strings.Builder
	for s.i < len(format) {
		r, size := utf8.DecodeRuneInString(format[s.i:])
		s.i += size
		if r != '~' {
			b.WriteRune(r)
			continue
		}
		d, err := s.directive()
		if err != nil {
			return "", err
		}
		expand, ok := directives[d.c]
		if !ok {
			return "", errFormat
		}
		out, err := expand(s, &d)
		if err != nil {
			return "", err
		}
		out = d.padField(out)
		if b.Len()+len(out) > maxFormatOutput {
			return "", errFormat
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

// formatState is the format string being read and the arguments left.
type formatState struct {
	format string
	i      int
	args   etf.List
}

// next consumes one argument.
func (s *formatState) next() (etf.Term, error) {
	if len(s.args) == 0 {
		return nil, errFormat
	}
	a := s.args[0]
	s.args = s.args[1:]
	return a, nil
}

// directive is one control sequence ~F.P.PadModC: field width and
// precision (either given as * takes an argument), '-' for left
// adjustment, the padding character and the control character c.
type directive struct {
	width, prec       int
	hasWidth, hasPrec bool
	left              bool
	pad               rune
	c                 byte
}

// directive parses the control sequence after a '~'.
func (s *formatState) directive() (directive, error) {
	d := directive{pad: ' '}
	var err error
	if d.width, d.hasWidth, err = s.field(&d, true); err != nil {
		return d, err
	}
	if s.i < len(s.format) && s.format[s.i] == '.' {
		s.i++
		if d.prec, d.hasPrec, err = s.field(&d, false); err != nil {
			return d, err
		}
	}
	if d.width < 0 || d.prec < 0 || d.width > maxFieldWidth || d.prec > maxFieldWidth {
		// A peer's io request must not make the io server allocate
		// without bound (BEAM's group leader would grow until the VM
		// dies); a negative precision is badarg on BEAM too.
		return d, errFormat
	}
	if s.i < len(s.format) && s.format[s.i] == '.' {
		s.i++
		if s.i < len(s.format) {
			pr, sz := utf8.DecodeRuneInString(s.format[s.i:])
			d.pad = pr
			s.i += sz
		}
	}
	for s.i < len(s.format) && strings.IndexByte("tlk", s.format[s.i]) >= 0 {
		s.i++
	}
	if s.i >= len(s.format) {
		return d, errFormat
	}
	d.c = s.format[s.i]
	s.i++
	return d, nil
}

// field reads a width (first) or precision: '-' (left adjustment, for a
// width), then digits or '*' (the next argument; a negative width
// argument means left adjustment).
func (s *formatState) field(d *directive, first bool) (int, bool, error) {
	if s.i < len(s.format) && s.format[s.i] == '-' {
		d.left = d.left || first
		s.i++
	}
	if s.i < len(s.format) && s.format[s.i] == '*' {
		s.i++
		a, err := s.next()
		if err != nil {
			return 0, false, err
		}
		n, ok := a.(int)
		if !ok {
			return 0, false, errFormat
		}
		if n < 0 && first {
			d.left, n = true, -n
		}
		return n, true, nil
	}
	j := s.i
	for j < len(s.format) && s.format[j] >= '0' && s.format[j] <= '9' {
		j++
	}
	if j == s.i {
		return 0, false, nil
	}
	n, _ := strconv.Atoi(s.format[s.i:j])
	s.i = j
	return n, true, nil
}

// padField applies the field width: ~s truncates, other directives that
// do not fit print as many '*' as the width, as io_lib does.
func (d *directive) padField(out string) string {
	if !d.hasWidth {
		return out
	}
	w := d.width
	n := utf8.RuneCountInString(out)
	switch {
	case n > w && d.c == 's':
		return string([]rune(out)[:w])
	case n > w:
		return strings.Repeat("*", w)
	case d.left:
		return out + strings.Repeat(string(d.pad), w-n)
	default:
		return strings.Repeat(string(d.pad), w-n) + out
	}
}
