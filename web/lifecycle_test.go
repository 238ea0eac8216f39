package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// blocker is a WebWorker whose GET waits in a Call to a process that
// never answers.
type blocker struct{ silent etf.PID }

func (b *blocker) HandleGet(ctx context.Context, _ *Request) (Response, error) {
	_, err := Process(ctx).Call(ctx, b.silent, etf.Atom("never"))
	return Response{}, err
}

// silent spawns a process that never answers calls; it reports each
// caller's pid once the call has reached it (so the caller is in Call).
func silent(t testing.TB, n *node.Node) (etf.PID, chan etf.PID) {
	callers := make(chan etf.PID, 16)
	pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		if from, _, ok := node.ParseGenCall(msg); ok {
			callers <- from.(etf.Tuple)[0].(etf.PID)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return pid, callers
}

// A worker killed while it handles a request (blocked in a Call, which
// the kill ends at once) answers the client 500 at once (the timeout is
// far away), as a direct target and behind an actors.Pool, whose callers
// monitor the pool and not the worker.
func TestWorkerDiesMidRequest(t *testing.T) {
	for _, viaPool := range []bool{false, true} {
		t.Run(fmt.Sprintf("pool=%v", viaPool), func(t *testing.T) {
			n := localNode(t)
			quiet, started := silent(t, n)
			var target etf.Term
			if viaPool {
				pool := &actors.Pool{Size: 2, New: func(int) (actors.Actor, error) {
					return NewWebWorker(&blocker{silent: quiet}), nil
				}}
				pid, err := actors.Spawn(n, pool)
				if err != nil {
					t.Fatal(err)
				}
				target = pid
			} else {
				target = spawnWorker(t, n, &blocker{silent: quiet})
			}
			srv, _, _ := serve(t, n, NewHandler(target, WithTimeout(waitFor*2)))
			type result struct {
				status int
				took   time.Duration
			}
			res := make(chan result, 1)
			go func() {
				t0 := time.Now()
				status, _, _ := doNoFatal(srv.Client(), "GET", srv.URL+"/")
				res <- result{status, time.Since(t0)}
			}()
			var w etf.PID
			select {
			case w = <-started: // the worker is in its Call
			case <-time.After(waitFor):
				t.Fatal("the worker did not start the request")
			}
			watch := n.Watch(w)
			if err := n.Exit(w, etf.Atom("kill")); err != nil {
				t.Fatal(err)
			}
			select {
			case r := <-res:
				if r.status != http.StatusInternalServerError {
					t.Fatalf("status %d, want 500", r.status)
				}
				select {
				case reason := <-watch:
					if reason != node.Killed {
						t.Fatalf("worker exit %v", reason)
					}
				case <-time.After(waitFor):
					t.Fatal("the killed worker lives on")
				}
			case <-time.After(waitFor):
				t.Fatal("no answer after the worker died")
			}
		})
	}
}

func doNoFatal(c *http.Client, method, url string) (int, http.Header, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}

// idWorker answers with its index and the request's query.
type idWorker struct{ i int }

func (w *idWorker) HandleGet(_ context.Context, req *Request) (Response, error) {
	return Response{Body: fmt.Appendf(nil, "%s by %d", req.Query, w.i)}, nil
}

// A pool of workers under 1000 concurrent requests: every one answered
// with its own query, and every worker took part.
func TestPoolLoad(t *testing.T) {
	n := localNode(t)
	const size, requests = 8, 1000
	pool := &actors.Pool{Size: size, New: func(i int) (actors.Actor, error) { return NewWebWorker(&idWorker{i}), nil }}
	pid, err := actors.Spawn(n, pool, node.WithName("web_pool"))
	if err != nil {
		t.Fatal(err)
	}
	_ = pid
	srv, _, _ := serve(t, n, NewHandler(etf.Atom("web_pool")))
	tr := &http.Transport{MaxIdleConnsPerHost: requests, MaxConnsPerHost: 0}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	by := make([]int, size)
	var mu sync.Mutex
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/?n=%d", srv.URL, i), nil)
			resp, err := c.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			var got string
			var w int
			if _, err := fmt.Sscanf(body.String(), "%s by %d", &got, &w); err != nil || resp.StatusCode != 200 || got != fmt.Sprintf("n=%d", i) || w < 0 || w >= size {
				errs <- fmt.Errorf("request %d: %d %q", i, resp.StatusCode, body.String())
				return
			}
			mu.Lock()
			by[w]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, k := range by {
		if k == 0 {
			t.Errorf("worker %d answered nothing (%v)", i, by)
		}
	}
}

// The handler process is linked to its owner: the owner's exit ends it
// (requests then get 503), and its death reaches a trapping owner as an
// exit signal.
func TestOwnerLink(t *testing.T) {
	n := localNode(t)
	w := spawnWorker(t, n, users{})
	t.Run("owner exits", func(t *testing.T) {
		h := NewHandler(w)
		srv, o, pid := serve(t, n, h)
		if status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/", nil); status != 200 {
			t.Fatalf("status %d", status)
		}
		exited := n.Watch(pid)
		if err := o.Exit(etf.Atom("owner_gone")); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-exited:
			if r != etf.Atom("owner_gone") {
				t.Fatalf("handler exit %v", r)
			}
		case <-time.After(waitFor):
			t.Fatal("the handler outlived its owner")
		}
		if status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/", nil); status != http.StatusServiceUnavailable {
			t.Fatalf("after the owner: status %d", status)
		}
	})
	t.Run("handler dies", func(t *testing.T) {
		_, o, pid := serve(t, n, NewHandler(w))
		if err := n.Exit(pid, etf.Atom("kill")); err != nil {
			t.Fatal(err)
		}
		m, ok := o.Next(t).(node.ExitMsg)
		if !ok || m.From != pid || m.Reason != node.Killed {
			t.Fatalf("owner got %v", m)
		}
	})
}

