package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// users is a WebWorker with GET and POST.
type users struct{}

func (users) HandleGet(_ context.Context, req *Request) (Response, error) {
	switch req.Path {
	case "/panic":
		panic("boom")
	case "/missing":
		return Response{}, Error(http.StatusNotFound, "no such user")
	case "/fail":
		return Response{}, errors.New("secret database password in error")
	}
	h := http.Header{"Content-Type": {"text/plain"}, "X-Query": {req.Query}}
	return Response{Header: h, Body: []byte("hello " + req.Path + " ua=" + req.Header.Get("User-Agent"))}, nil
}

func (users) HandlePost(_ context.Context, req *Request) (Response, error) {
	return Response{Status: http.StatusCreated, Body: append([]byte("got "), req.Body...)}, nil
}

func TestWebWorkerMethods(t *testing.T) {
	n := localNode(t)
	w := spawnWorker(t, n, users{})
	srv, _, _ := serve(t, n, NewHandler(w))
	c := srv.Client()

	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
		header                   [2]string
	}{
		{"get", "GET", "/alice?x=1&y=2", "", 200, "hello /alice ua=Go-http-client/1.1", [2]string{"X-Query", "x=1&y=2"}},
		{"head", "HEAD", "/alice", "", 200, "", [2]string{"Content-Type", "text/plain"}},
		{"post", "POST", "/users", "bob", 201, "got bob", [2]string{}},
		{"405", "PUT", "/users", "x", 405, "method not allowed\n", [2]string{"Allow", "GET, HEAD, POST"}},
		{"status error", "GET", "/missing", "", 404, "no such user\n", [2]string{}},
		{"error hides text", "GET", "/fail", "", 500, "Internal Server Error\n", [2]string{}},
		{"panic", "GET", "/panic", "", 500, "Internal Server Error\n", [2]string{}},
		{"after panic", "GET", "/still", "", 200, "hello /still ua=Go-http-client/1.1", [2]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := do(t, c, tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if status != tc.status || body != tc.want {
				t.Fatalf("%s %s: %d %q, want %d %q", tc.method, tc.path, status, body, tc.status, tc.want)
			}
			if tc.header[0] != "" && h.Get(tc.header[0]) != tc.header[1] {
				t.Fatalf("header %s = %q, want %q", tc.header[0], h.Get(tc.header[0]), tc.header[1])
			}
		})
	}
	if !n.IsAlive(w) {
		t.Fatal("the worker died")
	}
}

// A worker that never answers: the client gets 504 once the timeout
// passes, and the worker's late reply goes nowhere.
func TestTimeout(t *testing.T) {
	n := localNode(t)
	release := make(chan struct{})
	w := spawnWorker(t, n, getFunc(func(context.Context, *Request) (Response, error) {
		<-release
		return Response{Body: []byte("late")}, nil
	}))
	srv, _, _ := serve(t, n, NewHandler(w, WithTimeout(100*time.Millisecond)))
	status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/slow", nil)
	close(release)
	if status != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", status)
	}
}

// The callback's context ends when the timeout passes.
func TestTimeoutCancelsCallback(t *testing.T) {
	n := localNode(t)
	ended := make(chan error, 1)
	w := spawnWorker(t, n, getFunc(func(ctx context.Context, _ *Request) (Response, error) {
		<-ctx.Done()
		ended <- ctx.Err()
		return Response{}, ctx.Err()
	}))
	srv, _, _ := serve(t, n, NewHandler(w, WithTimeout(100*time.Millisecond)))
	if status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/", nil); status != http.StatusGatewayTimeout {
		t.Fatalf("status %d", status)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ctx ended with %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("the callback's context did not end")
	}
}

func TestBodyLimit(t *testing.T) {
	n := localNode(t)
	w := spawnWorker(t, n, users{})
	srv, _, _ := serve(t, n, NewHandler(w, WithMaxBodyBytes(10)))
	if status, _, body := do(t, srv.Client(), "POST", srv.URL+"/", strings.NewReader("0123456789")); status != 201 || body != "got 0123456789" {
		t.Fatalf("10 bytes: %d %q", status, body)
	}
	if status, _, _ := do(t, srv.Client(), "POST", srv.URL+"/", strings.NewReader("0123456789a")); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("11 bytes: %d", status)
	}
}

// Targets that are not there, or answer nonsense.
func TestTargets(t *testing.T) {
	n := localNode(t)
	nonsense, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if from, _, ok := node.ParseGenCall(msg); ok {
			return node.Reply(p, from, etf.Tuple{etf.Atom("web_response"), 200, etf.List{etf.Tuple{etf.Binary("X-Bad"), etf.Binary("a\r\nb")}}, etf.Binary("x")})
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	crash, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		return errors.New("crash")
	}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		target etf.Term
		status int
	}{
		{"unregistered name", etf.Atom("nobody"), http.StatusServiceUnavailable},
		{"header injection", nonsense, http.StatusBadGateway},
		{"worker crashes", crash, http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _, _ := serve(t, n, NewHandler(tc.target))
			status, h, _ := do(t, srv.Client(), "GET", srv.URL+"/", nil)
			if status != tc.status || h.Get("X-Bad") != "" {
				t.Fatalf("status %d (X-Bad %q), want %d", status, h.Get("X-Bad"), tc.status)
			}
		})
	}
}

// A Handler without a running process answers 503.
func TestNotRunning(t *testing.T) {
	h := NewHandler(etf.Atom("x"))
	rec := newRecorder()
	h.ServeHTTP(rec, mustRequest(t, "GET", "/"))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
	if _, ok := h.PID(); ok {
		t.Fatal("PID without a process")
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var _ = fmt.Sprint
