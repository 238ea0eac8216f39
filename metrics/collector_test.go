package metrics

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// goPair starts two Go nodes sharing an EPMD and a cookie.
func goPair(t *testing.T) (a, b *node.Node) {
	t.Helper()
	port, cookie := erltest.FreePort(t), uniq("c")
	return startNode(t, uniq("a"), port, cookie), startNode(t, uniq("b"), port, cookie)
}

// TestScrapeGoPeer drives traffic between two Go nodes and checks that
// each metric moves by what was done.
func TestScrapeGoPeer(t *testing.T) {
	a, b := goPair(t)
	ctx := context.Background()
	srv := serve(t, a)
	peer := string(b.Name())

	f := scrape(t, srv.URL())
	if got, want := f.value(t, "erlgo_processes", "node", string(a.Name())), float64(a.ProcessCount()); got != want {
		t.Fatalf("erlgo_processes = %v, ProcessCount = %v", got, want)
	}
	if f.value(t, "erlgo_dist_connections_up_total", "visibility", "visible") != 0 {
		t.Fatal("a connection counted before any")
	}
	calls0 := f.histogram(t, "erlgo_call_duration_seconds", "result", "ok").GetSampleCount()
	for _, name := range []string{"go_gc_duration_seconds", "go_memstats_heap_alloc_bytes", "go_goroutines", "process_cpu_seconds_total"} {
		if f[name] == nil {
			t.Errorf("Serve does not expose %s", name)
		}
	}

	const msgs, calls = 500, 20
	s := newSink(msgs)
	if _, err := b.Spawn(s.behavior(), node.WithName("sink")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Spawn(echo(), node.WithName("echo")); err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		if err := a.Send(node.Name{Name: "sink", Node: b.Name()}, i); err != nil {
			t.Fatal(err)
		}
	}
	s.wait(t)
	for range calls {
		if _, err := a.Call(ctx, node.Name{Name: "echo", Node: b.Name()}, etf.Atom("hi")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Call(ctx, node.Name{Name: "nobody", Node: b.Name()}, etf.Atom("hi")); !errors.Is(err, node.ErrNoProc) {
		t.Fatalf("call to nobody: %v", err)
	}

	f = scrape(t, srv.URL())
	if v := f.value(t, "erlgo_dist_connections_up_total", "visibility", "visible"); v != 1 {
		t.Fatalf("connections up = %v, want 1", v)
	}
	if v := f.value(t, "erlgo_dist_connections", "visibility", "visible"); v != 1 {
		t.Fatalf("open visible connections = %v, want 1", v)
	}
	// Each call is a monitor, a send and a demonitor or a DOWN: more
	// than one message; each send is one.
	if v := f.value(t, "erlgo_dist_messages_total", "peer", peer, "direction", "out"); v < msgs+calls {
		t.Fatalf("messages out to %s = %v, want >= %d", peer, v, msgs+calls)
	}
	if v := f.value(t, "erlgo_dist_messages_total", "peer", peer, "direction", "in"); v < calls {
		t.Fatalf("messages in from %s = %v, want >= %d (the replies)", peer, v, calls)
	}
	if v := f.value(t, "erlgo_dist_bytes_total", "peer", peer, "direction", "out"); v < msgs*4 {
		t.Fatalf("bytes out to %s = %v for %d messages", peer, v, msgs)
	}
	f.value(t, "erlgo_dist_queue_bytes", "peer", peer)
	if got := f.histogram(t, "erlgo_call_duration_seconds", "result", "ok").GetSampleCount() - calls0; got != calls {
		t.Fatalf("call histogram grew by %d, want %d", got, calls)
	}
	if got := f.histogram(t, "erlgo_call_duration_seconds", "result", "noproc").GetSampleCount(); got != 1 {
		t.Fatalf("noproc calls = %d, want 1", got)
	}

	if err := a.Disconnect(b.Name()); err != nil {
		t.Fatal(err)
	}
	waitScrape(t, srv.URL(), func(f families) bool {
		return f.value(t, "erlgo_dist_connections_down_total", "visibility", "visible") == 1 &&
			f.value(t, "erlgo_dist_connections", "visibility", "visible") == 0 &&
			f.find("erlgo_dist_messages_total", "peer", peer) == nil
	})
}

// waitScrape scrapes url until ok holds (an event the node reports
// asynchronously, such as a connection going down), within waitFor.
func waitScrape(t testing.TB, url string, ok func(families) bool) families {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		f := scrape(t, url)
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scrape never showed the expected state; last one:\n%v", f)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMailboxHistogram blocks one process with 100 messages queued: the
// histogram puts it alone in its bucket and the max gauge names it.
func TestMailboxHistogram(t *testing.T) {
	n := startNode(t, uniq("m"), erltest.FreePort(t), uniq("c"), node.WithoutDistribution())
	srv := serve(t, n)
	entered, release := make(chan struct{}), make(chan struct{})
	pid, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 { // idle processes: depth 0
		if _, err := n.Spawn(echo()); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Send(pid, "first"); err != nil {
		t.Fatal(err)
	}
	<-entered // the handler holds "first": what follows stays queued
	const queued = 100
	for i := range queued {
		if err := n.Send(pid, i); err != nil {
			t.Fatal(err)
		}
	}
	f := scrape(t, srv.URL())
	close(release)
	h := f.histogram(t, "erlgo_mailbox_depth")
	if want := uint64(len(n.Processes())); h.GetSampleCount() != want {
		t.Fatalf("histogram counts %d processes, node has %d", h.GetSampleCount(), want)
	}
	if v := f.value(t, "erlgo_mailbox_depth_max"); v != queued {
		t.Fatalf("max depth = %v, want %d", v, queued)
	}
	if got := h.GetSampleSum(); got != queued {
		t.Fatalf("sum of depths = %v, want %d", got, queued)
	}
	if below, total := bucket(t, h, 64), h.GetSampleCount(); below != total-1 || bucket(t, h, 0) != total-1 || bucket(t, h, 256) != total {
		t.Fatalf("buckets: le=0 %d, le=64 %d, le=256 %d of %d; want the blocked process alone above 64",
			bucket(t, h, 0), below, bucket(t, h, 256), total)
	}
}

// TestTwoNodesOneRegistry registers the collectors of two nodes in one
// registry: the node label keeps their series apart.
func TestTwoNodesOneRegistry(t *testing.T) {
	a, b := goPair(t)
	reg := prometheus.NewRegistry()
	ca, cb := NewCollector(a), NewCollector(b)
	defer ca.Close()
	defer cb.Close()
	reg.MustRegister(ca, cb)
	if _, err := b.Spawn(echo(), node.WithName("echo")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Call(context.Background(), node.Name{Name: "echo", Node: b.Name()}, 1); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(Handler(reg))
	defer hs.Close()
	f := scrape(t, hs.URL)
	for _, tc := range []struct {
		n     *node.Node
		calls uint64
	}{{a, 1}, {b, 0}} {
		name := string(tc.n.Name())
		if got := f.value(t, "erlgo_processes", "node", name); got != float64(tc.n.ProcessCount()) {
			t.Errorf("%s: erlgo_processes %v, ProcessCount %d", name, got, tc.n.ProcessCount())
		}
		if got := f.histogram(t, "erlgo_call_duration_seconds", "node", name, "result", "ok").GetSampleCount(); got != tc.calls {
			t.Errorf("%s: %d calls, want %d", name, got, tc.calls)
		}
		if got := f.value(t, "erlgo_dist_connections_up_total", "node", name, "visibility", "visible"); got != 1 {
			t.Errorf("%s: %v connections up, want 1", name, got)
		}
	}
	ca.Close() // its hooks are gone: calls are no longer counted
	if _, err := a.Call(context.Background(), node.Name{Name: "echo", Node: b.Name()}, 1); err != nil {
		t.Fatal(err)
	}
	f = scrape(t, hs.URL)
	if got := f.histogram(t, "erlgo_call_duration_seconds", "node", string(a.Name()), "result", "ok").GetSampleCount(); got != 1 {
		t.Fatalf("a closed collector still counts calls: %d", got)
	}
}

func TestCallResult(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{node.ErrTimeout, "timeout"},
		{node.ErrNoProc, "noproc"},
		{node.ErrNoConnection, "noconnection"},
		{context.Canceled, "canceled"},
		{&node.ExitError{Reason: etf.Atom("boom")}, "exit"},
		{errors.New("other"), "error"},
	} {
		if got := callResults[callResult(tc.err)]; got != tc.want {
			t.Errorf("callResult(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
