// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// packetDecoder turns the packets of one connection into Messages. It
// holds the receiving atom cache and the fragment reassembly state, so a
// connection's packets must go through one packetDecoder in wire order
// (the reader goroutine); decoding is never parallel within a connection.
type packetDecoder struct {
	cache inCache
	frag  uint64 // messages completed from fragments
	pass  uint64 // messages in pass-through framing
	frags reassembler
	dec   etf.Decoder // AtomCache points at cache
	plain etf.Decoder // no atom cache (pass-through)
	fast  fastDecoder // control fast path, with cache refs
	fastP fastDecoder // control fast path, pass-through
	// peer and self, when self is set, make decode apply checkSignal to
	// every message (the reader sets them; unit tests may not).
	peer, self etf.Atom
	reg        *etf.Registry // Config.Registry: message payloads through it
}

func newPacketDecoder(maxReassembly int) *packetDecoder {
	d := &packetDecoder{frags: reassembler{max: maxReassembly}}
	d.dec.AtomCache = &d.cache
	d.fast.cache = &d.cache
	return d
}

// newConnDecoder returns the packet decoder for c's reader: c's limits and
// sender checks.
func newConnDecoder(c *Conn) *packetDecoder {
	d := newPacketDecoder(c.cfg.MaxReassembly)
	d.frags.maxSeqs = c.cfg.MaxFragmentSeqs
	d.dec.Limits = c.cfg.Limits
	d.plain.Limits = c.cfg.Limits
	d.peer, d.self = c.peer, c.name
	d.reg = c.cfg.Registry
	return d
}

// isLimitErr reports whether err is a decoding limit being exceeded
// (etf.ErrTooLarge, etf.ErrTooDeep): that message is lost, but framing
// keeps the stream intact, so the connection can go on.
func isLimitErr(err error) bool {
	return errors.Is(err, etf.ErrTooLarge) || errors.Is(err, etf.ErrTooDeep)
}

// decode decodes one non-tick packet. ok is false when the packet was a
// fragment of an incomplete message. Decoded terms never alias p (the
// binaries of a reassembled message alias its own reassembly buffer). A
// message whose payload exceeds a limit returns its control with the error
// (isLimitErr), so the reader can say what it dropped.
func (d *packetDecoder) decode(p []byte) (m Message, ok bool, err error) {
	m, ok, err = d.decodePacket(p)
	return d.check(m, ok, err)
}

// check applies the sender checks to a decoded message.
func (d *packetDecoder) check(m Message, ok bool, err error) (Message, bool, error) {
	if ok && err == nil && d.self != "" {
		if err = checkSignal(m.Control, d.peer, d.self); err != nil {
			return m, false, err
		}
	}
	return m, ok, err
}

func (d *packetDecoder) decodePacket(p []byte) (m Message, ok bool, err error) {
	if len(p) == 0 {
		return m, false, nil // tick
	}
	if p[0] == passThrough {
		if len(p) < 2 || p[1] != verMagic {
			return m, false, malformed(nil, "pass-through packet without version byte")
		}
		m, err = d.body(&d.plain, &d.fastP, p[2:], true)
		d.pass++
		return m, err == nil, err
	}
	if len(p) < 2 || p[0] != verMagic {
		return m, false, malformed(nil, "packet starts with %d", p[0])
	}
	switch p[1] {
	case hdrNormal:
		n, err := d.cache.parseHeader(p[2:])
		if err != nil {
			return m, false, err
		}
		m, err = d.body(&d.dec, &d.fast, p[2+n:], false)
		return m, err == nil, err
	case hdrFragment:
		if len(p) < 18 {
			return m, false, malformed(nil, "short first fragment")
		}
		seq, frag := binary.BigEndian.Uint64(p[2:]), binary.BigEndian.Uint64(p[10:])
		n, err := d.cache.parseHeader(p[18:])
		if err != nil {
			return m, false, err
		}
		data := p[18+n:]
		whole, err := d.frags.first(seq, frag, d.cache.refs, data)
		if err != nil || !whole {
			return m, false, err
		}
		m, err = d.body(&d.dec, &d.fast, data, false)
		return m, err == nil, err
	case hdrFragmentCnt:
		if len(p) < 18 {
			return m, false, malformed(nil, "short continuation fragment")
		}
		seq, frag := binary.BigEndian.Uint64(p[2:]), binary.BigEndian.Uint64(p[10:])
		s, err := d.frags.cont(seq, frag, p[18:])
		if err != nil || s == nil {
			return m, false, err
		}
		return d.reassembled(s)
	}
	return m, false, malformed(nil, "unknown distribution header %d", p[1])
}

