// Package erlterm reads Erlang terms written as Erlang source text, the
// way file:consult/1 reads a configuration file: a sequence of terms, each
// ended by a full stop, with % comments and white space between tokens.
// It covers the data part of the language a configuration file uses:
// atoms (bare and quoted, every escape erl_scan knows), strings (as
// etf.Charlist; adjacent literals are joined), integers (with
// Base#Digits and $C character codes; large ones as *big.Int), floats,
// tuples, lists (improper ones as etf.ImproperList), and binaries of
// strings and integers. Expressions, variables, maps and typed binary
// segments are refused with ErrSyntax and the line they are on.
//
// Input is bounded: at most MaxInput bytes and MaxDepth levels of nesting,
// so a hostile file costs neither unbounded memory nor a deep stack.
package erlterm

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// ErrSyntax is wrapped by every error of Consult and Parse.
var ErrSyntax = errors.New("erlterm: syntax error")

const (
	// MaxInput is the largest input Consult accepts, in bytes.
	MaxInput = 1 << 20
	// MaxDepth is the deepest nesting of tuples, lists and binaries.
	MaxDepth = 100
	maxAtom  = 255 // characters, as erl_scan
)

// Consult parses data as a sequence of terms, each ended by a full stop,
// like file:consult/1.
func Consult(data []byte) ([]etf.Term, error) {
	var terms []etf.Term
	err := ConsultEach(data, func(t etf.Term, _ int) error {
		terms = append(terms, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return terms, nil
}

// ConsultEach reads data as Consult does and calls fn with each term and
// the line it starts on, in order, so a caller that accepts only some
// terms can say where the one it refuses is. An error from fn stops the
// reading and is returned as it is.
func ConsultEach(data []byte, fn func(t etf.Term, line int) error) error {
	r, err := newReader(data)
	if err != nil {
		return err
	}
	for {
		r.skipBlank()
		if r.i == len(r.s) {
			return nil
		}
		line := r.line
		t, err := r.term(0)
		if err != nil {
			return err
		}
		if err := r.fullStop(); err != nil {
			return err
		}
		if err := fn(t, line); err != nil {
			return err
		}
	}
}

// Parse parses exactly one term; the full stop after it is optional.
func Parse(s string) (etf.Term, error) {
	r, err := newReader([]byte(s))
	if err != nil {
		return nil, err
	}
	r.skipBlank()
	t, err := r.term(0)
	if err != nil {
		return nil, err
	}
	r.skipBlank()
	if r.i < len(r.s) {
		if err := r.fullStop(); err != nil {
			return nil, err
		}
		if r.skipBlank(); r.i < len(r.s) {
			return nil, r.errorf("more than one term")
		}
	}
	return t, nil
}

// reader scans one input; line counts newlines consumed, for errors.
type reader struct {
	s    string
	i    int
	line int
}

func newReader(data []byte) (*reader, error) {
	if len(data) > MaxInput {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrSyntax, len(data), MaxInput)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrSyntax)
	}
	return &reader{s: string(data), line: 1}, nil
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrSyntax, r.line, fmt.Sprintf(format, args...))
}

// peek describes what is at the reader's position, for errors.
func (r *reader) peek() string {
	rest := r.s[r.i:]
	if rest == "" {
		return "end of input"
	}
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	return strconv.Quote(rest)
}

// blank is erl_scan's white space: control characters, space and Latin-1
// 0x80-0xA0.
func blank(c rune) bool { return c <= ' ' || (c >= 0x80 && c <= 0xA0) }

// skipBlank skips white space and % comments.
func (r *reader) skipBlank() {
	for r.i < len(r.s) {
		c, size := utf8.DecodeRuneInString(r.s[r.i:])
		switch {
		case c == '\n':
			r.line++
		case blank(c):
		case c == '%':
			for r.i < len(r.s) && r.s[r.i] != '\n' {
				r.i++
			}
			continue
		default:
			return
		}
		r.i += size
	}
}

// fullStop reads erl_scan's dot token: '.' followed by white space, a
// comment or the end of the input.
func (r *reader) fullStop() error {
	r.skipBlank()
	if r.i == len(r.s) || r.s[r.i] != '.' {
		return r.errorf("expected '.' after a term, found %s", r.peek())
	}
	r.i++
	if r.i < len(r.s) {
		if c, _ := utf8.DecodeRuneInString(r.s[r.i:]); !blank(c) && c != '%' {
			return r.errorf("'.' must be followed by white space")
		}
	}
	return nil
}

