package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/internal/framing"
	"github.com/erlgo/erlgo/node"
)

// Socket is one TCP connection seen as a process: the handle its
// controlling process uses to send, receive and close. Its identity in
// messages is its process's pid (ID). The methods are safe from any
// goroutine; Recv and SetActive are meant for the controlling process.
type Socket struct {
	id   etf.PID
	n    *node.Node
	cfg  config
	fc   framing.Config
	ctl  active.Controlled[event] // its gate and the controlling-process protocol
	self *node.Process
	done chan struct{} // closed at the end of the process's Terminate
	wg   sync.WaitGroup

	// release frees the socket's Listener slot (nil for Dial'd sockets).
	release func()
	// acceptedBy is the Listener that hands the socket to its controller
	// with Accepted (owner and pool modes).
	acceptedBy *Listener
	// redial makes a new connection (Dial'd sockets with WithReconnect).
	redial func(ctx context.Context) (net.Conn, error)

	mu      sync.Mutex
	conn    net.Conn // nil while reconnecting and once closed
	closing bool     // Close was called or the process is ending
	endErr  error    // why the socket closed the connection itself

	wmu  sync.Mutex // one Send at a time, so frames never interleave
	hdr  [4]byte
	wbuf []byte // header and a small message, copied for one write

	rmu      sync.Mutex // one Recv at a time
	leftover []byte     // {packet, 0} bytes read past a Recv's length
}

// event is one message handed from the reader to the controller.
type event struct {
	data []byte
	end  bool  // the connection ended
	err  error // end: why (nil: the peer closed it)
}

func newSocket(n *node.Node, cfg config, conn net.Conn, ctrl *node.Process) *Socket {
	fc := framing.Config{Mode: framing.Raw}
	switch cfg.packet {
	case 1, 2, 4:
		fc = framing.Config{Mode: framing.Packet, Header: cfg.packet, Max: cfg.maxPacket}
	case Line:
		fc = framing.Config{Mode: framing.Line, Max: cfg.maxPacket}
	}
	return &Socket{n: n, cfg: cfg, fc: fc, conn: conn, done: make(chan struct{}),
		ctl: active.Controlled[event]{Gate: active.New[event](cfg.active, ctrl, cfg.window)}}
}

// ID is the socket's identity: the pid of its process, linked to the
// controlling process. Messages from the socket carry it (as a *Socket in
// Go, as the pid on the wire); any process may link to it or monitor it.
func (s *Socket) ID() etf.PID { return s.id }

// Controller is the controlling process's pid.
func (s *Socket) Controller() etf.PID { return s.ctl.Gate.Controller().Self() }

// Done is closed once the socket's process has exited and its connection
// is closed.
func (s *Socket) Done() <-chan struct{} { return s.done }

// LocalAddr is the connection's local address (nil while reconnecting or
// once closed).
func (s *Socket) LocalAddr() net.Addr {
	if c := s.current(); c != nil {
		return c.LocalAddr()
	}
	return nil
}

// RemoteAddr is the peer's address (nil while reconnecting or once
// closed).
func (s *Socket) RemoteAddr() net.Addr {
	if c := s.current(); c != nil {
		return c.RemoteAddr()
	}
	return nil
}

func (s *Socket) current() net.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil
	}
	return s.conn
}

// Send writes data as one message, framed as WithPacket says (gen_tcp:
// send/2). There is no queue: Send returns once the kernel took all of
// it, so a peer that does not read makes Send wait (backpressure), and
// memory stays flat however much the caller wants to send. ctx bounds the
// wait (no deadline: as long as the connection lives, like gen_tcp's
// send_timeout infinity); a Send cut short by ctx may have written part of
// the message, so the socket is closed (as send_timeout_close does) and
// ctx's error is returned. Send fails with ErrClosed on a closed socket,
// ErrTooLarge for data the header cannot announce.
func (s *Socket) Send(ctx context.Context, data []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	conn := s.current()
	if conn == nil {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var hdr []byte
	if s.cfg.packet > 0 {
		var err error
		if hdr, err = framing.AppendHeader(s.hdr[:0], s.cfg.packet, len(data)); err != nil {
			return fmt.Errorf("%w: %w", ErrTooLarge, err)
		}
	}
	stop, cancelled := func() bool { return true }, chan struct{}(nil)
	if ctx.Done() != nil {
		cancelled = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			_ = conn.SetWriteDeadline(time.Unix(1, 0)) // interrupts the Write
			close(cancelled)
		})
	}
	err := s.write(conn, hdr, data)
	if !stop() {
		<-cancelled
		if err == nil {
			_ = conn.SetWriteDeadline(time.Time{})
		}
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		s.abort(conn, fmt.Errorf("%w: send: %w", ErrTimeout, ctx.Err()))
		return ctx.Err()
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}

// copyMax is the largest message Send copies behind its header into
// one buffer (kept per socket) for one write; larger ones go out with
// writev, or, over TLS, in two records.
const copyMax = 4 << 10