// reassembled decodes the message of a completed fragment sequence.
func (d *packetDecoder) reassembled(s *fragSeq) (m Message, ok bool, err error) {
	d.cache.setRefs(s.refs)
	d.frag++
	// The reassembly buffer belongs to this one message and is never
	// reused, so its binaries alias it instead of being copied out: a
	// 1 MiB binary costs one buffer, not two. The buffer lives as long as
	// any binary decoded from it (as a BEAM refc binary would).
	d.dec.ShareBinaries = true
	m, err = d.body(&d.dec, &d.fast, s.buf, false)
	d.dec.ShareBinaries = false
	return m, err == nil, err
}

// contHeader is the length of a continuation fragment's header (131, 70,
// Seq:64, Frag:64).
const contHeader = 18

// readCont handles a continuation fragment too big for the read buffer:
// next consumed only its header hdr, and the r.tail bytes of data that
// follow are read straight into the sequence's buffer, with no assembly
// copy in between. A failed read is rerr (the connection's end, nothing
// to log); err is what decode would have returned.
func (d *packetDecoder) readCont(hdr []byte, r *packetReader) (m Message, ok bool, err, rerr error) {
	n := r.tail
	r.tail = 0
	seq, frag := binary.BigEndian.Uint64(hdr[2:]), binary.BigEndian.Uint64(hdr[10:])
	dst, err := d.frags.contInto(seq, frag, n)
	if err != nil {
		return m, false, err, nil
	}
	if err := r.readInto(dst); err != nil {
		return m, false, nil, readErr(err)
	}
	s := d.frags.contDone(seq)
	if s == nil {
		return m, false, nil, nil
	}
	m, ok, err = d.check(d.reassembled(s))
	return m, ok, err, nil
}

// body decodes the control term and the payload that follows it. In
// pass-through form the payload is preceded by its own 131.
func (d *packetDecoder) body(dec *etf.Decoder, fast *fastDecoder, b []byte, pass bool) (Message, error) {
	var m Message
	ctl, src, n, ok := fast.control(b)
	if !ok {
		t, tn, err := dec.DecodeTerm(b)
		if err != nil {
			return m, malformed(err, "control message")
		}
		if ctl, src, err = decodeControl(t); err != nil {
			return m, err
		}
		n = tn
	}
	b = b[n:]
	if src == payloadNone {
		if len(b) != 0 {
			return m, malformed(nil, "%d bytes after %v", len(b), ctl.Op())
		}
		m.Control = ctl
		return m, nil
	}
	if pass {
		if len(b) == 0 || b[0] != verMagic {
			return m, malformed(nil, "pass-through payload without version byte")
		}
		b = b[1:]
	}
	var pl etf.Term
	var err error
	if d.reg != nil && isSend(ctl) {
		pl, n, err = d.regPayload(dec, b)
	} else {
		pl, n, err = dec.DecodeTerm(b)
	}
	if err != nil {
		m.Control = ctl
		return m, malformed(err, "payload of %v", ctl.Op())
	}
	if n != len(b) {
		return m, malformed(nil, "%d bytes after payload of %v", len(b)-n, ctl.Op())
	}
	if src == payloadReason {
		m.Control = withReason(ctl, pl)
	} else {
		m.Control, m.Payload = ctl, pl
	}
	return m, nil
}

