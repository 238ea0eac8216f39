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

// queueTick queues an empty packet, bypassing the queue bound.
func (c *Conn) queueTick() {
	c.wmu.Lock()
	if c.wclosed {
		c.wmu.Unlock()
		return
	}
	wasEmpty := len(c.wbuf) == 0
	c.wbuf = append(c.wbuf, 0, 0, 0, 0)
	c.kickLocked(wasEmpty)
}
