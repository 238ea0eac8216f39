//go:build unix

// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"net"
	"syscall"
	"time"
)

// rawConn returns the transport's raw connection when senders can write to
// it directly: plain TCP (or Unix) sockets. TLS connections are excluded
// (the record layer must do the writing) and so is anything else.
func rawConn(nc net.Conn) syscall.RawConn {
	var sc syscall.Conn
	switch x := nc.(type) {
	case *net.TCPConn:
		sc = x
	case *net.UnixConn:
		sc = x
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeDirect writes as much of buf as the socket takes without waiting:
// non-blocking write(2)s until done or EAGAIN. A short count with a nil
// error means the socket buffer is full; the caller hands the rest to the
// writer goroutine. No write deadline is involved, so no timer is armed
// per message.
func (c *Conn) writeDirect(buf []byte) (int, error) {
	if !c.wdeadline.IsZero() {
		// The writer goroutine left its deadline armed (it re-arms lazily,
		// see armDeadline). RawConn.Write honours the deadline too, so an
		// expired one would fail this write as a stalled peer long after
		// the burst that armed it. Clear it: direct writes never block.
		c.wdeadline = time.Time{}
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
	d := &c.dw
	d.buf, d.n, d.err = buf, 0, nil
	if d.fn == nil {
		d.fn = d.write // bound once: no closure allocation per message
	}
	err := c.raw.Write(d.fn)
	if err == nil {
		err = d.err
	}
	n := d.n
	d.buf = nil
	return n, err
}

// directWrite is the state of one writeDirect, kept in the Conn (owned by
// whoever holds the write side) so that the callback does not allocate.
type directWrite struct {
	buf []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func (d *directWrite) write(fd uintptr) bool {
	for d.n < len(d.buf) {
		n, err := syscall.Write(int(fd), d.buf[d.n:])
		if n > 0 {
			d.n += n
		}
		switch {
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return true
		case err != nil:
			d.err = err
			return true
		case n <= 0:
			return true
		}
	}
	return true // never wait for writability here
}
