package events

import (
	"encoding/hex"
	"testing"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// readyOn reports whether s's service is subscribed (phase ready) to ev.
func readyOn(s *Server, ev Event) bool {
	ch := make(chan bool, 1)
	if s.n.Send(s.PID(), inspectReq(func(sv *service) {
		re := sv.s.subs[ev]
		ch <- re != nil && re.phase == ready
	})) != nil {
		return false
	}
	return <-ch
}

// TestServiceRestarts: a real erl node sends the service garbage (it
// stays the same process and keeps answering), then kills it, on the
// subscriber node and on the producer node: each time a new service comes
// up under erlgo_events, the node's subscriptions carry on, and the
// producer node's events are still found.
func TestServiceRestarts(t *testing.T) {
	c := newCluster(t)
	a, sa := c.goNode(t, "a")
	b, sb := c.goNode(t, "b")
	e := beamPeers(t, c, false, ct.Options{})[0]
	ctx := ctxT(t)
	prod := spawnProc(t, a)
	tok, err := sa.Register(ctx, prod.P, "feed")
	require.NoError(t, err)
	ev := tok.Event()
	sub := spawnProc(t, b)
	ref, _, err := sb.Monitor(ctx, sub.P, ev)
	require.NoError(t, err)

	for _, n := range []*node.Node{a, b} {
		goNode := ct.Atom(n.Name())
		svc := "{erlgo_events, " + goNode + "}"
		before, _ := n.Whereis(ServiceName)
		for _, garbage := range []string{
			svc + " ! garbage",
			svc + " ! {erlgo_event, not_an_event, 1}",
			svc + " ! {make_ref(), {ok, self()}}",
			svc + " ! {'$gen_call', not_a_from, which_events}",
			svc + " ! {'$gen_call', {self(), make_ref()}, {register, x, [{buffer, 1 bsl 70}]}}",
		} {
			e.Eval(garbage)
		}
		require.Equal(t, "{error,badarg}", e.Eval("gen_server:call("+svc+", {lookup, 42})"))
		require.Equal(t, "{error,badarg}", e.Eval("gen_server:call("+svc+", [what])"))
		after, _ := n.Whereis(ServiceName)
		require.Equal(t, before, after, "garbage did not end the service")

		b, err := etf.Encode(before)
		require.NoError(t, err)
		e.Eval("exit(binary_to_term(binary:decode_hex(<<\"" + hex.EncodeToString(b) + "\">>)), kill)")
		eventually(t, "a new service on "+string(n.Name()), func() bool {
			pid, ok := n.Whereis(ServiceName)
			return ok && pid != before
		})
		require.Equal(t, ct.Atom(a.Name()), e.Eval("{ok, P} = gen_server:call({erlgo_events, "+ct.Atom(a.Name())+"}, {lookup, feed}), node(P)"),
			"the event is still found")
		eventually(t, "B subscribed again", func() bool { return readyOn(sb, ev) })
		require.NoError(t, Publish(prod.P, tok, etf.Atom(n.Name())))
		require.Equal(t, Message{Event: ev, Msg: etf.Atom(n.Name())}, sub.recvMsg(t))
	}
	// The subscriber's own monitor was never touched.
	prod.exit(t, etf.Atom("end"))
	require.Equal(t, node.DownMsg{Ref: ref, Type: "process", Object: tok.PID(), Reason: etf.Atom("end")}, sub.recv(t))
}
