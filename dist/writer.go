// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"errors"
	"log/slog"
	"os"
	"time"
)

// Writing. Senders append encoded frames to c.wbuf under c.wmu (see
// Conn.send). Exactly one goroutine at a time owns the transport's write
// side (c.flushing, under c.wmu): it takes the whole of c.wbuf, writes it
// with one Write and hands ownership back. Taking the buffer and claiming
// ownership happen in one critical section and flushes never overlap, so
// the wire order is the append order: per-sender order and the order of
// control messages with data are preserved whoever writes. Fragmented
// messages are spliced into the queue rather than copied (writer_vec.go):
// such a batch is written by the writer goroutine with writev.
//
// Who writes (kickLocked): on an idle connection the sending goroutine
// writes its own frame directly, which saves waking the writer goroutine
// (a goroutine hand-off per message, the dominant cost of a small
// request/response over loopback). When a flush is already in progress the
// sender only appends; the flusher wakes the writer goroutine when it is
// done if more was queued, so under load everything queued meanwhile
// shares one syscall. A sender that sends again right after the previous
// flush (a flood) also goes through the writer goroutine, so a single
// flooding goroutine keeps batching instead of paying a syscall per
// message. Direct writes never block: they are non-blocking write(2)s on
// plain sockets (writer_direct.go), and when the socket buffer is full the
// rest of the buffer, together with the write side, is handed to the
// writer goroutine (c.handoff), which finishes it before anything else.
//
// Backpressure: senders block while c.wbuf is over Config.WriteQueue.
// Slow peers: a Write that makes no progress for a whole TickTime closes
// the connection with ErrWriteTimeout.

// directGap is how long the write side must have been idle for a sender to
// write its message itself rather than through the writer goroutine.
const directGap = 20 * time.Microsecond

// kickLocked gets what the caller just appended to c.wbuf written; wasEmpty
// tells whether c.wbuf was empty before. It is called with c.wmu held and
// releases it.
func (c *Conn) kickLocked(wasEmpty bool) {
	if !c.flushing && c.corked {
		// The reader writes the queue before it next waits (writer_cork.go).
		holds := c.corkHolds()
		c.wmu.Unlock()
		if !holds {
			c.wakeWriter()
		}
		return
	}
	if c.flushing || !wasEmpty {
		// Either the current flusher wakes the writer when it is done, or
		// the writer was already woken for the frames queued before ours
		// (while nobody flushes, a non-empty queue always has a wake-up
		// pending).
		c.wmu.Unlock()
		return
	}
	if time.Since(c.lastEnd) < directGap {
		// A burst: the writer goroutine batches it.
		c.wmu.Unlock()
		c.wakeWriter()
		return
	}
	c.flushNowLocked()
}

// flushNowLocked gets the whole queue written now; c.wmu is held, nobody
// flushes, and it is released. The calling goroutine claims the write side
// and writes without blocking, handing what the socket does not take to
// the writer goroutine. Only transports with a raw file descriptor write
// directly (see writeDirect): TLS and in-memory pipes, and batches with
// spliced fragments (they need writev), wake the writer goroutine instead.
func (c *Conn) flushNowLocked() {
	if c.raw == nil || len(c.wext) > 0 {
		c.wmu.Unlock()
		c.wakeWriter()
		return
	}
	buf := c.takeLocked().buf
	c.wmu.Unlock()
	n, err := c.writeDirect(buf)
	c.stats.bytesOut.Add(uint64(n))
	if err == nil && n < len(buf) {
		// The socket buffer is full: hand the rest, and the write side,
		// to the writer goroutine rather than blocking this sender.
		c.wmu.Lock()
		c.handoff = buf[n:]
		c.wroom.Broadcast() // a draining writer waits for this
		c.wmu.Unlock()
		c.wakeWriter()
		return
	}
	if err != nil {
		c.writeFailed(err)
	}
	c.wmu.Lock()
	c.recycleLocked(buf)
	c.endFlushLocked()
	c.wmu.Unlock()
}

