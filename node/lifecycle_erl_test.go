package node

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Lifecycle faults against real erl (issue 12): a BEAM peer killed with
// SIGKILL while links, monitors and calls are in flight; Stop of a Go node
// under load; repeated connect/disconnect cycles. Each checks that the
// node's goroutines (and, for the cycles, its heap) come back to where
// they were before the peer was used.

// loadLifecyclePeer compiles testdata/lifecycle_peer.erl and loads it into
// the running peer (node_peer's code path does not hold it).
func loadLifecyclePeer(t *testing.T, e *erlPeer, pr *probe) {
	t.Helper()
	dir := erltest.Compile(t, "testdata", "lifecycle_peer.erl")
	r := e.eval(t, pr, `code:add_patha("`+dir+`"), code:ensure_loaded(lifecycle_peer).`)
	if !etf.Equal(r, etf.Tuple{etf.Atom("module"), etf.Atom("lifecycle_peer")}) {
		t.Fatalf("load lifecycle_peer: %#v", r)
	}
}

// erlFirst starts a private epmd and an erl peer named prefix_erlN, and
// returns a function that starts the Go node prefix_goN with the same
// cookie: tests that count goroutines take their baseline in between.
func erlFirst(t *testing.T, prefix string) (*erlPeer, func(...Option) *Node) {
	t.Helper()
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1)))
	cookie := prefix + id
	e := startErl(t, port, prefix+"_erl"+id, cookie)
	return e, func(opts ...Option) *Node {
		return distNode(t, prefix+"_go"+id+"@127.0.0.1", port, cookie, opts...)
	}
}

// waitGoroutines waits until at most limit goroutines run, failing with a
// dump of them after within. Goroutines of a closed connection end shortly
// after it, not at once, hence the wait.
func waitGoroutines(t *testing.T, limit int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for runtime.NumGoroutine() > limit {
		if time.Now().After(deadline) {
			var b bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines after %v, baseline %d:\n%s", runtime.NumGoroutine(), within, limit, b.String())
		}
		time.Sleep(10 * time.Millisecond) // polling, not a fixed wait
	}
}

