package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Conn is a WebSocket connection's handle: its process's pid and direct
// writes. Any process, on any node, may also send the connection process
// {websocket_send, {text | binary, IoData}}, websocket_close or
// {websocket_close, Code, Reason}.
type Conn struct {
	id  etf.PID
	n   *node.Node
	ws  *websocket.Conn
	cfg config
}

// ID is the connection process's pid, the Conn in the messages.
func (c *Conn) ID() etf.PID { return c.id }

// Subprotocol is the negotiated subprotocol ("" for none).
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// Send writes one frame now, from the calling goroutine, bounded by ctx
// (without a deadline, by WithWriteTimeout). It is safe from any
// goroutine; frames sent as messages to the connection keep their order
// among themselves, not with Send. A failed write ends the connection.
func (c *Conn) Send(ctx context.Context, typ MessageType, data []byte) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.writeTimeout)
		defer cancel()
	}
	if err := c.ws.Write(ctx, typ, data); err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return nil
}

// Close asks the connection process to close with code and reason (at
// most 123 bytes): it sends the close frame, waits briefly for the
// client's, and exits {shutdown, {websocket_closed, Code}}, which ends a
// handler that does not trap exits.
func (c *Conn) Close(code websocket.StatusCode, reason string) error {
	return c.n.Send(c.id, etf.Tuple{atomWSClose, int(code), etf.Binary(reason)})
}

// connProc is one connection's process. The HTTP goroutine reads frames
// (readLoop) and sends them to the handler from this process's pid; the
// process itself writes what it is asked to and handles the exits of
// the handler and the endpoint, which it traps.
type connProc struct {
	server  etf.PID
	ws      *websocket.Conn
	cfg     config
	factory HandlerFactory
	req     *http.Request

	p       *node.Process
	handler etf.PID
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
}

// readEnded tells the process the client's side has ended.
type readEnded struct{ err error }

func (cp *connProc) Init(p *node.Process) error {
	if err := p.Link(cp.server); err != nil {
		return err
	}
	cp.p = p
	c := &Conn{id: p.Self(), n: p.Node(), ws: cp.ws, cfg: cp.cfg}
	b, err := cp.factory(c, cp.req)
	if err != nil {
		return err
	}
	if b == nil {
		return errors.New("web: websocket factory returned no behaviour")
	}
	hp, err := p.SpawnLink(b, node.WithMailboxLimit(cp.cfg.mailbox))
	if err != nil {
		return err
	}
	cp.handler = hp
	cp.ctx, cp.cancel = context.WithCancel(context.Background())
	return nil
}

// readLoop runs on the HTTP goroutine: each frame goes to the handler as
// {websocket, Conn, {text | binary, Data}}.
func (cp *connProc) readLoop() {
	for {
		typ, data, err := cp.ws.Read(cp.ctx)
		if err != nil {
			_ = cp.p.Node().Send(cp.p.Self(), readEnded{err})
			return
		}
		if !cp.deliver(Message{Conn: cp.p.Self(), Type: typ, Data: data}.Term()) {
			return
		}
	}
}

// deliver sends msg to the handler, waiting while its mailbox is full:
// the client is not read meanwhile, so TCP slows it down. It reports
// false once the connection has ended.
func (cp *connProc) deliver(msg etf.Term) bool {
	wait := time.Millisecond
	for {
		err := cp.p.Send(cp.handler, msg)
		if !errors.Is(err, node.ErrMailboxFull) {
			return cp.ctx.Err() == nil
		}
		select {
		case <-time.After(wait):
			wait = min(2*wait, 50*time.Millisecond)
		case <-cp.ctx.Done():
			return false
		}
	}
}

func (cp *connProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case readEnded:
		return &node.ExitError{Reason: closedReason(m.err)}
	case node.ExitMsg:
		return cp.exitSignal(m)
	}
	cmd, err := parseCommand(msg)
	if err != nil {
		p.Logger().Debug("web: websocket connection ignores a message", "err", err)
		return nil
	}
	if !cmd.send {
		_ = cp.ws.Close(cmd.code, cmd.reason)
		return &node.ExitError{Reason: etf.Tuple{node.Shutdown, etf.Tuple{atomWSClosed, int(cmd.code)}}}
	}
	ctx, cancel := context.WithTimeout(cp.ctx, cp.cfg.writeTimeout)
	defer cancel()
	if err := cp.ws.Write(ctx, cmd.typ, cmd.data); err != nil {
		return &node.ExitError{Reason: closedReason(err)}
	}
	return nil
}

// exitSignal closes the socket when the handler or the endpoint ends
// (1000 for normal or shutdown, 1011 otherwise; 1001 for the endpoint
// and for the node's shutdown), and exits with the same reason.
func (cp *connProc) exitSignal(e node.ExitMsg) error {
	code := websocket.StatusInternalError
	switch {
	case e.From == cp.server, e.From != cp.handler && e.Reason == node.Shutdown:
		code = websocket.StatusGoingAway // the endpoint or the node is going
	case e.From != cp.handler && e.Reason == node.Normal:
		return nil
	case e.From == cp.handler && (e.Reason == node.Normal || e.Reason == node.Shutdown):
		code = websocket.StatusNormalClosure
	}
	_ = cp.ws.Close(code, "")
	return &node.ExitError{Reason: e.Reason}
}

func (cp *connProc) Terminate(*node.Process, etf.Term) {
	cp.cancel()
	_ = cp.ws.CloseNow()
	close(cp.done)
}

// closedReason is the exit reason of a connection the client closed or
// lost: {shutdown, {websocket_closed, Code}}, Code the client's close
// code or the atom abnormal when there was no close frame. A shutdown
// reason ends a linked handler that does not trap exits without a crash
// report, as a supervisor's shutdown does.
func closedReason(err error) etf.Term {
	var code etf.Term = etf.Atom("abnormal")
	if c := websocket.CloseStatus(err); c != -1 {
		code = int(c)
	}
	return etf.Tuple{node.Shutdown, etf.Tuple{atomWSClosed, code}}
}
