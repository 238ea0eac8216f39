package clustertest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// GoNode is an erlgo node with the interop services, registered in the
// test's epmd.
type GoNode struct {
	*node.Node
	Services *interop.Services
}

// StartGo starts prefix<random>@127.0.0.1 with cookie on the private epmd
// and stops it when the test ends. Logs go to stderr with ERLGO_TEST_LOG
// set (debug level with ERLGO_TEST_LOG=debug).
func StartGo(t testing.TB, epmdPort int, cookie, prefix string) *GoNode {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if v := os.Getenv("ERLGO_TEST_LOG"); v != "" {
		lvl := slog.LevelInfo
		if v == "debug" {
			lvl = slog.LevelDebug
		}
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := node.Start(ctx, Uniq(prefix)+"@127.0.0.1", node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", epmdPort), node.WithLogger(log))
	if err != nil {
		t.Fatalf("start go node: %v", err)
	}
	g := &GoNode{Node: n}
	t.Cleanup(func() { g.Stop(t) })
	if g.Services, err = interop.Start(ctx, n); err != nil {
		t.Fatalf("interop services: %v", err)
	}
	return g
}

// Stop stops the node (idempotent).
func (g *GoNode) Stop(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := g.Node.Stop(ctx); err != nil {
		t.Errorf("stop %s: %v", g.Name(), err)
	}
}

// Inbox is a Go process forwarding its messages to C.
type Inbox struct {
	PID etf.PID
	C   chan etf.Term
}

// StartInbox spawns an Inbox (optionally registered under name).
func StartInbox(t testing.TB, n *node.Node, name etf.Atom) *Inbox {
	t.Helper()
	ib := &Inbox{C: make(chan etf.Term, 256)}
	var opts []node.SpawnOption
	if name != "" {
		opts = append(opts, node.WithName(name))
	}
	pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		if msg == etf.Atom("stop") {
			return &node.ExitError{Reason: node.Normal}
		}
		ib.C <- msg
		return nil
	}), opts...)
	if err != nil {
		t.Fatal(err)
	}
	ib.PID = pid
	return ib
}

// Expect waits for a message satisfying match, skipping others.
func (ib *Inbox) Expect(t testing.TB, what string, match func(etf.Term) bool) etf.Term {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-ib.C:
			if match(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no message: %s", what)
			return nil
		}
	}
}
