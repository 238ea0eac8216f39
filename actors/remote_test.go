package actors_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// secondNode starts another Go node in the cluster's EPMD.
func (c *cluster) secondNode(t testing.TB) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	name := fmt.Sprintf("go_peer_%d_%d@127.0.0.1", os.Getpid(), erlSeq.Add(1))
	n, err := node.Start(ctx, name, node.WithCookie(c.cookie), node.WithLogger(quiet()), node.WithEPMD("127.0.0.1", c.epmd))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), erlWait)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

// TestGoToGoRemote: the client functions against actors on another Go
// node, over the distribution protocol.
func TestGoToGoRemote(t *testing.T) {
	c := newCluster(t)
	startITActors(t, c.n)
	b := c.secondNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	at := func(name etf.Atom) etf.Term { return etf.Tuple{name, c.n.Name()} }
	// Readiness: a call made while node sets up the connection can fail
	// with a spurious noconnection (node's remote.monitor runs before
	// HandleConnUp has booked the peer; reported to node), so wait until
	// the connection serves calls.
	require.NoError(t, b.Connect(ctx, c.n.Name()))
	for {
		if _, err := b.Call(ctx, at("go_counter"), etf.Atom("get")); err == nil {
			break
		} else if !errors.Is(err, node.ErrNoConnection) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	v, err := actors.Call[int](ctx, b, at("go_counter"), etf.Atom("get"))
	require.NoError(t, err)
	require.Equal(t, 0, v)
	require.NoError(t, actors.Cast(b, at("go_counter"), etf.Atom("inc")))
	st, err := actors.GetState(ctx, b, at("go_counter"))
	require.NoError(t, err)
	require.Equal(t, 1, st)
	cs, err := actors.WhichChildren(ctx, b, at("go_sup"))
	require.NoError(t, err)
	require.Equal(t, 2, len(cs))
	pid, err := actors.StartChildArgs(ctx, b, at("go_sofo"), etf.Atom("x"), 1)
	require.NoError(t, err)
	require.Equal(t, c.n.Name(), pid.Node)
	r, err := actors.Call[etf.Atom](ctx, b, pid, etf.Atom("args"))
	require.NoError(t, err)
	require.Equal(t, etf.Atom("x_1"), r)
	_, err = b.Call(ctx, at("missing"), etf.Atom("get"))
	require.ErrorIs(t, err, node.ErrNoProc)

	require.NoError(t, c.n.Stop(ctx))
	_, err = b.Call(ctx, at("go_counter"), etf.Atom("get"))
	require.ErrorIs(t, err, node.ErrNoConnection)
	require.True(t, ctx.Err() == nil, "noconnection at once")
}
