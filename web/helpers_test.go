package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = erltest.Wait

var nodeSeq atomic.Int64

func testLogger() *slog.Logger {
	if os.Getenv("WEB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func uniqueName(prefix string) string {
	return prefix + "_" + strconv.Itoa(os.Getpid()) + "_" + strconv.Itoa(int(nodeSeq.Add(1)))
}

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...node.Option) *node.Node {
	t.Helper()
	opts = append([]node.Option{node.WithoutDistribution(), node.WithLogger(testLogger())}, opts...)
	n, err := node.Start(context.Background(), uniqueName("web")+"@127.0.0.1", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(t, n) })
	return n
}

func stopNode(t testing.TB, n *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// owner is a process that runs functions sent to it (so that Start runs
// inside its handler, as in real code) and forwards other messages.
type owner struct {
	n    *node.Node
	pid  etf.PID
	msgs chan etf.Term
}

type ownerCall struct {
	f    func(p *node.Process) error
	done chan error
}

type ownerExit struct{ reason etf.Term }

type ownerBeh struct{ o *owner }

func (ownerBeh) Init(*node.Process) error { return nil }
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

func startOwner(t testing.TB, n *node.Node, trap bool) *owner {
	t.Helper()
	o := &owner{n: n, msgs: make(chan etf.Term, 1<<12)}
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

// serve starts h's process under a new owner and an httptest server for
// it, both ended at cleanup.
func serve(t testing.TB, n *node.Node, h interface {
	http.Handler
	Start(*node.Process, ...node.SpawnOption) (etf.PID, error)
}, opts ...node.SpawnOption) (*httptest.Server, *owner, etf.PID) {
	t.Helper()
	o := startOwner(t, n, true)
	var pid etf.PID
	if err := o.do(t, func(p *node.Process) (err error) {
		pid, err = h.Start(p, opts...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, o, pid
}

// spawnWorker spawns a WebWorker for handler.
func spawnWorker(t testing.TB, n *node.Node, handler any, opts ...node.SpawnOption) etf.PID {
	t.Helper()
	pid, err := actors.Spawn(n, NewWebWorker(handler), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// get makes a request and returns the status and body.
func do(t testing.TB, c *http.Client, method, url string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// funcs adapts functions to the WebWorker callbacks.
type getFunc func(ctx context.Context, req *Request) (Response, error)

func (f getFunc) HandleGet(ctx context.Context, req *Request) (Response, error) { return f(ctx, req) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