// regPayload decodes the payload of a send through the registry: a
// registered value is decoded straight into its Go type, and a misfit is
// a *Mismatched payload: the bytes were a valid term, so the connection
// is not at fault.
func (d *packetDecoder) regPayload(dec *etf.Decoder, b []byte) (etf.Term, int, error) {
	v, _, n, err := d.reg.DecodeTerm(dec, b)
	if err != nil && n > 0 { // decoded, but did not convert: not malformed
		return &Mismatched{Term: v, Err: err}, n, nil
	}
	return v, n, err
}

// isSend reports whether ctl delivers its payload as a message.
func isSend(ctl Control) bool {
	switch c := ctl.(type) {
	case Send, RegSend, AliasSend:
		return true
	case AltactSig:
		return c.Flags&AltactExit == 0
	}
	return false
}

// readLoop reads packets, decodes them in order and hands them to the
// Handler. When it ends, it closes the connection, waits for the writer
// and ticker and reports the connection down.
func (c *Conn) readLoop() {
	c.inl.rs = readState{r: newPacketReader(c), d: newConnDecoder(c)}
	c.readFrom(&c.inl.rs)
}

// readFrom is the reader loop from the state in rs, run by the first
// reader goroutine and by each one that takes over from an inline run
// (reader_takeover.go). A goroutine that finds, after HandleMessage, that
// another took over returns at once, without touching rs.
func (c *Conn) readFrom(rs *readState) {
	var reason error
	r, d := rs.r, rs.d
	corked, handled := false, 0
	for {
		switch more := r.hasPacket(); {
		case more && (!corked || handled >= corkPackets):
			c.setCork(true)
			corked, handled = true, 0
		case !more && corked:
			c.setCork(false)
			corked = false
		}
		handled++
		p, peeked, err := r.next()
		if err != nil {
			reason = err
			break
		}
		var m Message
		var ok bool
		if r.tail > 0 {
			var rerr error
			if m, ok, err, rerr = d.readCont(p, r); rerr != nil {
				reason = rerr
				break
			}
		} else {
			m, ok, err = d.decode(p)
			r.release(len(p), peeked)
		}
		if err != nil && isLimitErr(err) {
			c.logDropped(m, err)
			continue
		}
		if err != nil {
			reason = err
			c.log.Error(closeMessage(err), slog.Any("reason", err))
			break
		}
		if ok {
			c.countIn(d)
			// Nobody else changes inl.v while its bit is clear, so v0
			// is ours; an inline run that ended here adds 2, a takeover
			// more.
			v0 := c.inl.v.Load()
			c.m.h.HandleMessage(c, m)
			if v := c.inl.v.Load(); v != v0 && v != v0+2 {
				return // another goroutine is the reader now
			}
		}
	}
	c.readEnded(reason)
}

// readEnded closes the connection with reason, waits for the writer and
// ticker and reports the connection down.
func (c *Conn) readEnded(reason error) {
	c.closeWith(reason)
	c.wg.Wait()
	c.wmu.Lock()
	if c.drainTimer != nil {
		c.drainTimer.Stop()
	}
	c.wmu.Unlock()
	c.m.connDown(c, c.reason)
	close(c.done)
}

// closeMessage is the log line for a decode error that ends the connection.
func closeMessage(err error) string {
	switch {
	case errors.Is(err, ErrInvalidMessage):
		return "dist: closing connection: invalid distribution message"
	case errors.Is(err, ErrReassemblyLimit):
		return "dist: closing connection: fragment reassembly limit exceeded"
	}
	return "dist: closing connection: malformed distribution packet"
}

// countIn publishes the decoder's counters after a delivered message.
func (c *Conn) countIn(d *packetDecoder) {
	st := &c.stats
	st.msgsIn.Add(1)
	st.hitsIn.Store(d.cache.hits)
	st.newIn.Store(d.cache.new)
	st.fragIn.Store(d.frag)
	st.passIn.Store(d.pass)
	st.interleaved.Store(uint64(d.frags.peak))
}

