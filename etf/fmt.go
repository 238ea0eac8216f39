package etf

import (
	"fmt"
	"strconv"
	"strings"
)

// The compound term types implement fmt.Formatter so that %v, %+v and %s
// print them in Erlang syntax through Format ({a,1}, [1,2], #{k => v},
// <<1:3>>, fun m:f/1): logs and test failures then read like the Erlang
// shell, not like Go slices of interfaces. %q quotes that text, and width
// and the '-' flag pad it. %#v keeps Go syntax (etf.Tuple{etf.Atom("a"), 1}),
// which is what a test failure needs to tell a string from a []byte or an
// int from an int64. Any other verb (%d, %x, ...) formats the Go value as if
// the type had no Format method.
//
// PID, Port, Ref and Alias need no Format method: their String methods
// already print the Erlang form and fmt leaves %#v to Go syntax.
//
// Atom and Charlist deliberately keep Go's plain string formatting: code
// across erlgo builds node names ("%s@%s"), registered names and log keys
// from them with %s, and Erlang's quoting ('a.b@host') would change those
// strings. Binary is an alias of []byte and cannot carry methods; inside a
// term it is printed as <<...>> by the enclosing term's Format.
//
// The Go-syntax fallback must not call fmt on the value itself (that would
// call Format again forever), so each type converts to a type without
// methods (tupleGo and friends below) and the type name fmt prints for that
// type is replaced with the public one.

// Format implements fmt.Formatter; see the comment at the top of etf/fmt.go.
func (t Tuple) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, t, "etf.Tuple", "[]interface {}", []Term(t))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (l List) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, l, "etf.List", "[]interface {}", []Term(l))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (l ImproperList) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, l, "etf.ImproperList", "etf.improperListGo", improperListGo(l))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (m Map) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, m, "etf.Map", "[]etf.Pair", []Pair(m))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (b BitString) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, b, "etf.BitString", "etf.bitStringGo", bitStringGo(b))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (e Export) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, e, "etf.Export", "etf.exportGo", exportGo(e))
}

// Format implements fmt.Formatter: Erlang syntax for %v and %s, Go syntax
// for %#v.
func (fn Fun) Format(f fmt.State, verb rune) {
	formatVerb(f, verb, fn, "etf.Fun", "etf.funGo", funGo(fn))
}

// Method-less copies of the struct term types, for the Go-syntax fallback.
type (
	improperListGo ImproperList
	bitStringGo    BitString
	exportGo       Export
	funGo          Fun
)

// formatVerb writes term t for verb: Format's Erlang text for v (also +v)
// and s, that text quoted for q, and plain for the Go value for everything
// else. plain must have no Format method; its type prints as plainName
// under %#v, which is replaced with goName.
func formatVerb(f fmt.State, verb rune, t Term, goName, plainName string, plain any) {
	switch {
	case verb == 'v' && f.Flag('#'):
		s := fmt.Sprintf("%#v", plain)
		if rest, ok := strings.CutPrefix(s, plainName); ok {
			s = goName + rest
		}
		writePadded(f, s)
	case verb == 'v' || verb == 's':
		writePadded(f, Format(t))
	case verb == 'q':
		writePadded(f, strconv.Quote(Format(t)))
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), plain)
	}
}

// writePadded writes s honouring the width and the '-' flag of f.
func writePadded(f fmt.State, s string) {
	w, ok := f.Width()
	if !ok || w <= len([]rune(s)) {
		_, _ = f.Write([]byte(s))
		return
	}
	pad := strings.Repeat(" ", w-len([]rune(s)))
	if f.Flag('-') {
		s += pad
	} else {
		s = pad + s
	}
	_, _ = f.Write([]byte(s))
}
