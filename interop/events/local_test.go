package events

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func ints(from, to int) []etf.Term {
	var out []etf.Term
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestBufferAndDown: a subscriber gets the last N on subscribe, then each
// later message once, in order, and a DOWN with the producer's reason.
func TestBufferAndDown(t *testing.T) {
	n, s := localNode(t)
	ctx := ctxT(t)
	prod, sub := spawnProc(t, n), spawnProc(t, n)
	tok, err := s.Register(ctx, prod.P, "prices", WithBuffer(3))
	require.NoError(t, err)
	require.Equal(t, Event{Name: "prices", Node: n.Name()}, tok.Event())
	for i := 1; i <= 5; i++ {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	ref, last, err := s.Monitor(ctx, sub.P, tok.Event())
	require.NoError(t, err)
	require.Equal(t, ints(3, 5), last)
	for i := 6; i <= 8; i++ {
		require.NoError(t, Publish(n, tok, i))
	}
	for i := 6; i <= 8; i++ {
		require.Equal(t, Message{Event: tok.Event(), Msg: i}, sub.recvMsg(t))
	}
	prod.exit(t, etf.Atom("boom"))
	down, ok := sub.recv(t).(node.DownMsg)
	require.True(t, ok)
	require.Equal(t, ref, down.Ref)
	require.Equal(t, tok.PID(), down.Object)
	require.Equal(t, etf.Atom("boom"), down.Reason)
	eventually(t, "name released", func() bool { return len(s.Events()) == 0 })
	st := s.Stats()
	require.Equal(t, uint64(8), st.Published)
	require.Equal(t, uint64(3), st.Sent, "one send per message to the one subscribing node")
	require.Equal(t, uint64(3), st.Delivered)
}

// TestNotifyFirstAndLast: Started when the first subscriber arrives,
// Stopped when the last leaves, nothing in between; a subscriber that dies
// counts as leaving.
func TestNotifyFirstAndLast(t *testing.T) {
	n, s := localNode(t)
	ctx := ctxT(t)
	prod, a, b := spawnProc(t, n), spawnProc(t, n), spawnProc(t, n)
	tok, err := s.Register(ctx, prod.P, "ticks", WithNotify())
	require.NoError(t, err)
	ev := tok.Event()
	ra, _, err := s.Monitor(ctx, a.P, ev)
	require.NoError(t, err)
	require.Equal(t, Started{Event: ev}, prod.recv(t))
	_, err = s.Link(ctx, b.P, ev)
	require.NoError(t, err)
	require.NoError(t, s.Demonitor(ctx, a.P, ev, ra))
	require.ErrorIs(t, s.Demonitor(ctx, a.P, ev, ra), ErrNotSubscribed)
	b.exit(t, node.Normal)
	require.Equal(t, Stopped{Event: ev}, prod.recv(t))
	_, _, err = s.Monitor(ctx, a.P, ev)
	require.NoError(t, err)
	require.Equal(t, Started{Event: ev}, prod.recv(t))
	prod.quiet(t, 50*time.Millisecond)
}

// TestLinkExit: linked subscribers get the producer's exit signal: a
// trapping one as an ExitMsg, a plain one dies with the same reason.
func TestLinkExit(t *testing.T) {
	n, s := localNode(t)
	ctx := ctxT(t)
	prod := spawnProc(t, n)
	trap, plain := spawnProc(t, n, node.WithTrapExit()), spawnProc(t, n)
	tok, err := s.Register(ctx, prod.P, "feed")
	require.NoError(t, err)
	for _, sub := range []*proc{trap, plain} {
		last, err := s.Link(ctx, sub.P, tok.Event())
		require.NoError(t, err)
		require.Empty(t, last)
	}
	plainDone := n.Watch(plain.P.Self())
	require.NoError(t, Publish(prod.P, tok, "hello"))
	require.Equal(t, Message{Event: tok.Event(), Msg: "hello"}, trap.recvMsg(t))
	require.Equal(t, Message{Event: tok.Event(), Msg: "hello"}, plain.recvMsg(t))
	prod.exit(t, etf.Atom("crashed"))
	require.Equal(t, node.ExitMsg{From: tok.PID(), Reason: etf.Atom("crashed")}, trap.recv(t))
	select {
	case reason := <-plainDone:
		require.Equal(t, etf.Atom("crashed"), reason)
	case <-time.After(waitFor):
		t.Fatal("linked subscriber not killed")
	}
}

// TestUnregisterAndTokens: Unregister ends the event with DOWN normal and
// frees the name; a wrong token neither publishes nor unregisters.
func TestUnregisterAndTokens(t *testing.T) {
	n, s := localNode(t)
	ctx := ctxT(t)
	prod, sub := spawnProc(t, n), spawnProc(t, n)
	tok, err := s.Register(ctx, prod.P, "x", WithBuffer(1))
	require.NoError(t, err)
	_, err = s.Register(ctx, prod.P, "x")
	require.ErrorIs(t, err, ErrTaken)
	forged := tok
	forged.ref = n.MakeRef()
	require.NoError(t, Publish(n, forged, "forged"))
	require.ErrorIs(t, Unregister(ctx, n, forged), ErrBadToken)
	require.ErrorIs(t, Publish(n, Token{}, 1), ErrBadToken)
	ref, last, err := s.Monitor(ctx, sub.P, tok.Event())
	require.NoError(t, err)
	require.Empty(t, last, "the forged message was not buffered")
	require.Equal(t, uint64(1), s.Stats().Rejected)

	// The token survives its term form (a BEAM process or another node
	// holds it that way).
	again, err := ParseToken(tok.Term())
	require.NoError(t, err)
	require.Equal(t, tok, again)
	require.NoError(t, Unregister(ctx, prod.P, again))
	require.Equal(t, node.DownMsg{Ref: ref, Type: "process", Object: tok.PID(), Reason: node.Normal}, sub.recv(t))
	require.Empty(t, s.Events())
	require.ErrorIs(t, Unregister(ctx, n, tok), ErrUnknownEvent)
	_, err = s.Register(ctx, prod.P, "x")
	require.NoError(t, err, "the name is free once Unregister returned")
}

// TestRegisterErrors covers the argument errors and a producer that is
// dead already.
func TestRegisterErrors(t *testing.T) {
	n, s := localNode(t, WithMaxBuffer(100))
	ctx := ctxT(t)
	prod, sub := spawnProc(t, n), spawnProc(t, n)
	_, err := s.Register(ctx, prod.P, "big", WithBuffer(101))
	require.ErrorIs(t, err, ErrBadBuffer)
	_, err = s.Register(ctx, prod.P, "neg", WithBuffer(-1))
	require.ErrorIs(t, err, ErrBadBuffer)
	_, _, err = s.Monitor(ctx, sub.P, Event{Name: "nope", Node: n.Name()})
	require.ErrorIs(t, err, ErrUnknownEvent)
	_, err = s.Link(ctx, sub.P, Event{Name: "nope", Node: n.Name()})
	require.ErrorIs(t, err, ErrUnknownEvent)

	dead := spawnProc(t, n)
	done := n.Watch(dead.P.Self())
	dead.exit(t, node.Normal)
	<-done
	tok, err := s.Register(ctx, dead.P, "orphan")
	require.NoError(t, err, "as erlang:monitor/2 of a dead pid, not an error")
	select {
	case reason := <-n.Watch(tok.PID()):
		require.Equal(t, etf.Atom("noproc"), reason)
	case <-time.After(waitFor):
		t.Fatal("the event of a dead producer did not end")
	}
	eventually(t, "orphan released", func() bool { return len(s.Events()) == 0 })
}

// TestStopped: after Stop the server refuses new work with ErrStopped;
// the events registered before stay until their producers end them.
func TestStopped(t *testing.T) {
	n, s := localNode(t)
	ctx := ctxT(t)
	prod, sub := spawnProc(t, n), spawnProc(t, n)
	tok, err := s.Register(ctx, prod.P, "kept")
	require.NoError(t, err)
	s.Stop()
	_, err = s.Register(ctx, prod.P, "late")
	require.ErrorIs(t, err, ErrStopped)
	_, _, err = s.Monitor(ctx, sub.P, tok.Event())
	require.ErrorIs(t, err, ErrStopped)
	require.Equal(t, []etf.Atom{"kept"}, s.Events())
	require.True(t, n.IsAlive(tok.PID()))
}