// expect skips blanks and consumes the punctuation tok.
func (r *reader) expect(tok string) error {
	r.skipBlank()
	if !strings.HasPrefix(r.s[r.i:], tok) {
		return r.errorf("expected %q, found %s", tok, r.peek())
	}
	r.i += len(tok)
	return nil
}

// term reads one term at nesting depth.
func (r *reader) term(depth int) (etf.Term, error) {
	if depth > MaxDepth {
		return nil, r.errorf("nested deeper than %d", MaxDepth)
	}
	r.skipBlank()
	if r.i == len(r.s) {
		return nil, r.errorf("expected a term, found end of input")
	}
	c, _ := utf8.DecodeRuneInString(r.s[r.i:])
	switch {
	case c == '{':
		r.i++
		elems, err := r.seq(depth, "}")
		return etf.Tuple(elems), err
	case c == '[':
		r.i++
		return r.list(depth)
	case strings.HasPrefix(r.s[r.i:], "<<"):
		r.i += 2
		return r.binary(depth)
	case c == '\'':
		a, err := r.quoted('\'')
		if err == nil && utf8.RuneCountInString(a) > maxAtom {
			err = r.errorf("atom of more than %d characters", maxAtom)
		}
		return etf.Atom(a), err
	case c == '"':
		return r.strings()
	case atomStart(c):
		return r.bareAtom()
	case c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '$':
		return r.number()
	default:
		return nil, r.errorf("expected a term, found %s", r.peek())
	}
}

// list reads a list after its opening bracket.
func (r *reader) list(depth int) (etf.Term, error) {
	elems := []etf.Term{}
	r.skipBlank()
	if strings.HasPrefix(r.s[r.i:], "]") {
		r.i++
		return etf.List(elems), nil
	}
	for {
		t, err := r.term(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, t)
		r.skipBlank()
		switch {
		case strings.HasPrefix(r.s[r.i:], "]"):
			r.i++
			return etf.List(elems), nil
		case strings.HasPrefix(r.s[r.i:], ","):
			r.i++
		case strings.HasPrefix(r.s[r.i:], "|"):
			r.i++
			return r.tail(depth, elems)
		default:
			return nil, r.errorf("expected ',', '|' or ']', found %s", r.peek())
		}
	}
}

// seq reads comma-separated terms up to the closing token; the opening one
// is consumed.
func (r *reader) seq(depth int, closing string) ([]etf.Term, error) {
	elems := []etf.Term{}
	r.skipBlank()
	if strings.HasPrefix(r.s[r.i:], closing) {
		r.i += len(closing)
		return elems, nil
	}
	for {
		t, err := r.term(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, t)
		r.skipBlank()
		switch {
		case strings.HasPrefix(r.s[r.i:], closing):
			r.i += len(closing)
			return elems, nil
		case strings.HasPrefix(r.s[r.i:], ","):
			r.i++
		default:
			return nil, r.errorf("expected ',' or %q, found %s", closing, r.peek())
		}
	}
}

// tail reads the tail after '|' of a list whose elements are read, and
// the closing bracket: [a | [b]] is [a, b], [a | b] an improper list.
func (r *reader) tail(depth int, elems []etf.Term) (etf.Term, error) {
	t, err := r.term(depth + 1)
	if err != nil {
		return nil, err
	}
	if err := r.expect("]"); err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case etf.List:
		return append(etf.List(elems), v...), nil
	case etf.Charlist:
		for _, c := range string(v) {
			elems = append(elems, int64(c))
		}
		return etf.List(elems), nil
	case etf.ImproperList:
		return etf.ImproperList{Elems: append(elems, v.Elems...), Tail: v.Tail}, nil
	}
	return etf.ImproperList{Elems: elems, Tail: t}, nil
}

// binary reads the segments of <<...>> after the opening "<<": strings and
// integers (8 bits each, as in BEAM), the segments a configuration file
// writes; sizes and types (<<X:16/big>>) are refused.
func (r *reader) binary(depth int) (etf.Term, error) {
	segs, err := r.seq(depth, ">>")
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, s := range segs {
		switch v := s.(type) {
		case etf.Charlist:
			for _, c := range string(v) {
				b = append(b, byte(c)) // as BEAM: the low 8 bits of each code point
			}
		case int64:
			b = append(b, byte(v)) // as BEAM: the low 8 bits
		case *big.Int:
			b = append(b, byte(v.Int64()))
		default:
			return nil, r.errorf("binary segment %s is not a string or an integer", etf.Format(s))
		}
	}
	if b == nil {
		b = []byte{}
	}
	return etf.Binary(b), nil
}

