package udp

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = 20 * time.Second

var nodeSeq atomic.Int64

func localNode(t testing.TB) *node.Node {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("UDP_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	name := "udp" + strconv.Itoa(int(nodeSeq.Add(1))) + "@127.0.0.1"
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(logger))
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

// owner forwards every message to msgs; exitMsg makes it exit.
type owner struct {
	n    *node.Node
	pid  etf.PID
	proc *node.Process
	msgs chan etf.Term
}

type exitMsg struct{ reason etf.Term }

type ownerBeh struct{ o *owner }

func (b ownerBeh) Init(p *node.Process) error { b.o.proc = p; return nil }
func (b ownerBeh) HandleMessage(p *node.Process, msg etf.Term) error {
	if e, ok := msg.(exitMsg); ok {
		return &node.ExitError{Reason: e.reason}
	}
	b.o.msgs <- msg
	if x, ok := msg.(node.ExitMsg); ok && x.Reason == node.Shutdown {
		return &node.ExitError{Reason: node.Shutdown}
	}
	return nil
}
func (ownerBeh) Terminate(*node.Process, etf.Term) {}

func startOwner(t testing.TB, n *node.Node) *owner {
	t.Helper()
	o := &owner{n: n, msgs: make(chan etf.Term, 1<<12)}
	pid, err := n.Spawn(ownerBeh{o}, node.WithTrapExit())
	if err != nil {
		t.Fatal(err)
	}
	o.pid = pid
	return o
}

func (o *owner) open(t testing.TB, opts ...Option) *Socket {
	t.Helper()
	s, err := Open(context.Background(), o.proc, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (o *owner) next(t testing.TB) etf.Term {
	t.Helper()
	select {
	case m := <-o.msgs:
		return m
	case <-time.After(waitFor):
		t.Fatal("no message for the owner")
		return nil
	}
}

func (o *owner) datagram(t testing.TB) Datagram {
	t.Helper()
	m := o.next(t)
	d, ok := m.(Datagram)
	if !ok {
		t.Fatalf("want Datagram, got %#v", m)
	}
	return d
}

func (o *owner) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-o.msgs:
		t.Fatalf("unexpected message %#v", m)
	case <-time.After(d):
	}
}