// write sends header and data in one system call where it can. wmu is
// held.
func (s *Socket) write(conn net.Conn, hdr, data []byte) error {
	if len(hdr) == 0 {
		_, err := conn.Write(data)
		return err
	}
	if len(data) <= copyMax {
		s.wbuf = append(append(s.wbuf[:0], hdr...), data...)
		_, err := conn.Write(s.wbuf)
		return err
	}
	if _, ok := conn.(*net.TCPConn); ok {
		bufs := net.Buffers{hdr, data}
		_, err := bufs.WriteTo(conn)
		return err
	}
	if _, err := conn.Write(hdr); err != nil {
		return err
	}
	_, err := conn.Write(data)
	return err
}

// abort closes the connection from our side, remembering why, so that
// the reader reports it as the connection's end.
func (s *Socket) abort(conn net.Conn, why error) {
	s.mu.Lock()
	if s.endErr == nil {
		s.endErr = why
	}
	s.mu.Unlock()
	_ = conn.Close()
}

// Recv receives in passive mode (gen_tcp:recv/3): with a packet framing
// the next message (length must be 0); with {packet, 0} exactly length
// bytes, or whatever is available when length is 0. It waits under ctx
// and, if timeout > 0, at most timeout, then fails with ErrTimeout (bytes
// received so far stay for the next Recv). It fails with ErrNotPassive in
// an active mode, ErrClosed (wrapping the cause) once the connection
// ended, ErrBadOption for a length in a packet mode or over WithMaxPacket.
func (s *Socket) Recv(ctx context.Context, length int, timeout time.Duration) ([]byte, error) {
	if length < 0 || length > 0 && s.cfg.packet != 0 || length > s.cfg.maxPacket {
		return nil, optionError("recv length")
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		if b, ok := s.takeLeftover(length); ok {
			return b, nil
		}
		left := time.Duration(0)
		if timeout > 0 {
			if left = time.Until(deadline); left <= 0 {
				return nil, ErrTimeout
			}
		}
		ev, err := s.ctl.Gate.Take(ctx, left)
		switch {
		case errors.Is(err, active.ErrTimeout):
			return nil, ErrTimeout
		case errors.Is(err, active.ErrNotPassive):
			return nil, ErrNotPassive
		case errors.Is(err, active.ErrStopped):
			return nil, ErrClosed
		case err != nil:
			return nil, err
		case ev.end:
			return nil, endError(ev.err)
		case length == 0 && len(s.leftover) == 0:
			return ev.data, nil
		}
		s.leftover = append(s.leftover, ev.data...)
	}
}

func (s *Socket) takeLeftover(length int) ([]byte, bool) {
	if len(s.leftover) == 0 || len(s.leftover) < length {
		return nil, false
	}
	if length == 0 || length == len(s.leftover) {
		b := s.leftover
		s.leftover = nil
		return b, true
	}
	b := bytes.Clone(s.leftover[:length])
	s.leftover = s.leftover[length:]
	return b, true
}

func endError(err error) error {
	if err == nil {
		return ErrClosed
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}

// SetActive changes the active mode (inet:setopts(S, [{active, M}])):
// SetActive(Once) re-arms a socket that delivered its one message. Bytes
// a {packet, 0} Recv left over are delivered first (as the one message,
// for Once). It fails with ErrClosed once the socket's process exited.
func (s *Socket) SetActive(m ActiveMode) error {
	if m < Passive || m > Active {
		return optionError("unknown active mode")
	}
	if s.exited() {
		return ErrClosed
	}
	s.rmu.Lock()
	lo := s.leftover
	s.leftover = nil
	s.rmu.Unlock()
	if len(lo) > 0 && m != Passive {
		_ = s.self.Send(s.ctl.Gate.Controller().Self(), Data{Socket: s, Data: lo})
		if m == Once {
			m = Passive
		}
	}
	s.ctl.Gate.SetMode(m)
	return nil
}

// ControllingProcess makes p the socket's controlling process
// (gen_tcp:controlling_process/2): the socket links to p and unlinks from
// the previous one, and delivers to p from then on. Messages already
// delivered stay where they are. It fails with ErrClosed on a closed
// socket, with node.ErrNoProc when p is not alive.
func (s *Socket) ControllingProcess(p *node.Process) error {
	if p == nil {
		return optionError("nil controlling process")
	}
	if s.exited() {
		return ErrClosed
	}
	if err := active.SetController(s.n, s.id, p, s.done); err != nil {
		if errors.Is(err, active.ErrStopped) {
			return ErrClosed
		}
		return err
	}
	return nil
}

// CloseWrite shuts the sending direction down (gen_tcp:shutdown(S,
// write)): the peer reads end of stream once it has read everything sent;
// receiving goes on.
func (s *Socket) CloseWrite() error {
	c, ok := s.current().(interface{ CloseWrite() error })
	if !ok {
		return ErrClosed
	}
	return c.CloseWrite()
}

// Close closes the socket (gen_tcp:close/1) and waits for its process to
// exit. What Send wrote is in the kernel already, which still delivers it
// before the FIN (unless unread data makes the kernel reset the
// connection, as for any close(2)). The controller gets neither Closed
// nor an exit signal from it: the socket unlinks first, as
// gen_tcp:close/1 does. Close on a closed socket returns nil.
func (s *Socket) Close() error {
	s.mu.Lock()
	already := s.closing
	s.closing = true
	s.mu.Unlock()
	if !already {
		_ = s.n.Send(s.id, &active.Close{})
	}
	<-s.done
	return nil
}

func (s *Socket) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
