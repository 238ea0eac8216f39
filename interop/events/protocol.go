package events

import (
	"github.com/erlgo/erlgo/etf"
)

// svcOp is a request a peer may make of the erlgo_events service with
// gen_server:call({erlgo_events, Node}, Req); docs/events.md lists them.
type svcOp uint8

const (
	opBad      svcOp = iota
	opLookup         // {lookup, Name}          -> {ok, EventPid} | {error, unknown_event}
	opRegister       // {register, Name, Opts}  -> {ok, Token} | {error, taken | badarg}
	opWhich          // which_events            -> [Name]
)

// svcCall is a parsed service request.
type svcCall struct {
	op   svcOp
	name etf.Atom
	cfg  eventConfig
}

// parseServiceCall reads a request term. Anything else is opBad, which
// the service answers with {error, badarg}. maxBuffer bounds {buffer, N}.
func parseServiceCall(req etf.Term, maxBuffer int) svcCall {
	if req == atomWhich {
		return svcCall{op: opWhich}
	}
	t, ok := req.(etf.Tuple)
	if !ok || len(t) < 2 {
		return svcCall{}
	}
	name, ok := t[1].(etf.Atom)
	if !ok || name == "" {
		return svcCall{}
	}
	switch {
	case t[0] == atomLookup && len(t) == 2:
		return svcCall{op: opLookup, name: name}
	case t[0] == atomRegister && len(t) == 3:
		cfg, ok := parseRegisterOpts(t[2], maxBuffer)
		if !ok {
			return svcCall{}
		}
		return svcCall{op: opRegister, name: name, cfg: cfg}
	}
	return svcCall{}
}

// parseRegisterOpts reads [notify | {buffer, N}] (a proper list, 0 <= N
// <= maxBuffer).
func parseRegisterOpts(t etf.Term, maxBuffer int) (eventConfig, bool) {
	var c eventConfig
	l, ok := etf.AsList(t)
	if !ok {
		return c, false
	}
	for _, o := range l {
		switch v := o.(type) {
		case etf.Atom:
			if v != atomNotify {
				return c, false
			}
			c.notify = true
		case etf.Tuple:
			if len(v) != 2 || v[0] != atomBuffer {
				return c, false
			}
			n, ok := v[1].(int)
			if !ok || n < 0 || n > maxBuffer {
				return c, false
			}
			c.buffer = n
		default:
			return c, false
		}
	}
	return c, true
}

// parseSubscribed reads the event's answer to node_subscribe:
// {ok, Last, Size}, Size clamped to maxBuffer.
func parseSubscribed(reply etf.Term, maxBuffer int) (etf.List, int, bool) {
	t, ok := reply.(etf.Tuple)
	if !ok || len(t) != 3 || t[0] != atomOK {
		return nil, 0, false
	}
	size, ok := t[2].(int)
	if !ok || size < 0 {
		return nil, 0, false
	}
	// A producer node with a larger maximum: mirror what we may hold.
	size = min(size, maxBuffer)
	// [2,3] arrives as a STRING_EXT: AsList reads every list shape.
	l, ok := etf.AsList(t[1])
	return l, size, ok
}
