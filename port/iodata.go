package port

import (
	"github.com/erlgo/erlgo/etf"
)

// maxIODepth bounds the nesting of an iolist a BEAM process may send as
// {command, Data}; deeper input is refused (badsig) rather than walked on
// the Go stack.
const maxIODepth = 1000

// appendIOData flattens iodata as port_command/2 accepts it: a binary, a
// byte (0..255), or a possibly improper list of those whose tail is a
// binary or []. Go callers may also pass a string. ok is false for
// anything else (ERTS answers badsig).
func appendIOData(b []byte, t etf.Term, depth int) ([]byte, bool) {
	if depth > maxIODepth {
		return b, false
	}
	switch v := t.(type) {
	case []byte:
		return append(b, v...), true
	case string:
		return append(b, v...), true
	case etf.Charlist:
		// A STRING_EXT from the wire: its code points are bytes only
		// when every one is below 256.
		for _, r := range string(v) {
			if r > 0xff {
				return b, false
			}
			b = append(b, byte(r))
		}
		return b, true
	case etf.List:
		for _, e := range v {
			var ok bool
			if b, ok = appendIOElem(b, e, depth+1); !ok {
				return b, false
			}
		}
		return b, true
	case etf.ImproperList:
		for _, e := range v.Elems {
			var ok bool
			if b, ok = appendIOElem(b, e, depth+1); !ok {
				return b, false
			}
		}
		switch tail := v.Tail.(type) {
		case []byte:
			return append(b, tail...), true
		case nil:
			return b, true
		}
		return b, false
	case nil: // []
		return b, true
	}
	return b, false
}

// appendIOElem is one element of an iolist: a byte, a binary or a list.
func appendIOElem(b []byte, e etf.Term, depth int) ([]byte, bool) {
	if i, ok := e.(int); ok {
		if i < 0 || i > 0xff {
			return b, false
		}
		return append(b, byte(i)), true
	}
	if _, ok := e.(string); ok {
		return b, false // a Go string inside a list has no iodata meaning
	}
	return appendIOData(b, e, depth)
}
