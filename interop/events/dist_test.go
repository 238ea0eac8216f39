package events

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestAcrossGoNodes: a producer on A, subscribers on A, B and C (many on
// B and C). Each gets the buffer, then every message once and in order,
// then DOWN with the producer's reason. A sends each message once per
// subscribing node (its own service, B's and C's), never per subscriber.
func TestAcrossGoNodes(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	cc, sc := c.goNode(t, "c")
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "quotes", WithBuffer(2), WithNotify())
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	const perNode = 50
	type sub struct {
		p   *proc
		ref etf.Ref
	}
	var subs []sub
	for _, on := range []struct {
		n *node.Node
		s *Server
		k int
	}{{a, sa, 1}, {b, sb, perNode}, {cc, sc, perNode}} {
		for range on.k {
			p := spawnProc(t, on.n)
			ref, last, err := on.s.Monitor(ctx, p.P, tok.Event())
			require.NoError(t, err)
			require.Equal(t, ints(2, 3), last)
			subs = append(subs, sub{p, ref})
		}
	}
	require.Equal(t, Started{Event: tok.Event()}, prod.recv(t))
	sentBefore := sa.Stats().Sent
	const msgs = 20
	for i := 4; i < 4+msgs; i++ {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	for _, s := range subs {
		for i := 4; i < 4+msgs; i++ {
			require.Equal(t, Message{Event: tok.Event(), Msg: i}, s.p.recvMsg(t))
		}
	}
	require.Equal(t, uint64(3*msgs), sa.Stats().Sent-sentBefore, "one message per node and publish")
	// B's and C's services each received every message once, from A, and
	// handed out the copies (subscribers got events.Message values, which
	// only a local send carries: a message from A would be a decoded tuple).
	for _, s := range []*Server{sb, sc} {
		st := s.Stats()
		require.Equal(t, uint64(msgs), st.Received)
		require.Equal(t, uint64(perNode*msgs), st.Delivered)
	}

	prod.exit(t, etf.Tuple{etf.Atom("shutdown"), etf.Atom("maintenance")})
	for _, s := range subs {
		down, ok := s.p.recv(t).(node.DownMsg)
		require.True(t, ok)
		require.Equal(t, s.ref, down.Ref)
		require.Equal(t, etf.Tuple{etf.Atom("shutdown"), etf.Atom("maintenance")}, down.Reason)
	}
	eventually(t, "B forgets the ended event", func() bool { return subsOf(sb) == 0 })
}

// subsOf counts the subscriptions a service holds (read on the test
// goroutine through a request so it does not race the service).
func subsOf(s *Server) int {
	ch := make(chan int, 1)
	_ = s.n.Send(s.PID(), inspectReq(func(sv *service) { ch <- len(sv.s.subs) }))
	select {
	case k := <-ch:
		return k
	case <-time.After(waitFor):
		return -1
	}
}

// TestRemoteLinkAndUnsubscribe: a linked trapping subscriber on B gets
// the exit signal; unsubscribing the last subscriber of B makes the event
// forget B (Stopped), and later messages are not sent to B.
func TestRemoteLinkAndUnsubscribe(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "feed", WithNotify())
	require.NoError(t, err)
	ev := tok.Event()
	linked := spawnProc(t, b, node.WithTrapExit())
	_, err = sb.Link(ctx, linked.P, ev)
	require.NoError(t, err)
	mon := spawnProc(t, b)
	ref, _, err := sb.Monitor(ctx, mon.P, ev)
	require.NoError(t, err)
	require.Equal(t, Started{Event: ev}, prod.recv(t))
	require.NoError(t, Publish(prod.P, tok, etf.Atom("one")))
	require.Equal(t, etf.Atom("one"), linked.recvMsg(t).Msg)
	require.Equal(t, etf.Atom("one"), mon.recvMsg(t).Msg)

	require.NoError(t, sb.Demonitor(ctx, mon.P, ev, ref))
	require.NoError(t, sb.Unlink(ctx, linked.P, ev))
	require.ErrorIs(t, sb.Unlink(ctx, linked.P, ev), ErrNotSubscribed)
	require.Equal(t, Stopped{Event: ev}, prod.recv(t))
	sent := sa.Stats().Sent
	require.NoError(t, Publish(prod.P, tok, etf.Atom("two")))
	syncWith(t, prod, tok)
	require.Equal(t, sent, sa.Stats().Sent, "no message for B after it left")

	// The link is gone: the producer's end reaches the trapping process
	// no more.
	prod.exit(t, etf.Atom("bye"))
	linked.quiet(t, 200*time.Millisecond)
	mon.quiet(t, 0)
}

// syncWith returns once the event has handled what pr published before:
// a call from the same sender is handled after them.
func syncWith(t *testing.T, pr *proc, tok Token) {
	t.Helper()
	pr.do(t, func(p *node.Process) {
		r, err := p.Call(context.Background(), tok.PID(), etf.Atom("sync"))
		require.NoError(t, err)
		require.Equal(t, errorTerm(atomBadarg), r)
	})
}

