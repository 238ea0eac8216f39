package events

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// beamPeers compiles the BEAM client and test peers (and the Elixir ones
// with elixir set) and starts one BEAM node per opts.
func beamPeers(t *testing.T, c cluster, elixir bool, opts ...ct.Options) []*ct.Node {
	t.Helper()
	files := []string{filepath.Join("testdata", "erlgo_events.erl"), filepath.Join("testdata", "events_peer.erl")}
	if elixir {
		ct.Need(t, "elixir", "elixirc")
		files = append(files, filepath.Join("testdata", "erlgo_events.ex"))
	}
	ct.Need(t, "erl", "erlc")
	dir := ct.Compile(t, files...)
	return ct.StartNodes(t, c.epmd, c.cookie, dir, opts...)
}

// reports is the Go process BEAM peers report to, registered as name.
func reports(t *testing.T, n *node.Node, name etf.Atom) (*proc, string) {
	pr := spawnProc(t, n, node.WithName(name))
	return pr, fmt.Sprintf("{%s, %s}", name, ct.Atom(n.Name()))
}

// expect receives the next report and requires {tag, From, ...}; it
// returns the elements after From.
func expect(t *testing.T, pr *proc, tag etf.Atom) []etf.Term {
	t.Helper()
	return expectFrom(t, pr, tag)[1:]
}

// expectFrom is expect that also returns From, first.
func expectFrom(t *testing.T, pr *proc, tag etf.Atom) []etf.Term {
	t.Helper()
	m := pr.recv(t)
	tt, ok := m.(etf.Tuple)
	require.True(t, ok && len(tt) >= 2 && tt[0] == tag, "want {%s, ...}, got %s", tag, etf.Format(m))
	return tt[1:]
}

func listOf(t *testing.T, term etf.Term) []etf.Term {
	t.Helper()
	l, ok := etf.AsList(term)
	require.True(t, ok, "not a list: %s", etf.Format(term))
	return l
}

// TestErlSubscribers: real erl processes subscribe through the documented
// protocol (testdata/erlgo_events.erl): they get the buffer, each message
// in order, one copy each, and DOWN / EXIT with the Go producer's reason;
// the producer is told when the first arrives and the last leaves.
func TestErlSubscribers(t *testing.T) {
	c := newCluster(t)
	g, s := c.goNode(t, "go")
	e := beamPeers(t, c, false, ct.Options{})[0]
	ctx := ctxT(t)
	prod := spawnProc(t, g)
	tok, err := s.Register(ctx, prod.P, "temps", WithBuffer(2), WithNotify())
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	col, to := reports(t, g, "collector")
	goNode := ct.Atom(g.Name())
	e.Eval("events_peer:subscriber(" + goNode + ", temps, " + to + ")")
	sub := expect(t, col, "subscribed")
	require.Equal(t, ints(2, 3), listOf(t, sub[0]))
	require.Equal(t, Started{Event: tok.Event()}, prod.recv(t))
	e.Eval("events_peer:linked(" + goNode + ", temps, " + to + ")")
	expect(t, col, "subscribed")
	require.Equal(t, "[temps]", e.Eval("erlgo_events:which_events("+goNode+")"))

	sent := s.Stats().Sent
	const msgs = 200
	for i := range msgs {
		require.NoError(t, Publish(prod.P, tok, i))
	}
	next := map[etf.PID]int{}
	for range 2 * msgs {
		m := expectFrom(t, col, "got")
		from := m[0].(etf.PID)
		require.Equal(t, next[from], m[1], "in order for %v", from)
		next[from]++
	}
	require.Len(t, next, 2)
	require.Equal(t, sent+2*msgs, s.Stats().Sent, "one copy per BEAM subscriber")

	prod.exit(t, etf.Tuple{etf.Atom("shutdown"), etf.Atom("moved")})
	reason := etf.Tuple{etf.Atom("shutdown"), etf.Atom("moved")}
	got := map[etf.Atom]etf.Term{}
	for range 2 {
		m := col.recv(t).(etf.Tuple)
		got[m[0].(etf.Atom)] = m[2]
	}
	require.Equal(t, map[etf.Atom]etf.Term{"down": reason, "exit": reason}, got)
}

