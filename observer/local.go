package observer

import (
	"context"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// processStart approximates when this OS process started (package init).
// A node does not export its own start time, so a Go node's uptime is its
// host process's; it is set once and never written again.
var processStart = time.Now()

// Local returns the Source describing n itself. Runtime figures
// (goroutines, heap, GOMAXPROCS) are those of the whole Go process, which
// may host several nodes.
func Local(n *node.Node) Source { return localSource{n: n} }

type localSource struct{ n *node.Node }

// runtimeSample names the runtime/metrics this package reads.
var runtimeSample = []string{
	"/sched/goroutines:goroutines",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/total:bytes",
	"/sched/gomaxprocs:threads",
}

func (s localSource) Node(ctx context.Context) (NodeInfo, error) {
	samples := make([]metrics.Sample, len(runtimeSample))
	for i, name := range runtimeSample {
		samples[i].Name = name
	}
	metrics.Read(samples)
	reg := atomStrings(s.n.Registered())
	slices.Sort(reg)
	info := NodeInfo{
		Name:            string(s.n.Name()),
		Kind:            KindErlgo,
		Creation:        s.n.Creation(),
		UptimeSeconds:   time.Since(processStart).Seconds(),
		GoVersion:       runtime.Version(),
		GOMAXPROCS:      int(sampleUint(samples[3])),
		Goroutines:      int(sampleUint(samples[0])),
		HeapBytes:       sampleUint(samples[1]),
		MemoryBytes:     sampleUint(samples[2]),
		ProcessCount:    s.n.ProcessCount(),
		RegisteredCount: len(reg),
		Registered:      reg,
		ConnectedNodes:  sortedNodes(s.n.ConnectedNodes()),
	}
	if a := s.n.ListenAddr(); a != nil {
		info.ListenAddr = a.String()
	}
	return info, nil
}

// Processes lists the registered processes: the node's public API offers
// no way to enumerate anonymous ones or read another process's mailbox.
func (s localSource) Processes(ctx context.Context, q Query) (ProcessList, error) {
	q, err := q.normalize()
	if err != nil {
		return ProcessList{}, err
	}
	names := s.n.Registered()
	ps := make([]ProcessInfo, 0, len(names))
	for _, name := range names {
		pid, ok := s.n.Whereis(name)
		if !ok {
			continue // unregistered meanwhile
		}
		ps = append(ps, ProcessInfo{PID: pid.String(), Name: string(name)})
	}
	if q.Sort != "name" {
		q.Sort = "name" // the only key a Go node can provide
	}
	return ProcessList{Scope: "registered", Total: s.n.ProcessCount(), Processes: sortProcesses(ps, q)}, nil
}

func (s localSource) Network(ctx context.Context) (NetworkInfo, error) {
	return NetworkInfo{Name: string(s.n.Name()), Connected: sortedNodes(s.n.ConnectedNodes()),
		Visible: sortedNodes(s.n.Nodes()), Hidden: sortedNodes(s.n.HiddenNodes())}, nil
}

// sortedNodes returns the node names sorted, an empty (not nil) list for
// none: a known empty list, not an unknown one (see NetworkInfo).
func sortedNodes(nodes []etf.Atom) []string {
	out := atomStrings(nodes)
	slices.Sort(out)
	return out
}

func atomStrings(as []etf.Atom) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func sampleUint(s metrics.Sample) uint64 {
	switch s.Value.Kind() {
	case metrics.KindUint64:
		return s.Value.Uint64()
	case metrics.KindFloat64:
		return uint64(s.Value.Float64())
	}
	return 0 // metric unsupported by this runtime
}