// liveHeap returns the heap still reachable after two full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestErlKill9WithLinksMonitorsAndCalls kills the BEAM peer with SIGKILL
// while 8 Go processes are linked to and monitor processes on it (4 trap
// exits, 4 do not), a watcher monitors all of them plus a gen_server by
// name and the node, and 8 calls wait on that gen_server (one in its
// handler, asleep, 7 queued). Everything must fire with noconnection at
// once, not at the calls' 60 s timeout, and leave no goroutine behind.
func TestErlKill9WithLinksMonitorsAndCalls(t *testing.T) {
	const links, calls = 8, 8
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	// Idle processes hold no goroutine; the connection is not up yet.
	baseline := runtime.NumGoroutine()
	loadLifecyclePeer(t, e, pr)
	targets, ok := e.eval(t, pr, `lifecycle_peer:start_sleeper(), T = lifecycle_peer:targets(`+itoa(links)+`), persistent_term:put(lc_targets, T), T.`).(etf.List)
	if !ok || len(targets) != links {
		t.Fatalf("targets: %#v", targets)
	}
	sleeper := Name{"sleeper", e.name}

	w := spawnProbe(t, n)
	wantDown := map[etf.Ref]etf.Term{}
	w.do(func(p *Process) error {
		p.MonitorNode(e.name, true)
		for _, tp := range targets {
			ref, err := p.Monitor(tp)
			if err != nil {
				return err
			}
			wantDown[ref] = tp
		}
		ref, err := p.Monitor(sleeper)
		wantDown[ref] = sleeper
		return err
	})

	type linker struct {
		pr     *probe
		target etf.PID
		ref    etf.Ref
		down   func() etf.Term // local watch of a non-trapping linker
	}
	var linkers []linker
	for i, tp := range targets {
		l := linker{target: tp.(etf.PID)}
		if i%2 == 0 {
			l.pr = spawnProbe(t, n, WithTrapExit())
		} else {
			l.pr = spawnProbe(t, n)
			l.down = watch(t, n, l.pr.pid)
		}
		l.pr.do(func(p *Process) error {
			if err := p.Link(l.target); err != nil {
				return err
			}
			var err error
			l.ref, err = p.Monitor(l.target)
			return err
		})
		linkers = append(linkers, l)
	}

	type callResult struct {
		err error
		at  time.Time
	}
	results := make(chan callResult, calls)
	for range calls {
		c := spawnProbe(t, n)
		c.async(func(p *Process) error {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			_, err := p.Call(ctx, sleeper, etf.Tuple{etf.Atom("sleep"), 120_000})
			results <- callResult{err, time.Now()}
			return nil
		})
	}

	// BEAM's own view proves the setup: every target has one link and two
	// monitors (linker and watcher), and the sleeper holds one call in its
	// handler with the others queued.
	r := e.eval(t, pr, `[{length(L), length(M)} || P <- persistent_term:get(lc_targets), {links, L} <- [process_info(P, links)], {monitored_by, M} <- [process_info(P, monitored_by)]].`)
	for i, x := range r.(etf.List) {
		if !etf.Equal(x, etf.Tuple{1, 2}) {
			t.Fatalf("target %d on erl: {links, monitors} = %#v", i, x)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		q := e.eval(t, pr, `{message_queue_len, Q} = process_info(whereis(sleeper), message_queue_len), Q.`)
		if q == calls-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleeper queue %#v, want %d pending calls", q, calls-1)
		}
		time.Sleep(10 * time.Millisecond) // polling for the calls to arrive
	}

	killed := time.Now()
	if err := syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	for i, l := range linkers {
		if l.down != nil {
			if r := l.down(); r != NoConnection {
				t.Errorf("non-trapping linker %d died with %#v", i, r)
			}
			continue
		}
		var gotExit, gotDown bool
		for range 2 {
			switch m := l.pr.recv().(type) {
			case ExitMsg:
				gotExit = m.From == l.target && m.Reason == NoConnection
			case DownMsg:
				gotDown = m.Ref == l.ref && m.Object == l.target && m.Reason == NoConnection
			default:
				t.Errorf("trapping linker %d: unexpected %#v", i, m)
			}
		}
		if !gotExit || !gotDown {
			t.Errorf("trapping linker %d: exit noconnection %v, DOWN noconnection %v", i, gotExit, gotDown)
		}
		if ls := l.pr.p.Links(); len(ls) != 0 {
			t.Errorf("trapping linker %d still linked to %v", i, ls)
		}
	}
	sawNodeDown := false
	for range len(wantDown) + 1 {
		switch m := w.recv().(type) {
		case NodeDownMsg:
			sawNodeDown = m.Node == e.name
		case DownMsg:
			obj, ok := wantDown[m.Ref]
			if !ok || !etf.Equal(m.Object, obj) || m.Reason != NoConnection {
				t.Errorf("watcher: %#v", m)
			}
			delete(wantDown, m.Ref)
		default:
			t.Errorf("watcher: unexpected %#v", m)
		}
	}
	if !sawNodeDown || len(wantDown) != 0 {
		t.Errorf("watcher: nodedown %v, monitors that did not fire %v", sawNodeDown, wantDown)
	}
	var slowest time.Duration
	for i := range calls {
		select {
		case res := <-results:
			if !errors.Is(res.err, ErrNoConnection) {
				t.Errorf("call %d: %v, want ErrNoConnection", i, res.err)
			}
			slowest = max(slowest, res.at.Sub(killed))
		case <-time.After(30 * time.Second):
			t.Fatalf("call %d still pending 30 s after the kill", i)
		}
	}
	// The calls' own deadline is 60 s; noconnection must come from the
	// connection loss. 5 s is far above the few ms this takes.
	if slowest > 5*time.Second {
		t.Errorf("pending calls failed %v after the kill", slowest)
	}
	t.Logf("all %d pending calls failed within %v of the kill", calls, slowest)
	if nodes := n.ConnectedNodes(); len(nodes) != 0 {
		t.Errorf("still connected to %v", nodes)
	}
	waitGoroutines(t, baseline, 10*time.Second)
}

