package etf

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format renders t on one line in Erlang syntax, close to io_lib's ~p
// (without line breaks): atoms quoted when needed, binaries as <<"text">>
// when printable, Charlists as "text", maps as #{K => V}, pids and refs as
// their String forms. It is meant for logs and error messages; deeply
// nested terms are cut with "...".
func Format(t Term) string {
	var b strings.Builder
	formatTerm(&b, t, 0)
	return b.String()
}

const formatMaxDepth = 100

func formatTerm(b *strings.Builder, t Term, depth int) {
	if depth > formatMaxDepth {
		b.WriteString("...")
		return
	}
	if v, ok := smallInt(t); ok {
		b.WriteString(strconv.FormatInt(v, 10))
		return
	}
	switch x := t.(type) {
	case nil:
		b.WriteString("[]")
	case Atom:
		b.WriteString(quoteAtom(string(x)))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case uint:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case *big.Int:
		b.WriteString(x.String())
	case big.Int:
		b.WriteString(x.String())
	case float64:
		b.WriteString(formatFloat(x))
	case float32:
		b.WriteString(formatFloat(float64(x)))
	case []byte:
		formatBinary(b, x, 0)
	case string:
		formatBinary(b, []byte(x), 0)
	case BitString:
		if x.Bits == 8 || len(x.Bytes) == 0 {
			formatBinary(b, x.Bytes, 0)
		} else {
			formatBinary(b, x.Bytes, x.Bits)
		}
	case Charlist:
		if isPrintable(string(x)) {
			b.WriteString(strconv.Quote(string(x)))
			return
		}
		l := List{}
		for _, r := range x {
			l = append(l, int(r))
		}
		formatTerm(b, l, depth)
	case Tuple:
		b.WriteByte('{')
		formatSeq(b, x, depth)
		b.WriteByte('}')
	case List:
		b.WriteByte('[')
		formatSeq(b, x, depth)
		b.WriteByte(']')
	case []any:
		formatTerm(b, List(x), depth)
	case ImproperList:
		f := flattenImproper(x)
		il, ok := f.(ImproperList)
		if !ok {
			formatTerm(b, f, depth)
			return
		}
		b.WriteByte('[')
		formatSeq(b, il.Elems, depth)
		b.WriteByte('|')
		formatTerm(b, il.Tail, depth+1)
		b.WriteByte(']')
	case Map:
		b.WriteString("#{")
		for i, p := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			formatTerm(b, p.Key, depth+1)
			b.WriteString(" => ")
			formatTerm(b, p.Value, depth+1)
		}
		b.WriteByte('}')
	case PID:
		b.WriteString(x.String())
	case Port:
		b.WriteString(x.String())
	case Ref:
		b.WriteString(x.String())
	case Alias:
		b.WriteString(x.String())
	case Export:
		fmt.Fprintf(b, "fun %s:%s/%d", quoteAtom(string(x.Module)), quoteAtom(string(x.Function)), x.Arity)
	case Fun:
		fmt.Fprintf(b, "#Fun<%s.%d.%x>", quoteAtom(string(x.Module)), x.Index, x.Uniq)
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

func formatSeq(b *strings.Builder, xs []Term, depth int) {
	for i, el := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		formatTerm(b, el, depth+1)
	}
}

func formatBinary(b *strings.Builder, data []byte, bits uint8) {
	b.WriteString("<<")
	if bits == 0 && len(data) > 0 && utf8.Valid(data) && isPrintable(string(data)) {
		b.WriteString(strconv.Quote(string(data)))
		if !isASCII(data) {
			b.WriteString("/utf8")
		}
		b.WriteString(">>")
		return
	}
	n := len(data)
	if bits != 0 {
		n--
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(data[i])))
	}
	if bits != 0 {
		if n > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, "%d:%d", data[n]>>(8-bits), bits)
	}
	b.WriteString(">>")
}

func isPrintable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

// formatFloat prints like Erlang's shortest round-trip form: 1.5, 1.0e300.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	mant, exp, hasExp := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if !hasExp {
		return mant
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "e" + exp
}

var reservedWords = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true, "bnot": true,
	"bor": true, "bsl": true, "bsr": true, "bxor": true, "case": true, "catch": true,
	"cond": true, "div": true, "end": true, "fun": true, "if": true, "let": true, "maybe": true,
	"not": true, "of": true, "or": true, "orelse": true, "receive": true, "rem": true,
	"try": true, "when": true, "xor": true,
}

// quoteAtom returns the atom as Erlang would print it.
func quoteAtom(a string) string {
	plain := a != "" && !reservedWords[a]
	for i, r := range a {
		if i == 0 && !(r >= 'a' && r <= 'z' || r >= 0xDF && r <= 0xFF && r != 0xF7) {
			plain = false
			break
		}
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '@' ||
			r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7) {
			plain = false
			break
		}
	}
	if plain {
		return a
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range a {
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if unicode.IsPrint(r) {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, `\x{%X}`, r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}
