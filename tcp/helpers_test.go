package tcp

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

func testLogger() *slog.Logger {
	if os.Getenv("TCP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...node.Option) *node.Node {
	t.Helper()
	name := "tcp" + strconv.Itoa(int(nodeSeq.Add(1))) + "@127.0.0.1"
	opts = append([]node.Option{node.WithoutDistribution(), node.WithLogger(testLogger())}, opts...)
	n, err := node.Start(context.Background(), name, opts...)
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

// owner is a process that runs functions sent to it (so that Listen,
// Dial and the socket calls run inside its handler, as in real code) and
// forwards every other message to msgs.
type owner struct {
	n    *node.Node
	pid  etf.PID
	proc *node.Process
	msgs chan etf.Term
}

type ownerCall struct {
	f    func(p *node.Process) error
	done chan error
}

// ownerExit makes the owner return with reason from its handler.
type ownerExit struct{ reason etf.Term }

type ownerBeh struct{ o *owner }

func (b ownerBeh) Init(p *node.Process) error { b.o.proc = p; return nil }
func (b ownerBeh) HandleMessage(p *node.Process, msg etf.Term) error {
	switch c := msg.(type) {
	case *ownerCall:
		c.done <- c.f(p)
		return nil
	case ownerExit:
		return &node.ExitError{Reason: c.reason}
	}
	b.o.msgs <- msg
	if x, ok := msg.(node.ExitMsg); ok && x.Reason == node.Shutdown {
		return &node.ExitError{Reason: node.Shutdown} // Node.Stop
	}
	return nil
}
func (ownerBeh) Terminate(*node.Process, etf.Term) {}

// startOwner spawns an owner; trap makes it trap exits.
func startOwner(t testing.TB, n *node.Node, trap bool) *owner {
	t.Helper()
	o := &owner{n: n, msgs: make(chan etf.Term, 1<<16)}
	var opts []node.SpawnOption
	if trap {
		opts = append(opts, node.WithTrapExit())
	}
	pid, err := n.Spawn(ownerBeh{o}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	o.pid = pid
	return o
}

// do runs f in the owner's handler and returns its error.
func (o *owner) do(t testing.TB, f func(p *node.Process) error) error {
	t.Helper()
	c := &ownerCall{f: f, done: make(chan error, 1)}
	if err := o.n.Send(o.pid, c); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		return err
	case <-time.After(waitFor):
		t.Fatal("owner did not run the function")
		return nil
	}
}

// listen starts a listener on a free loopback port owned by o.
func (o *owner) listen(t testing.TB, opts ...Option) *Listener {
	t.Helper()
	var l *Listener
	if err := o.do(t, func(p *node.Process) (err error) {
		l, err = Listen(context.Background(), p, "127.0.0.1:0", opts...)
		return err
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return l
}

// dial connects a socket owned by o.
func (o *owner) dial(t testing.TB, addr string, opts ...Option) *Socket {
	t.Helper()
	var s *Socket
	if err := o.do(t, func(p *node.Process) (err error) {
		s, err = Dial(context.Background(), p, addr, opts...)
		return err
	}); err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return s
}

// send sends from inside the owner, bounded by waitFor.
func (o *owner) send(t testing.TB, s *Socket, data []byte) error {
	t.Helper()
	return o.do(t, func(*node.Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		return s.Send(ctx, data)
	})
}

// next returns the owner's next message.
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

// none fails if a message arrives within d: the behaviour under test is
// that nothing is delivered.
func (o *owner) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-o.msgs:
		t.Fatalf("unexpected message %#v", m)
	case <-time.After(d):
	}
}

// nextData returns the next message, which must be Data from s.
func (o *owner) nextData(t testing.TB, s *Socket) []byte {
	t.Helper()
	m := o.next(t)
	d, ok := m.(Data)
	if !ok || d.Socket != s {
		t.Fatalf("want Data from %v, got %#v", s.ID(), m)
	}
	return d.Data
}

func waitDone(t testing.TB, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatalf("%s did not end", what)
	}
}

// waitUntil polls cond (the state it checks has no event to wait on).
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// echoHandler echoes every message in the given mode: Active as they
// come, Once re-arming after each, Passive through Recv in a goroutine.
func echoHandler(mode ActiveMode) func(s *Socket) node.Behavior {
	return func(s *Socket) node.Behavior {
		return &echoBeh{s: s, mode: mode}
	}
}

type echoBeh struct {
	s    *Socket
	mode ActiveMode
	stop chan struct{}
	done chan struct{}
}

func (e *echoBeh) Init(p *node.Process) error {
	if e.mode != Passive {
		return nil
	}
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(e.done)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-e.stop; cancel() }()
		for {
			b, err := e.s.Recv(ctx, 0, 0)
			if err != nil {
				return
			}
			if e.s.Send(ctx, b) != nil {
				return
			}
		}
	}()
	return nil
}

func (e *echoBeh) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case Data:
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := m.Socket.Send(ctx, m.Data); err != nil {
			return err
		}
		if e.mode == Once {
			return m.Socket.SetActive(Once)
		}
	case Closed:
		return &node.ExitError{Reason: node.Normal}
	}
	return nil
}

func (e *echoBeh) Terminate(*node.Process, etf.Term) {
	if e.stop != nil {
		close(e.stop)
		<-e.done
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
