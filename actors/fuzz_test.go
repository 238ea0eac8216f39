package actors_test

import (
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/etf"
)

// FuzzSupervisorProtocol feeds arbitrary decoded terms to a supervisor as
// calls, casts, sys requests, plain messages and as the From of calls:
// whatever BEAM sends, the actor adapter and the supervisor must neither
// crash nor stop answering.
func FuzzSupervisorProtocol(f *testing.F) {
	seeds := []etf.Term{
		etf.Atom("which_children"),
		etf.Tuple{etf.Atom("start_child"), etf.List{1, 2}},
		etf.Tuple{etf.Atom("start_child"), etf.Map{{Key: etf.Atom("id"), Value: 1}, {Key: etf.Atom("start"), Value: etf.Tuple{etf.Atom("m"), etf.Atom("f"), 1}}}},
		etf.Tuple{etf.Atom("start_child"), etf.Tuple{1, 2, 3, 4, 5, 6}},
		etf.Tuple{etf.Atom("terminate_child"), etf.Atom("a")},
		etf.Tuple{etf.Atom("restart_child"), etf.List{}},
		etf.Tuple{etf.Atom("delete_child"), etf.Tuple{}},
		etf.Tuple{etf.Atom("get_childspec"), etf.Atom("nope")},
		etf.Tuple{etf.Atom("replace_state"), etf.Atom("x")},
		etf.Tuple{etf.Atom("debug"), etf.Atom("x")},
		etf.Atom("get_status"),
	}
	for _, s := range seeds {
		b, err := etf.Encode(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	child := actors.ChildSpec{ID: etf.Atom("a"), Start: func(etf.List) (actors.Actor, error) { return &counter{}, nil }}
	h := actorstest.New(f, &actors.Supervisor{Children: []actors.ChildSpec{child},
		Factories: map[etf.Atom]actors.Factory{"m": func(etf.List) (actors.Actor, error) { return &counter{}, nil }}})
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		ht := h.WithT(t)
		ht.ResetEvents() // keep the shared harness's memory bounded
		for _, req := range []etf.Term{term, etf.Tuple{etf.Atom("start_child"), term}, etf.Tuple{etf.Atom("terminate_child"), term}} {
			if req == etf.Atom("suspend") { // would hold calls until resume: not a crash
				continue
			}
			_, _ = ht.TryCall(req)
		}
		ht.Cast(term)
		ht.Send(term)
		// arbitrary From tags and malformed envelopes
		ht.Send(etf.Tuple{etf.Atom("$gen_call"), etf.Tuple{ht.Self(), term}, etf.Atom("which_children")})
		ht.Send(etf.Tuple{etf.Atom("$gen_call"), term, etf.Atom("count_children")})
		ht.Send(etf.Tuple{etf.Atom("system"), etf.Tuple{ht.Self(), term}, etf.Atom("get_state")})
		ht.Send(etf.Tuple{etf.Atom("system"), term, term})
		ht.Send(etf.Tuple{etf.Atom("system"), etf.Tuple{ht.Self(), etf.Atom("tag")}, etf.Atom("resume")})
		ht.AssertAlive()
		if r := ht.Call(etf.Atom("count_children")); r == nil {
			t.Fatal("no answer")
		}
	})
}
