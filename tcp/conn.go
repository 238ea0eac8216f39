package tcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/internal/framing"
	"github.com/erlgo/erlgo/node"
)

// sockProc is the Behavior of a socket's process. It traps exits, so that
// its controller's exit reaches it whatever the reason (a socket closes
// when its owner terminates), and owns one goroutine: the reader, which
// reads, frames and hands messages through the active gate, and
// reconnects when asked to.
type sockProc struct{ s *Socket }

// start spawns the socket's process on ctrl's node, linked to ctrl, and
// its reader. On failure the connection is closed and the slot released.
func (s *Socket) start(ctrl *node.Process, opts ...node.SpawnOption) error {
	sopts := append([]node.SpawnOption{node.WithTrapExit(), node.WithLogAttrs("tcp", s.remote())}, opts...)
	if _, err := ctrl.Node().Spawn(sockProc{s}, sopts...); err != nil {
		_ = s.conn.Close()
		if s.release != nil {
			s.release()
		}
		close(s.done)
		return err
	}
	return nil
}

func (s *Socket) remote() string {
	if s.conn == nil {
		return ""
	}
	return s.conn.RemoteAddr().String()
}

// Init links the controlling process (a dead one fails the spawn) and
// starts the reader.
func (b sockProc) Init(p *node.Process) error {
	s := b.s
	s.self, s.id = p, p.Self()
	ctrl := s.ctl.Gate.Controller().Self()
	if err := p.Link(ctrl); err != nil {
		return err
	}
	if s.acceptedBy != nil {
		// From the socket's pid, so that it arrives before any Data.
		_ = p.Send(ctrl, Accepted{Listener: s.acceptedBy, Socket: s})
	}
	s.wg.Add(1)
	go s.run(s.conn)
	return nil
}

// HandleMessage serves Close and ControllingProcess and follows the
// controller's exit (active.Controlled).
func (b sockProc) HandleMessage(p *node.Process, msg etf.Term) error {
	if handled, exit := b.s.ctl.Handle(p, msg); handled {
		return exit
	}
	p.Logger().Debug("tcp: socket ignores a message", "message", etf.Format(msg))
	return nil
}

// Terminate closes the connection and waits for the reader.
func (b sockProc) Terminate(p *node.Process, reason etf.Term) {
	s := b.s
	s.ctl.Gate.Stop()
	s.mu.Lock()
	s.closing = true
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
	s.wg.Wait()
	if s.release != nil {
		s.release()
	}
	close(s.done)
}

// run reads connections until the socket ends, then ends its process.
func (s *Socket) run(conn net.Conn) {
	defer s.wg.Done()
	for conn != nil {
		s.read(conn)
		if s.redial == nil || s.isClosing() {
			break
		}
		conn = s.reconnect()
	}
	_ = s.self.Send(s.id, &active.Done{})
}

// read delivers conn's messages until it ends, then the end itself
// (unless Close was called): Error and Closed, or Recv's error.
func (s *Socket) read(conn net.Conn) {
	fr, err := framing.New(s.fc)
	if err != nil {
		panic(err) // validated by the options
	}
	emit := func(_ framing.Kind, b []byte) bool { return s.ctl.Gate.Hand(event{data: b}, s.deliver) }
	rerr := s.handshake(conn)
	buf := make([]byte, s.cfg.readSize)
	for rerr == nil {
		var n int
		n, rerr = conn.Read(buf)
		if n > 0 {
			if ferr := fr.Push(buf[:n], emit); ferr != nil {
				s.self.Logger().Warn("tcp: peer sent a message over the maximum; closing the connection",
					"peer", conn.RemoteAddr().String(), "error", ferr)
				s.abort(conn, fmt.Errorf("%w: %w", ErrMsgSize, ferr))
				rerr = ferr
			}
		}
	}
	if !errors.Is(rerr, framing.ErrTooLarge) {
		if dropped := fr.EOF(emit); dropped > 0 {
			s.self.Logger().Debug("tcp: connection ended inside a packet", "dropped_bytes", dropped)
		}
	}
	s.end(conn, rerr)
}

