package metrics

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Collector is a prometheus.Collector for one node: its erlgo_ metrics
// (see docs/metrics.md for the list) with a node label. Gauges are read
// when Prometheus scrapes, so nothing runs between scrapes: the call
// latency histogram and the connection counters are fed by node hooks
// (node.AddHooks) as calls return and connections come and go.
//
// A scrape visits every process once for the mailbox depth histogram:
// one lock per process and one pid list, a few hundred nanoseconds per
// process (30-50 ms for 100,000 processes on a 2-core machine, over 99%
// of the scrape; see BenchmarkScrape100k and docs/metrics.md).
// WithoutMailboxHistogram leaves it out.
type Collector struct {
	n      *node.Node
	cfg    config
	remove func()

	processes, registered   *prometheus.Desc
	mailbox, mailboxMax     *prometheus.Desc
	connections             *prometheus.Desc
	peerMessages, peerBytes *prometheus.Desc
	peerQueue               *prometheus.Desc
	calls                   *prometheus.HistogramVec
	callObs                 [len(callResults)]prometheus.Observer // by callResult's index
	connUp, connDown        *prometheus.CounterVec
	mailboxBounds           []int // cfg.mailboxBuckets rounded down, for the scan
}

// NewCollector returns the Collector of n and installs its hooks on n;
// Close removes them. Register it in a prometheus.Registerer (or use
// NewRegistry). Several nodes in one process each get their own
// Collector, told apart by the node label.
func NewCollector(n *node.Node, opts ...Option) *Collector {
	cfg := newConfig(opts)
	sort.Float64s(cfg.mailboxBuckets)
	labels := prometheus.Labels{"node": string(n.Name())}
	desc := func(name, help string, vars ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, vars, labels)
	}
	c := &Collector{
		n:   n,
		cfg: cfg,
		processes: desc("erlgo_processes",
			"Live processes on the node (node.Node.ProcessCount)."),
		registered: desc("erlgo_registered_names",
			"Registered local names."),
		mailbox: desc("erlgo_mailbox_depth",
			"Messages queued in each process's mailbox, over all processes at scrape time."),
		mailboxMax: desc("erlgo_mailbox_depth_max",
			"The longest mailbox at scrape time."),
		connections: desc("erlgo_dist_connections",
			"Open distribution connections.", "visibility"),
		peerMessages: desc("erlgo_dist_messages_total",
			"Distribution messages (control messages, with or without payload) over the current connection to peer.", "peer", "direction"),
		peerBytes: desc("erlgo_dist_bytes_total",
			"Bytes read from and written to the current connection to peer after the handshake, ticks and framing included.", "peer", "direction"),
		peerQueue: desc("erlgo_dist_queue_bytes",
			"Bytes encoded for peer and not yet written to its socket.", "peer"),
		calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:        "erlgo_call_duration_seconds",
			Help:        "Duration of Call and CallSystem, from the request sent to the reply or the error, by result.",
			Buckets:     cfg.callBuckets,
			ConstLabels: labels,
		}, []string{"result"}),
		connUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "erlgo_dist_connections_up_total",
			Help:        "Distribution connections that came up since the collector was made.",
			ConstLabels: labels,
		}, []string{"visibility"}),
		connDown: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "erlgo_dist_connections_down_total",
			Help:        "Distribution connections that went down since the collector was made.",
			ConstLabels: labels,
		}, []string{"visibility"}),
	}
	for _, b := range cfg.mailboxBuckets {
		c.mailboxBounds = append(c.mailboxBounds, int(b))
	}
	for i, r := range callResults {
		// Resolved once, so the hook costs no label lookup; and every
		// result has its series from the start, at zero.
		c.callObs[i] = c.calls.WithLabelValues(r)
	}
	for _, v := range []string{"visible", "hidden"} {
		c.connUp.WithLabelValues(v)
		c.connDown.WithLabelValues(v)
	}
	c.remove = n.AddHooks(node.Hooks{
		CallDone: c.callDone,
		ConnUp:   func(_ etf.Atom, hidden bool) { c.connUp.WithLabelValues(visibility(hidden)).Inc() },
		ConnDown: func(_ etf.Atom, hidden bool) { c.connDown.WithLabelValues(visibility(hidden)).Inc() },
	})
	return c
}

// Close removes the collector's hooks from its node: its call histogram
// and connection counters stop moving.
func (c *Collector) Close() { c.remove() }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.processes, c.registered, c.connections, c.peerMessages, c.peerBytes, c.peerQueue} {
		ch <- d
	}
	if !c.cfg.noMailbox {
		ch <- c.mailbox
		ch <- c.mailboxMax
	}
	c.calls.Describe(ch)
	c.connUp.Describe(ch)
	c.connDown.Describe(ch)
}

// Collect implements prometheus.Collector: it reads the node's state now.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.processes, prometheus.GaugeValue, float64(c.n.ProcessCount()))
	ch <- prometheus.MustNewConstMetric(c.registered, prometheus.GaugeValue, float64(len(c.n.Registered())))
	if !c.cfg.noMailbox {
		c.collectMailboxes(ch)
	}
	c.collectPeers(ch)
	c.calls.Collect(ch)
	c.connUp.Collect(ch)
	c.connDown.Collect(ch)
}

// collectMailboxes builds the mailbox depth histogram over every process.
func (c *Collector) collectMailboxes(ch chan<- prometheus.Metric) {
	counts := make([]uint64, len(c.mailboxBounds)) // per bucket, not cumulative yet
	var total, sum uint64
	maxLen := 0
	for _, pid := range c.n.Processes() {
		pi, ok := c.n.ProcessInfo(pid, node.InfoMessageQueueLen)
		if !ok {
			continue // exited meanwhile
		}
		l := pi.MessageQueueLen
		total++
		sum += uint64(l)
		maxLen = max(maxLen, l)
		if i := sort.SearchInts(c.mailboxBounds, l); i < len(counts) {
			counts[i]++
		}
	}
	buckets := make(map[float64]uint64, len(counts))
	var cum uint64
	for i, b := range c.cfg.mailboxBuckets {
		cum += counts[i]
		buckets[b] = cum
	}
	ch <- prometheus.MustNewConstHistogram(c.mailbox, total, float64(sum), buckets)
	ch <- prometheus.MustNewConstMetric(c.mailboxMax, prometheus.GaugeValue, float64(maxLen))
}

// callResults are the values of erlgo_call_duration_seconds's result
// label.
var callResults = [...]string{"ok", "timeout", "noproc", "noconnection", "canceled", "exit", "error"}

// callResult is the index in callResults of a call's error: ok, or the
// reason class callers tell apart.
func callResult(err error) int {
	var ee *node.ExitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, node.ErrTimeout):
		return 1
	case errors.Is(err, node.ErrNoProc):
		return 2
	case errors.Is(err, node.ErrNoConnection):
		return 3
	case errors.Is(err, context.Canceled):
		return 4
	case errors.As(err, &ee):
		return 5
	}
	return 6
}

// callDone is the CallDone hook.
func (c *Collector) callDone(d time.Duration, err error) {
	c.callObs[callResult(err)].Observe(d.Seconds())
}

func visibility(hidden bool) string {
	if hidden {
		return "hidden"
	}
	return "visible"
}
