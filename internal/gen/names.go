package gen

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
)

// ErrBadName marks a module path or a component name the generator
// refuses: the generated code would not compile, or two components would
// share a Go type or a registered name.
var ErrBadName = errors.New("gen: bad name")

// reserved are the names a cluster member registers itself (package
// cluster, interop, observer): an actor registered under one of them
// would fail to start.
var reserved = map[string]bool{
	"net_kernel": true, "rex": true, "user": true, "global_name_server": true,
	"pg": true, "erlgo_events": true, "erlgo_observer": true, "init": true,
	"application_controller": true, "code_server": true, "erl_prim_loader": true,
}

// checkIdent accepts a component name: a letter, then letters, digits or
// underscores (ASCII only, so the Go type, the file and the atom derived
// from it are all plain).
func checkIdent(kind, s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s name", ErrBadName, kind)
	}
	for i, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || r == '_'))
		if !ok {
			return fmt.Errorf("%w: %s name %q: want a letter, then letters, digits or _", ErrBadName, kind, s)
		}
	}
	return nil
}

// words splits an identifier into lower-case words at underscores, at
// lower-to-upper changes and before the last upper-case letter of a run
// followed by a lower-case one: "MyHTTPServer" is my, http, server.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	for i, r := range rs {
		if r == '_' {
			if len(cur) > 0 {
				out, cur = append(out, string(cur)), nil
			}
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				out, cur = append(out, string(cur)), nil
			}
		}
		cur = append(cur, unicode.ToLower(r))
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// goName is the exported Go name of an identifier: the identifier with
// its first letter in upper case ("myWorker" is MyWorker, HTTPServer stays
// as it is), or, when it has underscores, its words capitalised
// ("my_worker" is MyWorker).
func goName(s string) string {
	if !strings.Contains(s, "_") {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// atomName is the registered name (an Erlang atom, snake case) of an
// identifier: "MyWorker" is my_worker, "HTTPServer" http_server.
func atomName(s string) string { return strings.Join(words(s), "_") }

// fileName is the lower-case file or package name of an identifier,
// without underscores so that no suffix (_test, _linux) changes how Go
// builds it: "MyWorker" is myworker.
func fileName(s string) string { return strings.Join(words(s), "") }

// checkModule accepts a module path as go.mod takes it: slash-separated
// elements of letters, digits and -._~, none empty or starting with a dot,
// the last one usable as a command name.
func checkModule(mod string) error {
	if mod == "" {
		return fmt.Errorf("%w: empty module path", ErrBadName)
	}
	for _, elem := range strings.Split(mod, "/") {
		if elem == "" || elem[0] == '.' || elem[len(elem)-1] == '.' {
			return fmt.Errorf("%w: module path %q: empty element or element starting or ending with a dot", ErrBadName, mod)
		}
		for _, r := range elem {
			if r >= unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-._~", r)) {
				return fmt.Errorf("%w: module path %q: character %q", ErrBadName, mod, r)
			}
		}
	}
	base := path.Base(mod)
	if !unicode.IsLetter(rune(base[0])) {
		return fmt.Errorf("%w: module path %q: the last element names the command and the node, and must start with a letter", ErrBadName, mod)
	}
	return nil
}

// nodeAlive is the alive part of the node name for a command name: erl
// accepts letters, digits, - and _ there; dots would end it.
func nodeAlive(cmd string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '~' {
			return '_'
		}
		return r
	}, cmd)
}
