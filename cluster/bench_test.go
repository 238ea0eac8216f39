package cluster_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/node"
)

// BenchmarkStart compares starting and stopping a bare node with a full
// member (net_kernel, rex, user, global, pg, erlgo_events), both without
// distribution so only the services' cost is measured: what a test pays
// for choosing cluster.Start over node.Start.
func BenchmarkStart(b *testing.B) {
	ctx := context.Background()
	opts := []node.Option{node.WithoutDistribution(), node.WithLogger(slog.New(slog.DiscardHandler))}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := node.Start(ctx, "bench@127.0.0.1", opts...)
			if err != nil {
				b.Fatal(err)
			}
			if err := n.Stop(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("member", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := cluster.Start(ctx, "bench@127.0.0.1", cluster.WithNode(opts...))
			if err != nil {
				b.Fatal(err)
			}
			if err := m.Stop(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
