package active

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// sink is a process whose messages go to a channel; hold blocks its
// handler so that its mailbox fills.
type sink struct {
	got  chan etf.Term
	in   chan struct{} // a message reached the handler
	hold chan struct{}
}

func (s sink) Init(*node.Process) error { return nil }
func (s sink) HandleMessage(_ *node.Process, m etf.Term) error {
	s.in <- struct{}{}
	<-s.hold
	s.got <- m
	return nil
}
func (sink) Terminate(*node.Process, etf.Term) {}

func start(t *testing.T) (*node.Process, sink) {
	t.Helper()
	n, err := node.Start(context.Background(), "active@127.0.0.1", node.WithoutDistribution(),
		node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(context.Background()) })
	s := sink{got: make(chan etf.Term, 100), in: make(chan struct{}, 100), hold: make(chan struct{})}
	var p *node.Process
	if _, err := n.Spawn(s, node.WithBeforeInit(func(q *node.Process) { p = q })); err != nil {
		t.Fatal(err)
	}
	return p, s
}

func send(ctrl *node.Process, v int) { _ = ctrl.Node().Send(ctrl.Self(), v) }

// Once hands one message and turns passive; Take gets the next; Active
// stops at the window until the controller drains; Stop ends a waiting
// Hand and Take.
func TestGate(t *testing.T) {
	p, s := start(t)
	close(s.hold)
	g := New[int](Once, p, 2)
	if !g.Hand(1, send) || g.Mode() != Passive {
		t.Fatal("once did not turn passive")
	}
	if m := <-s.got; m != 1 {
		t.Fatalf("got %v", m)
	}
	go g.Hand(2, send)
	if v, err := g.Take(context.Background(), time.Minute); err != nil || v != 2 {
		t.Fatalf("take %v %v", v, err)
	}
	if _, err := g.Take(context.Background(), time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("take on nothing: %v", err)
	}
	g.SetMode(Active)
	if _, err := g.Take(context.Background(), time.Millisecond); !errors.Is(err, ErrNotPassive) {
		t.Fatalf("take while active: %v", err)
	}
	g.Stop()
	if g.Hand(3, send) {
		t.Fatal("hand after stop")
	}
}

// Active waits while the controller's mailbox holds a window's worth.
func TestGateWindow(t *testing.T) {
	p, s := start(t)
	g := New[int](Active, p, 2)
	if !g.Hand(0, send) {
		t.Fatal("hand failed")
	}
	<-s.in // the handler holds message 0; the next two stay queued
	for i := 1; i <= 2; i++ {
		if !g.Hand(i, send) {
			t.Fatal("hand failed")
		}
	}
	handed := make(chan bool)
	go func() { handed <- g.Hand(99, send) }()
	select {
	case <-handed:
		t.Fatal("handed past a full window")
	case <-time.After(50 * time.Millisecond):
	}
	close(s.hold) // the controller drains
	if !<-handed {
		t.Fatal("hand failed after the drain")
	}
	go func() { _, _ = g.Take(context.Background(), 0) }()
	g.Stop()
}
