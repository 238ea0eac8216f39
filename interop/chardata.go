package interop

import (
	"strings"
	"unicode"

	"github.com/erlgo/erlgo/etf"
)

// charsOf flattens chardata (a binary, a charlist, or a deep list of
// both) into a string, as the io protocol's put_chars expects.
func charsOf(t etf.Term) (string, bool) {
	var b strings.Builder
	if !appendChars(&b, t, 0) {
		return "", false
	}
	return b.String(), true
}

func appendChars(b *strings.Builder, t etf.Term, depth int) bool {
	if depth > 100 {
		return false
	}
	switch v := t.(type) {
	case nil:
		return true
	case []byte:
		b.Write(v)
	case string:
		b.WriteString(v)
	case etf.Charlist:
		b.WriteString(string(v))
	case etf.Atom:
		b.WriteString(string(v))
	case int:
		if v < 0 || v > unicode.MaxRune {
			return false
		}
		b.WriteRune(rune(v))
	case etf.List:
		for _, e := range v {
			if !appendChars(b, e, depth+1) {
				return false
			}
		}
	case etf.ImproperList:
		for _, e := range v.Elems {
			if !appendChars(b, e, depth+1) {
				return false
			}
		}
		return appendChars(b, v.Tail, depth+1)
	default:
		return false
	}
	return true
}
