package actors

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// FormatTerm writes a term the way an Erlang shell prints it ({a, 1},
// [1,2], <<"bin">>, #{k => v}), for logs and test failures. Go values
// that are not terms are printed with %v.
func FormatTerm(t etf.Term) string {
	var b strings.Builder
	formatInto(&b, t, 0)
	return b.String()
}

func formatInto(b *strings.Builder, t etf.Term, depth int) {
	if depth > 32 {
		b.WriteString("...")
		return
	}
	switch v := t.(type) {
	case etf.Atom:
		b.WriteString(quoteAtom(string(v)))
	case etf.Tuple:
		b.WriteByte('{')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			formatInto(b, e, depth+1)
		}
		b.WriteByte('}')
	case etf.List:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			formatInto(b, e, depth+1)
		}
		b.WriteByte(']')
	case etf.ImproperList:
		b.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			formatInto(b, e, depth+1)
		}
		b.WriteByte('|')
		formatInto(b, v.Tail, depth+1)
		b.WriteByte(']')
	case etf.Map:
		b.WriteString("#{")
		for i, p := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			formatInto(b, p.Key, depth+1)
			b.WriteString(" => ")
			formatInto(b, p.Value, depth+1)
		}
		b.WriteByte('}')
	case []byte:
		if utf8.Valid(v) {
			b.WriteString("<<" + strconv.Quote(string(v)) + ">>")
		} else {
			fmt.Fprintf(b, "<<%v>>", []byte(v))
		}
	case string:
		b.WriteString("<<" + strconv.Quote(v) + ">>")
	case etf.Charlist:
		b.WriteString(strconv.Quote(string(v)))
	case nil:
		b.WriteString("[]")
	case fmt.Stringer:
		b.WriteString(v.String())
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func quoteAtom(s string) string {
	if s == "" {
		return "''"
	}
	plain := s[0] >= 'a' && s[0] <= 'z'
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c == '_' || c == '@' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