// TestSubscriberNodeDisconnects: when B's connection to A goes, B's
// subscribers get DOWN noconnection and the event forgets B (the producer
// is told Stopped); the event keeps serving A's subscribers.
func TestSubscriberNodeDisconnects(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "feed", WithNotify())
	require.NoError(t, err)
	ev := tok.Event()
	var onB []*proc
	for range 5 {
		p := spawnProc(t, b)
		_, _, err := sb.Monitor(ctx, p.P, ev)
		require.NoError(t, err)
		onB = append(onB, p)
	}
	require.Equal(t, Started{Event: ev}, prod.recv(t))
	require.NoError(t, b.Disconnect(a.Name()))
	for _, p := range onB {
		down, ok := p.recv(t).(node.DownMsg)
		require.True(t, ok)
		require.Equal(t, etf.Atom("noconnection"), down.Reason)
	}
	require.Equal(t, Stopped{Event: ev}, prod.recv(t))
	eventually(t, "B's service forgets the event", func() bool { return subsOf(sb) == 0 })

	local := spawnProc(t, a)
	_, _, err = sa.Monitor(ctx, local.P, ev)
	require.NoError(t, err)
	require.Equal(t, Started{Event: ev}, prod.recv(t))
	sent := sa.Stats().Sent
	require.NoError(t, Publish(prod.P, tok, etf.Atom("after")))
	require.Equal(t, etf.Atom("after"), local.recvMsg(t).Msg)
	require.Equal(t, sent+1, sa.Stats().Sent, "B is not sent to any more")
	for _, p := range onB {
		p.quiet(t, 0)
	}

	// B subscribes again: it reconnects and gets the messages again.
	again := spawnProc(t, b)
	_, _, err = sb.Monitor(ctx, again.P, ev)
	require.NoError(t, err)
	require.NoError(t, Publish(prod.P, tok, etf.Atom("back")))
	require.Equal(t, etf.Atom("back"), again.recvMsg(t).Msg)

	// The event's end reaches the new subscriber, and none of the old
	// ones (their monitors fired with noconnection already).
	prod.exit(t, etf.Atom("closed"))
	down, ok := again.recv(t).(node.DownMsg)
	require.True(t, ok)
	require.Equal(t, etf.Atom("closed"), down.Reason)
	for _, p := range onB {
		p.quiet(t, 0)
	}
}

// TestTokenOnAnotherNode: the token travels as a term to node B, which
// publishes with it and unregisters the event; a subscriber on C gets the
// message and DOWN normal.
func TestTokenOnAnotherNode(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, _ := c.goNode(t, "b")
	cc, sc := c.goNode(t, "c")
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "handover")
	require.NoError(t, err)
	sub := spawnProc(t, cc)
	ref, _, err := sc.Monitor(ctx, sub.P, tok.Event())
	require.NoError(t, err)

	holder := spawnProc(t, b)
	require.NoError(t, a.Send(holder.P.Self(), etf.Tuple{etf.Atom("token"), tok.Term()}))
	got := holder.recv(t).(etf.Tuple)
	onB, err := ParseToken(got[1])
	require.NoError(t, err)
	require.NoError(t, Publish(holder.P, onB, etf.Atom("from_b")))
	require.Equal(t, Message{Event: tok.Event(), Msg: etf.Atom("from_b")}, sub.recvMsg(t))
	require.NoError(t, Unregister(ctx, b, onB))
	require.Equal(t, node.DownMsg{Ref: ref, Type: "process", Object: tok.PID(), Reason: node.Normal}, sub.recv(t))
	require.Empty(t, sa.Events())
	require.ErrorIs(t, Unregister(ctx, b, onB), ErrUnknownEvent)
}

// TestProducerDiesRightAfterRegister: a remote subscriber racing the
// producer's death gets either ErrUnknownEvent or a DOWN, never silence.
func TestProducerDiesRightAfterRegister(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	ctx := ctxT(t)
	for i := range 20 {
		prod := spawnProc(t, a)
		tok, err := sa.Register(ctx, prod.P, etf.Atom("short"+string(rune('a'+i))))
		require.NoError(t, err)
		prod.exit(t, etf.Atom("died"))
		sub := spawnProc(t, b)
		ref, _, err := sb.Monitor(ctx, sub.P, tok.Event())
		if err != nil {
			require.ErrorIs(t, err, ErrUnknownEvent)
			continue
		}
		down, ok := sub.recv(t).(node.DownMsg)
		require.True(t, ok)
		require.Equal(t, ref, down.Ref)
		require.Contains(t, []etf.Term{etf.Atom("died"), etf.Atom("noproc")}, down.Reason)
	}
}

// TestUnknownNodes: an event on a BEAM-less, unreachable or service-less
// node is an error, not a hang.
func TestUnknownNodes(t *testing.T) {
	c := newCluster(t)
	_, sa := c.goNode(t, "a")
	bare, err := node.Start(ctxT(t), uniq("bare")+"@127.0.0.1", node.WithCookie(c.cookie),
		node.WithEPMD("127.0.0.1", c.epmd), node.WithListenAddr("127.0.0.1:0"), node.WithLogger(testLogger()))
	require.NoError(t, err)
	t.Cleanup(func() { stopNode(t, bare) })
	ctx := ctxT(t)
	sub := spawnProc(t, sa.Node())
	_, _, err = sa.Monitor(ctx, sub.P, Event{Name: "x", Node: bare.Name()})
	require.ErrorIs(t, err, ErrNoService)
	_, _, err = sa.Monitor(ctx, sub.P, Event{Name: "x", Node: "nobody@127.0.0.1"})
	require.ErrorIs(t, err, ErrNoService)
	require.ErrorIs(t, err, node.ErrNoConnection)
	require.Equal(t, 0, subsOf(sa))
}
