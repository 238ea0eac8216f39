package node

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// counter counts messages and signals done after want of them.
type counter struct {
	want, got int
	done      chan struct{}
}

func (c *counter) Init(*Process) error { return nil }
func (c *counter) HandleMessage(_ *Process, _ etf.Term) error {
	c.got++
	if c.got == c.want {
		close(c.done)
	}
	return nil
}
func (c *counter) Terminate(*Process, etf.Term) {}

// floodSender sends count copies of 42 to "to" when it receives "go".
func floodSender(to etf.PID, count int) Behavior {
	return BehaviorFunc(func(p *Process, _ etf.Term) error {
		for range count {
			if err := p.Send(to, 42); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkSendLocal is the flood-int workload: each pair is a sender
// process sending b.N/pairs messages (int 42) to a counting receiver
// process; the clock stops when every receiver has seen its last message.
func BenchmarkSendLocal(b *testing.B) {
	for _, pairs := range []int{1, 2, 8} {
		b.Run("pairs="+strconv.Itoa(pairs), func(b *testing.B) {
			n := localNode(b)
			per := max(b.N/pairs, 1)
			var counters []*counter
			var senders []etf.PID
			for range pairs {
				c := &counter{want: per, done: make(chan struct{})}
				rp, _ := n.Spawn(c)
				sp, _ := n.Spawn(floodSender(rp, per))
				counters = append(counters, c)
				senders = append(senders, sp)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for _, s := range senders {
				_ = n.Send(s, "go")
			}
			for _, c := range counters {
				<-c.done
			}
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(per*pairs)/el.Seconds(), "msg/s")
		})
	}
}

// BenchmarkCallLocal measures Call round trips between two processes
// (one outstanding call), reporting the latency percentiles.
func BenchmarkCallLocal(b *testing.B) {
	n := localNode(b)
	srv, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if t, ok := m.(etf.Tuple); ok && len(t) == 3 && t[0] == GenCall {
			return Reply(p, t[1], t[2])
		}
		return nil
	}))
	lat := make([]time.Duration, 0, b.N)
	done := make(chan error, 1)
	caller, _ := n.Spawn(BehaviorFunc(func(p *Process, _ etf.Term) error {
		ctx := context.Background()
		for range b.N {
			t0 := time.Now()
			if _, err := p.Call(ctx, srv, 42); err != nil {
				done <- err
				return nil
			}
			lat = append(lat, time.Since(t0))
		}
		done <- nil
		return nil
	}))
	b.ReportAllocs()
	b.ResetTimer()
	_ = n.Send(caller, "go")
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(float64(len(lat)-1)*q)].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.90), "p90-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}

// BenchmarkCallLocalPairs is the go-local call workload in process: pairs
// callers, each making b.N/pairs Calls to its own echo server; it reports
// calls/s and the latency percentiles over all calls.
func BenchmarkCallLocalPairs(b *testing.B) {
	for _, pairs := range []int{1, 8} {
		b.Run("pairs="+strconv.Itoa(pairs), func(b *testing.B) {
			n := localNode(b)
			per := max(b.N/pairs, 1)
			lats := make(chan []time.Duration, pairs)
			var callers []etf.PID
			for range pairs {
				srv, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
					if from, req, ok := ParseGenCall(m); ok {
						return Reply(p, from, req)
					}
					return nil
				}))
				c, _ := n.Spawn(BehaviorFunc(func(p *Process, _ etf.Term) error {
					lat := make([]time.Duration, 0, per)
					for range per {
						t0 := time.Now()
						if _, err := p.Call(context.Background(), srv, 42); err != nil {
							b.Error(err)
							break
						}
						lat = append(lat, time.Since(t0))
					}
					lats <- lat
					return nil
				}))
				callers = append(callers, c)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for _, c := range callers {
				_ = n.Send(c, "go")
			}
			var all []time.Duration
			for range pairs {
				all = append(all, <-lats...)
			}
			el := time.Since(start)
			b.StopTimer()
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			pct := func(q float64) float64 { return float64(all[int(float64(len(all)-1)*q)].Nanoseconds()) }
			b.ReportMetric(float64(len(all))/el.Seconds(), "calls/s")
			b.ReportMetric(pct(0.50), "p50-ns")
			b.ReportMetric(pct(0.99), "p99-ns")
		})
	}
}

