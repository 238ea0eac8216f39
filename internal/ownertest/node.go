package ownertest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// Wait bounds every wait of these helpers, and of the tests that use them:
// reaching it means a hang, not a slow machine. It is erltest.Wait, so
// that one bound serves the tests that start BEAM peers too.
const Wait = erltest.Wait

// LogEnv is the environment variable that turns the nodes' logs on:
// unset, Logger discards them; "debug", they go to stderr at debug level;
// any other value, at info level (the same meaning as elsewhere in erlgo's
// tests).
const LogEnv = "ERLGO_TEST_LOG"

var seq atomic.Int64

// Logger returns the logger for a test node: quiet unless LogEnv is set.
func Logger() *slog.Logger {
	v := os.Getenv(LogEnv)
	if v == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	lvl := slog.LevelInfo
	if v == "debug" {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// UniqueName returns prefix followed by this test binary's pid and a
// sequence number, a name (of a node, a cookie) that no other test of any
// package running at the same time uses.
func UniqueName(prefix string) string {
	return prefix + "_" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(seq.Add(1), 10)
}

// LocalNode starts a node named after namePrefix without distribution,
// logging through Logger, and stops it at cleanup (StopNode). opts come
// after those defaults, so they can override them.
func LocalNode(t testing.TB, namePrefix string, opts ...node.Option) *node.Node {
	t.Helper()
	opts = append([]node.Option{node.WithoutDistribution(), node.WithLogger(Logger())}, opts...)
	n, err := node.Start(context.Background(), UniqueName(namePrefix)+"@127.0.0.1", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { StopNode(t, n) })
	return n
}

// StopNode stops n, waiting at most Wait for its processes to end; an
// error (processes still running then) fails the test.
func StopNode(t testing.TB, n *node.Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}
