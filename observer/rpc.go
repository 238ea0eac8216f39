package observer

import (
	"context"

	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// RegisterRPC exposes n's observer data on svc so that an observer on
// another node (Remote, `erlgo observer -node`) can show it, and BEAM
// shells can read it:
//
//	erlgo_observer:info()                 -> #{name => <<"go@host">>, ...}
//	erlgo_observer:processes(Limit)       -> #{scope => ..., processes => [...]}
//	erlgo_observer:processes(Sort, Limit) -> the same, Sort is mailbox | memory | reductions | name
//	erlgo_observer:network()              -> #{name => ..., connected => [...]}
//
// The answers are the NodeInfo, ProcessList and NetworkInfo structs as maps
// with atom keys; the cookie is never among them.
func RegisterRPC(svc *interop.Services, n *node.Node) {
	src := Local(n)
	svc.Register(RPCModule, "info", 0, interop.Func0(src.Node))
	svc.Register(RPCModule, "processes", 1, interop.Func1(func(ctx context.Context, limit int) (ProcessList, error) {
		return src.Processes(ctx, Query{Limit: limit})
	}))
	svc.Register(RPCModule, "processes", 2, interop.Func2(func(ctx context.Context, sort string, limit int) (ProcessList, error) {
		return src.Processes(ctx, Query{Sort: sort, Limit: limit})
	}))
	svc.Register(RPCModule, "network", 0, interop.Func0(src.Network))
}
