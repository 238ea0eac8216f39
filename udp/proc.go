package udp

import (
	"errors"
	"net"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/node"
)

// sockProc is the Behavior of a socket's process: it traps exits (the
// controller's exit closes the socket whatever its reason) and owns the
// reader goroutine.
type sockProc struct{ s *Socket }

func (b sockProc) Init(p *node.Process) error {
	s := b.s
	s.self, s.id = p, p.Self()
	if err := p.Link(s.ctl.Gate.Controller().Self()); err != nil {
		return err
	}
	s.wg.Add(1)
	go s.read()
	return nil
}

// HandleMessage serves Close and ControllingProcess and follows the
// controller's exit (active.Controlled).
func (b sockProc) HandleMessage(p *node.Process, msg etf.Term) error {
	if handled, exit := b.s.ctl.Handle(p, msg); handled {
		return exit
	}
	p.Logger().Debug("udp: socket ignores a message", "message", etf.Format(msg))
	return nil
}

func (b sockProc) Terminate(p *node.Process, reason etf.Term) {
	s := b.s
	s.ctl.Gate.Stop()
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
				_ = s.self.Send(s.id, &active.Done{})
			}
			return
		}
		d := Datagram{Socket: s, IP: from.Addr().Unmap(), Port: int(from.Port()), Data: append([]byte(nil), buf[:n]...)}
		if !s.ctl.Gate.Hand(d, send) {
			return
		}
	}
}
