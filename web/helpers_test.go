package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = ownertest.Wait

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...node.Option) *node.Node {
	t.Helper()
	return ownertest.LocalNode(t, "web", opts...)
}

// serve starts h's process under a new owner and an httptest server for
// it, both ended at cleanup.
func serve(t testing.TB, n *node.Node, h interface {
	http.Handler
	Start(*node.Process, ...node.SpawnOption) (etf.PID, error)
}, opts ...node.SpawnOption) (*httptest.Server, *ownertest.Owner, etf.PID) {
	t.Helper()
	o := ownertest.Start(t, n, true)
	var pid etf.PID
	if err := o.Do(t, func(p *node.Process) (err error) {
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