// BenchmarkSpawn measures spawning (and Init of) an idle process.
func BenchmarkSpawn(b *testing.B) {
	n := localNode(b)
	beh := BehaviorFunc(func(*Process, etf.Term) error { return nil })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Spawn(beh); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleMemory spawns 100,000 idle processes and reports heap plus
// goroutine-stack bytes per process (runtime/metrics, after GC).
func BenchmarkIdleMemory(b *testing.B) {
	for b.Loop() {
		per := idleBytesPerProcess(b, 100_000)
		b.ReportMetric(per, "B/proc")
	}
}

func TestIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	count := 100_000
	if v, err := strconv.Atoi(os.Getenv("NODE_IDLE_PROCS")); err == nil && v > 0 {
		count = v // e.g. NODE_IDLE_PROCS=1000000
	}
	per := idleBytesPerProcess(t, count)
	t.Logf("idle process: %.0f bytes (heap+stacks, %d processes)", per, count)
	if per > 1024 {
		t.Errorf("idle process costs %.0f bytes, budget 1024", per)
	}
}

func memInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	runtime.GC()
	runtime.GC()
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func idleBytesPerProcess(tb testing.TB, count int) float64 {
	n := localNode(tb)
	beh := BehaviorFunc(func(*Process, etf.Term) error { return nil })
	// Warm the tables so map growth of the first spawns is not charged
	// to the measurement only partially.
	before := memInUse()
	for range count {
		if _, err := n.Spawn(beh); err != nil {
			tb.Fatal(err)
		}
	}
	after := memInUse()
	runtime.KeepAlive(n)
	return float64(after-before) / float64(count)
}

// BenchmarkSendGoGo is flood-int between two nodes of this process over
// loopback TCP distribution (each message crosses encode, the socket and
// decode). The cmd/erlgo bench runner measures the same workload with the
// nodes in separate OS processes.
func BenchmarkSendGoGo(b *testing.B) {
	for _, pairs := range []int{1, 8} {
		b.Run("pairs="+strconv.Itoa(pairs), func(b *testing.B) {
			port := freePort(b)
			id := itoa(int(nodeSeq.Add(1)))
			na := distNode(b, "ba"+id+"@127.0.0.1", port, "c"+id)
			nb := distNode(b, "bb"+id+"@127.0.0.1", port, "c"+id)
			per := max(b.N/pairs, 1)
			var counters []*counter
			var senders []etf.PID
			for range pairs {
				c := &counter{want: per, done: make(chan struct{})}
				rp, _ := nb.Spawn(c)
				sp, _ := na.Spawn(floodSender(rp, per))
				counters = append(counters, c)
				senders = append(senders, sp)
			}
			if err := na.Connect(context.Background(), nb.Name()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for _, s := range senders {
				_ = na.Send(s, "go")
			}
			for _, c := range counters {
				<-c.done
			}
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(per*pairs)/el.Seconds(), "msg/s")
		})
	}
}

// BenchmarkCallGoGo measures Call round trips to a server on another node
// of this process over loopback distribution.
func BenchmarkCallGoGo(b *testing.B) {
	port := freePort(b)
	id := itoa(int(nodeSeq.Add(1)))
	na := distNode(b, "ca"+id+"@127.0.0.1", port, "c"+id)
	nb := distNode(b, "cb"+id+"@127.0.0.1", port, "c"+id)
	srv, _ := nb.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if t, ok := m.(etf.Tuple); ok && len(t) == 3 && t[0] == GenCall {
			return Reply(p, t[1], t[2])
		}
		return nil
	}))
	lat := make([]time.Duration, 0, b.N)
	done := make(chan error, 1)
	caller, _ := na.Spawn(BehaviorFunc(func(p *Process, _ etf.Term) error {
		ctx := context.Background()
		for range b.N {
			t0 := time.Now()
			if _, err := p.Call(ctx, srv, 42); err != nil {
				done <- err
				return nil
			}
			lat = append(lat, time.Since(t0))
		}
		done <- nil
		return nil
	}))
	if err := na.Connect(context.Background(), nb.Name()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	_ = na.Send(caller, "go")
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(float64(len(lat)-1)*q)].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}
