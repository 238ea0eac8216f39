// Spec: External Term Format / Distribution Header for Fragmented Messages, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html#distribution-header-for-fragmented-messages

package dist

import (
	"net"
	"time"
)

// Spliced fragments. A fragmented message used to be encoded into the
// connection's encoding area and then copied, cut into fragments, into
// c.wbuf: for 1 MiB messages that second copy was about half of the
// sender's time. On transports written with writev (plain sockets, see
// rawConn) the fragment headers alone go into c.wbuf and the fragments'
// data stay in the encoding area, which the queue then owns until it is
// written: c.wext lists, in wire order, which slice of it follows which
// offset of c.wbuf. Encoding still copies everything out of the caller's
// term before Send returns, so the caller may reuse its buffers at once.
//
// A batch with extents is always written by the writer goroutine (one
// writev per chunk); senders write only plain batches directly.

// extent is data written after buf[:at] of the batch it belongs to.
type extent struct {
	at int
	b  []byte
}

// outBatch is what a flusher takes from the queue: the frames, the
// extents spliced into them and the encoding areas the extents point into
// (returned for reuse once written).
type outBatch struct {
	buf    []byte
	ext    []extent
	bodies [][]byte
}

// queuedLocked is the number of bytes waiting to be written, extents
// included: what backpressure (Config.WriteQueue) bounds.
func (c *Conn) queuedLocked() int { return len(c.wbuf) + c.wextN }

// spliceFragments queues body (control term first, ctlLen bytes) as
// fragments like appendFragments does, but only their headers are copied
// into c.wbuf; the queue takes body over.
func (c *Conn) spliceFragments(body []byte, ctlLen int) {
	c.appendFragmentsWith(body, ctlLen, func(w, data []byte) []byte {
		c.wext = append(c.wext, extent{at: len(w), b: data})
		return w
	})
	c.wextN += len(body)
	c.wbodies = append(c.wbodies, body)
}

// writeBatch writes b; the caller owns the write side. Like writeAll it
// arms the deadline per chunk of at most writeChunk bytes, so the timeout
// still means "no progress for that long".
func (c *Conn) writeBatch(b outBatch, timeout time.Duration, now time.Time) error {
	if len(b.ext) == 0 {
		return c.writeAll(b.buf, timeout, now)
	}
	vec := c.vecOf(b)
	defer clear(vec) // do not keep the written bodies reachable
	for i := 0; i < len(vec); {
		j, n := i+1, len(vec[i])
		for j < len(vec) && n+len(vec[j]) <= writeChunk {
			n += len(vec[j])
			j++
		}
		c.armDeadline(now, timeout)
		part := net.Buffers(vec[i:j])
		k, err := part.WriteTo(c.nc)
		c.stats.bytesOut.Add(uint64(k))
		if err != nil {
			return err
		}
		i = j
		if i < len(vec) {
			now = time.Now()
		}
	}
	return nil
}

// vecOf lays b out in wire order in c.vec: pieces of b.buf between the
// extents, each at most writeChunk long.
func (c *Conn) vecOf(b outBatch) [][]byte {
	vec := c.vec[:0]
	piece := func(p []byte) {
		for len(p) > 0 {
			k := min(len(p), writeChunk)
			vec = append(vec, p[:k])
			p = p[k:]
		}
	}
	at := 0
	for _, e := range b.ext {
		piece(b.buf[at:e.at])
		vec = append(vec, e.b)
		at = e.at
	}
	piece(b.buf[at:])
	c.vec = vec
	return vec
}

// recycleBodiesLocked returns written encoding areas for reuse, up to
// 2 x WriteQueue bytes of them: a stream of large messages then encodes
// into the same few areas instead of allocating one per message (up to a
// queue's worth is queued while another queue's worth is being written).
// That is what a copying queue keeps too (its recycled buffer, see
// recycleLocked), and an idle connection drops them (releaseIdleLocked).
func (c *Conn) recycleBodiesLocked(bodies [][]byte) {
	for _, b := range bodies {
		if c.bodyFreeN+cap(b) > 2*c.cfg.WriteQueue {
			break
		}
		c.bodyFree = append(c.bodyFree, b[:0])
		c.bodyFreeN += cap(b)
	}
	clear(bodies)
}

// takeBodyLocked gives the encoding area a recycled one when it has none
// (the queue took the last one over).
func (c *Conn) takeBodyLocked() {
	if c.scratch != nil || len(c.bodyFree) == 0 {
		return
	}
	i := len(c.bodyFree) - 1
	c.scratch = c.bodyFree[i]
	c.bodyFree[i] = nil
	c.bodyFree = c.bodyFree[:i]
	c.bodyFreeN -= cap(c.scratch)
}

// dropBodiesLocked forgets the recycled encoding areas.
func (c *Conn) dropBodiesLocked() {
	clear(c.bodyFree)
	c.bodyFree, c.bodyFreeN = nil, 0
}
