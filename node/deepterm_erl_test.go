package node

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestDeepTermsFromErl: a real erl node sends a Go process the terms BEAM
// sends and echoes without trouble (an 8,000,000-bit bignum of either
// sign, 10,000-deep tuple, list and map, a 100,000-deep list) over
// distribution; the Go process echoes each back and erl checks =:=. The
// connection must stay up throughout: erl sees no nodedown and Go still
// reaches erl afterwards. (With the codec's former limits, 4096 levels and
// 64 KiB of bignum digits, the first such message closed the connection.)
func TestDeepTermsFromErl(t *testing.T) {
	n, e := erlSetup(t)
	_, err := n.Spawn(BehaviorFunc(func(p *Process, msg etf.Term) error {
		if tu, ok := msg.(etf.Tuple); ok && len(tu) == 2 {
			return p.Send(tu[0], etf.Tuple{etf.Atom("echo"), tu[1]})
		}
		return nil
	}), WithName("deepecho"))
	if err != nil {
		t.Fatal(err)
	}
	pr := spawnProbe(t, n)
	ref := e.evalAsync(pr, `GoNode = '`+string(n.Name())+`',
		true = erlang:monitor_node(GoNode, true),
		Wrap = fun(tuple, In) -> {In}; (list, In) -> [In]; (map, In) -> #{k => In} end,
		Build = fun({big, S, B}) -> S * ((1 bsl B) - 1);
		           ({Shape, N}) -> lists:foldl(fun(_, In) -> Wrap(Shape, In) end, leaf, lists:seq(1, N)) end,
		Echo = fun(Spec) ->
		           T = Build(Spec),
		           {deepecho, GoNode} ! {self(), T},
		           receive {echo, R} -> {Spec, R =:= T} after 20000 -> {Spec, timeout} end
		       end,
		Rs = [Echo(S) || S <- [{big, 1, 8000000}, {big, -1, 8000000}, {tuple, 10000},
		                      {list, 10000}, {map, 10000}, {list, 100000}]],
		Down = receive {nodedown, GoNode} -> nodedown after 0 -> up end,
		{Rs, Down, lists:member(GoNode, nodes())}.`)
	var res etf.Tuple
	deadline := time.After(3 * time.Minute)
	for res == nil {
		select {
		case m := <-pr.ch:
			if tu, ok := m.(etf.Tuple); ok && len(tu) == 2 && tu[0] == ref {
				res, _ = tu[1].(etf.Tuple)
				if res == nil {
					t.Fatalf("erl answered %s", etf.Format(tu[1]))
				}
			}
		case <-deadline:
			t.Fatal("no answer from erl")
		}
	}
	if len(res) != 3 {
		t.Fatalf("erl answered %s", etf.Format(res))
	}
	rs, _ := res[0].(etf.List)
	if len(rs) != 6 {
		t.Fatalf("erl answered %s", etf.Format(res))
	}
	for _, r := range rs {
		r := r.(etf.Tuple)
		if r[1] != etf.Atom("true") {
			t.Errorf("%s: echo was %s", etf.Format(r[0]), etf.Format(r[1]))
		}
	}
	if res[1] != etf.Atom("up") || res[2] != etf.Atom("true") {
		t.Fatalf("connection did not survive: erl saw %s, Go node connected: %s", etf.Format(res[1]), etf.Format(res[2]))
	}
	// And from the Go side: the same connection still carries calls.
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if r, err := n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()}); err != nil || r != etf.Atom("yes") {
		t.Fatalf("call after the deep terms: %v, %v", r, err)
	}
}
