package soak

import (
	"context"
	"fmt"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// callsTo runs callers Go goroutines, each making calls calls to the peer,
// alternately gen_server calls to its echo server (an Erlang gen_server on
// erl, an Elixir GenServer on elixir) and rpc calls of erlgo_soak:echo/1
// (through the peer's rex). Every reply must equal its request.
func (r *run) callsTo(ctx context.Context, peer *beamPeer, callers, calls int, t *tally) {
	dir := "go->" + peer.kind
	srv := node.Name{Name: etf.Atom(peer.echo), Node: etf.Atom(peer.name)}
	var wg sync.WaitGroup
	for c := 1; c <= callers; c++ {
		wg.Go(func() {
			for i := range calls {
				req := etf.Tuple{etf.Atom("echo"), c, i, payload(i)}
				var reply etf.Term
				var err error
				if i%2 == 0 {
					reply, err = r.call(ctx, srv, req)
				} else {
					cctx, cancel := context.WithTimeout(ctx, callTimeout)
					reply, err = interop.RPC(cctx, r.g.n, etf.Atom(peer.name), beamServer, "echo", etf.List{req})
					cancel()
				}
				t.add(func(t *tally) {
					t.calls++
					switch {
					case err != nil:
						t.failedCalls++
						t.addErr(fmt.Sprintf("%s call %d/%d: %v", dir, c, i, err))
					case !etf.Equal(reply, req):
						t.failedCalls++
						t.addErr(fmt.Sprintf("%s call %d/%d: reply %.200s", dir, c, i, etf.Format(reply)))
					}
				})
			}
		})
	}
	wg.Wait()
}

// callsFrom asks the peer to run callers processes making calls each into
// the Go node: gen_server:call to the Go echo actor and erpc:call of a Go
// function, alternately.
func (r *run) callsFrom(ctx context.Context, peer *beamPeer, callers, calls int, t *tally) {
	r.remoteOps(ctx, peer, peer.kind+"->go calls",
		etf.Tuple{etf.Atom("call_go"), callers, calls, etf.Tuple{goEcho, r.g.n.Name()}, r.g.n.Name()},
		func(t *tally, ops, failed int) { t.calls += ops; t.failedCalls += failed }, t)
}

// remoteOps makes one erlgo_soak call that answers {Ops, Failed, Errs} and
// books it with book.
func (r *run) remoteOps(ctx context.Context, peer *beamPeer, what string, req etf.Term, book func(t *tally, ops, failed int), t *tally) {
	srv := node.Name{Name: beamServer, Node: etf.Atom(peer.name)}
	reply, err := r.callTimeout(ctx, srv, req, r.cfg.Deadline)
	if err != nil {
		t.control(what, err)
		return
	}
	rt, ok := reply.(etf.Tuple)
	if !ok || len(rt) != 3 {
		t.control(what, fmt.Errorf("bad reply %s", etf.Format(reply)))
		return
	}
	ops, _ := intOf(rt[0])
	failed, _ := intOf(rt[1])
	errs, _ := rt[2].(etf.List)
	t.add(func(t *tally) {
		book(t, ops, failed)
		for _, e := range errs {
			t.addErr(what + ": " + textOf(e))
		}
	})
}
