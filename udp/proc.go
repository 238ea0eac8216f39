package udp

import (
	"errors"
	"net"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// sockProc is the Behavior of a socket's process: it traps exits (the
// controller's exit closes the socket whatever its reason) and owns the
// reader goroutine.
type sockProc struct{ s *Socket }

type (
	doneMsg  struct{}
	closeMsg struct{}
	ctrlMsg  struct {
		p     *node.Process
		reply chan error
	}
)

func (b sockProc) Init(p *node.Process) error {
	s := b.s
	s.self, s.id = p, p.Self()
	if err := p.Link(s.gate.Controller().Self()); err != nil {
		return err
	}
	s.wg.Add(1)
	go s.read()
	return nil
}

func (b sockProc) HandleMessage(p *node.Process, msg etf.Term) error {
	s := b.s
	switch m := msg.(type) {
	case *doneMsg:
		return &node.ExitError{Reason: node.Normal}
	case *closeMsg:
		p.Unlink(s.gate.Controller().Self())
		return &node.ExitError{Reason: node.Normal}
	case *ctrlMsg:
		old := s.gate.Controller().Self()
		if err := p.Link(m.p.Self()); err != nil {
			// A trapping process also gets {'EXIT', Pid, noproc} for a
			// failed link: that one must not close the socket.
			s.failedLink = m.p.Self()
			m.reply <- err
			return nil
		}
		if old != m.p.Self() {
			p.Unlink(old)
		}
		s.gate.SetController(m.p)
		m.reply <- nil
	case node.ExitMsg:
		if m.From == s.failedLink && m.Reason == node.NoProc {
			s.failedLink = etf.PID{}
			return nil
		}
		if m.From == s.gate.Controller().Self() || m.Reason != node.Normal {
			return &node.ExitError{Reason: m.Reason}
		}
	default:
		p.Logger().Debug("udp: socket ignores a message", "message", etf.Format(msg))
	}
	return nil
}

func (b sockProc) Terminate(p *node.Process, reason etf.Term) {
	s := b.s
	s.gate.Stop()
	_ = s.conn.Close()
	s.wg.Wait()
	close(s.done)
}

// read hands every datagram to the gate; while the gate waits, the
// kernel buffers (and drops) further datagrams.
func (s *Socket) read() {
	defer s.wg.Done()
	buf := make([]byte, maxDatagram)
	send := func(ctrl *node.Process, d Datagram) { _ = s.self.Send(ctrl.Self(), d) }
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.self.Logger().Debug("udp: read failed; closing", "error", err)
				_ = s.self.Send(s.id, &doneMsg{})
			}
			return
		}
		d := Datagram{Socket: s, IP: from.Addr().Unmap(), Port: int(from.Port()), Data: append([]byte(nil), buf[:n]...)}
		if !s.gate.Hand(d, send) {
			return
		}
	}
}
