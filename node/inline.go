package node

import "github.com/erlgo/erlgo/dist"

// Inline runs (docs/calls.md, "Running a server on the reader"): a
// $gen_call request from another node that finds its process idle is
// handled on the
// connection's reader goroutine, instead of waking a new goroutine for it
// and having the reader go back to the socket. A request/response server
// so answers with no hand-off between goroutines: on a 2-core machine each
// hand-off wakes an idle P (futex, a spinning M) and that, not the work,
// bounds calls between OS processes.
//
// The inline run handles the messages queued at that moment, then the
// process goes idle (no linger: the reader must go back to reading) or, if
// more arrived meanwhile, gets a goroutine of its own. If the handler
// blocks in Call it hands the connection to a new reader first (the reply
// may come over this very connection); if it blocks on anything else or
// just runs long, the connection's watchdog does so after about a
// millisecond (dist/reader_takeover.go). Either way the goroutine then
// stays with the process and finishes its run as a normal run goroutine.
//
// Only requests run inline, as only servers linger (linger.go): a flood
// receiver handled one message at a time on the reader paid the inline
// bookkeeping per message and lost the overlap of decoding and handling
// (go-go flood-int 0.94x), while a server's next request is a round trip
// away anyway.

// inlineRun is the connection an inline run holds, if any. It lives in
// procExt: process goroutine only.
type inlineRun struct {
	c   *dist.Conn
	tok uint64
}

// runInline runs p (just made running, its mailbox not empty) on c's
// reader goroutine.
func (p *Process) runInline(c *dist.Conn, e *procExt) {
	tok := c.BeginInline()
	e.inline = inlineRun{c: c, tok: tok}
	exited := p.drainOnce()
	if e.inline.c == nil || !c.EndInline(tok) {
		// Handed off (a Call) or taken over (the watchdog): this
		// goroutine is the process's now.
		e.inline = inlineRun{}
		if !exited {
			p.run()
		}
		return
	}
	e.inline = inlineRun{}
	if exited {
		return
	}
	p.mu.Lock()
	if p.normal.len == 0 && len(p.urgent) == 0 && !p.heldLocked() {
		p.state = stateIdle
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	go p.run() // more arrived: it gets a goroutine, the reader goes back
}

// handOffInline gives p's connection to a new reader if p runs inline; a
// handler calls it before it blocks.
func (p *Process) handOffInline() {
	if e := p.ext; e != nil && e.inline.c != nil {
		e.inline.c.HandOff(e.inline.tok)
		e.inline = inlineRun{}
	}
}

// drainOnce handles the messages queued now; it returns true if the
// process exited.
func (p *Process) drainOnce() bool {
	if p.urgentN.Load() != 0 && p.drainUrgent() {
		return true
	}
	p.mu.Lock()
	p.countTakenLocked(p.normal.len)
	chain := p.normal.take()
	p.mu.Unlock()
	return p.dispatchChain(chain)
}
