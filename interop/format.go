package interop

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// FormatTerm renders t in Erlang syntax on one line, as io:format("~p")
// would without line breaks: printable lists as "strings", printable
// binaries as <<"text">>, maps as #{K => V}.
func FormatTerm(t etf.Term) string {
	var b strings.Builder
	writeTerm(&b, t, true)
	return b.String()
}

func writeTerm(b *strings.Builder, t etf.Term, pretty bool) {
	switch v := t.(type) {
	case nil:
		b.WriteString("[]")
	case etf.Atom:
		writeAtom(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint32:
		b.WriteString(strconv.FormatUint(uint64(v), 10))
	case *big.Int:
		b.WriteString(v.String())
	case float64:
		b.WriteString(formatFloat(v))
	case string:
		writeBinary(b, []byte(v), pretty)
	case []byte:
		writeBinary(b, v, pretty)
	case etf.Charlist:
		if pretty && printable([]rune(string(v))) {
			b.WriteString(strconv.Quote(string(v)))
			return
		}
		writeList(b, runesAsTerms([]rune(string(v))), nil, pretty)
	case etf.List:
		if pretty {
			if rs, ok := listRunes(v); ok && len(rs) > 0 && printable(rs) {
				b.WriteString(strconv.Quote(string(rs)))
				return
			}
		}
		writeList(b, v, nil, pretty)
	case etf.ImproperList:
		writeList(b, v.Elems, v.Tail, pretty)
	case etf.Tuple:
		b.WriteByte('{')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTerm(b, e, pretty)
		}
		b.WriteByte('}')
	case etf.Map:
		b.WriteString("#{")
		for i, p := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTerm(b, p.Key, pretty)
			b.WriteString(" => ")
			writeTerm(b, p.Value, pretty)
		}
		b.WriteByte('}')
	case etf.PID:
		fmt.Fprintf(b, "<%s.%d.%d>", v.Node, v.ID, v.Serial)
	case etf.Export:
		fmt.Fprintf(b, "fun %s:%s/%d", v.Module, v.Function, v.Arity)
	case fmt.Stringer:
		b.WriteString(v.String())
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func writeList(b *strings.Builder, elems []etf.Term, tail etf.Term, pretty bool) {
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		writeTerm(b, e, pretty)
	}
	if tail != nil {
		b.WriteByte('|')
		writeTerm(b, tail, pretty)
	}
	b.WriteByte(']')
}

func writeBinary(b *strings.Builder, data []byte, pretty bool) {
	if pretty && utf8.Valid(data) && printable([]rune(string(data))) {
		b.WriteString("<<")
		b.WriteString(strconv.Quote(string(data)))
		if !isLatin1(data) {
			b.WriteString("/utf8")
		}
		b.WriteString(">>")
		return
	}
	b.WriteString("<<")
	for i, c := range data {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(c)))
	}
	b.WriteString(">>")
}

func isLatin1(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func writeAtom(b *strings.Builder, a etf.Atom) {
	s := string(a)
	if atomNeedsQuotes(s) {
		b.WriteByte('\'')
		for _, r := range s {
			switch r {
			case '\'', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '\n':
				b.WriteString(`\n`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('\'')
		return
	}
	b.WriteString(s)
}

var reservedWords = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true, "bnot": true,
	"bor": true, "bsl": true, "bsr": true, "bxor": true, "case": true, "catch": true,
	"cond": true, "div": true, "end": true, "fun": true, "if": true, "let": true, "maybe": true,
	"not": true, "of": true, "or": true, "orelse": true, "receive": true, "rem": true,
	"try": true, "when": true, "xor": true,
}

func atomNeedsQuotes(s string) bool {
	if s == "" || reservedWords[s] {
		return true
	}
	for i, r := range s {
		if i == 0 && !(r >= 'a' && r <= 'z') {
			return true
		}
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '@') || r > 0xff {
			return true
		}
	}
	return false
}

func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnI") {
		s += ".0"
	} else if i := strings.IndexAny(s, "eE"); i >= 0 && !strings.Contains(s[:i], ".") {
		s = s[:i] + ".0" + s[i:]
	}
	return strings.Replace(s, "e+", "e", 1)
}

func printable(rs []rune) bool {
	for _, r := range rs {
		if !(unicode.IsPrint(r) || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f' || r == '\b' || r == 27) {
			return false
		}
	}
	return true
}

func listRunes(l etf.List) ([]rune, bool) {
	rs := make([]rune, 0, len(l))
	for _, e := range l {
		i, ok := e.(int)
		if !ok || i < 0 || i > unicode.MaxRune {
			return nil, false
		}
		rs = append(rs, rune(i))
	}
	return rs, true
}

func runesAsTerms(rs []rune) etf.List {
	out := make(etf.List, len(rs))
	for i, r := range rs {
		out[i] = int(r)
	}
	return out
}

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
