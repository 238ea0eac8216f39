package bench

import (
	"fmt"
	"slices"
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
	// KindBytes is one-way messages of Workload.MsgBytes each, reported
	// as MB/s (10^6 bytes of message payload per second; higher is better).
	KindBytes
	// KindShape is milliseconds per round trip of a big term, or of a
	// batch of concurrent calls, through one echo server (lower is
	// better; see Workload.Shape).
	KindShape
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
	// MsgBytes is the payload size of one message (KindBytes).
	MsgBytes int
	// Pairs, when set, replaces Config.Pairs for this workload: the large
	// messages and the reference rows are about one connection and one
	// stream, and 8 pairs of 1 MiB floods would only measure mailboxes.
	Pairs []int
	// ManyPairs workloads also run Config.ManyPairs (call: 64 callers over
	// one connection). A case with more than 8 pairs gets N*8/pairs
	// operations per pair, so its round is as long as p8's.
	ManyPairs bool
	// Reference workloads are not erlgo: plain Go over loopback TCP
	// between the go-go side's two OS processes, measured in the same run
	// as the limit the erlgo rows are read against. Only go-go runs them.
	Reference bool
	// Shape is the size of a KindShape workload's term. The shape
	// workloads are driven from an erl node, so only beam-beam and
	// beam-go run them.
	Shape Shape
}

// The reference workloads' names.
const (
	RefTCPLimit    = "tcp-limit"    // loopback TCP limit, MB/s
	RefTCPPingPong = "tcp-pingpong" // TCP ping-pong floor, 1-byte round trips
)

// Workloads returns the shared workloads in report order.
func Workloads() []Workload {
	ws := []Workload{
		{Name: "flood-int", Kind: KindFlood, Scale: 1},
		{Name: "flood-pidint", Kind: KindFlood, Scale: 1},
		{Name: "flood-bin1k", Kind: KindFlood, Scale: 0.25},
		{Name: "call", Kind: KindCall, Scale: 0.1, ManyPairs: true},
		{Name: "idle-memory", Kind: KindMemory, LocalOnly: true},
		{Name: "etf-term", Kind: KindCodec, Scale: 1, Ops: []string{"encode", "decode"}, LocalOnly: true},
		{Name: "msg-16k", Kind: KindBytes, Scale: 0.1, MsgBytes: 16 << 10, Pairs: []int{1}},
		{Name: "msg-1m", Kind: KindBytes, Scale: 0.01, MsgBytes: 1 << 20, Pairs: []int{1}},
		// tcp-limit: 1 MiB writes over one loopback TCP connection from
		// this process to go-go's peer process, the ceiling for msg-16k
		// and msg-1m.
		{Name: RefTCPLimit, Kind: KindBytes, Scale: 0.01, MsgBytes: 1 << 20, Pairs: []int{1}, Reference: true},
		// tcp-pingpong: a 1-byte round trip over loopback TCP between the
		// same two processes, the floor for the call rows' latency.
		{Name: RefTCPPingPong, Kind: KindCall, Scale: 0.1, Pairs: []int{1}, Reference: true},
	}
	return append(ws, shapeWorkloads()...)
}

// WorkloadNames returns the names of all workloads, for flag help.
func WorkloadNames() []string {
	var names []string
	for _, w := range Workloads() {
		names = append(names, w.Name)
	}
	return names
}

// lookupWorkloads resolves a -workloads name: a workload, or
// WorkloadShapes for every shape workload.
func lookupWorkloads(name string) ([]Workload, error) {
	if name == WorkloadShapes {
		return shapeWorkloads(), nil
	}
	w, err := LookupWorkload(name)
	if err != nil {
		return nil, err
	}
	return []Workload{w}, nil
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
	// per caller, encodes, idle processes for idle-memory, or round trips
	// of the shape.
	N int
	// Shape, when its Count is set, replaces the workload's Shape (tests
	// run tiny shapes).
	Shape Shape
}

// ID names the case in reports: "flood-int/p8", "call/p1",
// "etf-term/encode", "idle-memory/100000", "shape-map50k".
func (c Case) ID() string {
	switch {
	case c.Op != "":
		return c.Workload.Name + "/" + c.Op
	case c.Workload.Kind == KindMemory:
		return fmt.Sprintf("%s/%d", c.Workload.Name, c.N)
	case c.Workload.Kind == KindShape:
		return c.Workload.Name
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
	case KindBytes:
		return "MB/s"
	case KindShape:
		return "ms"
	default:
		return "ops/s"
	}
}

// HigherIsBetter reports whether a larger main metric is better.
func (c Case) HigherIsBetter() bool {
	return c.Workload.Kind != KindMemory && c.Workload.Kind != KindShape
}

// Cases expands workloads into report rows: flood and call once per pair
// count (ManyPairs workloads also once per manyPairs count), idle-memory
// once per process count, etf-term once per operation. n is the
// operations per pair before the workload's Scale.
func Cases(ws []Workload, pairs []int, n int, idleProcs []int, manyPairs ...int) []Case {
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
			for _, p := range w.pairCounts(pairs, manyPairs) {
				cs = append(cs, Case{Workload: w, Pairs: p, N: pairN(scaled, p)})
			}
		}
	}
	return cs
}

// pairCounts is the workload's own Pairs, or pairs plus, for a ManyPairs
// workload, the counts of many that pairs lacks.
func (w Workload) pairCounts(pairs, many []int) []int {
	if len(w.Pairs) > 0 {
		return w.Pairs
	}
	if !w.ManyPairs {
		return pairs
	}
	out := slices.Clone(pairs)
	for _, p := range many {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// pairN keeps a case with more than 8 pairs as long as the p8 case.
func pairN(n, pairs int) int {
	if pairs <= 8 {
		return n
	}
	return max(1, n*8/pairs)
}