// The handler process dying while a request waits aborts it with 503.
func TestHandlerDiesMidRequest(t *testing.T) {
	n := localNode(t)
	quiet, started := silent(t, n)
	srv, _, pid := serve(t, n, NewHandler(spawnWorker(t, n, &blocker{silent: quiet}), WithTimeout(2*waitFor)))
	res := make(chan int, 1)
	go func() {
		status, _, _ := doNoFatal(srv.Client(), "GET", srv.URL+"/")
		res <- status
	}()
	<-started
	if err := n.Exit(pid, etf.Atom("kill")); err != nil {
		t.Fatal(err)
	}
	select {
	case status := <-res:
		if status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", status)
		}
	case <-time.After(waitFor):
		t.Fatal("no answer after the handler died")
	}
}

// Under a supervisor the same Handler serves again after its process is
// restarted; sys:get_state and the observer show it.
func TestSupervised(t *testing.T) {
	n := localNode(t)
	w := spawnWorker(t, n, users{})
	h := NewHandler(w)
	sup := &actors.Supervisor{Strategy: actors.OneForOne, Intensity: 5, Period: time.Minute, Children: []actors.ChildSpec{{
		ID:      "web",
		Start:   func(etf.List) (actors.Actor, error) { return h.Actor(), nil },
		Options: []node.SpawnOption{node.WithName("web_handler")},
	}}}
	if _, err := actors.Spawn(n, sup); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, h)
	if status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/a", nil); status != 200 {
		t.Fatalf("status %d", status)
	}
	first, _ := h.PID()
	if err := n.Exit(first, etf.Atom("kill")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitFor)
	for {
		if pid, ok := h.PID(); ok && pid != first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not restarted")
		}
		time.Sleep(time.Millisecond)
	}
	if status, _, _ := do(t, srv.Client(), "GET", srv.URL+"/b", nil); status != 200 {
		t.Fatalf("after restart: status %d", status)
	}
	st, err := actors.GetState(ctxT(t), n, etf.Atom("web_handler"))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := st.(etf.Map)
	served, _ := m.Get(etf.Atom("served"))
	if !ok || served != 2 {
		t.Fatalf("state %s", etf.Format(st))
	}
	l, err := observer.Local(n).Processes(ctxT(t), observer.Query{Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := h.PID()
	found := false
	for _, p := range l.Processes {
		found = found || (p.Name == "web_handler" && p.PID == pid.String())
	}
	if !found {
		t.Fatal("the observer does not list web_handler")
	}
}
