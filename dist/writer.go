package dist

import (
	"errors"
	"log/slog"
	"os"
	"time"
)

// writeLoop is the connection's single writer. Senders append encoded
// frames to c.wbuf under c.wmu (see Conn.send); the writer swaps the buffer
// out and writes everything queued with one Write, so many small messages
// share a syscall. Backpressure: senders block while c.wbuf is over
// Config.WriteQueue. Slow peers: a Write that makes no progress for a whole
// TickTime closes the connection with ErrWriteTimeout.
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
		buf := c.wbuf
		c.wbuf, c.spare = c.spare, nil
		c.wroom.Broadcast()
		c.wmu.Unlock()
		if len(buf) == 0 && !draining {
			c.recycle(buf)
			continue
		}
		timeout := c.cfg.TickTime
		if draining {
			timeout = time.Second
		}
		err := c.writeAll(buf, timeout)
		if err != nil && draining {
			c.closeWith(ErrClosed)
			return
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.log.Warn("dist: closing connection: peer does not read", slog.Duration("timeout", c.cfg.TickTime))
				c.closeWith(ErrWriteTimeout)
			} else {
				c.closeWith(readErr(err))
			}
			return
		}
		if draining {
			c.closeWith(ErrClosed)
			return
		}
		c.recycle(buf)
	}
}

func (c *Conn) recycle(buf []byte) {
	if cap(buf) > 2*c.cfg.WriteQueue && cap(buf) > maxScratchKeep {
		return
	}
	c.wmu.Lock()
	if c.spare == nil {
		c.spare = buf[:0]
	}
	c.wmu.Unlock()
}

// writeChunk bounds one Write so that the write timeout means "no progress
// for that long" rather than "the whole batch took that long".
const writeChunk = 1 << 20

func (c *Conn) writeAll(buf []byte, timeout time.Duration) error {
	for len(buf) > 0 {
		k := min(len(buf), writeChunk)
		_ = c.nc.SetWriteDeadline(time.Now().Add(timeout))
		n, err := c.nc.Write(buf[:k])
		if err != nil {
			return err
		}
		buf = buf[n:]
	}
	return nil
}
