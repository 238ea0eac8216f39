package interop

import (
	"context"
	"math/big"
	"runtime/metrics"
	"sync"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// statState keeps what statistics/1's "since last call" parts need, per
// Services (BEAM keeps them per node too).
type statState struct {
	start time.Time // the node's start for wall_clock and monotonic time

	mu                    sync.Mutex
	lastRun, lastWall     int64
	lastReds, reductTotal uint64
}

func (st *statState) init() { st.start = time.Now() }

func (b *bifs) registerSystem(erl func(etf.Atom, int, Func)) {
	erl("memory", 0, func(context.Context, etf.List) (etf.Term, error) { return b.memoryAll(), nil })
	erl("memory", 1, b.memory1)
	erl("system_info", 1, b.systemInfo)
	erl("statistics", 1, b.statistics)
	erl("monotonic_time", 0, func(context.Context, etf.List) (etf.Term, error) {
		return int64(time.Since(b.stats.start)), nil
	})
	erl("monotonic_time", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		return inUnit(int64(time.Since(b.stats.start)), args[0])
	})
	erl("system_time", 0, func(context.Context, etf.List) (etf.Term, error) { return time.Now().UnixNano(), nil })
	erl("system_time", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		return inUnit(time.Now().UnixNano(), args[0])
	})
	erl("time_offset", 0, func(context.Context, etf.List) (etf.Term, error) {
		return time.Now().UnixNano() - int64(time.Since(b.stats.start)), nil
	})
}

// inUnit converts nanoseconds (native, the unit BEAM's native time has on
// Linux) into a time unit: an atom or a positive parts-per-second integer.
func inUnit(ns int64, unit etf.Term) (etf.Term, error) {
	per := map[etf.Atom]int64{"second": 1, "seconds": 1, "millisecond": 1e3, "milli_seconds": 1e3,
		"microsecond": 1e6, "micro_seconds": 1e6, "nanosecond": 1e9, "nano_seconds": 1e9,
		"native": 1e9, "perf_counter": 1e9}
	var pps int64
	switch u := unit.(type) {
	case etf.Atom:
		v, ok := per[u]
		if !ok {
			return nil, errBadarg
		}
		pps = v
	case int:
		if u <= 0 {
			return nil, errBadarg
		}
		pps = int64(u)
	default:
		return nil, errBadarg
	}
	if pps <= 1e9 {
		// floor(ns * pps / 1e9) without overflow: ns%1e9 * pps < 1e18.
		return ns/1e9*pps + ns%1e9*pps/1e9, nil
	}
	// More parts than nanoseconds: BEAM answers a bignum if need be.
	v := new(big.Int).Mul(big.NewInt(ns), big.NewInt(pps))
	v.Quo(v, big.NewInt(1e9))
	if v.IsInt64() {
		return v.Int64(), nil
	}
	return v, nil
}

// memoryTypes are memory/0's keys in its order.
var memoryTypes = []etf.Atom{"total", "processes", "processes_used", "system", "atom",
	"atom_used", "binary", "code", "ets"}

// memoryAll answers memory/0 from the Go runtime's metrics (which, unlike
// ReadMemStats, do not stop the world): total is what the runtime holds,
// processes the estimate of ProcessInfo's memory over every process.
func (b *bifs) memoryAll() etf.List {
	vals := b.memoryValues()
	out := make(etf.List, len(memoryTypes))
	for i, k := range memoryTypes {
		out[i] = etf.Tuple{k, vals[k]}
	}
	return out
}

func (b *bifs) memoryValues() map[etf.Atom]int {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	total := int(s[0].Value.Uint64())
	procs := 0
	for _, pid := range b.n.Processes() {
		if pi, ok := b.n.ProcessInfo(pid, node.InfoMemory); ok {
			procs += pi.Memory
		}
	}
	return map[etf.Atom]int{"total": total, "processes": procs, "processes_used": procs,
		"system": max(total-procs, 0), "atom": 0, "atom_used": 0, "binary": 0, "code": 0, "ets": 0}
}

// memory1 answers memory(Type) and memory([Type]); an unknown type (or
// maximum, which needs instrumentation BEAM rarely has on) is badarg.
func (b *bifs) memory1(_ context.Context, args etf.List) (etf.Term, error) {
	vals := b.memoryValues()
	switch t := args[0].(type) {
	case etf.Atom:
		v, ok := vals[t]
		if !ok {
			return nil, errBadarg
		}
		return v, nil
	case etf.List:
		out := make(etf.List, 0, len(t))
		for _, e := range t {
			a, _ := e.(etf.Atom)
			v, ok := vals[a]
			if !ok {
				return nil, errBadarg
			}
			out = append(out, etf.Tuple{a, v})
		}
		return out, nil
	}
	return nil, errBadarg
}

// statistics answers statistics/1 for the items BEAM tools poll.
func (b *bifs) statistics(_ context.Context, args etf.List) (etf.Term, error) {
	item, _ := args[0].(etf.Atom)
	st := &b.stats
	switch item {
	case "runtime":
		now := cpuMillis()
		st.mu.Lock()
		since := now - st.lastRun
		st.lastRun = now
		st.mu.Unlock()
		return etf.Tuple{now, since}, nil
	case "wall_clock":
		now := time.Since(st.start).Milliseconds()
		st.mu.Lock()
		since := now - st.lastWall
		st.lastWall = now
		st.mu.Unlock()
		return etf.Tuple{now, since}, nil
	case "reductions", "exact_reductions":
		total := b.reductions()
		st.mu.Lock()
		// Reductions of processes that exited leave the sum: keep the
		// total monotonic, as BEAM's is.
		st.reductTotal = max(st.reductTotal, total)
		since := st.reductTotal - st.lastReds
		st.lastReds = st.reductTotal
		total = st.reductTotal
		st.mu.Unlock()
		return etf.Tuple{total, since}, nil
	case "run_queue", "total_run_queue_lengths", "total_active_tasks":
		return b.runnable(), nil
	case "run_queue_lengths", "active_tasks":
		return etf.List{b.runnable()}, nil
	case "io":
		var in, out uint64
		for _, ps := range b.n.ConnStats() {
			in += ps.BytesIn
			out += ps.BytesOut
		}
		return etf.Tuple{etf.Tuple{etf.Atom("input"), in}, etf.Tuple{etf.Atom("output"), out}}, nil
	case "context_switches":
		return etf.Tuple{0, 0}, nil
	case "garbage_collection":
		gc := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
		metrics.Read(gc)
		return etf.Tuple{gc[0].Value.Uint64(), gc[1].Value.Uint64() / wordSize, 0}, nil
	}
	return nil, errBadarg
}

func (b *bifs) reductions() uint64 {
	var sum uint64
	for _, pid := range b.n.Processes() {
		if pi, ok := b.n.ProcessInfo(pid, node.InfoReductions); ok {
			sum += pi.Reductions
		}
	}
	return sum
}

// runnable counts the processes with a goroutine handling messages:
// the Go node's run queue.
func (b *bifs) runnable() int {
	c := 0
	for _, pid := range b.n.Processes() {
		if pi, ok := b.n.ProcessInfo(pid, node.InfoStatus); ok && pi.Status == "running" {
			c++
		}
	}
	return c
}

// cpuMillis is the CPU time (user and system) of the OS process in ms.
func cpuMillis() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return (ru.Utime.Nano() + ru.Stime.Nano()) / 1e6
}
