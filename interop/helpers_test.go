package interop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = 10 * time.Second

var seq atomic.Int64

// syncBuffer is a goroutine-safe output sink for the io server.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// localServices starts a node without distribution with the services and
// a few test functions registered.
func localServices(t *testing.T) (*node.Node, *Services, *syncBuffer) {
	t.Helper()
	name := "it" + strconv.FormatInt(seq.Add(1), 10) + "@127.0.0.1"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(log))
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
	out := &syncBuffer{}
	s, err := Start(context.Background(), n, WithOutput(out))
	if err != nil {
		t.Fatal(err)
	}
	s.Register("t", "add", 2, Func2(func(_ context.Context, a, b int) (int, error) { return a + b, nil }))
	s.Register("t", "throw", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Throw(a[0]) })
	s.Register("t", "exit", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Exit(a[0]) })
	s.Register("t", "raise", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Raise(a[0]) })
	s.Register("t", "goerr", 0, func(context.Context, etf.List) (etf.Term, error) { return nil, errors.New("boom") })
	s.Register("t", "panic", 0, func(context.Context, etf.List) (etf.Term, error) { panic("kaput") })
	s.Register("t", "none", 0, func(context.Context, etf.List) (etf.Term, error) { return nil, nil })
	s.Register("t", "print", 1, func(ctx context.Context, a etf.List) (etf.Term, error) {
		return nil, Format(ctx, Process(ctx), "printed ~p~n", a)
	})
	return n, s, out
}

// watcher is a process that forwards every message it receives to ch and
// runs functions sent to it inside its handler.
type watcher struct {
	ch chan etf.Term
	p  chan *node.Process
}

func (w *watcher) Init(p *node.Process) error { w.p <- p; return nil }
func (w *watcher) HandleMessage(p *node.Process, msg etf.Term) error {
	if f, ok := msg.(func(*node.Process)); ok {
		f(p)
		return nil
	}
	w.ch <- msg
	return nil
}
func (w *watcher) Terminate(*node.Process, etf.Term) {}

func startWatcher(t *testing.T, n *node.Node) (*node.Process, chan etf.Term) {
	t.Helper()
	w := &watcher{ch: make(chan etf.Term, 16), p: make(chan *node.Process, 1)}
	if _, err := n.Spawn(w); err != nil {
		t.Fatal(err)
	}
	return <-w.p, w.ch
}

func recv(t *testing.T, ch chan etf.Term) etf.Term {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitFor):
		t.Fatal("no message")
		return nil
	}
}