// packetReader reads the length-prefixed packets of one connection,
// skipping ticks (reader goroutine only).
type packetReader struct {
	c   *Conn
	br  *bufio.Reader
	cr  countingReader // under br
	buf []byte         // assembly area for packets bigger than br
	hdr [4]byte
	// A continuation fragment bigger than br is returned as its header
	// (chdr) with tail bytes of data left to read (see readCont).
	chdr [contHeader]byte
	tail int
}

func newPacketReader(c *Conn) *packetReader {
	// The tick check counts reads that returned data, not packets, so a
	// huge packet that takes a while to arrive keeps the peer alive (ERTS
	// looks at the socket's receive counter the same way).
	r := &packetReader{c: c, cr: countingReader{c: c}}
	r.br = bufio.NewReaderSize(&r.cr, 64<<10)
	return r
}

// next returns the next packet that is not a tick. peeked says p is still
// in the read buffer; the caller hands it back with release once decoded.
func (r *packetReader) next() (p []byte, peeked bool, err error) {
	n := 0
	for n == 0 { // zero length: a tick
		if _, err := io.ReadFull(r.br, r.hdr[:]); err != nil {
			return nil, false, readErr(err)
		}
		n = int(binary.BigEndian.Uint32(r.hdr[:]))
		r.c.stats.bytesIn.Add(uint64(len(r.hdr)))
	}
	r.c.stats.bytesIn.Add(uint64(n)) // counted once accepted below or not: it was read off the wire
	if n > r.c.cfg.MaxPacket {
		err := malformed(nil, "packet of %d bytes exceeds MaxPacket %d", n, r.c.cfg.MaxPacket)
		r.c.log.Error("dist: closing connection: malformed distribution packet", slog.Any("reason", err))
		return nil, false, err
	}
	// Packets that fit the read buffer are decoded in place (decoded
	// terms never alias the input); bigger ones are assembled in buf.
	if n <= r.br.Size() {
		p, err = r.br.Peek(n)
		return p, true, readErr(err)
	}
	if n > contHeader {
		if h, err := r.br.Peek(contHeader); err == nil && h[0] == verMagic && h[1] == hdrFragmentCnt {
			copy(r.chdr[:], h)
			_, _ = r.br.Discard(contHeader)
			r.tail = n - contHeader
			return r.chdr[:], false, nil
		}
	}
	p, err = readPacket(r.br, r.buf, n)
	if cap(p) <= maxScratchKeep {
		r.buf = p[:0]
	} else {
		r.buf = nil
	}
	return p, false, readErr(err)
}

// readInto fills dst with the next len(dst) bytes of the stream: what the
// read buffer holds, then straight from the transport into dst. Through
// the read buffer every byte would be copied once more (bufio reads
// directly only into slices at least its own size, and a fragment's data
// rarely starts on an empty buffer).
func (r *packetReader) readInto(dst []byte) error {
	k := 0
	if b := r.br.Buffered(); b > 0 {
		q, _ := r.br.Peek(min(b, len(dst)))
		k = copy(dst, q)
		_, _ = r.br.Discard(k)
	}
	if k == len(dst) {
		return nil
	}
	_, err := io.ReadFull(&r.cr, dst[k:]) // the read buffer is empty now
	// More fragments of a big message usually follow back to back. The
	// next read fetches only the next frame's length and fragment header,
	// so that the fragment's data is read into place too rather than into
	// the read buffer (which a full fill would put there, to be copied
	// again). If something else comes next, one short read is all it costs.
	r.cr.limit = 4 + contHeader
	return err
}

// release drops a peeked packet of n bytes from the read buffer.
func (r *packetReader) release(n int, peeked bool) {
	if peeked {
		_, _ = r.br.Discard(n)
	}
}

