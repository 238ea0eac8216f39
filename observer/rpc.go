package observer

import (
	"context"

	"github.com/erlgo/erlgo/etf"
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
//	erlgo_observer:processes(Sort, Limit, Filter) -> the processes whose name or pid contains Filter
//	erlgo_observer:network()              -> #{name => ..., connected => [...]}
//	erlgo_observer:process(Pid, ForceState) -> #{pid => ..., links => [...], ...}
//	erlgo_observer:kill(Pid, Reason)      -> ok (exit(Pid, Reason) on n)
//	erlgo_observer:applications()         -> [#{name => ..., tree => ...}]
//	erlgo_observer:connections()          -> [#{node => ..., type => ...}]
//
// The answers are the NodeInfo, ProcessList, NetworkInfo, ProcessDetail,
// AppInfo and ConnInfo structs as maps with atom keys; the cookie is never
// among them. Pid is the pid as ProcessInfo prints it, a binary; an
// unknown one raises error:no_process. Kill is exposed to every node that
// knows the cookie, like exit/2 itself.
func RegisterRPC(svc *interop.Services, n *node.Node, opts ...LocalOption) {
	src := Local(n, opts...).(localSource)
	svc.Register(RPCModule, "info", 0, interop.Func0(src.Node))
	svc.Register(RPCModule, "processes", 1, interop.Func1(func(ctx context.Context, limit int) (ProcessList, error) {
		return src.Processes(ctx, Query{Limit: limit})
	}))
	svc.Register(RPCModule, "processes", 2, interop.Func2(func(ctx context.Context, sort string, limit int) (ProcessList, error) {
		return src.Processes(ctx, Query{Sort: sort, Limit: limit})
	}))
	svc.Register(RPCModule, "processes", 3, interop.Func3(func(ctx context.Context, sort string, limit int, filter string) (ProcessList, error) {
		pl, err := src.Processes(ctx, Query{Sort: sort, Limit: limit, Filter: filter})
		return pl, raised(err)
	}))
	svc.Register(RPCModule, "network", 0, interop.Func0(src.Network))
	svc.Register(RPCModule, "process", 2, interop.Func2(func(ctx context.Context, pid string, forceState bool) (ProcessDetail, error) {
		d, err := src.Process(ctx, pid, forceState)
		return d, raised(err)
	}))
	svc.Register(RPCModule, "kill", 2, interop.Func2(func(ctx context.Context, pid string, reason etf.Atom) (etf.Term, error) {
		return etf.Atom("ok"), raised(src.Kill(ctx, pid, reason))
	}))
	svc.Register(RPCModule, "applications", 0, interop.Func0(src.Applications))
	svc.Register(RPCModule, "connections", 0, interop.Func0(src.Connections))
}
