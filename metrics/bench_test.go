package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// BenchmarkScrape100k gathers a node's metrics with 100,000 idle
// processes (the mailbox histogram visits each), against the same
// scrape without the histogram, and the Go runtime's collectors alone.
// ns/proc is the histogram's cost per process.
func BenchmarkScrape100k(b *testing.B) {
	const procs = 100_000
	n := startNode(b, uniq("bench"), erltest.FreePort(b), uniq("c"), node.WithoutDistribution())
	idle := node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })
	for range procs {
		if _, err := n.Spawn(idle); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		reg  func() (*prometheus.Registry, func())
	}{
		{"erlgo", func() (*prometheus.Registry, func()) {
			reg := prometheus.NewRegistry()
			c := NewCollector(n)
			reg.MustRegister(c)
			return reg, c.Close
		}},
		{"erlgo-no-mailbox", func() (*prometheus.Registry, func()) {
			reg := prometheus.NewRegistry()
			c := NewCollector(n, WithoutMailboxHistogram())
			reg.MustRegister(c)
			return reg, c.Close
		}},
		{"full-registry", func() (*prometheus.Registry, func()) {
			reg, c := NewRegistry(n)
			return reg, c.Close
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg, done := bc.reg()
			defer done()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := reg.Gather(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/procs, "ns/proc")
		})
	}
}

// BenchmarkCallHook is the cost a Collector's hook adds to a local Call.
func BenchmarkCallHook(b *testing.B) {
	for _, hooked := range []bool{false, true} {
		name := "bare"
		if hooked {
			name = "collector"
		}
		b.Run(name, func(b *testing.B) {
			n := startNode(b, uniq("bench"), erltest.FreePort(b), uniq("c"), node.WithoutDistribution())
			if hooked {
				defer NewCollector(n).Close()
			}
			pid, err := n.Spawn(echo())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Call(b.Context(), pid, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
