package etf

import (
	"errors"
	"fmt"
)

// ErrNotIOData is returned by AppendIOData for a term that is not iodata.
var ErrNotIOData = errors.New("etf: not iodata")

// AppendIOData appends the bytes of iodata t to b, as
// erlang:iolist_to_binary/1 and port_command/2 read iodata: a binary, or
// a (possibly nested) list of bytes 0..255, binaries and such lists whose
// tail may be a binary. A STRING_EXT list (Charlist) counts when every
// code point is a byte; a Go string is accepted as a binary at the top
// level only (inside a list it has no iodata meaning). Anything else
// fails with an error wrapping ErrNotIOData and b unchanged.
//
// The walk keeps its own stack, so a deeply nested list from a peer
// cannot exhaust the goroutine's stack, and the output is never larger
// than the decoded term.
func AppendIOData(b []byte, t Term) ([]byte, error) {
	switch v := t.(type) {
	case Binary:
		return append(b, v...), nil
	case string:
		return append(b, v...), nil
	case int:
		return b, fmt.Errorf("%w: a byte outside a list", ErrNotIOData)
	}
	out := b
	stack := []Term{t}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var err error
		out, stack, err = appendIOElem(out, stack, top)
		if err != nil {
			return b, err
		}
	}
	return out, nil
}

// appendIOElem appends one element of an iolist, or pushes a list's
// elements (last first) for the walk.
func appendIOElem(out []byte, stack []Term, e Term) ([]byte, []Term, error) {
	switch v := e.(type) {
	case Binary:
		return append(out, v...), stack, nil
	case int:
		if v < 0 || v > 0xff {
			return out, stack, fmt.Errorf("%w: byte %d", ErrNotIOData, v)
		}
		return append(out, byte(v)), stack, nil
	case nil: // []
		return out, stack, nil
	case Charlist:
		for _, r := range string(v) {
			if r > 0xff {
				return out, stack, fmt.Errorf("%w: code point %d", ErrNotIOData, r)
			}
			out = append(out, byte(r))
		}
		return out, stack, nil
	case List:
		for i := len(v) - 1; i >= 0; i-- {
			stack = append(stack, v[i])
		}
		return out, stack, nil
	case ImproperList:
		switch v.Tail.(type) {
		case Binary, nil:
		default:
			return out, stack, fmt.Errorf("%w: improper tail %s", ErrNotIOData, Format(v.Tail))
		}
		stack = append(stack, v.Tail)
		for i := len(v.Elems) - 1; i >= 0; i-- {
			stack = append(stack, v.Elems[i])
		}
		return out, stack, nil
	}
	return out, stack, fmt.Errorf("%w: %s", ErrNotIOData, Format(e))
}
