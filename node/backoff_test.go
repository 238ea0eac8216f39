package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

func TestBackoffTable(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBackoffTable(&config{})
	b.now = func() time.Time { return now }
	cause := errors.New("dial refused")
	const peer = etf.Atom("p@h")

	t.Run("doubles to the cap, jittered", func(t *testing.T) {
		want := DefaultBackoffBase
		for i := 1; i <= 8; i++ {
			d := b.failed(peer, cause)
			if d < want/2 || d > want {
				t.Fatalf("failure %d: window %v, want in [%v, %v]", i, d, want/2, want)
			}
			err := b.check(peer)
			if !errors.Is(err, ErrConnectBackoff) || !errors.Is(err, ErrNoConnection) || !errors.Is(err, cause) {
				t.Fatalf("check in the window = %v", err)
			}
			now = now.Add(d)
			if err := b.check(peer); err != nil {
				t.Fatalf("check at the window's end = %v", err)
			}
			want = min(2*want, DefaultBackoffMax)
		}
	})
	t.Run("a connection resets it", func(t *testing.T) {
		b.clear(peer)
		if d := b.failed(peer, cause); d > DefaultBackoffBase {
			t.Fatalf("after clear: window %v, want the base's", d)
		}
	})
	t.Run("a quiet spell resets it", func(t *testing.T) {
		b.failed(peer, cause) // second failure: up to 2x base
		now = now.Add(time.Minute)
		if d := b.failed(peer, cause); d > DefaultBackoffBase {
			t.Fatalf("after a quiet minute: window %v, want the base's", d)
		}
	})
	t.Run("a context error is kept as text", func(t *testing.T) {
		b.failed("q@h", fmt.Errorf("dial: %w", context.DeadlineExceeded))
		err := b.check("q@h")
		if !errors.Is(err, ErrConnectBackoff) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("check = %v: a caller would read it as its own deadline", err)
		}
	})
	t.Run("stale entries are swept, the table is bounded", func(t *testing.T) {
		for i := range 200 {
			b.failed(etf.Atom(fmt.Sprintf("n%d@h", i)), cause)
		}
		now = now.Add(time.Hour)
		for i := range 300 {
			b.failed(etf.Atom(fmt.Sprintf("f%d@h", i)), cause)
		}
		if n := int(b.active.Load()); n > 300 {
			t.Fatalf("%d entries, want only the 300 fresh ones: stale ones not swept", n)
		}
		for i := range backoffLimit + 10 {
			b.failed(etf.Atom(fmt.Sprintf("m%d@h", i)), cause)
		}
		if n := int(b.active.Load()); n > backoffLimit {
			t.Fatalf("%d entries, limit %d", n, backoffLimit)
		}
	})
	t.Run("off", func(t *testing.T) {
		off := newBackoffTable(&config{backoffSet: true})
		if d := off.failed(peer, cause); d != 0 || off.check(peer) != nil {
			t.Fatalf("disabled back-off recorded a failure (%v)", d)
		}
	})
}

// dialGate is a TCP listener that counts the connections it accepts and
// either closes them at once (a peer that refuses every handshake) or
// forwards them to a real node (the peer is back).
type dialGate struct {
	ln      net.Listener
	accepts atomic.Int32
	to      atomic.Pointer[string] // nil: close
	mu      sync.Mutex
	conns   []net.Conn
	wg      sync.WaitGroup
}

func newDialGate(t testing.TB) *dialGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &dialGate{ln: ln}
	g.wg.Add(1)
	go g.serve()
	t.Cleanup(func() {
		ln.Close()
		g.mu.Lock()
		for _, c := range g.conns {
			c.Close()
		}
		g.mu.Unlock()
		g.wg.Wait()
	})
	return g
}

func (g *dialGate) port() int { return g.ln.Addr().(*net.TCPAddr).Port }

// forward sends later connections to n's listener.
func (g *dialGate) forward(n *Node) { g.forwardTo(n.ListenAddr().String()) }

// forwardTo sends later connections to addr (a refused forward closes
// the connection).
func (g *dialGate) forwardTo(addr string) { g.to.Store(&addr) }

func (g *dialGate) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.accepts.Add(1)
		to := g.to.Load()
		if to == nil {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", *to)
		if err != nil {
			c.Close()
			continue
		}
		g.mu.Lock()
		g.conns = append(g.conns, c, up)
		g.mu.Unlock()
		g.wg.Add(2)
		go func() { defer g.wg.Done(); _, _ = io.Copy(up, c); up.Close() }()
		go func() { defer g.wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
	}
}