// dropLog rate-limits the Warn lines for dropped messages (a peer sending
// nothing but oversized terms must not flood the log): at most
// dropLogBurst lines per second, then one line per second saying how many
// went unlogged. Reader goroutine only.
type dropLog struct {
	window     time.Time
	lines      int
	suppressed int
}

const dropLogBurst = 10

// allow reports whether a line may be logged now; when it may, unlogged
// is how many lines were held back since the last one (then reset).
func (dl *dropLog) allow() (unlogged int, ok bool) {
	if now := time.Now(); now.Sub(dl.window) >= time.Second {
		dl.window, dl.lines = now, 0
	}
	if dl.lines >= dropLogBurst {
		dl.suppressed++
		return 0, false
	}
	dl.lines++
	unlogged, dl.suppressed = dl.suppressed, 0
	return unlogged, true
}

// WarnLimited logs a Warn line about a message received on c through a
// per-connection rate limit like that of the connection's own drop lines
// (at most 10 a second; the next line logged carries unlogged_before, how
// many were held back), so that a peer sending nothing but bad messages
// cannot flood the log. It is for a Handler's HandleMessage: it must be
// called on the connection's reader goroutine.
func (c *Conn) WarnLimited(msg string, attrs ...any) {
	unlogged, ok := c.warnLog.allow()
	if !ok {
		return
	}
	if unlogged > 0 {
		attrs = append(attrs, slog.Int("unlogged_before", unlogged))
	}
	c.log.Warn(msg, attrs...)
}

// logDropped logs a message dropped because it exceeds a decoding limit.
func (c *Conn) logDropped(m Message, err error) {
	c.stats.dropped.Add(1)
	unlogged, ok := c.dropLog.allow()
	if !ok {
		return
	}
	attrs := []any{slog.Any("reason", err)}
	if unlogged > 0 {
		attrs = append(attrs, slog.Int("unlogged_before", unlogged))
	}
	if m.Control != nil {
		attrs = append(attrs, slog.String("op", m.Control.Op().String()))
		if s, ok := senderOf(m.Control); ok {
			attrs = append(attrs, slog.Any("sender", s))
		}
	}
	c.log.Warn("dist: dropped a message that exceeds a decoding limit", attrs...)
}

// senderOf returns the sending process of a control message, if it names
// one.
func senderOf(ctl Control) (etf.Term, bool) {
	var p etf.PID
	switch c := ctl.(type) {
	case Link:
		p = c.From
	case Send:
		p = c.From
	case Exit:
		p = c.From
	case Unlink:
		p = c.From
	case RegSend:
		p = c.From
	case GroupLeader:
		p = c.From
	case Exit2:
		p = c.From
	case MonitorP:
		p = c.From
	case DemonitorP:
		p = c.From
	case MonitorPExit:
		return c.From, c.From != nil
	case SpawnRequest:
		p = c.From
	case AliasSend:
		p = c.From
	case UnlinkID:
		p = c.From
	case UnlinkIDAck:
		p = c.From
	case AltactSig:
		p = c.Sender
	}
	return p, p.Node != ""
}

// readPacket reads n bytes, growing buf as data arrives rather than
// trusting the wire length for one big allocation.
func readPacket(r io.Reader, buf []byte, n int) ([]byte, error) {
	if n <= cap(buf) {
		buf = buf[:n]
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	const chunk = 1 << 20
	buf = buf[:0]
	for len(buf) < n {
		k := min(n-len(buf), max(chunk, len(buf)))
		if cap(buf)-len(buf) < k {
			nb := make([]byte, len(buf), len(buf)+k)
			copy(nb, buf)
			buf = nb
		}
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return io.EOF
	}
	return err
}

// countingReader reads from the connection's transport and counts reads
// that returned data, for the ticker.
type countingReader struct {
	c     *Conn
	limit int // when > 0, the next Read returns at most limit bytes
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.limit > 0 {
		p = p[:min(len(p), r.limit)]
		r.limit = 0
	}
	n, err := r.c.nc.Read(p)
	if n > 0 {
		r.c.readCnt.Add(1)
	}
	return n, err
}
