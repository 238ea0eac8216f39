package node

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestInlineErlPastTickTime: erl calls a Go server whose handler runs
// inline on the connection's reader and sleeps twice the net_ticktime (2 s
// on both sides); meanwhile 8 erl processes make 2,000 calls each to
// another Go server over the same connection. Every call must be
// answered, the connection must stay up (erl's ticks are read by the
// reader that took over), and afterwards the once-blocked server answers
// another 2,000 calls.
func TestInlineErlPastTickTime(t *testing.T) {
	n, e, w, pr := burstErlSetup(t)
	for _, name := range []etf.Atom{"inl_srv", "inl_echo"} {
		_, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			from, req, ok := ParseGenCall(m)
			if !ok {
				return nil
			}
			if req == etf.Atom("block") {
				time.Sleep(2 * burstTick) // the idle period under test, on the reader
			}
			return Reply(p, from, req)
		}), WithName(name))
		if err != nil {
			t.Fatal(err)
		}
	}
	g := "'" + string(n.Name()) + "'"
	code := `G = ` + g + `, Self = self(), ` +
		`Calls = fun(Name, K) -> lists:all(fun(I) -> gen_server:call({Name, G}, I, 20000) =:= I end, lists:seq(1, K)) end, ` +
		`spawn(fun() -> Self ! {blk, gen_server:call({inl_srv, G}, block, 30000)} end), ` +
		`Ws = [spawn(fun() -> Self ! {w, Calls(inl_echo, 2000)} end) || _ <- lists:seq(1, 8)], ` +
		`Rs = [receive {w, R} -> R after 60000 -> timeout end || _ <- Ws], ` +
		`Blk = receive {blk, X} -> X after 60000 -> timeout end, ` +
		`{Rs, Blk, Calls(inl_srv, 2000)}.`
	r := resultOf(t, pr, e.evalAsync(pr, code))
	yes := etf.Atom("true")
	want := etf.Tuple{etf.List{yes, yes, yes, yes, yes, yes, yes, yes}, etf.Atom("block"), yes}
	if !etf.Equal(r, want) {
		t.Fatalf("erl: %#v, want %#v", r, want)
	}
	noNodeEvents(t, w, "Go server")
}
