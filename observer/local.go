package observer

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// processStart approximates when this OS process started (package init).
// A node does not export its own start time, so a Go node's uptime is its
// host process's; it is set once and never written again.
var processStart = time.Now()

// Local returns the Source describing n itself (it also implements
// Inspector). Runtime figures (goroutines, heap, GOMAXPROCS) are those of
// the whole Go process, which may host several nodes.
func Local(n *node.Node, opts ...LocalOption) Source {
	s := localSource{n: n}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// LocalOption configures Local (and RegisterRPC).
type LocalOption func(*localSource)

// WithApplications lets the observer show apps' applications and their
// supervision trees: a Go node has no application controller of its own.
func WithApplications(apps *actors.Applications) LocalOption {
	return func(s *localSource) { s.apps = apps }
}

type localSource struct {
	n    *node.Node
	apps *actors.Applications
}

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
	if stats := s.n.ConnStats(); stats != nil {
		var in, out uint64
		for _, c := range stats {
			in, out = in+c.BytesIn, out+c.BytesOut
		}
		info.IOInBytes, info.IOOutBytes = &in, &out
	}
	runq := s.running()
	info.RunQueue = &runq
	return info, nil
}

// listItems are the fields of one process list row.
const listItems = node.InfoRegisteredName | node.InfoMessageQueueLen | node.InfoMemory |
	node.InfoReductions | node.InfoCurrentFunction

// Processes lists every process of the node (Node.Processes), sorted and
// cut to q.Limit. A snapshot costs one lock per process and copies no
// mailbox. The ranking pass keeps a few words per process; rows (pid
// text, pointers) are built from a second snapshot of those shown only.
func (s localSource) Processes(ctx context.Context, q Query) (ProcessList, error) {
	q, err := q.normalize()
	if err != nil {
		return ProcessList{}, err
	}
	pids := s.n.Processes()
	rs := make([]ranked, 0, len(pids))
	keyItem := map[string]node.InfoItem{"memory": node.InfoMemory, "reductions": node.InfoReductions,
		"mailbox": node.InfoMessageQueueLen}[q.Sort] // 0 for name
	for _, pid := range pids {
		pi, ok := s.n.ProcessInfo(pid, node.InfoRegisteredName|keyItem)
		if !ok {
			continue // exited meanwhile
		}
		if q.Filter != "" && !q.matches(string(pi.RegisteredName), pid.String()) {
			continue
		}
		rs = append(rs, rankOf(pi, q.Sort))
	}
	slices.SortFunc(rs, rankOrder(q.Sort))
	ps := make([]ProcessInfo, 0, min(len(rs), q.Limit))
	for _, r := range rs {
		if len(ps) == q.Limit {
			break
		}
		if pi, ok := s.n.ProcessInfo(r.pid, listItems); ok {
			ps = append(ps, rowOf(pi))
		}
	}
	return ProcessList{Scope: "all", Total: len(rs), Processes: sortProcesses(ps, q)}, nil
}

// ranked is what ordering a process needs: sorting these small values
// rather than whole snapshots keeps a 100k-process list cheap.
type ranked struct {
	key  uint64
	name etf.Atom
	pid  etf.PID
}

func rankOf(p node.ProcessInfo, sort string) ranked {
	r := ranked{name: p.RegisteredName, pid: p.PID}
	switch sort {
	case "memory":
		r.key = uint64(max(p.Memory, 0))
	case "reductions":
		r.key = p.Reductions
	case "mailbox":
		r.key = uint64(max(p.MessageQueueLen, 0))
	}
	return r
}

// rankOrder orders as sortProcesses does, the pid's numbers breaking ties
// so that the cut is stable between polls.
func rankOrder(sort string) func(a, b ranked) int {
	return func(a, b ranked) int {
		if sort == "name" {
			if c := cmp.Compare(boolInt(a.name == ""), boolInt(b.name == "")); c != 0 {
				return c
			}
			if c := cmp.Compare(a.name, b.name); c != 0 {
				return c
			}
		} else if c := cmp.Compare(b.key, a.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.pid.ID, b.pid.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.pid.Serial, b.pid.Serial)
	}
}

// rowOf turns a node snapshot into a list row.
func rowOf(pi node.ProcessInfo) ProcessInfo {
	mem, reds := uint64(max(pi.Memory, 0)), pi.Reductions
	q := pi.MessageQueueLen
	p := ProcessInfo{PID: pi.PID.String(), Name: string(pi.RegisteredName),
		MessageQueueLen: &q, Memory: &mem, Reductions: &reds}
	if pi.CurrentFunction.Module != "" {
		p.CurrentFunction = mfaText(pi.CurrentFunction)
	}
	return p
}

func mfaText(m node.MFA) string {
	return fmt.Sprintf("%s:%s/%d", etf.Format(m.Module), etf.Format(m.Function), m.Arity)
}

// running counts the processes handling a message now: the closest a Go
// node has to BEAM's run queue.
func (s localSource) running() int {
	n := 0
	for _, pid := range s.n.Processes() {
		if pi, ok := s.n.ProcessInfo(pid, node.InfoStatus); ok && pi.Status == "running" {
			n++
		}
	}
	return n
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
