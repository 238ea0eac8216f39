package node

import (
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

// The gen_server wire protocol (OTP's gen and gen_server modules): the one
// definition of its message shapes, used by node's Call and Reply, by
// actors' servers and clients, and by interop's services.
//
//	{'$gen_call', From, Req}   a call (gen:call/4)
//	{'$gen_cast', Req}         a cast (gen_server:cast/2)
//	{system, From, Req}        a sys request (sys module)
//
// From is {Pid, Tag}. Tag is opaque to the server and sent back unchanged
// in the reply {Tag, Reply}; its shape tells where the reply goes (gen:reply/2
// in OTP 25): [alias|Ref] and [[alias|Ref]|_] (OTP 24+ callers) name a
// process alias, anything else (a plain Ref from older callers) means Pid.

// Atoms that label gen_server protocol messages.
const (
	GenCall etf.Atom = "$gen_call"
	GenCast etf.Atom = "$gen_cast"
	System  etf.Atom = "system"
)

var atomAlias = etf.Atom("alias")

// ParseGenCall splits {'$gen_call', From, Req}. From is returned as
// received, unchecked; ParseFrom checks it.
func ParseGenCall(msg etf.Term) (from, req etf.Term, ok bool) {
	return parseGenRequest(msg, GenCall)
}

// ParseSystem splits {system, From, Req}. From is returned as received,
// unchecked; ParseFrom checks it.
func ParseSystem(msg etf.Term) (from, req etf.Term, ok bool) {
	return parseGenRequest(msg, System)
}

func parseGenRequest(msg etf.Term, label etf.Atom) (from, req etf.Term, ok bool) {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 3 || t[0] != label {
		return nil, nil, false
	}
	return t[1], t[2], true
}

// ParseGenCast splits {'$gen_cast', Req}.
func ParseGenCast(msg etf.Term) (req etf.Term, ok bool) {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 2 || t[0] != GenCast {
		return nil, false
	}
	return t[1], true
}

// ParseFrom splits a From {Pid, Tag}. Any Tag is accepted, as gen:reply/2
// does: {Pid, Ref}, {Pid, [alias|Ref]} and {Pid, [[alias|Ref]|_]} (OTP 25's
// shapes) and whatever else a caller chose; TagAlias tells them apart.
func ParseFrom(from etf.Term) (pid etf.PID, tag etf.Term, ok bool) {
	ft, ok := from.(etf.Tuple)
	if !ok || len(ft) != 2 {
		return etf.PID{}, nil, false
	}
	pid, ok = ft[0].(etf.PID)
	if !ok {
		return etf.PID{}, nil, false
	}
	return pid, ft[1], true
}

// TagAlias returns the alias Ref a call tag names: Ref for [alias|Ref] or
// [[alias|Ref]|_] (a proper or improper list whose head is [alias|Ref]).
// Other tags (a plain Ref) name no alias: the reply goes to the caller's
// pid.
func TagAlias(tag etf.Term) (etf.Ref, bool) {
	if r, ok := aliasRef(tag); ok {
		return r, true
	}
	var head etf.Term
	switch t := tag.(type) {
	case etf.ImproperList:
		if len(t.Elems) > 0 {
			head = t.Elems[0]
		}
	case etf.List:
		if len(t) > 0 {
			head = t[0]
		}
	}
	return aliasRef(head)
}

// aliasRef extracts Ref from [alias|Ref].
func aliasRef(t etf.Term) (etf.Ref, bool) {
	il, ok := t.(etf.ImproperList)
	if !ok || len(il.Elems) != 1 || il.Elems[0] != atomAlias {
		return etf.Ref{}, false
	}
	r, ok := il.Tail.(etf.Ref)
	return r, ok
}

// ReplyTarget returns where the reply to a call from "from" goes and the
// reply message {Tag, reply}: the alias when Tag names one (TagAlias), else
// Pid. It fails with ErrBadTarget when from is not {Pid, Tag}.
func ReplyTarget(from, reply etf.Term) (to etf.Term, msg etf.Tuple, err error) {
	pid, tag, ok := ParseFrom(from)
	if !ok {
		return nil, nil, fmt.Errorf("%w: bad From %v", ErrBadTarget, from)
	}
	if r, ok := TagAlias(tag); ok {
		return etf.Alias(r), etf.Tuple{tag, reply}, nil
	}
	return pid, etf.Tuple{tag, reply}, nil
}

// GenCallMsg builds the request {'$gen_call', {from, tag}, req}.
func GenCallMsg(from etf.PID, tag, req etf.Term) etf.Tuple {
	return etf.Tuple{GenCall, etf.Tuple{from, tag}, req}
}

// GenCastMsg builds the cast {'$gen_cast', req}.
func GenCastMsg(req etf.Term) etf.Tuple {
	return etf.Tuple{GenCast, req}
}

// SystemMsg builds the sys request {system, {from, tag}, req}.
func SystemMsg(from etf.PID, tag, req etf.Term) etf.Tuple {
	return etf.Tuple{System, etf.Tuple{from, tag}, req}
}

// genInner returns the index of the request or reply inside a gen
// protocol tuple ({'$gen_call', From, Req}, {'$gen_cast', Req}, a reply
// {Tag, Reply} whose Tag is a ref or [alias|Ref]), or -1. Used where a
// message's gen payload is rewritten in place (the type registry).
func genInner(t etf.Tuple) int {
	switch len(t) {
	case 3:
		if t[0] == etf.Term(GenCall) {
			return 2
		}
	case 2:
		switch tag := t[0].(type) {
		case etf.Atom:
			if tag == GenCast {
				return 1
			}
		case etf.Ref:
			return 1
		case etf.ImproperList:
			if _, ok := aliasRef(tag); ok {
				return 1
			}
		}
	}
	return -1
}