// TestErlProducer: an erl process registers an event on the Go node and
// publishes with its token; Go subscribers on two Go nodes receive it,
// the erl producer is notified with the documented terms, and its exit
// ends the event with its reason.
func TestErlProducer(t *testing.T) {
	c := newCluster(t)
	g, s := c.goNode(t, "go")
	h, sh := c.goNode(t, "go2")
	e := beamPeers(t, c, false, ct.Options{})[0]
	ctx := ctxT(t)
	col, to := reports(t, g, "collector")
	goNode := ct.Atom(g.Name())
	require.Equal(t, "{error,badarg}", e.Eval("erlgo_events:register("+goNode+", bad, [{buffer, -1}])"))
	require.Equal(t, "{error,badarg}", e.Eval("erlgo_events:register("+goNode+", bad, [{buffer, 100000000}])"))
	require.Equal(t, "{error,badarg}", e.Eval("erlgo_events:register("+goNode+", bad, [nonsense])"))
	require.Equal(t, "{error,badarg}", e.Eval("gen_server:call({erlgo_events, "+goNode+"}, {lookup, \"notanatom\"})"))
	require.Equal(t, "{error,unknown_event}", e.Eval("erlgo_events:lookup("+goNode+", nothing)"))
	e.Eval("P = events_peer:producer(" + goNode + ", orders, [notify, {buffer, 5}], " + to + "), register(prod, P)")
	reg := expect(t, col, "registered")
	tok, err := ParseToken(reg[0])
	require.NoError(t, err)
	ev := Event{Name: "orders", Node: g.Name()}
	require.Equal(t, ev, tok.Event())
	require.Equal(t, "{error,taken}", e.Eval("erlgo_events:register("+goNode+", orders, [])"))

	e.Eval("prod ! {publish, first}, prod ! sync")
	expect(t, col, "synced") // the event has handled the publish
	subA, subB := spawnProc(t, g), spawnProc(t, h)
	_, last, err := s.Monitor(ctx, subA.P, ev)
	require.NoError(t, err)
	require.Equal(t, []etf.Term{etf.Atom("first")}, last)
	notified := expect(t, col, "notified")
	require.Equal(t, Started{Event: ev}.Term(), notified[0])
	refB, last, err := sh.Monitor(ctx, subB.P, ev)
	require.NoError(t, err)
	require.Equal(t, []etf.Term{etf.Atom("first")}, last)
	e.Eval("prod ! {publish, second}")
	require.Equal(t, Message{Event: ev, Msg: etf.Atom("second")}, subA.recvMsg(t))
	require.Equal(t, Message{Event: ev, Msg: etf.Atom("second")}, subB.recvMsg(t))

	// A Go process holding the erl producer's token publishes too.
	require.NoError(t, Publish(h, tok, etf.Atom("from_go")))
	require.Equal(t, etf.Atom("from_go"), subB.recvMsg(t).Msg)
	require.Equal(t, etf.Atom("from_go"), subA.recvMsg(t).Msg)

	e.Eval("prod ! {exit, {bad_day, 42}}")
	down, ok := subB.recv(t).(node.DownMsg)
	require.True(t, ok)
	require.Equal(t, refB, down.Ref)
	require.Equal(t, etf.Tuple{etf.Atom("bad_day"), 42}, down.Reason)
	eventually(t, "the event ended", func() bool { return len(s.Events()) == 0 })
}

// TestErlLoadAndTickTime: 100,000 messages to two erl subscribers, all in
// order; then with net_ticktime 2 on both sides, idle past it and
// publish again.
func TestErlLoadAndTickTime(t *testing.T) {
	c := newCluster(t)
	g, s := c.goNode(t, "go", node.WithTickTime(2*time.Second))
	e := beamPeers(t, c, false, ct.Options{Kernel: []string{"net_ticktime", "2"}})[0]
	ctx := ctxT(t)
	prod := spawnProc(t, g)
	tok, err := s.Register(ctx, prod.P, "load")
	require.NoError(t, err)
	col, to := reports(t, g, "collector")
	goNode := ct.Atom(g.Name())
	const msgs = 100_000
	for range 2 {
		e.Eval("events_peer:counter(" + goNode + ", load, " + strconv.Itoa(msgs) + ", " + to + ")")
		expect(t, col, "subscribed")
	}
	for i := range msgs {
		require.NoError(t, Publish(prod.P, tok, etf.Tuple{etf.Atom("n"), i}))
	}
	for range 2 {
		require.Equal(t, []etf.Term{msgs}, expect(t, col, "counted"))
	}

	e.Eval("events_peer:subscriber(" + goNode + ", load, " + to + ")")
	expect(t, col, "subscribed")
	time.Sleep(5 * time.Second) // the behaviour under test: idle past 2x net_ticktime
	require.NoError(t, Publish(prod.P, tok, etf.Atom("still_there")))
	require.Equal(t, []etf.Term{etf.Atom("still_there")}, expect(t, col, "got"))
	require.Contains(t, g.ConnectedNodes(), e.Name)
}

// TestErlSubscriberNodeGoes: when the erl node of a BEAM subscriber goes
// away, the event forgets the subscriber (the producer is told Stopped)
// and sends it nothing more.
func TestErlSubscriberNodeGoes(t *testing.T) {
	c := newCluster(t)
	g, s := c.goNode(t, "go")
	e := beamPeers(t, c, false, ct.Options{})[0]
	ctx := ctxT(t)
	prod := spawnProc(t, g)
	tok, err := s.Register(ctx, prod.P, "watch", WithNotify())
	require.NoError(t, err)
	col, to := reports(t, g, "collector")
	e.Eval("events_peer:subscriber(" + ct.Atom(g.Name()) + ", watch, " + to + ")")
	expect(t, col, "subscribed")
	require.Equal(t, Started{Event: tok.Event()}, prod.recv(t))
	e.Kill()
	require.Equal(t, Stopped{Event: tok.Event()}, prod.recv(t))
	sent := s.Stats().Sent
	require.NoError(t, Publish(prod.P, tok, etf.Atom("nobody_there")))
	syncWith(t, prod, tok)
	require.Equal(t, sent, s.Stats().Sent)
}
