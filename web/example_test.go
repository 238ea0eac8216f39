package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/web"
)

// greeter is a WebWorker handler: GET only, so POST gets 405.
type greeter struct{}

func (greeter) HandleGet(_ context.Context, req *web.Request) (web.Response, error) {
	if req.Path == "/missing" {
		return web.Response{}, web.Error(http.StatusNotFound, "nobody here")
	}
	return web.Response{Body: []byte("hello " + strings.TrimPrefix(req.Path, "/"))}, nil
}

// A pool of WebWorkers behind a Handler run by a supervisor.
func ExampleNewHandler() {
	n, _ := node.Start(context.Background(), "web_example@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(context.Background())

	pool := &actors.Pool{Size: 4, New: func(int) (actors.Actor, error) { return web.NewWebWorker(greeter{}), nil }}
	if _, err := actors.Spawn(n, pool, node.WithName("greeters")); err != nil {
		panic(err)
	}
	h := web.NewHandler(etf.Atom("greeters"), web.WithTimeout(5*time.Second))
	sup := &actors.Supervisor{Strategy: actors.OneForOne, Children: []actors.ChildSpec{{
		ID:      "web",
		Start:   func(etf.List) (actors.Actor, error) { return h.Actor(), nil },
		Options: []node.SpawnOption{node.WithName("web_greeters")},
	}}}
	if _, err := actors.Spawn(n, sup); err != nil {
		panic(err)
	}

	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, path := range []string{"/alice", "/missing"} {
		resp, _ := http.Get(srv.URL + path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s\n", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	resp, _ := http.Post(srv.URL+"/alice", "text/plain", nil)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Allow"))
	// Output:
	// 200 hello alice
	// 404 nobody here
	// 405 GET, HEAD
}

// A stream: each Write reaches the client as it is written.
func ExampleResponse_stream() {
	n, _ := node.Start(context.Background(), "web_stream_example@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(context.Background())
	counter := getFunc(func(context.Context, *web.Request) (web.Response, error) {
		return web.Response{Stream: func(ctx context.Context, w *web.ChunkWriter) error {
			for i := 1; i <= 3; i++ {
				if _, err := fmt.Fprintf(w, "tick %d\n", i); err != nil {
					return err
				}
			}
			return nil
		}}, nil
	})
	worker, _ := actors.Spawn(n, web.NewWebWorker(counter))
	h := web.NewHandler(worker)
	runUnder(n, h.Start)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, _ := http.Get(srv.URL)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	// Output:
	// tick 1
	// tick 2
	// tick 3
}

// echo is a WebSocket connection handler: it answers each text frame.
type echo struct{ c *web.Conn }

func (e *echo) Init(*node.Process) error { return nil }

func (e *echo) HandleMessage(p *node.Process, msg etf.Term) error {
	if m, ok := web.ParseMessage(msg); ok {
		// As a message, like any process on any node could send it.
		return p.Send(e.c.ID(), etf.Tuple{etf.Atom("websocket_send"), etf.Tuple{etf.Atom("text"), append([]byte("echo: "), m.Data...)}})
	}
	return nil
}

func (e *echo) Terminate(*node.Process, etf.Term) {}

// A WebSocket endpoint whose connections are each a process.
func ExampleNewWebSocket() {
	n, _ := node.Start(context.Background(), "web_ws_example@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(context.Background())
	ws := web.NewWebSocket(func(c *web.Conn, _ *http.Request) (node.Behavior, error) { return &echo{c: c}, nil })
	runUnder(n, ws.Start)
	srv := httptest.NewServer(ws)
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		panic(err)
	}
	defer c.CloseNow()
	_ = c.Write(ctx, websocket.MessageText, []byte("hi"))
	_, data, _ := c.Read(ctx)
	fmt.Println(string(data))
	_ = c.Close(websocket.StatusNormalClosure, "")
	// Output:
	// echo: hi
}

type getFunc func(context.Context, *web.Request) (web.Response, error)

func (f getFunc) HandleGet(ctx context.Context, r *web.Request) (web.Response, error) {
	return f(ctx, r)
}

// runUnder starts a component from a long-lived owner process, as an
// application's own process would.
func runUnder(n *node.Node, start func(*node.Process, ...node.SpawnOption) (etf.PID, error)) {
	done := make(chan error, 1)
	_, _ = n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if msg == etf.Atom("start") {
			_, err := start(p)
			done <- err
		}
		return nil
	}), node.WithName("web_owner"))
	_ = n.Send(etf.Atom("web_owner"), etf.Atom("start"))
	if err := <-done; err != nil {
		panic(err)
	}
}