// panicLog is a log sink that counts records mentioning a panic.
type panicLog struct {
	mu     sync.Mutex
	panics int
	first  string
}

func (l *panicLog) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("panic")) {
		l.mu.Lock()
		if l.panics++; l.panics == 1 {
			l.first = string(b)
		}
		l.mu.Unlock()
	}
	return len(b), nil
}

// ringMember forwards every token to the next member; every hundredth also
// sends each token to erl's lsink. A tenth trap exits and leave on the
// node's shutdown, as a well-behaved server does.
type ringMember struct {
	ring   []etf.PID
	i      int
	remote etf.Term
	hops   *atomic.Int64
}

func (r *ringMember) Init(*Process) error { return nil }
func (r *ringMember) HandleMessage(p *Process, m etf.Term) error {
	if em, ok := m.(ExitMsg); ok {
		return &ExitError{Reason: em.Reason}
	}
	r.hops.Add(1)
	if r.remote != nil {
		_ = p.Send(r.remote, m)
	}
	return p.Send(r.ring[(r.i+1)%len(r.ring)], m)
}
func (r *ringMember) Terminate(*Process, etf.Term) {}

// TestErlStopUnderLoad stops a Go node while 10,000 processes pass 500
// tokens around a ring, 100 of them also send to a sink on erl, erl pumps
// messages into a Go process and a goroutine keeps spawning and sending.
// Stop must return within its bound with no error and no panic, leave no
// process and give back every goroutine the node started.
func TestErlStopUnderLoad(t *testing.T) {
	const procs, tokens = 10_000, 500
	e, startGo := erlFirst(t, "stop")
	baseline := runtime.NumGoroutine()
	plog := &panicLog{}
	n := startGo(
		WithLogger(slog.New(slog.NewTextHandler(plog, &slog.HandlerOptions{Level: slog.LevelError}))))
	pr := spawnProbe(t, n)
	loadLifecyclePeer(t, e, pr)

	var fromErl atomic.Int64
	gsink := BehaviorFunc(func(p *Process, m etf.Term) error {
		if tu, ok := m.(etf.Tuple); ok && len(tu) == 2 && tu[0] == etf.Atom("pump_ack") {
			return p.Send(tu[1], etf.Atom("pump_ack"))
		}
		fromErl.Add(1)
		return nil
	})
	if _, err := n.Spawn(gsink, WithName("gsink")); err != nil {
		t.Fatal(err)
	}
	if r := e.eval(t, pr, `lifecycle_peer:sink(), lifecycle_peer:pump({gsink, '`+string(n.Name())+`'}, '`+string(n.Name())+`'), ok.`); r != etf.Atom("ok") {
		t.Fatalf("erl sink and pump: %#v", r)
	}

	var hops atomic.Int64
	ring := make([]etf.PID, procs)
	for i := range ring {
		m := &ringMember{ring: ring, i: i, hops: &hops}
		if i%100 == 0 {
			m.remote = Name{"lsink", e.name}
		}
		var opts []SpawnOption
		if i%10 == 0 {
			opts = append(opts, WithTrapExit())
		}
		pid, err := n.Spawn(m, opts...)
		if err != nil {
			t.Fatal(err)
		}
		ring[i] = pid
	}
	for k := range tokens {
		if err := n.Send(ring[k*procs/tokens], k); err != nil {
			t.Fatal(err)
		}
	}
	// Outside any process: spawn and send until the node refuses.
	churnDone := make(chan error, 1)
	go func() {
		for {
			// Each churned process exits on its message, so the count
			// stays near the ring's.
			pid, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return &ExitError{Reason: Normal} }))
			if err == nil {
				err = n.Send(pid, 1)
			}
			if err != nil {
				churnDone <- err
				return
			}
		}
	}()

	// Run until traffic has flowed each way on the connection.
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.eval(t, pr, `lsink ! {count, self()}, receive {lsink_count, C} -> C end.`)
		if c, _ := r.(int); c >= 1000 && fromErl.Load() >= 1000 && hops.Load() >= 100_000 {
			t.Logf("before Stop: %d ring hops, %d messages at the erl sink, %d from erl, %d processes", hops.Load(), c, fromErl.Load(), n.ProcessCount())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("load did not build up: %d hops, erl sink %#v, %d from erl", hops.Load(), r, fromErl.Load())
		}
		time.Sleep(50 * time.Millisecond) // polling the counters
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err := n.Stop(ctx)
	took := time.Since(start)
	t.Logf("Stop took %v", took)
	if err != nil {
		t.Errorf("Stop: %v", err)
	}
	// Stop's own bound: ctx, a second for killed survivors, 5 s for the
	// connections.
	if took > 16*time.Second {
		t.Errorf("Stop took %v", took)
	}
	select {
	case err := <-churnDone:
		if !errors.Is(err, ErrStopped) {
			t.Errorf("spawn/send during Stop ended with %v, want ErrStopped", err)
		}
	case <-time.After(waitFor):
		t.Error("spawn/send loop still running after Stop")
	}
	if c := n.ProcessCount(); c != 0 {
		t.Errorf("%d processes left after Stop", c)
	}
	if _, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil })); !errors.Is(err, ErrStopped) {
		t.Errorf("spawn after Stop: %v", err)
	}
	if _, err := n.Call(context.Background(), Name{"lsink", e.name}, 1); !errors.Is(err, ErrStopped) {
		t.Errorf("call after Stop: %v", err)
	}
	// A stopped node must not dial out again.
	if err := n.Send(Name{"lsink", e.name}, 1); err == nil {
		t.Errorf("remote send after Stop succeeded")
	}
	if nodes := n.ConnectedNodes(); len(nodes) != 0 {
		t.Errorf("connected to %v after Stop", nodes)
	}
	plog.mu.Lock()
	if plog.panics != 0 {
		t.Errorf("%d log records about panics, first: %s", plog.panics, plog.first)
	}
	plog.mu.Unlock()
	waitGoroutines(t, baseline, 10*time.Second)
}

