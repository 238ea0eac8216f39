// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"github.com/erlgo/erlgo/etf"
)

// Protocol constants.
const (
	// ServerName is the registered name of the server on every node.
	ServerName etf.Atom = "global_name_server"
	// protocolVersion is the global protocol version the Go node speaks
	// (OTP 25: version 7, "prevent overlapping partitions").
	protocolVersion = 7
	popVsn          = 7 // lost_connection/remove_connection understood
	resourceGlobal  = etf.Atom("global")
)

var (
	atomTrue   = etf.Atom("true")
	atomFalse  = etf.Atom("false")
	atomYes    = etf.Atom("yes")
	atomNo     = etf.Atom("no")
	atomOK     = etf.Atom("ok")
	atomKill   = etf.Atom("kill")
	atomUnused = etf.Atom("unused")
)

// DefaultMethod is the resolve method stored with names registered from Go:
// the external fun global:random_exit_name/3, OTP's default resolver.
var DefaultMethod etf.Term = etf.Export{Module: "global", Function: "random_exit_name", Arity: 3}

func tuple(t etf.Term, n int) (etf.Tuple, bool) {
	tt, ok := t.(etf.Tuple)
	return tt, ok && len(tt) == n
}

func asInt(t etf.Term) (int, bool) {
	i, ok := t.(int)
	return i, ok
}

func boolAtom(b bool) etf.Atom {
	if b {
		return atomTrue
	}
	return atomFalse
}

// nodeList turns [Node | {Node, Vsn}] into (node, vsn) pairs; vsn is 0 when
// the element carries none.
func nodeList(t etf.Term) []nodeVsn {
	l, _ := etf.AsList(t)
	out := make([]nodeVsn, 0, len(l))
	for _, e := range l {
		switch v := e.(type) {
		case etf.Atom:
			out = append(out, nodeVsn{node: v})
		case etf.Tuple:
			if len(v) == 2 {
				n, ok := v[0].(etf.Atom)
				vsn, _ := asInt(v[1])
				if ok {
					out = append(out, nodeVsn{node: n, vsn: vsn})
				}
			}
		}
	}
	return out
}

type nodeVsn struct {
	node etf.Atom
	vsn  int
}

// pidLess orders pids as ERTS does: by pid data (serial, then number)
// first and only then by node (name, then creation). It is used for
// {global, lists:sort([LockerA, LockerB])}, which both sides must compute
// identically.
func pidLess(a, b etf.PID) bool {
	if a.Serial != b.Serial {
		return a.Serial < b.Serial
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	if a.Node != b.Node {
		return a.Node < b.Node
	}
	return a.Creation < b.Creation
}
