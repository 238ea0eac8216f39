package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

// erlTick is net_ticktime on both sides of the erl tests.
const erlTick = 2 * time.Second

// startErlWorker starts an erl node running web_erl_worker (a plain
// gen_server, registered under that name) and a Go node that reaches it;
// it returns the Go node and the worker's {Name, Node}.
func startErlWorker(t *testing.T) (*node.Node, etf.Tuple) {
	t.Helper()
	erl := erltest.Tool(t, "erl")
	ebin := erltest.Compile(t, "testdata", "web_erl_worker.erl")
	epmd := erltest.StartEPMD(t)
	cookie := ownertest.UniqueName("cookie")
	erlName := ownertest.UniqueName("web_erl") + "@127.0.0.1"
	cmd := exec.Command(erl, "-noshell", "-name", erlName, "-setcookie", cookie, "-pa", ebin,
		"-kernel", "net_ticktime", strconv.Itoa(int(erlTick/time.Second)),
		"-eval", `{ok, _} = web_erl_worker:start(), true = web_erl_worker:start_ws(), io:format("ready~n").`)
	cmd.Env = erltest.EnvWithEPMD(epmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("erl exited before it was ready")
		}
	case <-time.After(waitFor):
		t.Fatal("erl was not ready")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	n, err := node.Start(ctx, ownertest.UniqueName("web_go")+"@127.0.0.1", node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", epmd), node.WithTickTime(erlTick), node.WithLogger(ownertest.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ownertest.StopNode(t, n) })
	return n, etf.Tuple{etf.Atom("web_erl_worker"), etf.Atom(erlName)}
}

// A real BEAM gen_server answers web requests routed to it: it matches
// {web_request, #{...}} and replies {web_response, ...} with iodata, and
// {web_stream, ...} followed by chunks; the connection survives idling
// past net_ticktime; 400 requests, 50 at a time, are all answered in
// turn; its crash mid-request is a 500.
func TestErlGenServer(t *testing.T) {
	n, target := startErlWorker(t)
	srv, _, _ := serve(t, n, NewHandler(target))
	c := srv.Client()
	count := 0
	check := func(t *testing.T) {
		t.Helper()
		status, h, body := do(t, c, "POST", srv.URL+"/users/bob?x=1", strings.NewReader("payload"))
		count++
		want := "POST /users/bob?x=1 payload ua=Go-http-client/1.1"
		if status != 200 || body != want || h.Get("Content-Type") != "text/plain" || h.Get("X-Erl-Count") != strconv.Itoa(count) {
			t.Fatalf("%d %q %v, want %q count %d", status, body, h, want, count)
		}
	}
	t.Run("request", check)
	t.Run("stream", func(t *testing.T) {
		status, _, body := do(t, c, "GET", srv.URL+"/stream", nil)
		if status != 200 || body != "part 1\npart 2\npart 3\n" {
			t.Fatalf("%d %q", status, body)
		}
	})
	t.Run("idle past net_ticktime", func(t *testing.T) {
		time.Sleep(3 * erlTick) // the behaviour under test: ticks keep the connection up
		if len(n.Nodes()) != 1 {
			t.Fatalf("connected to %v", n.Nodes())
		}
		check(t)
	})
	t.Run("sustained load", func(t *testing.T) {
		const total, parallel = 400, 50
		seen := make(map[int]bool)
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, total)
		sem := make(chan struct{}, parallel)
		for i := range total {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/n/%d", srv.URL, i), nil)
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				defer resp.Body.Close()
				var b strings.Builder
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					b.WriteString(sc.Text())
				}
				k, _ := strconv.Atoi(resp.Header.Get("X-Erl-Count"))
				if want := fmt.Sprintf("GET /n/%d? ", i); resp.StatusCode != 200 || !strings.HasPrefix(b.String(), want) {
					errs <- fmt.Errorf("request %d: %d %q", i, resp.StatusCode, b.String())
					return
				}
				mu.Lock()
				seen[k] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for k := count + 1; k <= count+total; k++ {
			if !seen[k] {
				t.Fatalf("no request got count %d", k)
			}
		}
		count += total
		check(t)
	})
	t.Run("crash mid-request", func(t *testing.T) {
		status, _, _ := do(t, c, "GET", srv.URL+"/crash", nil)
		if status != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", status)
		}
		// The worker is gone now: its name no longer resolves.
		if status, _, _ := do(t, c, "GET", srv.URL+"/", nil); status != http.StatusServiceUnavailable {
			t.Fatalf("after the crash: status %d, want 503", status)
		}
	})
}

