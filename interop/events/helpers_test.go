package events

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var seq atomic.Int64

const waitFor = 20 * time.Second

func testLogger() *slog.Logger {
	if os.Getenv("ERLGO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func uniq(prefix string) string {
	return prefix + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(seq.Add(1), 10)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// cluster is a private epmd and cookie for the Go (and BEAM) nodes of one
// test.
type cluster struct {
	epmd   int
	cookie string
}

func newCluster(t testing.TB) cluster {
	t.Helper()
	erltest.RequireTools(t, "epmd")
	return cluster{epmd: erltest.StartEPMD(t), cookie: uniq("ev_cookie")}
}

// goNode starts a Go node on loopback with the events service.
func (c cluster) goNode(t testing.TB, prefix string, opts ...node.Option) (*node.Node, *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	all := append([]node.Option{node.WithCookie(c.cookie), node.WithEPMD("127.0.0.1", c.epmd),
		node.WithListenAddr("127.0.0.1:0"), node.WithLogger(testLogger())}, opts...)
	n, err := node.Start(ctx, uniq(prefix)+"@127.0.0.1", all...)
	require.NoError(t, err)
	t.Cleanup(func() { stopNode(t, n) })
	s, err := Start(ctx, n)
	require.NoError(t, err)
	return n, s
}

// localNode starts a node without distribution, with the service.
func localNode(t testing.TB, opts ...Option) (*node.Node, *Server) {
	t.Helper()
	n, err := node.Start(context.Background(), uniq("local")+"@127.0.0.1", node.WithoutDistribution(), node.WithLogger(testLogger()))
	require.NoError(t, err)
	t.Cleanup(func() { stopNode(t, n) })
	s, err := Start(context.Background(), n, opts...)
	require.NoError(t, err)
	return n, s
}

func stopNode(t testing.TB, n *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Errorf("stop %s: %v", n.Name(), err)
	}
}

// proc is a Go process whose messages go to C; the test uses P to act as
// it (Monitor, Register ... take the process).
type proc struct {
	P *node.Process
	C chan etf.Term
}

type procBehavior struct {
	pr *proc
}

func (b *procBehavior) Init(p *node.Process) error { b.pr.P = p; return nil }

func (b *procBehavior) HandleMessage(_ *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case func() error:
		return m()
	case node.ExitMsg:
		if b.pr.P.Node().Stopping() {
			return &node.ExitError{Reason: m.Reason}
		}
	}
	b.pr.C <- msg
	return nil
}

func (b *procBehavior) Terminate(*node.Process, etf.Term) {}

func spawnProc(t testing.TB, n *node.Node, opts ...node.SpawnOption) *proc {
	t.Helper()
	pr := &proc{C: make(chan etf.Term, 1<<17)}
	_, err := n.Spawn(&procBehavior{pr: pr}, opts...)
	require.NoError(t, err)
	return pr
}

// exit makes the process exit with reason (from its own handler).
func (pr *proc) exit(t testing.TB, reason etf.Term) {
	t.Helper()
	require.NoError(t, pr.P.Node().Send(pr.P.Self(), func() error { return &node.ExitError{Reason: reason} }))
}

// do runs f on the process's goroutine, in order with what the test sent
// as the process before, and waits for it.
func (pr *proc) do(t testing.TB, f func(p *node.Process)) {
	t.Helper()
	done := make(chan struct{})
	require.NoError(t, pr.P.Node().Send(pr.P.Self(), func() error { f(pr.P); close(done); return nil }))
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("process did not run the function")
	}
}

func (pr *proc) recv(t testing.TB) etf.Term {
	t.Helper()
	select {
	case m := <-pr.C:
		return m
	case <-time.After(waitFor):
		t.Fatalf("%v: no message within %v", pr.P.Self(), waitFor)
		return nil
	}
}

// recvMsg receives the next message and requires it to be an event
// Message.
func (pr *proc) recvMsg(t testing.TB) Message {
	t.Helper()
	m := pr.recv(t)
	msg, ok := m.(Message)
	require.True(t, ok, "want a Message, got %#v", m)
	return msg
}

// quiet requires that no message arrives within d (used only to show a
// message is NOT sent, after the ones that must be are seen).
func (pr *proc) quiet(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-pr.C:
		t.Fatalf("unexpected message %#v", m)
	case <-time.After(d):
	}
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
