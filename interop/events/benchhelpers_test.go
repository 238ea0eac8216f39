package events_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop/events"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// The fan-out harness of bench_test.go: one message from node 0 to S
// subscriber processes spread over the nodes of a loopback cluster,
// through one of the sides (erlgo events, erlgo's pg.PubSub, BEAM's pg),
// timed from just before the publish to the moment the last subscriber
// received it.

// fanRoundTimeout bounds one round: a lost message fails the run instead
// of hanging it.
const fanRoundTimeout = 30 * time.Second

var fanSeq atomic.Int64

func fanQuiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startFanCluster starts count Go nodes sharing a private EPMD (embedded
// in the first node that finds none) and connects every pair, as a BEAM
// cluster would be; the nodes stop when the test ends.
func startFanCluster(tb testing.TB, count int) []*node.Node {
	tb.Helper()
	port := erltest.FreePort(tb)
	id := strconv.FormatInt(fanSeq.Add(1), 10)
	cookie := ct.Uniq("fan")
	ctx, cancel := context.WithTimeout(context.Background(), fanRoundTimeout)
	defer cancel()
	nodes := make([]*node.Node, count)
	for i := range nodes {
		name := fmt.Sprintf("fan%s%c@127.0.0.1", id, 'a'+i)
		n, err := node.Start(ctx, name, node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port),
			node.WithEmbeddedEPMD(), node.WithListenAddr("127.0.0.1:0"), node.WithLogger(fanQuiet()))
		if err != nil {
			tb.Fatalf("start %s: %v", name, err)
		}
		tb.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), fanRoundTimeout)
			defer cancel()
			if err := n.Stop(ctx); err != nil {
				tb.Errorf("stop %s: %v", name, err)
			}
		})
		nodes[i] = n
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			if err := a.Connect(ctx, b.Name()); err != nil {
				tb.Fatalf("connect %s -> %s: %v", a.Name(), b.Name(), err)
			}
		}
	}
	return nodes
}

// fanNodeOf places subscriber i: on (i+1) mod nodes, so that with 3 nodes
// one subscriber is remote and more split evenly (remote nodes first).
// fanout_beam.erl places BEAM subscribers the same way.
func fanNodeOf(i, nodes int) int { return (i + 1) % nodes }

// fanSubs is S subscriber processes. Each counts the rounds it received;
// a message of another round than the current one (a duplicate, a late
// one) counts as bad, anything else as other.
type fanSubs struct {
	nodes  []*node.Node
	pids   []etf.PID
	got    []atomic.Int64
	bad    atomic.Int64
	other  atomic.Int64
	left   atomic.Int64
	round  atomic.Int64
	last   atomic.Int64 // UnixNano when the last subscriber of the round received it
	done   chan struct{}
	timer  *time.Timer // reused by every round: no allocation per round
	unwrap func(etf.Term) (etf.Term, bool)
}

// fanTag marks the payload {fanout, Round}.
const fanTag = etf.Atom("fanout")

// spawnFanSubs spawns s subscribers over nodes (see fanNodeOf); unwrap
// takes the payload out of what the side delivers.
func spawnFanSubs(tb testing.TB, nodes []*node.Node, s int, unwrap func(etf.Term) (etf.Term, bool)) *fanSubs {
	tb.Helper()
	fs := &fanSubs{nodes: nodes, pids: make([]etf.PID, s), got: make([]atomic.Int64, s), done: make(chan struct{}, 1), unwrap: unwrap}
	fs.round.Store(-1)
	fs.timer = time.NewTimer(fanRoundTimeout)
	tb.Cleanup(func() { fs.timer.Stop() })
	for i := range fs.pids {
		pid, err := fs.nodeOf(i).Spawn(fs.behavior(i))
		if err != nil {
			tb.Fatal(err)
		}
		fs.pids[i] = pid
	}
	return fs
}

func (fs *fanSubs) nodeOf(i int) *node.Node { return fs.nodes[fanNodeOf(i, len(fs.nodes))] }

func (fs *fanSubs) behavior(i int) node.BehaviorFunc {
	return func(p *node.Process, msg etf.Term) error {
		if f, ok := msg.(func(*node.Process)); ok {
			f(p) // setup run as the subscriber (events' Monitor needs its process)
			return nil
		}
		payload, ok := fs.unwrap(msg)
		if !ok {
			fs.other.Add(1)
			return nil
		}
		if r, ok := fanRound(payload); !ok || r != fs.round.Load() {
			fs.bad.Add(1)
			return nil
		}
		fs.got[i].Add(1)
		if fs.left.Add(-1) == 0 {
			fs.last.Store(time.Now().UnixNano())
			fs.done <- struct{}{}
		}
		return nil
	}
}

func fanRound(t etf.Term) (int64, bool) {
	tup, ok := t.(etf.Tuple)
	if !ok || len(tup) != 2 || tup[0] != fanTag {
		return 0, false
	}
	switch r := tup[1].(type) { // no etf.As: it would allocate per message
	case int64: // sent on this node
		return r, true
	case int: // decoded from the wire
		return int64(r), true
	}
	return 0, false
}

