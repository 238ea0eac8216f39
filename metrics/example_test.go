package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/metrics"
	"github.com/erlgo/erlgo/node"
)

// Serve a node's metrics and profiles on a loopback port and scrape them.
func ExampleServe() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution(),
		node.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)
	srv, err := metrics.Serve(ctx, "127.0.0.1:0", n, metrics.WithPprof())
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	resp, err := http.Get(srv.URL())
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "erlgo_processes") {
			fmt.Println(line)
		}
	}
	// Output: erlgo_processes{node="example@127.0.0.1"} 0
}

// Add a node's collector to a registry of one's own.
func ExampleNewCollector() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example2@127.0.0.1", node.WithoutDistribution(),
		node.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)
	c := metrics.NewCollector(n)
	defer c.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	if _, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })); err != nil {
		panic(err)
	}
	// http.Handle("/metrics", metrics.Handler(reg)) would serve it.

	fams, _ := reg.Gather()
	for _, f := range fams {
		if f.GetName() == "erlgo_processes" {
			fmt.Println(f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
		}
	}
	// Output: erlgo_processes 1
}
