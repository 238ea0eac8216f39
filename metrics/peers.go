package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// collectPeers reports each live connection's counters (node.ConnStats).
// They belong to the connection: after a reconnect they start again from
// zero, which Prometheus's rate() reads as a counter reset.
func (c *Collector) collectPeers(ch chan<- prometheus.Metric) {
	var visible, hidden int
	for _, s := range c.n.ConnStats() {
		if s.Hidden {
			hidden++
		} else {
			visible++
		}
		peer := string(s.Node)
		counter := func(d *prometheus.Desc, v uint64, dir string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), peer, dir)
		}
		counter(c.peerMessages, s.MessagesIn, "in")
		counter(c.peerMessages, s.MessagesOut, "out")
		counter(c.peerBytes, s.BytesIn, "in")
		counter(c.peerBytes, s.BytesOut, "out")
		ch <- prometheus.MustNewConstMetric(c.peerQueue, prometheus.GaugeValue, float64(s.QueueBytes), peer)
	}
	ch <- prometheus.MustNewConstMetric(c.connections, prometheus.GaugeValue, float64(visible), "visible")
	ch <- prometheus.MustNewConstMetric(c.connections, prometheus.GaugeValue, float64(hidden), "hidden")
}
