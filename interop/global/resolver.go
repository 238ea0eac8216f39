// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"context"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// startResolver runs exchange_names for the names n sent, off the server
// process: resolving a clash may need an rpc to the node of the
// conflicting pid. The result comes back as exchangeOps.
func (sp *serverProc) startResolver(n etf.Atom, ss *session, names etf.List) {
	ss.gotExchange, ss.exchangeNames, ss.lockSet = false, nil, false
	s, self, tag, srv := sp.s, sp.p, ss.myTag, sp.p.Self()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ops, resolved := s.exchangeNames(self, n, names)
		_ = s.n.Send(srv, exchangeOps{node: n, tag: tag, ops: ops, resolved: resolved})
	}()
}

// exchangeNames compares the peer's names with ours. A clash is resolved
// by the node with the smaller name (so all resolve funs of a clash run in
// one partition), by running the method stored with our entry on the
// node of our entry's pid. ops are applied here; resolved is sent back.
func (s *Server) exchangeNames(p *node.Process, peer etf.Atom, names etf.List) (ops, resolved etf.List) {
	self := s.n.Name()
	for _, t := range names {
		nt, ok := tuple(t, 3)
		if !ok {
			continue
		}
		name, method := nt[0], nt[2]
		pid, ok := nt[1].(etf.PID)
		if !ok {
			continue
		}
		ours, exists := s.names.lookup(name)
		switch {
		case !exists:
			ops = append(ops, insertOp(name, pid, method))
		case ours.pid == pid:
		case self < peer:
			res, err := s.resolveAt(p, ours.pid.Node, ours.method, name, pid, ours.pid)
			switch {
			case err != nil:
				s.log.Warn("global: badrpc resolving a name conflict", "name", name, "err", err)
				ops = append(ops, insertOp(name, pid, method))
			case res == pid:
				ops = append(ops, insertOp(name, pid, method))
			case res == ours.pid:
				resolved = append(resolved, insertOp(name, ours.pid, ours.method))
			default:
				del := etf.Tuple{etf.Atom("delete"), name}
				ops = append(ops, del)
				resolved = append(resolved, del)
			}
		default:
			// The other node resolves this clash.
		}
	}
	return ops, resolved
}

func insertOp(name etf.Term, pid etf.PID, method etf.Term) etf.Tuple {
	return etf.Tuple{etf.Atom("insert"), etf.Tuple{name, pid, method}}
}

// resolveAt is rpc:call(Node, global, resolve_it, [Method, Name, Pid1, Pid2]).
func (s *Server) resolveAt(p *node.Process, at etf.Atom, method, name etf.Term, pid1, pid2 etf.PID) (etf.Term, error) {
	if at == s.n.Name() {
		return resolveLocal(p, method, name, pid1, pid2), nil
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.callTmo)
	defer cancel()
	return interop.RPC(ctx, s.n, at, "global", "resolve_it", etf.List{method, name, pid1, pid2})
}

// resolveLocal runs a resolve method on the Go node. Go runs OTP's three
// standard resolvers (given as external funs global:F/3); any other method
// (a BEAM fun Go cannot run) falls back to random_exit_name, global's
// default.
func resolveLocal(p *node.Process, method, name etf.Term, pid1, pid2 etf.PID) etf.Term {
	minP, maxP := pid1, pid2
	if !(pid1.Node < pid2.Node) {
		minP, maxP = pid2, pid1
	}
	fn := etf.Atom("random_exit_name")
	if e, ok := method.(etf.Export); ok && e.Module == "global" && e.Arity == 3 {
		fn = e.Function
	}
	switch fn {
	case "random_notify_name":
		_ = p.Send(maxP, etf.Tuple{etf.Atom("global_name_conflict"), name})
		return minP
	case "notify_all_name":
		_ = p.Send(pid1, etf.Tuple{etf.Atom("global_name_conflict"), name, pid2})
		_ = p.Send(pid2, etf.Tuple{etf.Atom("global_name_conflict"), name, pid1})
		return etf.Atom("none")
	default:
		_ = p.Exit(maxP, atomKill)
		return minP
	}
}

// RegisterResolver makes global:resolve_it/4 callable on the Go node
// through svcs (rpc/erpc), which a BEAM node uses when it resolves a clash
// over a name whose pid lives on the Go node.
func (s *Server) RegisterResolver(svcs *interop.Services) {
	svcs.Register("global", "resolve_it", 4, func(ctx context.Context, args etf.List) (etf.Term, error) {
		if len(args) != 4 {
			return nil, interop.Raise(etf.Atom("badarg"))
		}
		p1, ok1 := args[2].(etf.PID)
		p2, ok2 := args[3].(etf.PID)
		if !ok1 || !ok2 {
			return nil, interop.Raise(etf.Atom("badarg"))
		}
		return s.call(ctx, regReq{op: opResolve, method: args[0], name: args[1], pid: p1, pid2: p2})
	})
}
