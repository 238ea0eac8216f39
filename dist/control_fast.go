// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// Fast path for the control tuples that carry most traffic (SEND,
// SEND_SENDER, REG_SEND, ALIAS_SEND, LINK, UNLINK_ID(_ACK)): they are parsed
// straight from the packet bytes into their typed value, without building
// an etf.Tuple and boxing its pids. Anything unusual (tokens, odd atom
// encodings, other ops) returns ok=false and takes the generic path through
// the etf Decoder, which also produces the error for malformed input.

// fastDecoder parses control tuples for one connection (reader goroutine
// only). It interns atoms that arrive as text so repeated node names do not
// allocate.
type fastDecoder struct {
	cache  *inCache // nil: no atom cache refs allowed
	intern map[string]etf.Atom
}

const maxIntern = 4096

func (f *fastDecoder) atom(b []byte, pos int) (etf.Atom, int, bool) {
	if pos >= len(b) {
		return "", 0, false
	}
	var n, p int
	switch b[pos] {
	case etf.TagAtomCacheRef:
		if f.cache == nil || pos+1 >= len(b) {
			return "", 0, false
		}
		a, ok := f.cache.AtomRef(int(b[pos+1]))
		return a, pos + 2, ok
	case etf.TagSmallAtomUTF8:
		if pos+1 >= len(b) {
			return "", 0, false
		}
		n, p = int(b[pos+1]), pos+2
	case etf.TagAtomUTF8:
		if pos+2 >= len(b) {
			return "", 0, false
		}
		n, p = int(binary.BigEndian.Uint16(b[pos+1:])), pos+3
	default:
		return "", 0, false // Latin-1 forms etc.: generic path
	}
	if len(b)-p < n {
		return "", 0, false
	}
	text := b[p : p+n]
	if a, ok := f.intern[string(text)]; ok {
		return a, p + n, true
	}
	if !utf8.Valid(text) || utf8.RuneCount(text) > 255 {
		return "", 0, false
	}
	a := etf.Atom(text)
	if f.intern == nil || len(f.intern) >= maxIntern {
		f.intern = make(map[string]etf.Atom, 64)
	}
	f.intern[string(a)] = a
	return a, p + n, true
}

func (f *fastDecoder) pid(b []byte, pos int) (etf.PID, int, bool) {
	if pos >= len(b) || b[pos] != etf.TagNewPID {
		return etf.PID{}, 0, false
	}
	node, p, ok := f.atom(b, pos+1)
	if !ok || len(b)-p < 12 {
		return etf.PID{}, 0, false
	}
	return etf.PID{
		Node:     node,
		ID:       binary.BigEndian.Uint32(b[p:]),
		Serial:   binary.BigEndian.Uint32(b[p+4:]),
		Creation: binary.BigEndian.Uint32(b[p+8:]),
	}, p + 12, true
}

func (f *fastDecoder) ref(b []byte, pos int) (etf.Ref, int, bool) {
	if len(b)-pos < 3 || b[pos] != etf.TagNewerReference {
		return etf.Ref{}, 0, false
	}
	n := int(binary.BigEndian.Uint16(b[pos+1:]))
	if n == 0 || n > 5 {
		return etf.Ref{}, 0, false
	}
	node, p, ok := f.atom(b, pos+3)
	if !ok || len(b)-p < 4+4*n {
		return etf.Ref{}, 0, false
	}
	r := etf.Ref{Node: node, Creation: binary.BigEndian.Uint32(b[p:]), Len: uint8(n)}
	p += 4
	for i := 0; i < n; i++ {
		r.ID[i] = binary.BigEndian.Uint32(b[p:])
		p += 4
	}
	return r, p, true
}

// control tries the fast path on the control tuple at the start of b. It
// returns the control value, its payload source and the bytes consumed.
func (f *fastDecoder) control(b []byte) (Control, payloadSource, int, bool) {
	if len(b) < 4 || b[0] != etf.TagSmallTuple || b[2] != etf.TagSmallInteger {
		return nil, 0, 0, false
	}
	arity, op := int(b[1]), Op(b[3])
	p := 4
	var ok bool
	switch {
	case op == OpSend && arity == 3:
		// {2, '', To}: skip the unused atom
		if _, p, ok = f.atom(b, p); !ok {
			return nil, 0, 0, false
		}
		var to etf.PID
		if to, p, ok = f.pid(b, p); !ok {
			return nil, 0, 0, false
		}
		return Send{To: to}, payloadMessage, p, true
	case (op == OpSendSender || op == OpLink || op == OpAliasSend) && arity == 3:
		var from etf.PID
		if from, p, ok = f.pid(b, p); !ok {
			return nil, 0, 0, false
		}
		if op == OpAliasSend {
			var r etf.Ref
			if r, p, ok = f.ref(b, p); !ok {
				return nil, 0, 0, false
			}
			return AliasSend{From: from, Alias: r}, payloadMessage, p, true
		}
		var to etf.PID
		if to, p, ok = f.pid(b, p); !ok {
			return nil, 0, 0, false
		}
		if op == OpLink {
			return Link{From: from, To: to}, payloadNone, p, true
		}
		return Send{From: from, To: to}, payloadMessage, p, true
	case op == OpRegSend && arity == 4:
		var from etf.PID
		if from, p, ok = f.pid(b, p); !ok {
			return nil, 0, 0, false
		}
		if _, p, ok = f.atom(b, p); !ok {
			return nil, 0, 0, false
		}
		var name etf.Atom
		if name, p, ok = f.atom(b, p); !ok {
			return nil, 0, 0, false
		}
		return RegSend{From: from, To: name}, payloadMessage, p, true
	}
	return nil, 0, 0, false
}
