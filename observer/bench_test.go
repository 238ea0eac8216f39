package observer

import (
	"context"
	"testing"
)

// BenchmarkLocalProcesses is one /api/processes answer (every process
// snapshotted, sorted by reductions, top 200) on a node of 10,000 idle
// processes, beside the bare node snapshots it is built on: the ratio of
// the two ns/proc is the observer's own cost.
func BenchmarkLocalProcesses(b *testing.B) {
	const procs = 10000
	n := startLocal(b, "obs_bench@127.0.0.1")
	for range procs {
		if _, err := n.Spawn(idle); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("snapshots", func(b *testing.B) {
		for b.Loop() {
			for _, pid := range n.Processes() {
				_, _ = n.ProcessInfo(pid, listItems)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*procs), "ns/proc")
	})
	b.Run("observer", func(b *testing.B) {
		src := Local(n)
		ctx := context.Background()
		for b.Loop() {
			if _, err := src.Processes(ctx, Query{Sort: "reductions", Limit: 200}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*procs), "ns/proc")
	})
}
