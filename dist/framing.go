// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"encoding/binary"
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

// Framing after the handshake (erl_dist_protocol "Protocol between
// connected nodes", erl_ext_dist "Distribution Header"): every packet is
// Len:32 followed by Len bytes; Len 0 is a tick. A non-tick packet is one of
//
//	'p', 131, Control [, 131, Payload]            pass-through
//	131, 68, AtomCacheHeader, Control [, Payload] normal header
//	131, 69, Seq:64, Frag:64, AtomCacheHeader, Control, [Payload start]
//	131, 70, Seq:64, Frag:64, Payload continuation
//
// Pass-through is used only when neither DIST_HDR_ATOM_CACHE nor FRAGMENTS
// was negotiated, as ERTS does.

const (
	passThrough    = 'p'
	verMagic       = 131
	hdrNormal      = 68
	hdrFragment    = 69
	hdrFragmentCnt = 70
	maxScratchKeep = 1 << 20 // larger encoding areas are dropped after use
)

// initEncoder points the encoder at the sending atom cache when the header
// with atom cache refs was negotiated (the flags never change), and at the
// type registry, if any.
func (c *Conn) initEncoder() {
	c.cenc.enc.Registry = c.cfg.Registry
	if c.flags&FlagDistHdrAtomCache != 0 {
		c.cenc.cache = &c.out
		c.cenc.enc.AtomCache = &c.out
	}
}

// appendMessage encodes one message into c.wbuf (c.wmu held). On error
// nothing is appended and the atom cache is unchanged.
func (c *Conn) appendMessage(ctl Control, payload etf.Term, hasPayload bool) error {
	if c.flags&(FlagDistHdrAtomCache|FlagFragments) == 0 {
		return c.appendPassThrough(ctl, payload, hasPayload)
	}
	ce := &c.cenc
	if ce.cache != nil {
		c.out.begin()
	}
	c.takeBodyLocked()
	body, src, reason, err := ce.appendControl(c.scratch[:0], ctl, c.flags)
	if err == nil && src == payloadNone && hasPayload && payload != nil {
		err = fmt.Errorf("dist: %v carries no payload", ctl.Op())
	}
	ctlLen := len(body)
	switch {
	case err != nil:
	case src == payloadMessage:
		body, err = ce.term(body, payload)
	case src == payloadReason:
		body, err = ce.term(body, reason)
	}
	if err == nil && uint64(len(body)) > 0xffffffff-1024 {
		err = fmt.Errorf("dist: message of %d bytes too large", len(body))
	}
	if err != nil {
		c.keepScratch(body)
		return err
	}
	// Only now does the receiver learn the new cache entries.
	c.stats.msgsOut.Add(1)
	if ce.cache != nil {
		nw, hits := c.out.commit()
		c.stats.newOut.Add(uint64(nw))
		c.stats.hitsOut.Add(uint64(hits))
	}
	if c.flags&FlagFragments != 0 && len(body) > c.cfg.FragmentSize {
		c.stats.fragOut.Add(1)
		if c.raw != nil {
			// Written with writev: the queue takes the encoding area
			// over instead of copying it (writer_vec.go).
			c.scratch = nil
			c.spliceFragments(body, ctlLen)
			return nil
		}
		c.appendFragments(body, ctlLen)
		c.keepScratch(body)
		return nil
	}
	hl := c.out.headerLen()
	w := binary.BigEndian.AppendUint32(c.wbuf, uint32(2+hl+len(body)))
	w = append(w, verMagic, hdrNormal)
	w = c.out.appendHeader(w)
	c.wbuf = append(w, body...)
	c.keepScratch(body)
	return nil
}

// keepScratch keeps the encoding area for reuse unless it grew past the
// write queue bound. A stream of large messages thus encodes into one area
// instead of allocating one per message (for 1 MiB messages that was a
// third of the sender's allocation and GC); the ticker drops it once the
// connection is idle (releaseIdleLocked).
func (c *Conn) keepScratch(b []byte) {
	if cap(b) <= max(maxScratchKeep, c.cfg.WriteQueue) {
		c.scratch = b[:0]
	} else {
		c.scratch = nil
	}
}

// appendFragments splits body (control term first, ctlLen bytes) into
// fragments: the first carries the atom cache header and the whole control
// term, the rest FragmentSize bytes each; fragment ids count down to 1.
func (c *Conn) appendFragments(body []byte, ctlLen int) {
	c.appendFragmentsWith(body, ctlLen, func(w, data []byte) []byte { return append(w, data...) })
}

// appendFragmentsWith writes the fragment headers of body into c.wbuf and
// hands each fragment's data to put, which appends it (appendFragments) or
// records where it belongs (spliceFragments) and returns the buffer.
func (c *Conn) appendFragmentsWith(body []byte, ctlLen int, put func(w, data []byte) []byte) {
	fs := c.cfg.FragmentSize
	first := max(fs, ctlLen)
	rest := len(body) - first
	nfrag := 1 + (rest+fs-1)/fs
	c.seq++
	seq := c.seq
	id := uint64(nfrag)
	hl := c.out.headerLen()
	w := binary.BigEndian.AppendUint32(c.wbuf, uint32(2+16+hl+first))
	w = append(w, verMagic, hdrFragment)
	w = binary.BigEndian.AppendUint64(w, seq)
	w = binary.BigEndian.AppendUint64(w, id)
	w = c.out.appendHeader(w)
	w = put(w, body[:first])
	for off := first; off < len(body); off += fs {
		id--
		end := min(off+fs, len(body))
		w = binary.BigEndian.AppendUint32(w, uint32(2+16+end-off))
		w = append(w, verMagic, hdrFragmentCnt)
		w = binary.BigEndian.AppendUint64(w, seq)
		w = binary.BigEndian.AppendUint64(w, id)
		w = put(w, body[off:end])
	}
	c.wbuf = w
}

// appendPassThrough encodes 'p', 131 Control [131 Payload] straight into
// the write buffer.
func (c *Conn) appendPassThrough(ctl Control, payload etf.Term, hasPayload bool) error {
	start := len(c.wbuf)
	w := append(c.wbuf, 0, 0, 0, 0, passThrough, verMagic)
	w, src, reason, err := c.cenc.appendControl(w, ctl, c.flags)
	if err == nil && src == payloadNone && hasPayload && payload != nil {
		err = fmt.Errorf("dist: %v carries no payload", ctl.Op())
	}
	if err == nil {
		switch src {
		case payloadMessage:
			w, err = c.cenc.term(append(w, verMagic), payload)
		case payloadReason:
			w, err = c.cenc.term(append(w, verMagic), reason)
		}
	}
	if err != nil {
		c.wbuf = w[:start]
		return err
	}
	n := len(w) - start - 4
	if uint64(n) > 0xffffffff {
		c.wbuf = w[:start]
		return fmt.Errorf("dist: message of %d bytes too large for one packet", n)
	}
	binary.BigEndian.PutUint32(w[start:], uint32(n))
	c.wbuf = w
	c.stats.msgsOut.Add(1)
	return nil
}
