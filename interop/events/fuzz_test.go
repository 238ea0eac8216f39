package events

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// FuzzService sends a decoded hostile term to the erlgo_events service
// (as a plain message, or as the request of a gen_server call from a pid
// of a node that cannot be reached) or to an event process, and checks
// that both are the same processes afterwards and still answer, and that
// the parser's results stay within bounds. The node has no distribution,
// so every reply and lookup to another node fails, the worst case.
func FuzzService(f *testing.F) {
	gone := etf.PID{Node: "gone@127.0.0.1", ID: 42, Creation: 7}
	ref := etf.Ref{Node: "gone@127.0.0.1", Creation: 7, Len: 3, ID: [5]uint32{1, 2, 3}}
	for _, s := range []struct {
		how  uint8 // 0 plain to the service, 1 call to the service, 2 plain to the event, 3 call to the event
		term etf.Term
	}{
		{1, etf.Tuple{atomLookup, etf.Atom("fuzz")}},
		{1, etf.Tuple{atomLookup, 42}},
		{1, etf.Tuple{atomRegister, etf.Atom("r"), etf.List{atomNotify, etf.Tuple{atomBuffer, 3}}}},
		{1, etf.Tuple{atomRegister, etf.Atom("r"), etf.List{etf.Tuple{atomBuffer, -1}}}},
		{1, etf.Tuple{atomRegister, etf.Atom("r"), etf.ImproperList{Elems: []etf.Term{atomNotify}, Tail: 1}}},
		{1, atomWhich},
		{0, etf.Tuple{atomEvent, etf.Tuple{etf.Atom("fuzz"), etf.Atom("x@y")}, 1}},
		{0, etf.Tuple{ref, etf.Tuple{atomOK, gone}}},
		{0, etf.Tuple{ref, etf.Tuple{atomOK, etf.List{1}, 1 << 40}}},
		{0, etf.Tuple{node.GenCall, etf.Atom("nofrom"), atomWhich}},
		{2, etf.Tuple{atomPublish, ref, etf.Atom("forged")}},
		{2, etf.Tuple{atomPublish}},
		{3, atomSubscribe},
		{3, atomNodeSub},
		{3, atomUnsub},
		{3, etf.Tuple{atomUnreg, ref}},
		{3, etf.Tuple{atomUnreg}},
	} {
		b, err := etf.Encode(s.term)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.how, b)
	}
	n, err := node.Start(context.Background(), uniq("fuzz")+"@127.0.0.1", node.WithoutDistribution(), node.WithLogger(testLogger()))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { stopNode(f, n) })
	s, err := Start(context.Background(), n, WithMaxBuffer(100))
	if err != nil {
		f.Fatal(err)
	}
	prod := spawnProc(f, n)
	tok, err := s.Register(context.Background(), prod.P, "fuzz", WithBuffer(2))
	if err != nil {
		f.Fatal(err)
	}
	svc := s.PID()
	f.Fuzz(func(t *testing.T, how uint8, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		if c := parseServiceCall(term, s.maxBuffer); c.cfg.buffer < 0 || c.cfg.buffer > s.maxBuffer {
			t.Fatalf("buffer %d out of bounds for %s", c.cfg.buffer, etf.Format(term))
		}
		to := svc
		if how&2 != 0 {
			to = tok.PID()
		}
		msg := term
		if how&1 != 0 {
			msg = node.GenCallMsg(gone, ref, term)
		}
		_ = n.Send(to, msg)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := n.Call(ctx, ServiceName, etf.Tuple{atomLookup, etf.Atom("fuzz")})
		if err != nil || !etf.Equal(r, etf.Tuple{atomOK, tok.PID()}) {
			t.Fatalf("after %s: lookup answered %v, %v", etf.Format(term), r, err)
		}
		if s.PID() != svc {
			t.Fatalf("the service died on %s", etf.Format(term))
		}
		if r, err := n.Call(ctx, tok.PID(), etf.Atom("ping")); err != nil || !etf.Equal(r, errorTerm(atomBadarg)) {
			t.Fatalf("after %s: the event answered %v, %v", etf.Format(term), r, err)
		}
	})
}
