package erlterm

import (
	"strings"
	"unicode/utf8"
)

// reserved are Erlang's reserved words: bare, they are not atoms.
var reserved = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true,
	"bnot": true, "bor": true, "bsl": true, "bsr": true, "bxor": true,
	"case": true, "catch": true, "cond": true, "div": true, "end": true,
	"fun": true, "if": true, "let": true, "maybe": true, "not": true, "of": true,
	"or": true, "orelse": true, "receive": true, "rem": true, "try": true,
	"when": true, "xor": true,
}

// atomStart is erl_scan's start of an unquoted atom: a lower-case letter,
// ASCII or Latin-1.
func atomStart(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7)
}

// atomChar is erl_scan's continuation of an unquoted atom.
func atomChar(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '@' || (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7)
}

// quoted reads a quoted atom or string closed by q, with erl_scan's
// escapes; the opening quote is at the reader's position.
func (r *reader) quoted(q rune) (string, error) {
	startLine := r.line
	r.i++
	var b strings.Builder
	for r.i < len(r.s) {
		c, size := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += size
		switch c {
		case q:
			return b.String(), nil
		case '\n':
			r.line++
		case '\\':
			e, err := r.escape()
			if err != nil {
				return "", err
			}
			c = e
		}
		b.WriteRune(c)
	}
	r.line = startLine
	return "", r.errorf("unterminated %c", q)
}

// char reads the character of a $C literal: one character or an escape.
func (r *reader) char() (rune, error) {
	if r.i == len(r.s) {
		return 0, r.errorf("$ at end of input")
	}
	c, size := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += size
	if c == '\\' {
		return r.escape()
	}
	if c == '\n' {
		r.line++
	}
	return c, nil
}

// simpleEscapes are erl_scan's one-letter escapes.
var simpleEscapes = map[rune]rune{
	'b': '\b', 'd': 0x7F, 'e': 0x1B, 'f': '\f', 'n': '\n', 'r': '\r',
	's': ' ', 't': '\t', 'v': '\v',
}

// escape reads what follows a backslash: \n and the other letters, \NNN
// octal, \xHH, \x{H...}, \^C control characters, anything else itself.
func (r *reader) escape() (rune, error) {
	if r.i == len(r.s) {
		return 0, r.errorf("backslash at end of input")
	}
	c, size := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += size
	switch {
	case c >= '0' && c <= '7':
		v := c - '0'
		for k := 0; k < 2 && r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '7'; k++ {
			v = v*8 + rune(r.s[r.i]-'0')
			r.i++
		}
		return v, nil
	case c == 'x':
		return r.hexEscape()
	case c == '^':
		if r.i == len(r.s) {
			return 0, r.errorf(`\^ at end of input`)
		}
		k, size := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += size
		return k & 0x1F, nil
	case c == '\n':
		r.line++
	}
	if e, ok := simpleEscapes[c]; ok {
		return e, nil
	}
	return c, nil
}

// hexEscape reads the digits of \xHH or \x{H...} after the x.
func (r *reader) hexEscape() (rune, error) {
	braced := r.i < len(r.s) && r.s[r.i] == '{'
	if braced {
		r.i++
	}
	var v rune
	n := 0
	for r.i < len(r.s) && (braced || n < 2) {
		d, ok := hexDigit(r.s[r.i])
		if !ok {
			break
		}
		if v = v*16 + d; v > utf8.MaxRune {
			return 0, r.errorf(`\x{...} beyond the largest code point`)
		}
		r.i++
		n++
	}
	if braced {
		if r.i == len(r.s) || r.s[r.i] != '}' || n == 0 {
			return 0, r.errorf(`bad \x{...} escape`)
		}
		r.i++
	} else if n == 0 {
		return 0, r.errorf(`bad \x escape`)
	}
	return v, nil
}

func hexDigit(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}
