package discovery

import (
	"strconv"
	"unicode/utf8"
)

// escape reads what follows a backslash inside a quoted atom, as erl_scan
// does: \b \d \e \f \n \r \s \t \v, octal \O \OO \OOO, \xHH, \x{H...}, \^C
// (control character), and any other character standing for itself.
func (r *hostsReader) escape() (rune, error) {
	if r.i == len(r.s) {
		return 0, r.errorf("unterminated escape")
	}
	c, size := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += size
	if v, ok := simpleEscapes[c]; ok {
		return v, nil
	}
	switch {
	case c >= '0' && c <= '7':
		return r.octal(c), nil
	case c == 'x':
		return r.hex()
	case c == '^':
		if r.i == len(r.s) {
			return 0, r.errorf("unterminated escape \\^")
		}
		k, size := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += size
		return k & 31, nil
	case c == '\n':
		r.line++
	}
	return c, nil
}

var simpleEscapes = map[rune]rune{
	'b': '\b', 'd': 0x7F, 'e': 0x1B, 'f': '\f', 'n': '\n', 'r': '\r',
	's': ' ', 't': '\t', 'v': '\v',
}

// octal reads up to three octal digits, the first already consumed.
func (r *hostsReader) octal(first rune) rune {
	v := first - '0'
	for range 2 {
		if r.i == len(r.s) || r.s[r.i] < '0' || r.s[r.i] > '7' {
			break
		}
		v = v*8 + rune(r.s[r.i]-'0')
		r.i++
	}
	return v
}

// hex reads \xHH (exactly two digits) or \x{H...}; the code point must be
// valid Unicode, as erl_scan requires.
func (r *hostsReader) hex() (rune, error) {
	var digits string
	if r.i < len(r.s) && r.s[r.i] == '{' {
		end := r.i + 1
		for end < len(r.s) && isHex(r.s[end]) {
			end++
		}
		if end == len(r.s) || r.s[end] != '}' || end == r.i+1 {
			return 0, r.errorf("bad escape \\x{...}")
		}
		digits, r.i = r.s[r.i+1:end], end+1
	} else {
		if r.i+2 > len(r.s) || !isHex(r.s[r.i]) || !isHex(r.s[r.i+1]) {
			return 0, r.errorf("bad escape \\x (want two hex digits or \\x{...})")
		}
		digits, r.i = r.s[r.i:r.i+2], r.i+2
	}
	v, err := strconv.ParseUint(digits, 16, 32)
	if err != nil || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, r.errorf("escape \\x{%s} is not a character", digits)
	}
	return rune(v), nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
