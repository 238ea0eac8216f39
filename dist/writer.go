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
		select {
		case <-c.wake:
		case <-c.closing:
			return
		}
		c.wmu.Lock()
		buf := c.wbuf
		c.wbuf, c.spare = c.spare, nil
		c.wroom.Broadcast()
		c.wmu.Unlock()
		if len(buf) == 0 {
			c.recycle(buf)
			continue
		}
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.TickTime))
		_, err := c.nc.Write(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.log.Warn("dist: closing connection: peer does not read", slog.Duration("timeout", c.cfg.TickTime))
				c.closeWith(ErrWriteTimeout)
			} else {
				c.closeWith(readErr(err))
			}
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
