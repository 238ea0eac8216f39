package events

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestSustainedLoad publishes 100,000 messages to subscribers on another
// node: none lost, none duplicated, each subscriber in publish order, and
// A sent exactly one copy per message to B.
func TestSustainedLoad(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "load")
	require.NoError(t, err)
	const subs, msgs = 4, 100_000
	var ps []*proc
	for range subs {
		p := spawnProc(t, b)
		_, _, err := sb.Monitor(ctx, p.P, tok.Event())
		require.NoError(t, err)
		ps = append(ps, p)
	}
	for i := range msgs {
		require.NoError(t, Publish(prod.P, tok, etf.Tuple{etf.Atom("n"), i}))
	}
	for _, p := range ps {
		for i := range msgs {
			m := p.recvMsg(t)
			require.Equal(t, etf.Tuple{etf.Atom("n"), i}, m.Msg, "subscriber %v", p.P.Self())
		}
	}
	require.Equal(t, uint64(msgs), sa.Stats().Sent)
	require.Equal(t, uint64(msgs), sb.Stats().Received)
	require.Equal(t, uint64(subs*msgs), sb.Stats().Delivered)
}

// TestPastTickTime: with a 2 s net_ticktime, a subscription idle for
// longer than the ticktime still delivers, and the event's end still
// reaches the subscriber.
func TestPastTickTime(t *testing.T) {
	c := newCluster(t)
	tick := node.WithTickTime(2 * time.Second)
	a, sa := c.goNode(t, "a", tick)
	b, sb := c.goNode(t, "b", tick)
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "idle", WithBuffer(1))
	require.NoError(t, err)
	sub := spawnProc(t, b)
	ref, _, err := sb.Monitor(ctx, sub.P, tok.Event())
	require.NoError(t, err)
	require.NoError(t, Publish(prod.P, tok, etf.Atom("before")))
	require.Equal(t, etf.Atom("before"), sub.recvMsg(t).Msg)
	time.Sleep(5 * time.Second) // the behaviour under test: idle past 2x ticktime
	require.Contains(t, b.ConnectedNodes(), a.Name(), "the connection survived the idle period")
	require.NoError(t, Publish(prod.P, tok, etf.Atom("after")))
	require.Equal(t, etf.Atom("after"), sub.recvMsg(t).Msg)
	prod.exit(t, etf.Atom("done"))
	require.Equal(t, node.DownMsg{Ref: ref, Type: "process", Object: tok.PID(), Reason: etf.Atom("done")}, sub.recv(t))
}
