package tcp

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = ownertest.Wait

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...node.Option) *node.Node {
	t.Helper()
	return ownertest.LocalNode(t, "tcp", opts...)
}

// owner is a process that runs functions sent to it (so that Listen,
// Dial and the socket calls run inside its handler, as in real code) and
// forwards every other message to Msgs; it adds the socket helpers to
// ownertest.Owner.
type owner struct{ *ownertest.Owner }

// startOwner spawns an owner; trap makes it trap exits.
func startOwner(t testing.TB, n *node.Node, trap bool) *owner {
	t.Helper()
	return &owner{ownertest.Start(t, n, trap)}
}

// listen starts a listener on a free loopback port owned by o.
func (o *owner) listen(t testing.TB, opts ...Option) *Listener {
	t.Helper()
	var l *Listener
	if err := o.Do(t, func(p *node.Process) (err error) {
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
	if err := o.Do(t, func(p *node.Process) (err error) {
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
	return o.Do(t, func(*node.Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		return s.Send(ctx, data)
	})
}

// nextData returns the next message, which must be Data from s.
func (o *owner) nextData(t testing.TB, s *Socket) []byte {
	t.Helper()
	m := o.Next(t)
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