// waitSetups waits until n has no background connection attempt left.
func waitSetups(t testing.TB, n *Node) {
	t.Helper()
	deadline := time.Now().Add(2 * setupTimeout)
	for n.remote.nsetups.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("background connection attempts still running")
		}
		time.Sleep(5 * time.Millisecond) // polling for the attempts to settle
	}
}

// floodDead sends count messages to a node behind a gate that refuses
// every handshake and returns how many times the node dialled. paced
// sends each message only once the attempt the previous one started has
// failed (a sender slower than a dial, the case where queueing behind a
// pending attempt saves nothing).
func floodDead(t *testing.T, count int, paced bool, opts ...Option) int {
	g := newDialGate(t)
	ghost := etf.Atom("ghost" + itoa(int(nodeSeq.Add(1))) + "@127.0.0.1")
	n := distNode(t, "fl"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c",
		append([]Option{WithRoute(string(ghost), Route{Port: g.port()})}, opts...)...)
	for i := range count {
		if err := n.Send(Name{"x", ghost}, i); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if paced {
			waitSetups(t, n)
		}
	}
	waitSetups(t, n)
	return int(g.accepts.Load())
}

// TestBackoffFlood: 10,000 sends to a dead node dial it a handful of
// times, not once per send or per batch of queued sends.
func TestBackoffFlood(t *testing.T) {
	const sends, offSends = 10000, 200
	for _, paced := range []bool{false, true} {
		t.Run(fmt.Sprintf("paced=%v", paced), func(t *testing.T) {
			dials := floodDead(t, sends, paced)
			if dials < 1 || dials > 5 {
				t.Fatalf("%d dials for %d sends, want 1..5", dials, sends)
			}
			off := floodDead(t, offSends, paced, WithConnectBackoff(0, 0))
			t.Logf("dials per send to a dead node: %d/%d with the back-off, %d/%d without (as BEAM: a dial per attempt)",
				dials, sends, off, offSends)
			if paced && off != offSends {
				t.Fatalf("without back-off %d paced sends dialled %d times, want one dial each", offSends, off)
			}
		})
	}
}