func (c *Conn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// takeLocked claims the write side and takes everything queued.
func (c *Conn) takeLocked() outBatch {
	b := outBatch{buf: c.wbuf, ext: c.wext, bodies: c.wbodies}
	c.wbuf, c.spare = c.spare, nil
	c.wext, c.wextN, c.wbodies = nil, 0, nil
	c.flushing = true
	c.wroom.Broadcast()
	return b
}

// endFlushLocked releases the write side and, if senders queued frames
// meanwhile, wakes the writer goroutine to write them all at once.
func (c *Conn) endFlushLocked() {
	c.flushing = false
	c.lastEnd = time.Now()
	if len(c.wbuf) > 0 {
		c.wakeWriter()
	}
	c.wroom.Broadcast() // Close's drain waits for the flush to end
}

// writeLoop is the connection's writer goroutine: it writes what senders
// queued while the write side was busy or while they were sending in a
// burst, and performs the final flush on Close.
func (c *Conn) writeLoop() {
	defer c.wg.Done()
	for {
		draining := false
		select {
		case <-c.wake:
		case <-c.drain:
			draining = true
		case <-c.closing:
			return
		}
		c.wmu.Lock()
		if rest := c.handoff; rest != nil {
			// A direct write ran out of socket buffer: finish it first,
			// we own the write side now.
			c.handoff = nil
			c.wmu.Unlock()
			if err := c.writeAll(rest, c.cfg.TickTime, time.Now()); err != nil {
				if draining {
					c.closeWith(ErrClosed)
				}
				c.writeFailed(err)
				return
			}
			c.wmu.Lock()
			c.recycleLocked(rest[:0]) // else a burst allocates a new queue per hand-off
		} else if draining {
			for c.flushing && c.handoff == nil {
				c.wroom.Wait()
			}
			if c.handoff != nil {
				c.wmu.Unlock()
				c.wakeWriter() // finish the handed-over write, then drain
				continue
			}
		} else if c.flushing {
			// The current flusher wakes us again if it leaves work.
			c.wmu.Unlock()
			continue
		}
		b := c.takeLocked()
		c.wmu.Unlock()
		var err error
		if draining {
			err = c.writeBatch(b, time.Second, time.Now())
		} else if len(b.buf) > 0 {
			err = c.writeBatch(b, c.cfg.TickTime, time.Now())
		}
		c.wmu.Lock()
		c.recycleLocked(b.buf)
		if err == nil {
			c.recycleBodiesLocked(b.bodies)
		}
		c.endFlushLocked()
		c.wmu.Unlock()
		if draining {
			c.closeWith(ErrClosed)
			return
		}
		if err != nil {
			c.writeFailed(err)
			return
		}
	}
}

// writeFailed closes the connection after a failed Write.
func (c *Conn) writeFailed(err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.log.Warn("dist: closing connection: peer does not read", slog.Duration("timeout", c.cfg.TickTime))
		c.closeWith(ErrWriteTimeout)
		return
	}
	c.closeWith(readErr(err))
}

func (c *Conn) recycleLocked(buf []byte) {
	if cap(buf) > 2*c.cfg.WriteQueue && cap(buf) > maxScratchKeep {
		return
	}
	if c.spare == nil {
		c.spare = buf[:0]
	}
}

// writeChunk bounds one Write so that the write timeout means "no progress
// for that long" rather than "the whole batch took that long".
const writeChunk = 1 << 20

// writeAll writes buf; the caller owns the write side.
func (c *Conn) writeAll(buf []byte, timeout time.Duration, now time.Time) error {
	for len(buf) > 0 {
		k := min(len(buf), writeChunk)
		c.armDeadline(now, timeout)
		n, err := c.nc.Write(buf[:k])
		c.stats.bytesOut.Add(uint64(n))
		if err != nil {
			return err
		}
		buf = buf[n:]
		if len(buf) > 0 {
			now = time.Now()
		}
	}
	return nil
}

// armDeadline keeps the write deadline between timeout and 9/8 timeout
// ahead of now. Re-arming the poller's timer on every small write would
// cost more than the rest of a direct write's bookkeeping, and a deadline
// a little further out still means "no progress for at least timeout".
func (c *Conn) armDeadline(now time.Time, timeout time.Duration) {
	left := c.wdeadline.Sub(now)
	if left >= timeout && left <= timeout+timeout/8 {
		return
	}
	c.wdeadline = now.Add(timeout + timeout/8)
	_ = c.nc.SetWriteDeadline(c.wdeadline)
}