// strings reads a string literal and those right after it: "ab" "cd" is
// "abcd", as erl_parse joins adjacent literals.
func (r *reader) strings() (etf.Term, error) {
	var b strings.Builder
	for {
		s, err := r.quoted('"')
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		if r.skipBlank(); r.i == len(r.s) || r.s[r.i] != '"' {
			return etf.Charlist(b.String()), nil
		}
	}
}

// bareAtom reads an unquoted atom.
func (r *reader) bareAtom() (etf.Term, error) {
	start := r.i
	for r.i < len(r.s) {
		c, size := utf8.DecodeRuneInString(r.s[r.i:])
		if !atomChar(c) {
			break
		}
		r.i += size
	}
	word := r.s[start:r.i]
	if reserved[word] {
		return nil, r.errorf("%s is a reserved word, not an atom (quote it: '%s')", word, word)
	}
	if utf8.RuneCountInString(word) > maxAtom {
		return nil, r.errorf("atom of more than %d characters", maxAtom)
	}
	return etf.Atom(word), nil
}

// number reads an integer (decimal, Base#Digits or $C) or a float, with an
// optional sign.
func (r *reader) number() (etf.Term, error) {
	neg := false
	if c := r.s[r.i]; c == '-' || c == '+' {
		neg = c == '-'
		r.i++
		r.skipBlank() // erl_parse takes "- 1" as the negative number
	}
	if r.i < len(r.s) && r.s[r.i] == '$' {
		r.i++
		c, err := r.char()
		if err != nil {
			return nil, err
		}
		return signed(big.NewInt(int64(c)), neg), nil
	}
	start := r.i
	r.digits()
	if start == r.i {
		return nil, r.errorf("expected a number, found %s", r.peek())
	}
	text := r.s[start:r.i]
	switch {
	case r.i+1 < len(r.s) && r.s[r.i] == '#':
		return r.based(text, neg)
	case r.i+1 < len(r.s) && r.s[r.i] == '.' && isDigit(r.s[r.i+1]):
		return r.float(start, neg)
	}
	n, _ := new(big.Int).SetString(strings.ReplaceAll(text, "_", ""), 10)
	return signed(n, neg), nil
}

// based reads the digits of Base#Digits; text is the base.
func (r *reader) based(text string, neg bool) (etf.Term, error) {
	base, err := strconv.Atoi(text)
	if err != nil || base < 2 || base > 36 {
		return nil, r.errorf("bad base %s", text)
	}
	r.i++ // '#'
	start := r.i
	for r.i < len(r.s) && (isAlnum(r.s[r.i]) || r.s[r.i] == '_') {
		r.i++
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(r.s[start:r.i], "_", ""), base)
	if !ok {
		return nil, r.errorf("bad base %d number %q", base, r.s[start:r.i])
	}
	return signed(n, neg), nil
}

// float reads a float starting at start, whose integer part is read.
func (r *reader) float(start int, neg bool) (etf.Term, error) {
	r.i++ // '.'
	r.digits()
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.i++
		if r.i < len(r.s) && (r.s[r.i] == '-' || r.s[r.i] == '+') {
			r.i++
		}
		if r.i == len(r.s) || !isDigit(r.s[r.i]) {
			return nil, r.errorf("bad float exponent")
		}
		r.digits()
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(r.s[start:r.i], "_", ""), 64)
	if err != nil {
		return nil, r.errorf("bad float %q", r.s[start:r.i])
	}
	if neg {
		f = -f
	}
	return f, nil
}

func (r *reader) digits() {
	for r.i < len(r.s) && (isDigit(r.s[r.i]) || (r.s[r.i] == '_' && r.i+1 < len(r.s) && isDigit(r.s[r.i+1]))) {
		r.i++
	}
}

// signed returns n (negated when neg) as an int64 when it fits, else the
// *big.Int, as etf decodes integers.
func signed(n *big.Int, neg bool) etf.Term {
	if neg {
		n.Neg(n)
	}
	if n.IsInt64() {
		return n.Int64()
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
