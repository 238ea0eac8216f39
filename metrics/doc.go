// Package metrics exposes a node to Prometheus: an opt-in
// prometheus.Collector with the node's processes, mailbox depths, the
// traffic and queue of every distribution connection, call latencies and
// connection ups and downs, next to Go's own runtime metrics (GC, memory,
// goroutines), and an opt-in pprof endpoint.
//
// Nothing runs until something asks: NewCollector installs node hooks
// (node.AddHooks) that update the call histogram and the connection
// counters as events happen, and reads everything else when Prometheus
// scrapes. Importing the package registers nothing globally.
//
// The simplest use serves both on a loopback port:
//
//	srv, err := metrics.Serve(ctx, "127.0.0.1:9100", n, metrics.WithPprof())
//	// scrape http://127.0.0.1:9100/metrics
//	// go tool pprof http://127.0.0.1:9100/debug/pprof/heap
//
// To add the node to a registry of one's own, register NewCollector(n)
// there and serve it with Handler. Every erlgo_ metric carries a node
// label, so several nodes of one process can share a registry. The metric
// names, their labels and what they count are listed in docs/metrics.md.
//
// Serve refuses an address other machines can reach unless
// WithAllowRemote is given: the metrics name the node's peers and pprof
// shows its code. `erlgo node -metrics ADDR` serves both for the demo node.
package metrics
