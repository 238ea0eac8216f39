package bench

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
)

// WorkloadShapes selects every shape workload in Config.Workloads (and
// `erlgo bench -workloads shapes`).
const WorkloadShapes = "shapes"

// Shape is the size of the term a shape workload round-trips.
type Shape struct {
	// Count is the elements of the term (list length, map keys) or, for
	// the concurrent shapes, the calls in flight at once.
	Count int
	// Bytes is the size of each binary (bins1000x10k, bin10m-x3), else 0.
	Bytes int
}

// shapeWorkloads are the round trips of big and many terms through one
// echo server, driven from an erl node (issue 18): each is run by
// beam-beam (the echo server is a gen_server on a second erl node) and
// beam-go (an echo actor on the Go node), so the ratio is the Go echo's
// time over the BEAM echo's. Scale gives the full run (N 100,000) five
// round trips of each single-term shape per round and -quick (N 10,000)
// one; the concurrent shapes are one batch per round in both.
func shapeWorkloads() []Workload {
	const one, five = 1e-5, 5e-5
	shape := func(name string, scale float64, count, bytes int) Workload {
		return Workload{Name: name, Kind: KindShape, Scale: scale, Pairs: []int{1}, Shape: Shape{Count: count, Bytes: bytes}}
	}
	return []Workload{
		// One call with a list of 1,000 binaries of 10 KiB.
		shape("shape-bins1000x10k", five, 1000, 10<<10),
		// Three concurrent calls, each with a 10 MiB binary.
		shape("shape-bin10m-x3", one, 3, 10<<20),
		// 32,000 concurrent erpc:call(Node, erlgo_bench, echo, [I]).
		shape("shape-erpc32k", one, 32_000, 0),
		// One call with a map of 50,000 integer keys.
		shape("shape-map50k", five, 50_000, 0),
		// 20,000 concurrent Elixir GenServer.call(Echo, I).
		shape("shape-exgencall20k", one, 20_000, 0),
		// One call with a list of 200,000 {ok, I} tuples.
		shape("shape-tuples200k", five, 200_000, 0),
		// 40,000 concurrent gen_server:call(Echo, I).
		shape("shape-echo40k", one, 40_000, 0),
	}
}

// shape is the case's term size: its own, or else its workload's.
func (c Case) shape() Shape {
	if c.Shape.Count > 0 {
		return c.Shape
	}
	return c.Workload.Shape
}

// erlCommand is the driver command that runs c against target; shapes
// append their sizes.
func erlCommand(c Case, target string) string {
	cmd := fmt.Sprintf("run %s %d %d %s", c.Proto(), c.Pairs, c.N, target)
	if c.Workload.Kind == KindShape {
		s := c.shape()
		cmd += fmt.Sprintf(" %d %d", s.Count, s.Bytes)
	}
	return cmd
}

// registerEcho registers erlgo_bench:echo/1 (the identity), the twin of
// erlgo_bench:echo/1 in the Erlang module.
func registerEcho(s *interop.Services) {
	s.Register("erlgo_bench", "echo", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return a[0], nil })
}
