package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestCallAfterKillWhileHandling: a kill that arrives while the handler
// runs, before it starts a Call, ends that Call at once with the kill's
// reason (the process is as good as dead), as a kill during the Call
// does; it used to wait out the call's deadline and return ErrTimeout.
func TestCallAfterKillWhileHandling(t *testing.T) {
	n := localNode(t)
	silent, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		reason etf.Term
		want   etf.Term
	}{{Kill, Killed}, {etf.Atom("shutdown"), etf.Atom("shutdown")}} {
		inHandler, killed := make(chan struct{}), make(chan struct{})
		result := make(chan error, 1)
		pid, err := n.Spawn(BehaviorFunc(func(p *Process, msg etf.Term) error {
			close(inHandler)
			<-killed
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := p.Call(ctx, silent, etf.Atom("hello"))
			result <- err
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Send(pid, etf.Atom("go")); err != nil {
			t.Fatal(err)
		}
		<-inHandler
		if err := n.Exit(pid, tc.reason); err != nil {
			t.Fatal(err)
		}
		close(killed)
		err = <-result
		var ee *ExitError
		if !errors.As(err, &ee) || !etf.Equal(ee.Reason, tc.want) {
			t.Fatalf("exit %v during the handler: Call returned %v, want an *ExitError %v", tc.reason, err, tc.want)
		}
	}
}
