package interop

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// BenchmarkApplyResult: the cost of a registered function's result on a
// node with a type registry (which converts it through the registry:
// encode, then decode) against one without (etf.ToTerm), for an integer,
// a 1 KiB binary and a registered struct.
func BenchmarkApplyResult(b *testing.B) {
	results := map[string]any{"int": 42, "bin1k": make([]byte, 1024), "order": shopOrder{ID: 1, Item: "book", Price: 9.5}}
	for _, withReg := range []bool{false, true} {
		opts := []node.Option{node.WithoutDistribution(), node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
		if withReg {
			opts = append(opts, node.WithRegistry(shopRegistry(b)))
		}
		n, err := node.Start(context.Background(), "bench@127.0.0.1", opts...)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Start(context.Background(), n, WithOutput(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		for name, r := range results {
			s.Register("bench", etf.Atom(name), 0, func(context.Context, etf.List) (etf.Term, error) { return r, nil })
		}
		for _, name := range []string{"int", "bin1k", "order"} {
			reg := "plain"
			if withReg {
				reg = "registry"
			}
			b.Run(reg+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if o := s.apply(nil, "bench", etf.Atom(name), nil); o.class != "" {
						b.Fatal(o.reason)
					}
				}
			})
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		_ = n.Stop(ctx)
		cancel()
	}
}