// TestErlConnectDisconnectCycles connects to erl, proves the connection
// with a call round trip and drops it, 200 times, alternating who drops it
// (Node.Disconnect, erlang:disconnect_node/1 on erl). Goroutines and the
// live heap must come back to what they were after one warm-up cycle.
func TestErlConnectDisconnectCycles(t *testing.T) {
	const cycles = 200
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	// No connection yet: every goroutine a connection starts must go.
	goBase := runtime.NumGoroutine()
	w := spawnProbe(t, n)
	w.do(func(p *Process) error { p.MonitorNodes(true); return nil })
	loadLifecyclePeer(t, e, pr)
	anchor, ok := e.eval(t, pr, `lifecycle_peer:disconnector(), lifecycle_peer:node_counter(), lifecycle_peer:anchor().`).(etf.PID)
	if !ok {
		t.Fatal("no anchor on erl")
	}
	// holder links to and monitors erl's anchor on every connection: each
	// drop must fire both, and leave no link or monitor state behind.
	holder := spawnProbe(t, n, WithTrapExit())
	if m := w.recv(); m != (NodeUpMsg{Node: e.name}) {
		t.Fatalf("got %#v", m)
	}

	cycle := func(i int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if i > 0 || len(n.ConnectedNodes()) == 0 { // the warm-up starts connected
			if err := n.Connect(ctx, e.name); err != nil {
				t.Fatalf("cycle %d: connect: %v", i, err)
			}
			if m := w.recv(); m != (NodeUpMsg{Node: e.name}) {
				t.Fatalf("cycle %d: got %#v, want nodeup", i, m)
			}
		}
		var mref etf.Ref
		holder.do(func(p *Process) error {
			var err error
			if mref, err = p.Monitor(Name{"lc_anchor", e.name}); err != nil {
				return err
			}
			return p.Link(anchor)
		})
		r, err := n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		if err != nil || r != etf.Atom("yes") {
			t.Fatalf("cycle %d: round trip: %#v, %v", i, r, err)
		}
		if i%2 == 0 {
			if err := n.Disconnect(e.name); err != nil {
				t.Fatalf("cycle %d: disconnect: %v", i, err)
			}
		} else if err := n.Send(Name{"disconnector", e.name}, etf.Tuple{etf.Atom("disconnect"), n.Name()}); err != nil {
			t.Fatalf("cycle %d: ask erl to disconnect: %v", i, err)
		}
		if m := w.recv(); m != (NodeDownMsg{Node: e.name}) {
			t.Fatalf("cycle %d: got %#v, want nodedown", i, m)
		}
		for range 2 {
			m := holder.recv()
			switch m := m.(type) {
			case ExitMsg:
				if m.From == anchor && m.Reason == NoConnection {
					continue
				}
			case DownMsg:
				if m.Ref == mref && m.Reason == NoConnection {
					continue
				}
			}
			// A noproc here meant the anchor had died (see anchor/0 in
			// lifecycle_peer.erl): say whether it is still registered.
			t.Fatalf("cycle %d: holder got %#v; erl's whereis(lc_anchor) = %v", i, m,
				e.eval(t, pr, `whereis(lc_anchor).`))
		}
		if ls := holder.p.Links(); len(ls) != 0 {
			t.Fatalf("cycle %d: holder still linked to %v", i, ls)
		}
	}
	cycle(0) // warm-up: lazily built state is not a leak
	cycle(1)
	heapBase := liveHeap()

	start := time.Now()
	for i := range cycles {
		cycle(i)
	}
	took := time.Since(start)
	heapAfter := liveHeap()
	t.Logf("%d cycles in %v (%v each); live heap %d -> %d bytes", cycles, took, took/cycles, heapBase, heapAfter)
	// erl saw every cycle as a connection of its own: nodeup for cycle 1,
	// the 200 cycles and the query below, nodedown for all but the query.
	// net_kernel may tell lc_nodes about the last nodedown after the
	// query's connection is up, so poll for the final counts.
	want := etf.Tuple{cycles + 2, cycles + 2}
	for deadline := time.Now().Add(waitFor); ; {
		r := e.eval(t, pr, `lc_nodes ! {counts, self()}, receive {lc_nodes, U, D} -> {U, D} end.`)
		if etf.Equal(r, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("erl counted {nodeup, nodedown} = %#v, want %#v", r, want)
		}
		time.Sleep(10 * time.Millisecond) // polling erl's counters
	}
	r := e.eval(t, pr, `A = whereis(lc_anchor), {process_info(A, links), process_info(A, monitored_by)}.`)
	if want := (etf.Tuple{etf.Tuple{etf.Atom("links"), etf.List{}}, etf.Tuple{etf.Atom("monitored_by"), etf.List{}}}); !etf.Equal(r, want) {
		t.Errorf("erl's anchor after the cycles: %#v", r)
	}
	if err := n.Disconnect(e.name); err != nil {
		t.Fatal(err)
	}
	if m := w.recv(); m != (NodeUpMsg{Node: e.name}) {
		t.Fatalf("got %#v, want the query's nodeup", m)
	}
	if m := w.recv(); m != (NodeDownMsg{Node: e.name}) {
		t.Fatalf("got %#v, want nodedown", m)
	}
	waitGoroutines(t, goBase, 10*time.Second)
	// The heap grows by about 100 KB once (the same after 1,000 cycles as
	// after 200); 1 MiB catches a leak of 5 KiB or more per connection.
	if heapAfter > heapBase+1<<20 {
		t.Errorf("live heap grew from %d to %d bytes over %d cycles", heapBase, heapAfter, cycles)
	}
}
