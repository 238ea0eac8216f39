package actors_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestNodeStopTerminatesTrees: node.Stop reaches top-level actors as a
// shutdown from the node; trapping actors and supervisors terminate
// cleanly (Terminate runs, children stop in reverse order) well before
// Stop's deadline would force kills.
func TestNodeStopTerminatesTrees(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		n, err := node.Start(context.Background(), "stop@localhost", node.WithoutDistribution(), node.WithLogger(quiet()))
		require.NoError(t, err)
		var reason etf.Term
		_, err = actors.Spawn(n, &counter{terminated: &reason}, node.WithTrapExit())
		require.NoError(t, err)
		_, err = actors.Spawn(n, &actors.Supervisor{Children: []actors.ChildSpec{
			spec(j, "a", actors.Permanent), spec(j, "b", actors.Permanent)}})
		require.NoError(t, err)
		j.take()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		require.NoError(t, n.Stop(ctx))
		require.Equal(t, node.Shutdown, reason, "top-level trapping actor's Terminate")
		require.Equal(t, []string{"stop:b", "stop:a"}, j.take(), "children stopped in reverse order")
		require.True(t, ctx.Err() == nil, "no forced kill")
	})
}

// TestNewBehavior runs an actor with node's own Spawn.
func TestNewBehavior(t *testing.T) {
	n := localNode(t)
	pid, err := n.Spawn(actors.NewBehavior(&counter{}, actors.WithArgs(7)))
	require.NoError(t, err)
	v, err := actors.Call[int](context.Background(), n, pid, etf.Atom("get"))
	require.NoError(t, err)
	require.Equal(t, 7, v)
}
