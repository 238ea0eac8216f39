package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/erlgo/erlgo/metrics"
	"github.com/erlgo/erlgo/node"
)

// metricsFlags are `erlgo node -metrics ADDR [-metrics-remote]`.
type metricsFlags struct {
	addr   string
	remote bool
}

func (m *metricsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.addr, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics and Go's profiles at /debug/pprof/ (ADDR e.g. 127.0.0.1:9100; loopback only unless -metrics-remote)")
	fs.BoolVar(&m.remote, "metrics-remote", false, "let -metrics listen on an address other hosts can reach (they see the peers' names and the profiles)")
}

// start serves the metrics of n until ctx ends or the node stops, and
// prints where; without -metrics it does nothing. The returned function
// stops the server.
func (m *metricsFlags) start(ctx context.Context, n *node.Node, log *slog.Logger) (stop func(), err error) {
	if m.addr == "" {
		return func() {}, nil
	}
	opts := []metrics.Option{metrics.WithPprof(), metrics.WithLogger(log)}
	if m.remote {
		opts = append(opts, metrics.WithAllowRemote())
	}
	srv, err := metrics.Serve(ctx, m.addr, n, opts...)
	if err != nil {
		return nil, fmt.Errorf("-metrics: %w", err)
	}
	fmt.Printf("erlgo node: metrics at %s, profiles at http://%s/debug/pprof/\n", srv.URL(), srv.Addr())
	return func() {
		if err := srv.Close(); err != nil {
			log.Warn("metrics server", "err", err)
		}
	}, nil
}