// inEach runs f as every subscriber, all at once, and waits for them.
func (fs *fanSubs) inEach(tb testing.TB, f func(p *node.Process) error) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(fs.pids))
	for i, pid := range fs.pids {
		wg.Add(1)
		run := func(p *node.Process) {
			defer wg.Done()
			if err := f(p); err != nil {
				errs <- fmt.Errorf("%v: %w", p.Self(), err)
			}
		}
		if err := fs.nodeOf(i).Send(pid, run); err != nil {
			tb.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// fanout publishes round r and waits until every subscriber has it; it
// returns the time from the publish to the last receive.
func (fs *fanSubs) fanout(publish func(etf.Term) error, r int64) (time.Duration, error) {
	fs.left.Store(int64(len(fs.pids)))
	fs.round.Store(r)
	fs.timer.Reset(fanRoundTimeout)
	t0 := time.Now()
	if err := publish(etf.Tuple{fanTag, r}); err != nil {
		return 0, fmt.Errorf("publish round %d: %w", r, err)
	}
	select {
	case <-fs.done:
		return time.Duration(fs.last.Load() - t0.UnixNano()), nil
	case <-fs.timer.C:
		return 0, fmt.Errorf("round %d: %d of %d subscribers not reached in %v", r, fs.left.Load(), len(fs.pids), fanRoundTimeout)
	}
}

// check reports a subscriber that did not get exactly rounds messages,
// or any bad or unexpected message.
func (fs *fanSubs) check(rounds int64) error {
	if b, o := fs.bad.Load(), fs.other.Load(); b != 0 || o != 0 {
		return fmt.Errorf("%d messages of a wrong round, %d unexpected messages", b, o)
	}
	for i := range fs.got {
		if g := fs.got[i].Load(); g != rounds {
			return fmt.Errorf("subscriber %d (%v) got %d messages, want %d", i, fs.pids[i], g, rounds)
		}
	}
	return nil
}

// fanSide is one way to fan a message out.
type fanSide interface {
	// unwrap takes the payload out of a delivered message.
	unwrap(etf.Term) (etf.Term, bool)
	// subscribe makes every subscriber receive publish's messages once
	// this returns.
	subscribe(tb testing.TB, subs *fanSubs)
	// publish sends one message from node 0.
	publish(msg etf.Term) error
}

// pgSide is erlgo's Phoenix.PubSub endpoint (pg.PubSub with the PG2
// adapter's messages): node 0 sends one forward_to_local to the worker of
// every other node, each worker sends to its node's subscribers.
type pgSide struct {
	nodes []*node.Node
	ps    []*pg.PubSub
}

const fanTopic = "fanout"

func newPGSide(tb testing.TB, nodes []*node.Node) *pgSide {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fanRoundTimeout)
	defer cancel()
	s := &pgSide{nodes: nodes}
	adapter := pg.AdapterName("Fanout.PubSub")
	var scope0 *pg.Scope
	for i, n := range nodes {
		scope, err := pg.Start(ctx, n, pg.PhoenixScope)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(scope.Stop)
		ps, err := pg.StartPubSub(ctx, scope, adapter)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(ps.Stop)
		if i == 0 {
			scope0 = scope
		}
		s.ps = append(s.ps, ps)
	}
	ct.Eventually(tb, fanRoundTimeout, "every node's pubsub worker in node 0's group", func() bool {
		return len(scope0.GetMembers(adapter)) == len(nodes)
	})
	return s
}

func (s *pgSide) unwrap(m etf.Term) (etf.Term, bool) { return m, true }

func (s *pgSide) subscribe(tb testing.TB, subs *fanSubs) {
	for i, pid := range subs.pids {
		s.ps[fanNodeOf(i, len(subs.nodes))].Subscribe(pid, fanTopic)
	}
}

func (s *pgSide) publish(msg etf.Term) error { return s.ps[0].Broadcast(nil, fanTopic, msg) }

// eventsSide is erlgo events: a producer on node 0 registers the event; a
// publish goes to the event process, which sends it once to the
// erlgo_events service of every node with subscribers, which hands out
// the copies as events.Message.
type eventsSide struct {
	from   *node.Node
	byNode map[etf.Atom]*events.Server
	tok    events.Token
}

func newEventsSide(tb testing.TB, nodes []*node.Node) *eventsSide {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fanRoundTimeout)
	defer cancel()
	s := &eventsSide{from: nodes[0], byNode: map[etf.Atom]*events.Server{}}
	for _, n := range nodes {
		srv, err := events.Start(ctx, n, events.WithLogger(fanQuiet()))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(srv.Stop)
		s.byNode[n.Name()] = srv
	}
	producer, err := nodes[0].Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if f, ok := msg.(func(*node.Process)); ok {
			f(p)
		}
		return nil
	}))
	if err != nil {
		tb.Fatal(err)
	}
	registered := make(chan error, 1)
	if err := nodes[0].Send(producer, func(p *node.Process) {
		var err error
		s.tok, err = s.byNode[nodes[0].Name()].Register(ctx, p, "fanout")
		registered <- err
	}); err != nil {
		tb.Fatal(err)
	}
	if err := <-registered; err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *eventsSide) unwrap(m etf.Term) (etf.Term, bool) {
	em, ok := m.(events.Message)
	if !ok || em.Event != s.tok.Event() {
		return nil, false
	}
	return em.Msg, true
}

func (s *eventsSide) subscribe(tb testing.TB, subs *fanSubs) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fanRoundTimeout)
	defer cancel()
	subs.inEach(tb, func(p *node.Process) error {
		_, _, err := s.byNode[p.Node().Name()].Monitor(ctx, p, s.tok.Event())
		return err
	})
}

func (s *eventsSide) publish(msg etf.Term) error { return events.Publish(s.from, s.tok, msg) }

// sends counts the messages node 0's events have sent: one per
// subscribing node and publish, however many subscribers a node has.
func (s *eventsSide) sends() uint64 { return s.byNode[s.from.Name()].Stats().Sent }

// fanSender is a side that counts the messages its publishes send.
type fanSender interface{ sends() uint64 }
