package node

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// BenchmarkProcessInfo100k lists 100,000 idle processes and takes the
// snapshot an observer polls (status, queue length, memory, reductions,
// name) of each: one op is one full poll; ns/proc is per process.
func BenchmarkProcessInfo100k(b *testing.B) {
	n := localNode(b)
	beh := BehaviorFunc(func(*Process, etf.Term) error { return nil })
	for range 100_000 {
		if _, err := n.Spawn(beh); err != nil {
			b.Fatal(err)
		}
	}
	items := []InfoItem{InfoRegisteredName, InfoStatus, InfoMessageQueueLen, InfoMemory, InfoReductions, InfoCurrentFunction}
	b.ReportAllocs()
	b.ResetTimer()
	var procs int
	for b.Loop() {
		pids := n.Processes()
		for _, pid := range pids {
			if _, ok := n.ProcessInfo(pid, items...); !ok {
				b.Fatal("listed process gone")
			}
		}
		procs += len(pids)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(procs), "ns/proc")
}

// BenchmarkProcessInfoAll is one InfoAll snapshot of a process with a
// link and a monitor.
func BenchmarkProcessInfoAll(b *testing.B) {
	n := localNode(b)
	a, c := spawnProbe(b, n), spawnProbe(b, n)
	a.do(func(p *Process) error {
		if err := p.Link(c.pid); err != nil {
			return err
		}
		_, err := p.Monitor(c.pid)
		return err
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := n.ProcessInfo(a.pid); !ok {
			b.Fatal("gone")
		}
	}
}
