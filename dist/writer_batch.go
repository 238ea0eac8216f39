package dist

import (
	"github.com/erlgo/erlgo/etf"
)

// SendBatch queues the control messages pre (operations without payload,
// such as DEMONITOR_P and MONITOR_P) followed by ctl with payload, as one
// unit: they are encoded under one lock and leave together, in one write on
// an idle connection instead of one write per message. A request that
// needs a monitor (gen_server's call: MONITOR_P, then the $gen_call) thus
// reaches the peer in one packet, and the peer's reader handles both after
// one wake-up.
//
// Order and backpressure are those of len(pre)+1 Sends made back to back by
// one goroutine, except that no other sender's message can come between
// them. With in != nil the wait for room can be interrupted as in
// SendInterruptible (nothing is queued then). If encoding one of them
// fails, the messages before it stay queued and are written; the error is
// returned.
func (c *Conn) SendBatch(pre []Control, ctl Control, payload etf.Term, in Interrupter) error {
	if err := c.lockForSend(in); err != nil {
		return err
	}
	wasEmpty := len(c.wbuf) == 0
	var err error
	queued := 0
	for _, p := range pre {
		if err = c.appendMessage(p, nil, false); err != nil {
			break
		}
		queued++
	}
	if err == nil {
		if err = c.appendMessage(ctl, payload, true); err == nil {
			queued++
		}
	}
	if queued == 0 {
		c.wmu.Unlock()
		return err
	}
	c.sent.Add(uint64(queued))
	c.kickLocked(wasEmpty)
	return err
}
