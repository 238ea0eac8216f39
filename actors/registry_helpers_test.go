package actors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// The Go twins of Shop.Order (testdata/registry_it.exs) and of the record
// point (testdata/erl_echo.erl echoes it).
type Order struct {
	ID    int
	Item  string
	Price float64
}

type Point struct{ X, Y int }

// StockError is a registered error type: an Elixir exception on the wire.
type StockError struct {
	Item string
	Left int
}

func (e StockError) Error() string { return fmt.Sprintf("%s: %d left", e.Item, e.Left) }

var ErrOutOfStock = errors.New("out of stock")

// shopRegistry is the registry every node of these tests uses (each its
// own value, as separate programs would have).
func shopRegistry(t testing.TB, opts ...etf.RegistryOption) *etf.Registry {
	r := etf.NewRegistry(opts...)
	require.NoError(t, etf.Register[Order](r, "Elixir.Shop.Order"))
	require.NoError(t, etf.Register[Point](r, "point", etf.AsRecord()))
	require.NoError(t, etf.Register[StockError](r, "Elixir.Shop.StockError"))
	require.NoError(t, r.RegisterError("out_of_stock", ErrOutOfStock))
	return r
}

// logBuf is a concurrency-safe log sink, to assert on warnings.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// regNode starts a Go node with reg in the cluster's EPMD; its Warn lines
// go to the returned buffer.
func (c *cluster) regNode(t testing.TB, reg *etf.Registry, opts ...node.Option) (*node.Node, *logBuf) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	lb := &logBuf{}
	log := slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelWarn}))
	name := fmt.Sprintf("go_reg_%d_%d@127.0.0.1", os.Getpid(), erlSeq.Add(1))
	opts = append([]node.Option{node.WithCookie(c.cookie), node.WithLogger(log),
		node.WithEPMD("127.0.0.1", c.epmd), node.WithRegistry(reg)}, opts...)
	n, err := node.Start(ctx, name, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), erlWait)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n, lb
}

// inbox registers a process under name that forwards every message to
// the returned channel.
func inbox(t testing.TB, n *node.Node, name etf.Atom, size int) <-chan etf.Term {
	t.Helper()
	ch := make(chan etf.Term, size)
	_, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		ch <- msg
		return nil
	}), node.WithName(name))
	require.NoError(t, err)
	return ch
}

// recv waits for the next message on ch.
func recv(t testing.TB, ch <-chan etf.Term) etf.Term {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(2 * erlWait):
		t.Fatal("no message")
		return nil
	}
}

// shop is a Go actor serving Orders; some requests fail with registered
// and unregistered errors.
type shop struct{}

func (shop) Init(*actors.Process, ...any) error { return nil }

func (shop) HandleCall(_ *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	switch req {
	case etf.Atom("order"):
		return Order{ID: 1, Item: "book", Price: 9.5}, nil
	case etf.Atom("reply_oos"): // an error as the reply: the server lives on
		return ErrOutOfStock, nil
	case etf.Atom("oos"):
		return nil, fmt.Errorf("shop: %w", ErrOutOfStock)
	case etf.Atom("stock"):
		return nil, StockError{Item: "pen", Left: 0}
	case etf.Atom("plain"):
		return nil, errors.New("boom")
	}
	if o, ok := req.(Order); ok { // the request arrives typed, too
		o.Price *= 2
		return o, nil
	}
	return nil, fmt.Errorf("shop: bad request %v", req)
}

func (shop) HandleCast(*actors.Process, etf.Term) error { return nil }

// waitCalls waits until a call from b to "to" succeeds: a call made while
// the connection is being set up can fail with a spurious noconnection
// (see TestGoToGoRemote).
func waitCalls(t testing.TB, ctx context.Context, b *node.Node, to etf.Term) {
	t.Helper()
	for {
		_, err := b.Call(ctx, to, etf.Atom("order"))
		if err == nil {
			return
		}
		if !errors.Is(err, node.ErrNoConnection) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
