package global

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var seq atomic.Int64

const waitFor = 20 * time.Second

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// localNode starts a node without distribution and its global server.
func localNode(t *testing.T, name string) (*node.Node, *Server) {
	t.Helper()
	if name == "" {
		name = "g" + strconv.FormatInt(seq.Add(1), 10) + "@127.0.0.1"
	}
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(quietLogger()))
	require.NoError(t, err)
	t.Cleanup(func() { stopNode(t, n) })
	s, err := Start(context.Background(), n)
	require.NoError(t, err)
	return n, s
}

func stopNode(t *testing.T, n *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// inbox is a process forwarding its messages to a channel.
type inbox struct {
	pid etf.PID
	ch  chan etf.Term
}

func startInbox(t *testing.T, n *node.Node, opts ...node.SpawnOption) *inbox {
	t.Helper()
	ib := &inbox{ch: make(chan etf.Term, 64)}
	pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		if msg == etf.Atom("stop") {
			return &node.ExitError{Reason: node.Normal}
		}
		ib.ch <- msg
		return nil
	}), opts...)
	require.NoError(t, err)
	ib.pid = pid
	return ib
}

func (ib *inbox) recv(t *testing.T) etf.Term {
	t.Helper()
	select {
	case m := <-ib.ch:
		return m
	case <-time.After(waitFor):
		t.Fatal("no message")
		return nil
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}
