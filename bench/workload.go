package bench

import (
	"fmt"
	"strings"
)

// Kind says what a workload measures and therefore which metric it reports.
type Kind int

// Workload kinds.
const (
	// KindFlood is one-way messages per second (higher is better).
	KindFlood Kind = iota + 1
	// KindCall is request/response calls per second plus latency percentiles.
	KindCall
	// KindMemory is bytes per idle process (lower is better).
	KindMemory
	// KindCodec is ETF encode or decode operations per second.
	KindCodec
)

// Workload is one of the shared benchmark workloads.
type Workload struct {
	// Name is the workload's name in flags and reports, e.g. "flood-int".
	Name string
	// Kind selects the metric.
	Kind Kind
	// Scale multiplies Config.N to get the operations per pair and round:
	// calls and 1 KiB binaries are slower than small messages, so they get
	// fewer per round to keep rounds about equally long.
	Scale float64
	// Ops are the sub-measurements of one workload, each reported as its own
	// row; nil means one row named after the workload. etf-term has
	// "encode" and "decode".
	Ops []string
	// LocalOnly workloads run only on the in-process sides (beam-local,
	// go-local): memory and codec speed are not about the network.
	LocalOnly bool
}

// Workloads returns the shared workloads in report order.
func Workloads() []Workload {
	return []Workload{
		{Name: "flood-int", Kind: KindFlood, Scale: 1},
		{Name: "flood-pidint", Kind: KindFlood, Scale: 1},
		{Name: "flood-bin1k", Kind: KindFlood, Scale: 0.25},
		{Name: "call", Kind: KindCall, Scale: 0.1},
		{Name: "idle-memory", Kind: KindMemory, LocalOnly: true},
		{Name: "etf-term", Kind: KindCodec, Scale: 1, Ops: []string{"encode", "decode"}, LocalOnly: true},
	}
}

// WorkloadNames returns the names of all workloads, for flag help.
func WorkloadNames() []string {
	var names []string
	for _, w := range Workloads() {
		names = append(names, w.Name)
	}
	return names
}

// LookupWorkload finds a workload by name.
func LookupWorkload(name string) (Workload, error) {
	for _, w := range Workloads() {
		if w.Name == name {
			return w, nil
		}
	}
	return Workload{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownWorkload, name, strings.Join(WorkloadNames(), ", "))
}

// Case is one row of the report: a workload with a pair count (flood, call)
// or an operation (etf-term), and the operations per round.
type Case struct {
	Workload Workload
	// Op is the sub-measurement (etf-term: "encode"/"decode"), else "".
	Op string
	// Pairs is the number of independent sender/receiver or caller/server
	// pairs; 1 for workloads without pairs.
	Pairs int
	// N is the operations per pair and round: messages per sender, calls
	// per caller, encodes, or idle processes for idle-memory.
	N int
}

// ID names the case in reports: "flood-int/p8", "call/p1",
// "etf-term/encode", "idle-memory/100000".
func (c Case) ID() string {
	switch {
	case c.Op != "":
		return c.Workload.Name + "/" + c.Op
	case c.Workload.Kind == KindMemory:
		return fmt.Sprintf("%s/%d", c.Workload.Name, c.N)
	default:
		return fmt.Sprintf("%s/p%d", c.Workload.Name, c.Pairs)
	}
}

// Proto is the workload name on the wire to erlgo_bench.erl, which has one
// function per sub-measurement ("etf-encode").
func (c Case) Proto() string {
	if c.Workload.Name == "etf-term" {
		return "etf-" + c.Op
	}
	return c.Workload.Name
}

// Unit is the unit of the case's main metric.
func (c Case) Unit() string {
	switch c.Workload.Kind {
	case KindFlood:
		return "msg/s"
	case KindCall:
		return "calls/s"
	case KindMemory:
		return "bytes/proc"
	default:
		return "ops/s"
	}
}

// HigherIsBetter reports whether a larger main metric is better.
func (c Case) HigherIsBetter() bool { return c.Workload.Kind != KindMemory }

// Cases expands workloads into report rows: flood and call once per pair
// count, idle-memory once per process count, etf-term once per operation.
// n is the operations per pair before the workload's Scale.
func Cases(ws []Workload, pairs []int, n int, idleProcs []int) []Case {
	var cs []Case
	for _, w := range ws {
		scaled := max(1, int(float64(n)*w.Scale))
		switch {
		case w.Kind == KindMemory:
			for _, p := range idleProcs {
				cs = append(cs, Case{Workload: w, Pairs: 1, N: p})
			}
		case len(w.Ops) > 0:
			for _, op := range w.Ops {
				cs = append(cs, Case{Workload: w, Op: op, Pairs: 1, N: scaled})
			}
		default:
			for _, p := range pairs {
				cs = append(cs, Case{Workload: w, Pairs: p, N: scaled})
			}
		}
	}
	return cs
}
