package node

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// benchOrder is the 10-field struct of the registry benchmarks.
type benchOrder struct {
	ID       int
	Customer string
	Item     string
	Qty      int
	Price    float64
	Paid     bool
	Tags     []string
	Note     string
	Created  time.Time
	Discount float64
}

func benchRegistry(tb testing.TB) *etf.Registry {
	r := etf.NewRegistry()
	if err := etf.Register[benchOrder](r, "Elixir.Shop.BenchOrder"); err != nil {
		tb.Fatal(err)
	}
	return r
}

var benchCreated = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func benchOrderValue() benchOrder {
	return benchOrder{ID: 12345, Customer: "alice", Item: "book", Qty: 2, Price: 9.5, Paid: true,
		Tags: []string{"gift", "express"}, Note: "leave at the door", Created: benchCreated, Discount: 0.5}
}

// benchOrderTuple carries the same data as a plain tuple.
func benchOrderTuple() etf.Tuple {
	return etf.Tuple{etf.Atom("bench_order"), 12345, []byte("alice"), []byte("book"), 2, 9.5, true,
		etf.List{[]byte("gift"), []byte("express")}, []byte("leave at the door"), benchCreated.UnixNano(), 0.5}
}

// BenchmarkRegistryFloodGoGo is BenchmarkSendGoGo (one pair, loopback
// distribution between two nodes of this process) with the 10-field
// struct through both nodes' registries ("struct"), the same data as an
// etf.Tuple without registries ("tuple"), and that tuple between nodes
// that have a registry it does not match ("tuple-reg": what a registry
// costs unregistered traffic); "int" and "int-reg" the same for flood-int.
func BenchmarkRegistryFloodGoGo(b *testing.B) {
	cases := []struct {
		name string
		msg  etf.Term
		reg  bool
	}{
		{"struct", benchOrderValue(), true},
		{"tuple", benchOrderTuple(), false},
		{"tuple-reg", benchOrderTuple(), true},
		{"int", 42, false},
		{"int-reg", 42, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			port := freePort(b)
			id := itoa(int(nodeSeq.Add(1)))
			var oa, ob []Option
			if tc.reg {
				oa, ob = []Option{WithRegistry(benchRegistry(b))}, []Option{WithRegistry(benchRegistry(b))}
			}
			na := distNode(b, "ra"+id+"@127.0.0.1", port, "c"+id, oa...)
			nb := distNode(b, "rb"+id+"@127.0.0.1", port, "c"+id, ob...)
			c := &counter{want: max(b.N, 1), done: make(chan struct{})}
			rp, _ := nb.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
				if tc.reg && tc.name == "struct" {
					if _, ok := m.(benchOrder); !ok {
						b.Errorf("got %T", m)
					}
				}
				return c.HandleMessage(p, m)
			}))
			sp, _ := na.Spawn(BehaviorFunc(func(p *Process, _ etf.Term) error {
				for range c.want {
					if err := p.Send(rp, tc.msg); err != nil {
						return err
					}
				}
				return nil
			}))
			if err := na.Connect(context.Background(), nb.Name()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			_ = na.Send(sp, "go")
			<-c.done
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(c.want)/el.Seconds(), "msg/s")
		})
	}
}
