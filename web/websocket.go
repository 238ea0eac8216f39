package web

import (
	"net/http"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// HandlerFactory builds the process that handles one WebSocket
// connection, given the connection's handle and the upgrade request. The
// behaviour may be an actor (actors.NewBehavior).
type HandlerFactory func(c *Conn, r *http.Request) (node.Behavior, error)

// WebSocket is an http.Handler that accepts WebSocket connections (with
// github.com/coder/websocket) and makes each one a process, like a
// gen_tcp socket: the connection process spawns the connection's handler
// process (from the factory) linked to it, sends it each frame from the
// client as {websocket, Conn, {text | binary, Data}} and writes what it is
// asked to. See the package documentation for the messages and for how
// a close travels both ways.
//
// Like a Handler, a WebSocket accepts connections while its process runs
// (Start or Actor; 503 otherwise), and every connection process is linked
// to it: its end closes them all with 1001 (going away).
type WebSocket struct {
	component
	factory HandlerFactory
	cfg     config
	open    atomic.Int64
	total   atomic.Int64
}

// NewWebSocket returns a WebSocket endpoint whose connections are handled
// by processes from factory. It accepts nothing until its process runs.
func NewWebSocket(factory HandlerFactory, opts ...Option) *WebSocket {
	s := &WebSocket{factory: factory, cfg: newConfig(opts)}
	s.state = s.stateTerm
	return s
}

// WithAcceptOptions sets the upgrade's options (subprotocols, origin
// patterns, compression) on a WebSocket endpoint; Handler ignores it.
func WithAcceptOptions(o *websocket.AcceptOptions) Option {
	return func(c *config) { c.accept = o }
}

// Start runs the endpoint's process linked to owner; see Handler.Start.
func (s *WebSocket) Start(owner *node.Process, opts ...node.SpawnOption) (etf.PID, error) {
	return s.start(owner, opts)
}

// Actor returns the endpoint's process as an actor, for a supervisor.
func (s *WebSocket) Actor() actors.Actor { return &componentActor{c: &s.component} }

// PID returns the endpoint process's pid while it runs.
func (s *WebSocket) PID() (etf.PID, bool) { return s.pid() }

func (s *WebSocket) stateTerm() etf.Term {
	return etf.Map{
		{Key: etf.Atom("open"), Value: int(s.open.Load())},
		{Key: etf.Atom("accepted"), Value: int(s.total.Load())},
	}
}

// ServeHTTP upgrades the request and runs the connection until it ends.
func (s *WebSocket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sp := s.process()
	if sp == nil {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	ws, err := websocket.Accept(w, r, s.cfg.accept)
	if err != nil {
		return // Accept has answered the client
	}
	ws.SetReadLimit(s.cfg.readLimit)
	cp := &connProc{server: sp.Self(), ws: ws, cfg: s.cfg, factory: s.factory, req: r, done: make(chan struct{})}
	if _, err := sp.Node().Spawn(cp, node.WithTrapExit()); err != nil {
		sp.Logger().Debug("web: websocket handler did not start", "err", err)
		_ = ws.Close(websocket.StatusInternalError, "handler did not start")
		return
	}
	s.total.Add(1)
	s.open.Add(1)
	defer s.open.Add(-1)
	cp.readLoop()
	<-cp.done
}