// A WebSocket connection driven from BEAM: the Go handler forwards each
// frame ({websocket, Conn, {Type, Data}}) to a process on erl, which
// answers by sending {websocket_send, {Type, IoData}} to the connection
// process and, for "close", {websocket_close, 4002, Reason}; it still
// works after idling past net_ticktime.
func TestErlWebSocket(t *testing.T) {
	n, worker := startErlWorker(t)
	relay := etf.Tuple{etf.Atom("web_erl_ws"), worker[1]}
	ws := NewWebSocket(func(*Conn, *http.Request) (node.Behavior, error) {
		return node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
			if _, ok := ParseMessage(msg); ok {
				return p.Send(relay, msg)
			}
			return nil
		}), nil
	})
	srv, _, _ := serve(t, n, ws)
	c, _, err := websocket.Dial(ctxT(t), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for i, tc := range []struct {
		typ websocket.MessageType
		in  string
	}{{websocket.MessageText, "hello"}, {websocket.MessageBinary, "\x00\xff"}, {websocket.MessageText, strings.Repeat("big", 30000)}} {
		if err := c.Write(ctxT(t), tc.typ, []byte(tc.in)); err != nil {
			t.Fatal(err)
		}
		typ, data, err := c.Read(ctxT(t))
		if err != nil || typ != tc.typ || string(data) != "erl: "+tc.in {
			t.Fatalf("frame %d: %v %.40q %v", i, typ, data, err)
		}
	}
	// Idle past net_ticktime (the behaviour under test): the connection,
	// its process and the dist link all stay up.
	time.Sleep(3 * erlTick)
	if err := c.Write(ctxT(t), websocket.MessageText, []byte("after idle")); err != nil {
		t.Fatal(err)
	}
	if _, data, err := c.Read(ctxT(t)); err != nil || string(data) != "erl: after idle" {
		t.Fatalf("after idling: %q %v", data, err)
	}
	_ = c.Write(ctxT(t), websocket.MessageText, []byte("close"))
	_, _, err = c.Read(ctxT(t))
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4002 || ce.Reason != "erl says bye" {
		t.Fatalf("after close: %v", err)
	}
}

// A WebWorker on another Go node: the request crosses as its term
// ({web_request, Map}, through MarshalTerm) and the reply as
// {web_response, ...} or {web_stream, ...} plus chunks.
func TestRemoteGoWorker(t *testing.T) {
	epmd := erltest.StartEPMD(t)
	cookie := ownertest.UniqueName("cookie")
	start := func(prefix string) *node.Node {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		n, err := node.Start(ctx, ownertest.UniqueName(prefix)+"@127.0.0.1", node.WithCookie(cookie),
			node.WithEPMD("127.0.0.1", epmd), node.WithLogger(ownertest.Logger()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ownertest.StopNode(t, n) })
		return n
	}
	front, back := start("web_front"), start("web_back")
	s := &streamer{next: make(chan struct{}, 3), lines: 3}
	for range 3 {
		s.next <- struct{}{}
	}
	mux := &remoteMux{users: users{}, stream: s}
	spawnWorker(t, back, mux, node.WithName("remote_users"))
	srv, _, _ := serve(t, front, NewHandler(node.Name{Name: "remote_users", Node: back.Name()}))
	c := srv.Client()
	if status, h, body := do(t, c, "GET", srv.URL+"/bob?q=1", nil); status != 200 || body != "hello /bob ua=Go-http-client/1.1" || h.Get("X-Query") != "q=1" {
		t.Fatalf("get: %d %q %v", status, body, h)
	}
	if status, _, body := do(t, c, "POST", srv.URL+"/", strings.NewReader("over the wire")); status != 201 || body != "got over the wire" {
		t.Fatalf("post: %d %q", status, body)
	}
	if status, _, body := do(t, c, "GET", srv.URL+"/stream", nil); status != 200 || body != "line 0\nline 1\nline 2\n" {
		t.Fatalf("stream: %d %q", status, body)
	}
	if status, _, _ := do(t, c, "GET", srv.URL+"/panic", nil); status != 500 {
		t.Fatalf("panic: %d", status)
	}
}

// remoteMux sends /stream to a streamer and the rest to users.
type remoteMux struct {
	users
	stream *streamer
}

func (m *remoteMux) HandleGet(ctx context.Context, req *Request) (Response, error) {
	if req.Path == "/stream" {
		return m.stream.HandleGet(ctx, req)
	}
	return m.users.HandleGet(ctx, req)
}
