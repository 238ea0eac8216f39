package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

type helloWorker struct{}

func (helloWorker) HandleGet(context.Context, *Request) (Response, error) {
	return Response{Body: []byte("hello")}, nil
}

// BenchmarkWebWorker compares a request answered by a WebWorker (one
// worker, and a pool of 4) with the same request answered by a plain
// http.HandlerFunc, through the same server and client; "parallel" runs
// GOMAXPROCS*8 clients at once. Compare ns/op of the rows for the ratio.
func BenchmarkWebWorker(b *testing.B) {
	n := localNode(b)
	plain := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) })
	worker := spawnWorker(b, n, helloWorker{})
	poolPid, err := actors.Spawn(n, &actors.Pool{Size: 4, New: func(int) (actors.Actor, error) { return NewWebWorker(helloWorker{}), nil }})
	if err != nil {
		b.Fatal(err)
	}
	rows := []struct {
		name string
		h    http.Handler
	}{{"plain", plain}, {"webworker", startHandler(b, n, worker)}, {"pool4", startHandler(b, n, poolPid)}}
	for _, mode := range []string{"serial", "parallel"} {
		for _, row := range rows {
			b.Run(mode+"/"+row.name, func(b *testing.B) {
				srv := httptest.NewServer(row.h)
				defer srv.Close()
				tr := &http.Transport{MaxIdleConnsPerHost: 256}
				defer tr.CloseIdleConnections()
				c := &http.Client{Transport: tr}
				get := func() {
					resp, err := c.Get(srv.URL)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				if mode == "serial" {
					for b.Loop() {
						get()
					}
					return
				}
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get()
					}
				})
			})
		}
	}
}

// startHandler runs a Handler for target under a new owner.
func startHandler(b *testing.B, n *node.Node, target etf.Term) http.Handler {
	h := NewHandler(target)
	o := ownertest.Start(b, n, true)
	if err := o.Do(b, func(p *node.Process) error { _, err := h.Start(p); return err }); err != nil {
		b.Fatal(err)
	}
	return h
}
