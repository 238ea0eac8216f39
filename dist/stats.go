package dist

import "sync/atomic"

// ConnStats are counters of one connection, for observability and tests.
type ConnStats struct {
	MessagesIn, MessagesOut     uint64 // control messages received / queued
	FragmentedIn, FragmentedOut uint64 // messages that travelled in fragments
	CacheHitsIn, CacheNewIn     uint64 // atom cache refs received: cached / new entries
	CacheHitsOut, CacheNewOut   uint64 // atom cache refs sent: cached / new entries
	PassThroughIn               uint64 // messages received in 'p' framing
	InterleavedIn               uint64 // most fragmented messages open at once
	DroppedIn                   uint64 // messages dropped for exceeding Config.Limits
	BytesIn, BytesOut           uint64 // bytes read / written after the handshake, ticks included
	QueueBytes                  uint64 // encoded bytes waiting for the writer (backpressure sets in at WriteQueue)
}

type connStats struct {
	msgsIn, msgsOut, fragIn, fragOut, hitsIn, newIn, hitsOut, newOut, passIn, interleaved, dropped, bytesIn, bytesOut atomic.Uint64
}

// Stats returns a snapshot of the connection's counters.
func (c *Conn) Stats() ConnStats {
	s := &c.stats
	c.wmu.Lock()
	queued := uint64(c.queuedLocked())
	c.wmu.Unlock()
	return ConnStats{
		MessagesIn: s.msgsIn.Load(), MessagesOut: s.msgsOut.Load(),
		FragmentedIn: s.fragIn.Load(), FragmentedOut: s.fragOut.Load(),
		CacheHitsIn: s.hitsIn.Load(), CacheNewIn: s.newIn.Load(),
		CacheHitsOut: s.hitsOut.Load(), CacheNewOut: s.newOut.Load(),
		PassThroughIn: s.passIn.Load(), InterleavedIn: s.interleaved.Load(),
		DroppedIn: s.dropped.Load(),
		BytesIn:   s.bytesIn.Load(), BytesOut: s.bytesOut.Load(),
		QueueBytes: queued,
	}
}
