package node

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// TestErrorsKeepTheirCause: the ErrNoConnection errors of Node.Connect and
// of a send on a live connection wrap both the sentinel and the cause
// (fmt.Errorf "%w: %w"), against a real erl peer. The sentinel stays first
// in the chain, so the exit reason is still noconnection, and a cause that
// is not a timeout does not make the error one.
func TestErrorsKeepTheirCause(t *testing.T) {
	n, e := erlSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	// A node with another cookie: erl refuses its challenge reply.
	bad := distNode(t, "bad"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", n.cfg.epmdPort, "not-"+n.cfg.cookie)
	badCookie := bad.Connect(ctx, e.name)

	// A live connection, then a message that cannot be encoded: the send
	// fails in dist's encoder, not on the wire.
	if err := n.Connect(ctx, e.name); err != nil {
		t.Fatalf("Connect %s: %v", e.name, err)
	}
	pr := spawnProbe(t, n)
	var nanSend error
	pr.do(func(p *Process) error {
		nanSend = p.Send(Name{"nobody", e.name}, math.NaN())
		return nil
	})

	for _, tc := range []struct {
		site  string
		err   error
		cause error
	}{
		{"Node.Connect, refused cookie", badCookie, dist.ErrBadCookie},
		{"send on a live connection, unencodable term", nanSend, etf.ErrInvalidTerm},
	} {
		t.Run(tc.site, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(tc.err, ErrNoConnection) {
				t.Errorf("%v: does not match the sentinel ErrNoConnection", tc.err)
			}
			if !errors.Is(tc.err, tc.cause) {
				t.Errorf("%v: does not match its cause %v", tc.err, tc.cause)
			}
			if r := reasonOf(tc.err); r != NoConnection {
				t.Errorf("exit reason %v, want noconnection", r)
			}
			if errors.Is(tc.err, ErrTimeout) || errors.Is(tc.err, context.DeadlineExceeded) {
				t.Errorf("%v: matches a timeout", tc.err)
			}
		})
	}
}
