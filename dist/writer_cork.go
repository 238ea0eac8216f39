package dist

// Corking (docs/calls.md, "Replies leave with the reader"). While the
// reader goroutine works through packets that are already in its read
// buffer, the connection is corked: a small frame queued meanwhile, such
// as the reply of a server that ran inline on the reader, is neither
// written by its sender nor handed to the writer goroutine. The reader
// writes everything queued in one write(2) before it next waits for the
// socket, so the replies to a read buffer full of requests leave together
// and no other goroutine is woken for them. Without it each reply woke the
// writer goroutine (8 pairs of callers over one connection cost about 1.4
// context switches per call against BEAM's 0.3).
//
// The delay a cork adds is bounded: the reader flushes after corkPackets
// packets even if more are buffered, a takeover flushes before the new
// reader starts (so an inline handler that blocks holds nothing back), and
// a queue past corkBytes, or one holding spliced fragments, goes to the
// writer goroutine at once as it would uncorked. Wire order is untouched:
// only who writes the queue, and when, changes.

// corkPackets is how many packets the reader handles between flushes of a
// corked queue.
const corkPackets = 32

// corkBytes is how much a corked queue may hold before its senders wake
// the writer goroutine anyway.
const corkBytes = 64 << 10

// corkHolds reports, with c.wmu held, whether a frame just queued may wait
// for the reader's flush.
func (c *Conn) corkHolds() bool {
	return c.corked && len(c.wext) == 0 && len(c.wbuf) < corkBytes
}

// setCork corks or uncorks the connection (reader goroutine, or a takeover
// before the new reader starts). Either way what is queued and not being
// written is written now (flushNowLocked).
func (c *Conn) setCork(on bool) {
	c.wmu.Lock()
	c.corked = on
	if c.flushing || len(c.wbuf) == 0 {
		// A flusher that finds more queued when it ends wakes the writer.
		c.wmu.Unlock()
		return
	}
	c.flushNowLocked()
}

// hasPacket reports whether the read buffer holds a whole packet (ticks
// skipped), so that next returns without waiting for the socket.
func (r *packetReader) hasPacket() bool {
	b := r.br.Buffered()
	if b < 4 {
		return false
	}
	p, _ := r.br.Peek(b)
	for len(p) >= 4 {
		n := int(uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3]))
		if n == 0 {
			p = p[4:]
			continue
		}
		return len(p)-4 >= n
	}
	return false
}
