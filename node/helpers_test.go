package node

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 10 * time.Second

var nodeSeq atomic.Int64

func quietLogger() *slog.Logger {
	if os.Getenv("NODE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...Option) *Node {
	t.Helper()
	name := "t" + itoa(int(nodeSeq.Add(1))) + "@127.0.0.1"
	opts = append([]Option{WithoutDistribution(), WithLogger(quietLogger())}, opts...)
	n, err := Start(context.Background(), name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return n
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

// probe is a test process that forwards every message to ch and runs
// functions sent to it (func(*Process) error) inside its handler.
type probe struct {
	t   testing.TB
	pid etf.PID
	p   *Process
	ch  chan etf.Term
}

type probeBehavior struct {
	ch   chan etf.Term
	self chan *Process
}

func (b *probeBehavior) Init(p *Process) error { b.self <- p; return nil }
func (b *probeBehavior) HandleMessage(p *Process, msg etf.Term) error {
	if f, ok := msg.(func(*Process) error); ok {
		return f(p)
	}
	if em, ok := msg.(ExitMsg); ok && em.Reason == Shutdown && em.From.ID == p.node.sys.pid.ID {
		return &ExitError{Reason: Shutdown} // node stopping
	}
	b.ch <- msg
	return nil
}
func (b *probeBehavior) Terminate(*Process, etf.Term) {}

func spawnProbe(t testing.TB, n *Node, opts ...SpawnOption) *probe {
	t.Helper()
	b := &probeBehavior{ch: make(chan etf.Term, 1024), self: make(chan *Process, 1)}
	pid, err := n.Spawn(b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &probe{t: t, pid: pid, p: <-b.self, ch: b.ch}
}

// do runs f inside the probe's handler and waits for it to finish.
func (pr *probe) do(f func(p *Process) error) {
	pr.t.Helper()
	done := make(chan struct{})
	if err := pr.p.node.Send(pr.pid, func(p *Process) error { defer close(done); return f(p) }); err != nil {
		pr.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		pr.t.Fatal("probe did not run the function")
	}
}

// async runs f inside the probe's handler without waiting.
func (pr *probe) async(f func(p *Process) error) {
	_ = pr.p.node.Send(pr.pid, f)
}

func (pr *probe) recv() etf.Term {
	pr.t.Helper()
	select {
	case m := <-pr.ch:
		return m
	case <-time.After(waitFor):
		pr.t.Fatal("probe: no message")
		return nil
	}
}

// sync proves the probe is alive and has handled everything queued before:
// the next forwarded message must be the marker.
func (pr *probe) sync() {
	pr.t.Helper()
	marker := pr.p.node.MakeRef()
	pr.async(func(p *Process) error { pr.ch <- marker; return nil })
	if m := pr.recv(); m != marker {
		pr.t.Fatalf("probe: got %#v before sync marker", m)
	}
}

// watch monitors pid from a fresh probe and returns a function that waits
// for the DOWN and returns its reason.
func watch(t testing.TB, n *Node, pid etf.PID) func() etf.Term {
	t.Helper()
	w := spawnProbe(t, n)
	var ref etf.Ref
	w.do(func(p *Process) error {
		var err error
		ref, err = p.Monitor(pid)
		return err
	})
	return func() etf.Term {
		t.Helper()
		m := w.recv()
		d, ok := m.(DownMsg)
		if !ok || d.Ref != ref {
			t.Fatalf("watch: want DOWN for %v, got %#v", ref, m)
		}
		return d.Reason
	}
}
