package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// streamer streams numbered lines; each waits for the test's go-ahead,
// so a line the client reads before the next is allowed proves it was
// flushed on its own.
type streamer struct {
	next  chan struct{}
	lines int
	fail  bool // fail after the lines
	ended chan error
}

func (s *streamer) HandleGet(context.Context, *Request) (Response, error) {
	return Response{Header: http.Header{"Content-Type": {"text/plain"}}, Stream: func(ctx context.Context, w *ChunkWriter) error {
		err := s.write(ctx, w)
		if s.ended != nil {
			s.ended <- err
		}
		return err
	}}, nil
}

func (s *streamer) write(ctx context.Context, w *ChunkWriter) error {
	for i := range s.lines {
		select {
		case <-s.next:
		case <-ctx.Done():
			return ctx.Err()
		}
		if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
			return err
		}
	}
	if s.fail {
		return errors.New("stream broke")
	}
	return nil
}

func TestStream(t *testing.T) {
	n := localNode(t)
	s := &streamer{next: make(chan struct{}), lines: 5}
	srv, _, _ := serve(t, n, NewHandler(spawnWorker(t, n, s)))
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	rd := bufio.NewReader(resp.Body)
	for i := range s.lines {
		s.next <- struct{}{}
		line, err := rd.ReadString('\n')
		if err != nil || line != fmt.Sprintf("line %d\n", i) {
			t.Fatalf("line %d: %q %v", i, line, err)
		}
	}
	if rest, err := io.ReadAll(rd); err != nil || len(rest) != 0 {
		t.Fatalf("after the lines: %q %v", rest, err)
	}
}

// A stream that fails midway cuts the connection: the client sees an
// error, not a complete body.
func TestStreamFails(t *testing.T) {
	n := localNode(t)
	s := &streamer{next: make(chan struct{}, 2), lines: 2, fail: true}
	s.next <- struct{}{}
	s.next <- struct{}{}
	srv, _, _ := serve(t, n, NewHandler(spawnWorker(t, n, s)))
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("complete body %q after a failed stream", body)
	}
	if string(body) != "line 0\nline 1\n" {
		t.Fatalf("body before the cut %q", body)
	}
}

// A client that goes away ends the stream: its context ends and writes
// fail.
func TestStreamClientGone(t *testing.T) {
	n := localNode(t)
	s := &streamer{next: make(chan struct{}, 1), lines: 1000, ended: make(chan error, 1)}
	s.next <- struct{}{}
	srv, _, _ := serve(t, n, NewHandler(spawnWorker(t, n, s)))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "line 0\n" {
		t.Fatalf("%q %v", line, err)
	}
	cancel()
	resp.Body.Close()
	select {
	case err := <-s.ended:
		if !errors.Is(err, context.Canceled) && !errors.Is(err, ErrClosed) {
			t.Fatalf("stream ended with %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("the stream did not end")
	}
}

// A client that does not read holds the stream at the window: the
// writer waits instead of piling chunks up.
func TestStreamWindow(t *testing.T) {
	n := localNode(t)
	const window = 4
	written := make(chan int, 1000)
	w := spawnWorker(t, n, getFunc(func(context.Context, *Request) (Response, error) {
		return Response{Stream: func(ctx context.Context, w *ChunkWriter) error {
			chunk := strings.Repeat("x", 64<<10)
			for i := 0; ; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return err
				}
				written <- i
			}
		}}, nil
	}))
	srv, _, _ := serve(t, n, NewHandler(w, WithWindow(window)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Nothing is read: what gets written is bounded by the window plus
	// the socket buffers (a few MiB at most on loopback).
	const bound = window + 200
	last := -1
	for {
		select {
		case i := <-written:
			last = i
			if i > bound {
				t.Fatalf("%d chunks of 64 KiB written to a client that reads nothing", i)
			}
			continue
		case <-time.After(300 * time.Millisecond):
		}
		break
	}
	if last < window-1 {
		t.Fatalf("only %d chunks written", last+1)
	}
	// Reading lets it go on.
	if _, err := io.ReadFull(resp.Body, make([]byte, (bound+10)*64<<10)); err != nil {
		t.Fatal(err)
	}
}

// A stream from a plain process speaking the term protocol: reply
// {web_stream, ...}, then {web_chunk, IoData} messages and web_end.
func TestStreamTerms(t *testing.T) {
	n := localNode(t)
	srvPid, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		from, _, ok := node.ParseGenCall(msg)
		if !ok {
			return nil
		}
		if err := node.Reply(p, from, etf.Tuple{atomStream, 202, etf.List{etf.Tuple{etf.Charlist("x-kind"), etf.Atom("terms")}}}); err != nil {
			return err
		}
		to := from.(etf.Tuple)[0].(etf.PID)
		_ = p.Send(to, etf.Tuple{atomChunk, etf.List{etf.Binary("ab"), int('c'), etf.Charlist("de")}})
		_ = p.Send(to, etf.Atom("unexpected"))
		_ = p.Send(to, etf.Tuple{atomChunk, etf.Binary("f")})
		return p.Send(to, atomEnd)
	}))
	if err != nil {
		t.Fatal(err)
	}
	srv, _, _ := serve(t, n, NewHandler(srvPid))
	status, h, body := do(t, srv.Client(), "GET", srv.URL+"/", nil)
	if status != 202 || h.Get("X-Kind") != "terms" || body != "abcdef" {
		t.Fatalf("%d %v %q", status, h, body)
	}
}