// TestBackoffPolicy: inside the window on-demand operations fail at once
// without dialling, Node.Connect dials anyway; after the window the next
// operation dials and reaches the peer that came back.
func TestBackoffPolicy(t *testing.T) {
	g := newDialGate(t)
	b := unlistedNode(t, "bk", "c")
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	route := WithRoute(string(b.Name()), Route{Port: g.port()})
	ctx := context.Background()
	echo := Name{"echo", b.Name()}

	t.Run("inside the window", func(t *testing.T) {
		a := distNode(t, "ka"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c", route,
			WithConnectBackoff(time.Minute, time.Minute)) // a window that cannot end during the test
		g.accepts.Store(0)
		g.to.Store(nil)
		if _, err := a.Call(ctx, echo, etf.Atom("x")); !errors.Is(err, ErrNoConnection) {
			t.Fatalf("Call to a refusing peer = %v", err)
		}
		if n := g.accepts.Load(); n != 1 {
			t.Fatalf("%d dials, want 1", n)
		}
		if err := a.Connect(ctx, b.Name()); !errors.Is(err, ErrNoConnection) || errors.Is(err, ErrConnectBackoff) {
			t.Fatalf("Connect inside the window to a refusing peer = %v: Connect always dials", err)
		}
		if n := g.accepts.Load(); n != 2 {
			t.Fatalf("%d dials, want Connect's second", n)
		}
		g.forward(b) // the peer is back, but a does not know yet
		if err := a.Send(echo, etf.Atom("dropped")); err != nil {
			t.Fatal(err)
		}
		pr := spawnProbe(t, a, WithTrapExit())
		pr.do(func(p *Process) error { return p.Link(etf.PID{Node: b.Name(), ID: 1, Creation: b.Creation()}) })
		if em, ok := pr.recv().(ExitMsg); !ok || em.Reason != NoConnection {
			t.Fatalf("link inside the window: got %#v, want exit noconnection", em)
		}
		if n := g.accepts.Load(); n != 2 {
			t.Fatalf("%d dials after a send and a link inside the window, want none", n)
		}
		// A caller waits for an answer: Call dials inside the window, as
		// gen_server:call auto-connects on BEAM.
		if r, err := a.Call(ctx, echo, etf.Atom("up")); err != nil || r != etf.Atom("up") {
			t.Fatalf("Call inside the window = %v, %v; want a real attempt that reaches the peer", r, err)
		}
		if n := g.accepts.Load(); n != 3 {
			t.Fatalf("%d dials, want the Call's third", n)
		}
		if !a.remote.backoff.until(b.Name()).IsZero() {
			t.Fatal("the connection did not end the back-off")
		}
	})
	t.Run("after the window", func(t *testing.T) {
		a := distNode(t, "kb"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c", route,
			WithConnectBackoff(200*time.Millisecond, time.Second))
		g.accepts.Store(0)
		g.to.Store(nil)
		if err := a.Send(echo, etf.Atom("lost")); err != nil {
			t.Fatal(err)
		}
		waitSetups(t, a)
		until := a.remote.backoff.until(b.Name())
		if until.IsZero() {
			t.Fatal("no back-off after a failed attempt")
		}
		g.forward(b)
		time.Sleep(time.Until(until)) // the window is what is under test
		if r, err := a.Call(ctx, echo, etf.Atom("back")); err != nil || r != etf.Atom("back") {
			t.Fatalf("Call after the window = %v, %v", r, err)
		}
		if n := g.accepts.Load(); n != 2 {
			t.Fatalf("%d dials, want 2", n)
		}
	})
	t.Run("a Connect ended by its ctx is not a failure", func(t *testing.T) {
		a := distNode(t, "kc"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c", route)
		g.to.Store(nil)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := a.Connect(cctx, b.Name()); !errors.Is(err, context.Canceled) {
			t.Fatalf("Connect = %v", err)
		}
		if !a.remote.backoff.until(b.Name()).IsZero() {
			t.Fatal("the caller's cancelled ctx opened a back-off window")
		}
	})
}

// TestBackoffClearedByIncoming: a connection the failed peer opens ends
// the back-off at once.
func TestBackoffClearedByIncoming(t *testing.T) {
	g := newDialGate(t)
	b := unlistedNode(t, "ib", "c")
	a := distNode(t, "ia"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(t), "c",
		WithRoute(string(b.Name()), Route{Port: g.port()}), WithConnectBackoff(time.Minute, time.Minute))
	if err := a.Send(Name{"x", b.Name()}, etf.Atom("lost")); err != nil {
		t.Fatal(err)
	}
	waitSetups(t, a)
	if a.remote.backoff.until(b.Name()).IsZero() {
		t.Fatal("no back-off after a failed attempt")
	}
	if err := b.AddRoute(string(a.Name()), Route{Port: listenPort(a)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Connect(context.Background(), a.Name()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitFor)
	for !a.remote.backoff.until(b.Name()).IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("the incoming connection did not end the back-off")
		}
		time.Sleep(5 * time.Millisecond) // polling for a's HandleConnUp
	}
	if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Call(context.Background(), Name{"echo", b.Name()}, etf.Atom("hi")); err != nil || r != etf.Atom("hi") {
		t.Fatalf("Call = %v, %v", r, err)
	}
	if n := g.accepts.Load(); n != 1 {
		t.Fatalf("%d dials through the gate, want only the failed one", n)
	}
}

// BenchmarkSendDeadNode: the cost of a send to a node whose handshakes all
// fail, with the back-off (inside the window: no goroutine, no dial) and
// without (every send queues behind, or starts, a dial).
func BenchmarkSendDeadNode(b *testing.B) {
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("backoff=%v", on), func(b *testing.B) {
			g := newDialGate(b)
			ghost := etf.Atom("bghost" + itoa(int(nodeSeq.Add(1))) + "@127.0.0.1")
			opts := []Option{WithRoute(string(ghost), Route{Port: g.port()})}
			if !on {
				opts = append(opts, WithConnectBackoff(0, 0))
			}
			n := distNode(b, "bs"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1", freePort(b), "c", opts...)
			to := Name{"x", ghost}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				_ = n.Send(to, i)
			}
			b.StopTimer()
			waitSetups(b, n)
			b.ReportMetric(float64(g.accepts.Load())/float64(b.N), "dials/op")
		})
	}
}
