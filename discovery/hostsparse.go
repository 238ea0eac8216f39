package discovery

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The reader for .hosts.erlang. net_adm:host_file/0 reads the file with
// file:path_consult/2, so it is a sequence of Erlang terms, each ended by a
// full stop; net_adm:world/0 then needs every term to be an atom (a string
// host crashes it with badarg, anything else with function_clause). This
// reader accepts exactly the atoms erl_scan accepts (bare and quoted, with
// every escape) plus whitespace and % comments, and refuses everything
// else with the line it is on, so a file BEAM cannot use is refused here
// too, with a clearer message.

// maxHostsFile bounds the file read: a hosts list is a few lines, and a
// runaway file must not be held in memory.
const maxHostsFile = 1 << 20

// reserved are Erlang's reserved words: bare, they are not atoms.
var reserved = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true,
	"bnot": true, "bor": true, "bsl": true, "bsr": true, "bxor": true,
	"case": true, "catch": true, "cond": true, "div": true, "end": true,
	"fun": true, "if": true, "let": true, "not": true, "of": true, "or": true,
	"orelse": true, "receive": true, "rem": true, "try": true, "when": true,
	"xor": true,
}

// hostsReader scans one file; line counts newlines consumed, for errors.
type hostsReader struct {
	s    string
	i    int
	line int
}

// ParseHosts parses the contents of a .hosts.erlang file and returns its
// host names in order. An error wraps ErrMalformedHosts and names the line.
func ParseHosts(data []byte) ([]string, error) {
	if len(data) > maxHostsFile {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedHosts, len(data), maxHostsFile)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformedHosts)
	}
	r := &hostsReader{s: string(data), line: 1}
	var hosts []string
	for {
		r.skipBlank()
		if r.i == len(r.s) {
			return hosts, nil
		}
		host, err := r.atom()
		if err != nil {
			return nil, err
		}
		if err := r.fullStop(); err != nil {
			return nil, err
		}
		hosts = append(hosts, host)
	}
}

func (r *hostsReader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrMalformedHosts, r.line, fmt.Sprintf(format, args...))
}

// skipBlank skips white space (erl_scan's: control characters, space, and
// Latin-1 0x80-0xA0) and % comments.
func (r *hostsReader) skipBlank() {
	for r.i < len(r.s) {
		c, size := utf8.DecodeRuneInString(r.s[r.i:])
		switch {
		case c == '\n':
			r.line++
		case c <= ' ' || (c >= 0x80 && c <= 0xA0):
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

// fullStop reads the '.' that ends a term: erl_scan's dot token, a '.'
// followed by white space, a comment or the end of the input.
func (r *hostsReader) fullStop() error {
	r.skipBlank()
	if r.i == len(r.s) {
		return r.errorf("missing full stop after the last host")
	}
	if r.s[r.i] != '.' {
		return r.errorf("expected '.' after a host, found %s", r.peek())
	}
	r.i++
	if r.i < len(r.s) {
		c, _ := utf8.DecodeRuneInString(r.s[r.i:])
		if !(c <= ' ' || (c >= 0x80 && c <= 0xA0) || c == '%') {
			return r.errorf("'.' must be followed by white space (a host name with dots needs quotes: 'a.b.c')")
		}
	}
	return nil
}

// peek describes what is at the reader's position, for errors.
func (r *hostsReader) peek() string {
	rest := r.s[r.i:]
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	return strconv.Quote(rest)
}

// atom reads one bare or quoted atom; any other term is an error.
func (r *hostsReader) atom() (string, error) {
	c, _ := utf8.DecodeRuneInString(r.s[r.i:])
	switch {
	case c == '\'':
		return r.quotedAtom()
	case atomStart(c):
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
			return "", r.errorf("%s is a reserved word, not an atom (quote it: '%s')", word, word)
		}
		return word, checkAtomLen(r, word)
	case c == '"':
		lit := r.s[r.i:]
		if end := strings.IndexAny(lit[1:], "\"\n"); end >= 0 {
			lit = lit[:end+2]
		}
		return "", r.errorf("host %s is a string; net_adm:world/0 needs an atom ('%s')", lit, strings.Trim(lit, "\"\n"))
	default:
		return "", r.errorf("expected a host atom, found %s", r.peek())
	}
}

func checkAtomLen(r *hostsReader, a string) error {
	if n := utf8.RuneCountInString(a); n > maxAtom {
		return r.errorf("atom of %d characters, more than %d", n, maxAtom)
	}
	return nil
}

// atomStart is erl_scan's start of an unquoted atom: a lower-case letter,
// ASCII or Latin-1.
func atomStart(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7)
}

// atomChar is erl_scan's continuation of an unquoted atom or variable.
func atomChar(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '@' || (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7)
}

// quotedAtom reads '...' with erl_scan's escapes.
func (r *hostsReader) quotedAtom() (string, error) {
	startLine := r.line
	r.i++ // opening quote
	// Fast path: no escape before the closing quote, the atom is the text.
	if end := strings.IndexAny(r.s[r.i:], "'\\"); end >= 0 && r.s[r.i+end] == '\'' {
		a := r.s[r.i : r.i+end]
		r.line += strings.Count(a, "\n")
		r.i += end + 1
		return a, checkAtomLen(r, a)
	}
	var b strings.Builder
	for r.i < len(r.s) {
		c, size := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += size
		switch c {
		case '\'':
			a := b.String()
			return a, checkAtomLen(r, a)
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
		if b.Len() > 4*maxAtom { // stop early on a runaway quote
			return "", r.errorf("quoted atom longer than %d characters", maxAtom)
		}
	}
	r.line = startLine
	return "", r.errorf("unterminated quoted atom")
}
