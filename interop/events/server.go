package events

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
	"github.com/erlgo/erlgo/node"
)

// DefaultTimeout bounds Register, Monitor, Link, Demonitor, Unlink and
// Unregister when their ctx has no deadline.
const DefaultTimeout = 10 * time.Second

// Option configures Start.
type Option func(*Server)

// WithLogger sets the service's logger (default: the node's).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithMaxBuffer bounds the buffer an event may keep (WithBuffer, and a
// BEAM producer's {buffer, N}); default DefaultMaxBuffer.
func WithMaxBuffer(n int) Option { return func(s *Server) { s.maxBuffer = n } }

// Server is the events service of one node: the erlgo_events process and
// the events registered on the node. Its methods are safe for concurrent
// use.
type Server struct {
	n         *node.Node
	log       *slog.Logger
	maxBuffer int
	sup       *svcsup.Sup
	ctx       context.Context
	close     context.CancelFunc

	mu     sync.Mutex
	pid    etf.PID                // the current service process
	events map[etf.Atom]etf.PID   // events of this node, by name
	subs   map[Event]*remoteEvent // subscriber side, used by the service process only

	published, sent, rejected, received, delivered atomic.Uint64
}

// Stats counts what the service and the events of its node did since
// Start. Sent counts messages sent by this node's events to subscribers:
// one per subscribing node (its service) and one per BEAM subscriber, for
// each published message. Received counts event messages the service got
// from events (on any node) and Delivered the copies it handed to local
// subscribers: with one event on another node and k local subscribers,
// Delivered grows k times as fast as Received.
type Stats struct {
	Events    int    // events registered on this node now
	Published uint64 // messages accepted by this node's events
	Rejected  uint64 // publishes dropped for a wrong token
	Sent      uint64 // messages sent by this node's events
	Received  uint64 // event messages received by the service
	Delivered uint64 // messages handed to local subscribers
}

// Start starts the events service on n: a process registered as
// erlgo_events, supervised like the node's other services (restarted
// under the same name when it exits, at most 10 times in 60 s). Events
// survive a restart of the service; subscriptions of local processes are
// renewed by the new service (messages published meanwhile may be lost).
func Start(ctx context.Context, n *node.Node, opts ...Option) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Server{n: n, log: n.Logger(), maxBuffer: DefaultMaxBuffer,
		events: map[etf.Atom]etf.PID{}, subs: map[Event]*remoteEvent{}}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("service", string(ServiceName))
	s.ctx, s.close = context.WithCancel(context.Background())
	sup, err := svcsup.Start(n, svcsup.Config{Label: "events", Log: s.log}, []svcsup.Child{{
		Name: ServiceName,
		New:  func() node.Behavior { return &service{s: s, reply: svcsup.Replier{Log: s.log}} },
		Started: func(pid etf.PID) {
			s.mu.Lock()
			s.pid = pid
			s.mu.Unlock()
		},
	}})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("events: start: %w", err)
	}
	s.sup = sup
	go func() {
		select {
		case <-n.Done():
		case <-sup.Done():
		case <-s.ctx.Done():
		}
		s.close()
	}()
	return s, nil
}

// Stop stops the service and waits (a few seconds at most) for it. The
// events of the node stay until their producers end them or the node
// stops.
func (s *Server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.sup.Stop(ctx)
	s.close()
}

// Node returns the server's node.
func (s *Server) Node() *node.Node { return s.n }

// PID returns the current service process.
func (s *Server) PID() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// Events returns the names of the events registered on this node, sorted.
func (s *Server) Events() []etf.Atom {
	s.mu.Lock()
	names := make([]etf.Atom, 0, len(s.events))
	for name := range s.events {
		names = append(names, name)
	}
	s.mu.Unlock()
	slices.Sort(names)
	return names
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	n := len(s.events)
	s.mu.Unlock()
	return Stats{Events: n, Published: s.published.Load(), Rejected: s.rejected.Load(),
		Sent: s.sent.Load(), Received: s.received.Load(), Delivered: s.delivered.Load()}
}

func (s *Server) lookup(name etf.Atom) (etf.PID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pid, ok := s.events[name]
	return pid, ok
}

// claim registers name for pid unless it is taken.
func (s *Server) claim(name etf.Atom, pid etf.PID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[name]; ok {
		return false
	}
	s.events[name] = pid
	return true
}

// release frees name if pid still holds it.
func (s *Server) release(name etf.Atom, pid etf.PID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events[name] == pid {
		delete(s.events, name)
	}
}

// request sends a Go request to the service process and waits for its
// answer on reply, within ctx (DefaultTimeout without a deadline).
func request[R any](ctx context.Context, s *Server, req any, reply chan R) (R, error) {
	var zero R
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	if err := s.n.Send(s.PID(), req); err != nil {
		return zero, ErrStopped
	}
	select {
	case r := <-reply:
		return r, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-s.ctx.Done():
		return zero, ErrStopped
	}
}
