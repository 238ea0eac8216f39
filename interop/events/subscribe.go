package events

import (
	"context"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Monitor subscribes p (a process of this node) to ev, on any node, and
// monitors the event process (erlang:monitor/2): p receives a Message for
// each message published from now on, and a node.DownMsg with the
// returned ref when the event ends, with the producer's exit reason
// (normal after Unregister, noconnection if ev's node is lost). It returns
// the event's buffered messages (WithBuffer), oldest first; the first
// Message p receives is the one published after the last of them.
//
// However many processes of this node subscribe to ev, the event sends
// each message once to this node's service, which hands out the copies.
// A process subscribed twice (Monitor and Link, or Monitor twice) receives
// each message once and stays subscribed until it has undone both.
//
// Errors: ErrUnknownEvent (no such event), ErrNoService (ev's node runs
// no erlgo_events; wraps node.ErrNoConnection when it cannot be reached),
// ErrNotLocal, ErrStopped, or ctx's error (DefaultTimeout without a
// deadline).
func (s *Server) Monitor(ctx context.Context, p *node.Process, ev Event) (etf.Ref, []etf.Term, error) {
	pid, last, err := s.subscribe(ctx, p, ev)
	if err != nil {
		return etf.Ref{}, nil, err
	}
	ref, err := p.Monitor(pid)
	if err != nil {
		_, _ = s.unsubscribe(ctx, p, ev)
		return etf.Ref{}, nil, err
	}
	settle(ctx, p, pid)
	return ref, last, nil
}

// settle returns once a monitor or link p just asked for on a remote
// event process is in place there. MONITOR_P and LINK are asynchronous,
// and the subscription itself may be served by this node's service
// without a word to the event's node, so without this an event that
// ended right after Monitor returned could answer the monitor with
// noproc instead of the producer's reason. A call from p travels on the
// same connection after the request, so its answer (the event process
// refuses the request; any answer or exit will do) means the event's
// node has handled it.
func settle(ctx context.Context, p *node.Process, pid etf.PID) {
	if pid.Node == p.Node().Name() {
		return // local monitors and links are set up synchronously
	}
	_, _ = p.Call(ctx, pid, etf.Atom("settle"))
}

// Link is Monitor with a link to the event process instead of a monitor
// (erlang:link/1): when the event ends, p receives an exit signal with
// the producer's reason, which kills it unless it traps exits (then it
// receives node.ExitMsg), as any link does; a normal end (Unregister, a
// producer that returned normally) does not kill it.
func (s *Server) Link(ctx context.Context, p *node.Process, ev Event) ([]etf.Term, error) {
	pid, last, err := s.subscribe(ctx, p, ev)
	if err != nil {
		return nil, err
	}
	if err := p.Link(pid); err != nil {
		// A local event that ended already: as erlang:link/1 raising
		// noproc. The subscription goes too.
		_, _ = s.unsubscribe(ctx, p, ev)
		return nil, err
	}
	settle(ctx, p, pid)
	return last, nil
}

// Demonitor ends one subscription of p to ev made by Monitor and removes
// the monitor ref (erlang:demonitor/1); ErrNotSubscribed if p has none.
// Messages already in p's mailbox stay there.
func (s *Server) Demonitor(ctx context.Context, p *node.Process, ev Event, ref etf.Ref) error {
	p.Demonitor(ref)
	_, err := s.unsubscribe(ctx, p, ev)
	return err
}

// Unlink ends one subscription of p to ev made by Link and removes the
// link (erlang:unlink/1); ErrNotSubscribed if p has none.
func (s *Server) Unlink(ctx context.Context, p *node.Process, ev Event) error {
	pid, err := s.unsubscribe(ctx, p, ev)
	if err == nil {
		p.Unlink(pid)
	}
	return err
}

func (s *Server) subscribe(ctx context.Context, p *node.Process, ev Event) (etf.PID, []etf.Term, error) {
	if err := ctx.Err(); err != nil {
		return etf.PID{}, nil, err
	}
	if p.Node() != s.n {
		return etf.PID{}, nil, ErrNotLocal
	}
	if ev.Name == "" || ev.Node == "" {
		return etf.PID{}, nil, ErrUnknownEvent
	}
	r := &subReq{ev: ev, sub: p.Self(), reply: make(chan subResp, 1)}
	resp, err := request(ctx, s, r, r.reply)
	if err != nil {
		s.withdraw(r)
		return etf.PID{}, nil, err
	}
	return resp.pid, resp.last, resp.err
}

// withdraw cancels a subscribe whose caller gave up; one granted in the
// meantime is undone.
func (s *Server) withdraw(r *subReq) {
	ack := make(chan bool, 1)
	if s.n.Send(s.PID(), cancelReq{req: r, ack: ack}) != nil {
		return
	}
	select {
	case answered := <-ack:
		if !answered {
			return
		}
	case <-s.ctx.Done():
		return
	case <-time.After(DefaultTimeout): // the service restarted meanwhile
		return
	}
	select {
	case resp := <-r.reply:
		if resp.err == nil {
			u := &unsubReq{ev: r.ev, sub: r.sub, reply: make(chan subResp, 1)}
			_ = s.n.Send(s.PID(), u)
		}
	default:
	}
}

func (s *Server) unsubscribe(ctx context.Context, p *node.Process, ev Event) (etf.PID, error) {
	if p.Node() != s.n {
		return etf.PID{}, ErrNotLocal
	}
	u := &unsubReq{ev: ev, sub: p.Self(), reply: make(chan subResp, 1)}
	resp, err := request(ctx, s, u, u.reply)
	if err != nil {
		return etf.PID{}, err
	}
	return resp.pid, resp.err
}