// handshake runs an accepted TLS connection's handshake under the
// handshake timeout, so that a client that never completes it does not
// hold its slot (Dial'd connections are done with it already).
func (s *Socket) handshake(conn net.Conn) error {
	tc, ok := conn.(*tls.Conn)
	if !ok || tc.ConnectionState().HandshakeComplete {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.handshakeTO)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		s.self.Logger().Debug("tcp: TLS handshake failed", "peer", conn.RemoteAddr().String(), "error", err)
		if ctx.Err() != nil {
			return fmt.Errorf("%w: TLS handshake: %w", ErrTimeout, err)
		}
		return err
	}
	return nil
}

// end reports conn's end (rerr, or why the socket closed it) to the
// controller unless Close was called.
func (s *Socket) end(conn net.Conn, rerr error) {
	_ = conn.Close()
	s.mu.Lock()
	why := s.endErr
	s.endErr = nil
	if s.conn == conn {
		s.conn = nil
	}
	closing := s.closing
	s.mu.Unlock()
	if why == nil && !errors.Is(rerr, io.EOF) {
		why = rerr
	}
	if why != nil {
		s.self.Logger().Debug("tcp: connection ended", "error", why)
	}
	if !closing {
		s.ctl.Gate.Hand(event{end: true, err: why}, s.deliver)
	}
}

// deliver sends ev to the controller from the socket's pid (the gate
// holds its lock: Send to a local process does not block).
func (s *Socket) deliver(ctrl *node.Process, ev event) {
	to := ctrl.Self()
	if !ev.end {
		_ = s.self.Send(to, Data{Socket: s, Data: ev.data})
		return
	}
	if ev.err != nil {
		_ = s.self.Send(to, Error{Socket: s, Reason: reasonOf(ev.err), Err: ev.err})
	}
	_ = s.self.Send(to, Closed{Socket: s})
}

func (s *Socket) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// reconnect dials until a connection is up (Connected goes to an active
// socket's controller) or the socket ends (nil). Attempts are spaced from
// the back-off minimum, doubling to its maximum, each jittered to between
// half and all of its length so that clients that lost the same server do
// not come back in step.
func (s *Socket) reconnect() net.Conn {
	d := s.cfg.backoffMin
	for {
		t := time.NewTimer(d/2 + rand.N(d/2+1))
		select {
		case <-t.C:
		case <-s.ctl.Gate.Stopped():
			t.Stop()
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.connectTO)
		go func() { // Stop ends a dial in progress
			select {
			case <-s.ctl.Gate.Stopped():
				cancel()
			case <-ctx.Done():
			}
		}()
		conn, err := s.redial(ctx)
		cancel()
		if err == nil {
			s.mu.Lock()
			if s.closing {
				s.mu.Unlock()
				_ = conn.Close()
				return nil
			}
			s.conn = conn
			s.mu.Unlock()
			if s.ctl.Gate.Mode() != Passive {
				_ = s.self.Send(s.ctl.Gate.Controller().Self(), Connected{Socket: s})
			}
			return conn
		}
		s.self.Logger().Debug("tcp: reconnect failed", "error", err, "next_in", d)
		d = min(2*d, s.cfg.backoffMax)
	}
}

// reasonOf names a connection's end as inet does: the POSIX atom.
func reasonOf(err error) etf.Atom {
	var errno syscall.Errno
	switch {
	case errors.Is(err, ErrMsgSize):
		return atomEmsgsize
	case errors.Is(err, ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return atomTimeout
	case errors.As(err, &errno):
		if a, ok := errnoAtoms[errno]; ok {
			return a
		}
	}
	return etf.Atom("closed")
}

var errnoAtoms = map[syscall.Errno]etf.Atom{
	syscall.ECONNRESET:   "econnreset",
	syscall.ECONNABORTED: "econnaborted",
	syscall.EPIPE:        "epipe",
	syscall.ETIMEDOUT:    "etimedout",
	syscall.EHOSTUNREACH: "ehostunreach",
	syscall.ENETUNREACH:  "enetunreach",
}
