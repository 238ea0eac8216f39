package etf

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format renders t on one line exactly as io_lib:format("~0tp") does on an
// OTP 25 node with the default printable range (latin1): lists of
// printable characters as "strings", printable binaries as <<"text">>
// (<<"é"/utf8>> when the bytes are UTF-8 of Latin-1 characters), atoms
// quoted and escaped when needed ('hello world', 'a\nb'), floats in
// the shortest form that reads back (0.1, 100.0, 1.0e-5), map keys in term
// order. It is the one term printer of erlgo: logs, error texts, fmt's %v
// of the term types, and the io server's ~p.
//
// Pids, ports and refs print their String form (<node.1.2>), since the
// node numbers a BEAM shell shows are local to that VM. Terms nested deeper
// than 100 levels are cut with "...".
func Format(t Term) string {
	f := termFormatter{strings: true}
	f.term(t, 0)
	return f.b.String()
}

// FormatW renders t as io_lib:format("~tw") does: like Format without
// string detection, so [104,105] stays [104,105] and <<"hi">> prints as
// <<104,105>>. It is the io server's ~w.
func FormatW(t Term) string {
	var f termFormatter
	f.term(t, 0)
	return f.b.String()
}

const formatMaxDepth = 100

// termFormatter writes one term; strings selects ~p's string detection.
type termFormatter struct {
	b       strings.Builder
	strings bool
}

func (f *termFormatter) term(t Term, depth int) {
	b := &f.b
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
		writeAtom(b, string(x))
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
		f.binary(x, 0)
	case string:
		f.binary([]byte(x), 0)
	case BitString:
		if x.Bits == 8 || len(x.Bytes) == 0 {
			f.binary(x.Bytes, 0)
		} else {
			f.binary(x.Bytes, x.Bits)
		}
	case Charlist:
		f.charlist(x, depth)
	case Tuple:
		b.WriteByte('{')
		f.seq(x, depth)
		b.WriteByte('}')
	case List:
		f.list(x, depth)
	case []any:
		f.list(List(x), depth)
	case ImproperList:
		f.improper(x, depth)
	case Map:
		f.mapTerm(x, depth)
	case PID:
		b.WriteString(x.String())
	case Port:
		b.WriteString(x.String())
	case Ref:
		b.WriteString(x.String())
	case Alias:
		b.WriteString(x.String())
	case Export:
		b.WriteString("fun ")
		writeAtom(b, string(x.Module))
		b.WriteByte(':')
		writeAtom(b, string(x.Function))
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(int(x.Arity)))
	case Fun:
		f.fun(x)
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

func (f *termFormatter) seq(xs []Term, depth int) {
	for i, el := range xs {
		if i > 0 {
			f.b.WriteByte(',')
		}
		f.term(el, depth+1)
	}
}

// list prints a proper list: a "string" under ~p when every element is a
// printable character (io_lib:printable_list with the latin1 range).
func (f *termFormatter) list(l List, depth int) {
	if f.strings && len(l) > 0 && printableInts(l) {
		f.b.WriteByte('"')
		for _, el := range l {
			v, _ := smallInt(el)
			writeChar(&f.b, rune(v), '"')
		}
		f.b.WriteByte('"')
		return
	}
	f.b.WriteByte('[')
	f.seq(l, depth)
	f.b.WriteByte(']')
}

func (f *termFormatter) charlist(c Charlist, depth int) {
	if f.strings && c != "" && printableString(string(c)) {
		writeQuoted(&f.b, string(c), '"')
		return
	}
	l := make(List, 0, len(c))
	for _, r := range string(c) {
		l = append(l, int(r))
	}
	f.b.WriteByte('[')
	f.seq(l, depth)
	f.b.WriteByte(']')
}

// improper prints [A,B|T] (never as a string, as ~p does); a list tail is
// merged first, so [1|[2]] prints [1,2].
func (f *termFormatter) improper(x ImproperList, depth int) {
	flat := flattenImproper(x)
	il, ok := flat.(ImproperList)
	if !ok {
		f.term(flat, depth)
		return
	}
	f.b.WriteByte('[')
	f.seq(il.Elems, depth)
	f.b.WriteByte('|')
	f.term(il.Tail, depth+1)
	f.b.WriteByte(']')
}

// mapTerm prints #{K => V,...} with the keys in term order, the order BEAM
// prints a map of up to 32 keys in (larger maps print in its internal hash
// order, which cannot be reproduced; term order is the readable choice).
func (f *termFormatter) mapTerm(m Map, depth int) {
	sorted := m
	if !slices.IsSortedFunc(m, comparePairKeys) {
		sorted = slices.Clone(m)
		slices.SortStableFunc(sorted, comparePairKeys)
	}
	f.b.WriteString("#{")
	for i, p := range sorted {
		if i > 0 {
			f.b.WriteByte(',')
		}
		f.term(p.Key, depth+1)
		f.b.WriteString(" => ")
		f.term(p.Value, depth+1)
	}
	f.b.WriteByte('}')
}

func comparePairKeys(a, b Pair) int { return Compare(a.Key, b.Key) }

// fun prints #Fun<Module.Index.Uniq> as erlang:fun_to_list/1 does for a
// fun received from another node: the old index and the old 32-bit uniq.
func (f *termFormatter) fun(x Fun) {
	f.b.WriteString("#Fun<")
	writeAtom(&f.b, string(x.Module))
	fmt.Fprintf(&f.b, ".%v.%v>", funPart(x.OldIndex, x.Index), funPart(x.OldUniq, x.Uniq))
}

func funPart(old Term, fallback any) any {
	if v, ok := smallInt(old); ok {
		return v
	}
	if u, ok := fallback.([16]byte); ok {
		return fmt.Sprintf("%x", u)
	}
	return fallback
}

// binary prints <<...>>. Under ~tp a binary whose bytes are UTF-8 of
// printable Latin-1 characters prints as <<"text"/utf8>> (plain <<"text">>
// when it is ASCII), else one whose bytes are printable Latin-1 characters
// as <<"text">>; everything else as byte values, with a trailing N:Bits
// segment for a bitstring.
func (f *termFormatter) binary(data []byte, bits uint8) {
	b := &f.b
	b.WriteString("<<")
	if f.strings && bits == 0 && len(data) > 0 {
		if utf8.Valid(data) && printableString(string(data)) {
			writeQuoted(b, string(data), '"')
			if !isASCII(data) {
				b.WriteString("/utf8")
			}
			b.WriteString(">>")
			return
		}
		if printableBytes(data) {
			b.WriteByte('"')
			for _, c := range data {
				writeChar(b, rune(c), '"')
			}
			b.WriteString("\">>")
			return
		}
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
