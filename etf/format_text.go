package etf

import (
	"fmt"
	"strconv"
	"strings"
)

// The lexical pieces of Format: characters, atoms and floats as OTP 25's
// io_lib prints them (io_lib:write_string/2, write_atom/1 and
// io_lib_format's shortest float).

// printableChar is io_lib's printable_latin1_list test for one character,
// the test ~p applies with the default printable range (latin1): Latin-1
// graphic characters and the seven escapable control characters. BEL
// (7) and DEL (127) are not printable, nor is anything above 255.
func printableChar(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xFF:
		return true
	case r >= '\b' && r <= '\r', r == 0x1B: // \b \t \n \v \f \r \e
		return true
	}
	return false
}

func printableString(s string) bool {
	for _, r := range s {
		if !printableChar(r) {
			return false
		}
	}
	return true
}

func printableBytes(data []byte) bool {
	for _, c := range data {
		if !printableChar(rune(c)) {
			return false
		}
	}
	return true
}

func printableInts(l List) bool {
	for _, el := range l {
		v, ok := smallInt(el)
		if !ok || v < 0 || v > 0xFF || !printableChar(rune(v)) {
			return false
		}
	}
	return true
}

// writeQuoted writes s between q quotes, escaped as io_lib:write_string.
func writeQuoted(b *strings.Builder, s string, q rune) {
	b.WriteRune(q)
	for _, r := range s {
		writeChar(b, r, q)
	}
	b.WriteRune(q)
}

// writeChar writes one character of a quoted string or atom as io_lib
// does with the t modifier (~tp, ~tw): the quote and backslash escaped,
// graphic characters from space on as they are (above Latin-1 only atoms
// get there: such lists are not printable), named escapes for the control
// characters that have one, \d for DEL and octal \NNN for the others.
func writeChar(b *strings.Builder, r, q rune) {
	switch {
	case r == q || r == '\\':
		b.WriteByte('\\')
		b.WriteRune(r)
	case r >= 0x20 && r <= 0x7E, r >= 0xA0:
		b.WriteRune(r)
	default:
		if e, ok := charEscapes[r]; ok {
			b.WriteString(e)
			return
		}
		fmt.Fprintf(b, `\%03o`, r)
	}
}

var charEscapes = map[rune]string{
	'\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`, '\b': `\b`, '\f': `\f`,
	0x1B: `\e`, 0x7F: `\d`,
}

// reservedWords are the atoms erl_scan:reserved_word/1 reports in OTP 25
// (maybe and else only with the maybe_expr feature, off by default, so
// they print bare as on a default node).
var reservedWords = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true, "bnot": true,
	"bor": true, "bsl": true, "bsr": true, "bxor": true, "case": true, "catch": true,
	"cond": true, "div": true, "end": true, "fun": true, "if": true, "let": true,
	"not": true, "of": true, "or": true, "orelse": true, "receive": true, "rem": true,
	"try": true, "when": true, "xor": true,
}

// writeAtom writes the atom as io_lib:write_atom/1: bare when it starts
// with a lower-case letter and holds only letters, digits, _ and @
// (Latin-1 letters included) and is no reserved word, else quoted.
func writeAtom(b *strings.Builder, a string) {
	if atomIsBare(a) {
		b.WriteString(a)
		return
	}
	writeQuoted(b, a, '\'')
}

func atomIsBare(a string) bool {
	if a == "" || reservedWords[a] {
		return false
	}
	for i, r := range a {
		lower := r >= 'a' && r <= 'z' || r >= 0xDF && r <= 0xFF && r != 0xF7
		if i == 0 && !lower {
			return false
		}
		if !(lower || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '@' ||
			r >= 0xC0 && r <= 0xDE && r != 0xD7) {
			return false
		}
	}
	return true
}

// formatFloat prints f as io_lib_format does (~p, ~w, float_to_list with
// [short]): the shortest digits that read back, in fixed notation unless
// scientific notation is shorter (100.0, 123456789.0, but 1.0e15 and
// 1.0e-5).
func formatFloat(f float64) string {
	fixed := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(fixed, ".") {
		fixed += ".0"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(sci, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	sci = mant + "e" + exp
	if len(sci) < len(fixed) {
		return sci
	}
	return fixed
}
