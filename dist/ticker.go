// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"log/slog"
	"time"
)

// tickLoop implements net_ticktime/net_tickintensity (kernel_app,
// dist_util): every TickTime/TickIntensity it writes a tick (an empty
// packet) if nothing was sent in that interval, and declares the peer dead
// (ErrTickTimeout, OTP's net_tick_timeout) after TickIntensity consecutive
// intervals in which nothing at all was read.
func (c *Conn) tickLoop() {
	defer c.wg.Done()
	iv := c.cfg.TickTime / time.Duration(c.cfg.TickIntensity)
	t := time.NewTicker(iv)
	defer t.Stop()
	lastR, lastS := c.readCnt.Load(), c.sent.Load()
	missed := 0
	for {
		select {
		case <-c.closing:
			return
		case <-t.C:
		}
		if r := c.readCnt.Load(); r != lastR {
			lastR, missed = r, 0
		} else if missed++; missed >= c.cfg.TickIntensity {
			c.log.Warn("dist: closing connection: net_tick_timeout", slog.Duration("net_ticktime", c.cfg.TickTime))
			c.closeWith(ErrTickTimeout)
			return
		}
		if s := c.sent.Load(); s != lastS {
			lastS = s
			continue
		}
		c.queueTick()
	}
}

// idleKeep is how much write-side buffer capacity (queue, spare, encoding
// area each) a connection keeps once it has been idle for a tick interval.
const idleKeep = 64 << 10

// queueTick queues an empty packet, bypassing the queue bound. Nothing was
// sent for a whole tick interval, so it also drops the write buffers a
// burst grew (up to 2 x WriteQueue each): an idle connection should not
// hold megabytes it may never need again.
func (c *Conn) queueTick() {
	c.wmu.Lock()
	if c.wclosed {
		c.wmu.Unlock()
		return
	}
	wasEmpty := len(c.wbuf) == 0
	if wasEmpty && !c.flushing {
		c.releaseIdleLocked()
	}
	c.wbuf = append(c.wbuf, 0, 0, 0, 0)
	if c.corked && !c.flushing {
		// A tick does not wait for a reader that may be stuck in a
		// handler (writer_cork.go): the peer would call us dead.
		c.wmu.Unlock()
		c.wakeWriter()
		return
	}
	c.kickLocked(wasEmpty)
}

// releaseIdleLocked drops buffers above idleKeep; c.wmu is held and nobody
// flushes (the flusher owns the buffer it took, not these).
func (c *Conn) releaseIdleLocked() {
	if cap(c.wbuf) > idleKeep {
		c.wbuf = nil
	}
	if cap(c.spare) > idleKeep {
		c.spare = nil
	}
	if cap(c.scratch) > idleKeep {
		c.scratch = nil
	}
	c.dropBodiesLocked()
}
