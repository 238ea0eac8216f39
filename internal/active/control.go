package active

import (
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// The controlling-process protocol of a socket's process, shared by the
// tcp and udp packages: the messages that ask it to close
// (gen_tcp:close/1), to change its controller (controlling_process/2) and
// that its reader ended, and how the process handles them and its
// controller's exit. Pointer messages, so that no term from a peer can be
// mistaken for one.

// Close asks a socket's process to unlink from its controller and end
// normally: the controller gets no exit signal from a socket it closed.
type Close struct{}

// Done tells a socket's process that its reader ended.
type Done struct{}

// ChangeController asks a socket's process to link to P and deliver to it
// from then on; the outcome goes to Reply (capacity 1).
type ChangeController struct {
	P     *node.Process
	Reply chan error
}

// Controlled is a socket process's side of the protocol: its gate and what
// only the process itself keeps.
type Controlled[T any] struct {
	Gate *Gate[T]
	// failedLink is the pid whose ChangeController link failed: a
	// trapping process also gets {'EXIT', Pid, noproc} for it, which must
	// not close the socket.
	failedLink etf.PID
}

// Handle handles msg if it belongs to the protocol (handled), returning
// the process's exit when it must end: on Close and Done, and on an exit
// signal from its controller (whatever the reason: a socket closes when
// its owner terminates) or a non-normal one from another linked process
// (as on a process that does not trap).
func (c *Controlled[T]) Handle(p *node.Process, msg etf.Term) (handled bool, exit error) {
	switch m := msg.(type) {
	case *Done:
		return true, &node.ExitError{Reason: node.Normal}
	case *Close:
		p.Unlink(c.Gate.Controller().Self())
		return true, &node.ExitError{Reason: node.Normal}
	case *ChangeController:
		c.change(p, m)
		return true, nil
	case node.ExitMsg:
		if m.From == c.failedLink && m.Reason == node.NoProc {
			c.failedLink = etf.PID{}
			return true, nil
		}
		if m.From == c.Gate.Controller().Self() || m.Reason != node.Normal {
			return true, &node.ExitError{Reason: m.Reason}
		}
		return true, nil
	}
	return false, nil
}

func (c *Controlled[T]) change(p *node.Process, m *ChangeController) {
	old := c.Gate.Controller().Self()
	if err := p.Link(m.P.Self()); err != nil {
		c.failedLink = m.P.Self()
		m.Reply <- err
		return
	}
	if old != m.P.Self() {
		p.Unlink(old)
	}
	c.Gate.SetController(m.P)
	m.Reply <- nil
}

// SetController asks the socket process sock on n to make p its
// controller and waits for the answer; ErrStopped if the process cannot
// be asked or ends (done closes) first.
func SetController(n *node.Node, sock etf.PID, p *node.Process, done <-chan struct{}) error {
	reply := make(chan error, 1)
	if n.Send(sock, &ChangeController{P: p, Reply: reply}) != nil {
		return ErrStopped
	}
	select {
	case err := <-reply:
		return err
	case <-done:
		return ErrStopped
	}
}
