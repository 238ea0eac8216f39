package pg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/internal/svcsup"
	"github.com/erlgo/erlgo/node"
)

// DefaultScope is the scope pg:join/2 and friends use.
const DefaultScope etf.Atom = "pg"

// PhoenixScope is the scope Phoenix.PubSub's PG2 adapter uses.
const PhoenixScope etf.Atom = "Elixir.Phoenix.PubSub"

// Errors returned by Scope methods.
var (
	// ErrNotJoined is returned by Leave when none of the pids was in the
	// group (pg:leave's not_joined).
	ErrNotJoined = errors.New("pg: not joined")
	// ErrNotLocal is returned by Join/Leave for a pid of another node
	// (pg's {nolocal, Pid}).
	ErrNotLocal = errors.New("pg: pid is not local")
	// ErrStopped is returned when the scope process is gone.
	ErrStopped = errors.New("pg: scope stopped")
)

// Option configures Start.
type Option func(*Scope)

// WithLogger sets the scope's logger (default: the node's).
func WithLogger(l *slog.Logger) Option { return func(s *Scope) { s.log = l } }

// Scope is one pg scope on a Go node. Its read methods (GetMembers,
// GetLocalMembers, WhichGroups) read a table the scope process keeps up to
// date, like pg's ETS table; changes go through the scope process.
type Scope struct {
	n     *node.Node
	name  etf.Atom
	log   *slog.Logger
	tab   *table
	sup   *svcsup.Sup
	ctx   context.Context
	close context.CancelFunc

	mu  sync.Mutex
	pid etf.PID // of the current scope process (it changes on a restart)
}

// Start starts the scope named scope on n (pg:start_link(Scope)): a process
// registered under scope that discovers the same scope on every connected
// node and on every node that connects later.
//
// The scope process is supervised like OTP's pg under kernel_safe_sup: if
// it exits (killed from BEAM, a bug), a fresh one is started under the
// same name with a log line, with an empty table, since pg's ETS table
// dies with its owner; peers drop its old members when their monitor of
// it fires, and local processes must join again. A crash loop (more than
// 10 restarts in 60 s) stops the scope for good.
func Start(ctx context.Context, n *node.Node, scope etf.Atom, opts ...Option) (*Scope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Scope{n: n, name: scope, log: n.Logger(), tab: newTable()}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("service", "pg", "scope", string(scope))
	s.ctx, s.close = context.WithCancel(context.Background())
	sup, err := svcsup.Start(n, svcsup.Config{Label: "pg", Log: s.log}, []svcsup.Child{{
		Name: scope,
		New: func() node.Behavior {
			s.tab.reset()
			return newScopeProc(s)
		},
		Started: func(pid etf.PID) {
			s.mu.Lock()
			s.pid = pid
			s.mu.Unlock()
		},
	}})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("pg: start scope %s: %w", scope, err)
	}
	s.sup = sup
	go func() {
		select {
		case <-n.Done():
		case <-s.ctx.Done():
		}
		s.close()
	}()
	return s, nil
}

// Name returns the scope name.
func (s *Scope) Name() etf.Atom { return s.name }

// PID returns the scope process's pid.
func (s *Scope) PID() etf.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// Node returns the node the scope runs on.
func (s *Scope) Node() *node.Node { return s.n }

// Stop stops the scope process and waits (a few seconds at most) for it to
// exit; peers drop its members when their monitor of it fires.
func (s *Scope) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.sup.Stop(ctx)
	s.close()
}

type stopSignal struct{}

// request is a Go API call handled by the scope process.
type request struct {
	op    string // join, leave, monitor, monitor_scope, demonitor
	group etf.Term
	pids  []etf.PID
	sub   etf.PID
	ref   etf.Ref
	reply chan response
}

type response struct {
	err     error
	ref     etf.Ref
	members []etf.PID
	groups  []GroupMembers
}

func (s *Scope) do(ctx context.Context, r request) (response, error) {
	r.reply = make(chan response, 1)
	if err := s.n.Send(s.PID(), r); err != nil {
		return response{}, ErrStopped
	}
	select {
	case resp := <-r.reply:
		return resp, resp.err
	case <-ctx.Done():
		return response{}, ctx.Err()
	case <-s.ctx.Done():
		return response{}, ErrStopped
	}
}

// Join adds pids (processes of this node) to group (pg:join/3). A pid may
// join a group several times; it is then a member that many times.
func (s *Scope) Join(ctx context.Context, group etf.Term, pids ...etf.PID) error {
	if err := s.checkLocal(pids); err != nil {
		return err
	}
	_, err := s.do(ctx, request{op: "join", group: group, pids: pids})
	return err
}

// Leave removes pids from group (pg:leave/3); ErrNotJoined if none of
// them was a member.
func (s *Scope) Leave(ctx context.Context, group etf.Term, pids ...etf.PID) error {
	if err := s.checkLocal(pids); err != nil {
		return err
	}
	_, err := s.do(ctx, request{op: "leave", group: group, pids: pids})
	return err
}

func (s *Scope) checkLocal(pids []etf.PID) error {
	for _, p := range pids {
		if p.Node != s.n.Name() {
			return fmt.Errorf("%w: %v", ErrNotLocal, p)
		}
	}
	return nil
}

// GetMembers returns every member of group on every node (pg:get_members/2).
func (s *Scope) GetMembers(group etf.Term) []etf.PID { return s.tab.members(group, false) }

// GetLocalMembers returns the members of group on this node
// (pg:get_local_members/2).
func (s *Scope) GetLocalMembers(group etf.Term) []etf.PID { return s.tab.members(group, true) }

// WhichGroups returns every group with members (pg:which_groups/1).
func (s *Scope) WhichGroups() []etf.Term { return s.tab.names() }

// GroupMembers is one group in MonitorScope's snapshot.
type GroupMembers struct {
	Group   etf.Term
	Members []etf.PID
}

// Event is delivered to a subscriber of Monitor/MonitorScope when pids
// join or leave a group: pg's {Ref, join | leave, Group, Pids}. Go
// subscribers receive this value; BEAM subscribers would receive the tuple.
type Event struct {
	Ref   etf.Ref
	Join  bool // false: leave
	Group etf.Term
	Pids  []etf.PID
}

// Term returns pg's {Ref, join | leave, Group, Pids}.
func (e Event) Term() etf.Term {
	kind := etf.Atom("leave")
	if e.Join {
		kind = "join"
	}
	pids := make(etf.List, len(e.Pids))
	for i, p := range e.Pids {
		pids[i] = p
	}
	return etf.Tuple{e.Ref, kind, e.Group, pids}
}

// Monitor subscribes sub (a process, usually of this node) to changes of
// group (pg:monitor/2) and returns the current members. Events stop when
// sub exits or on Demonitor.
func (s *Scope) Monitor(ctx context.Context, sub etf.PID, group etf.Term) (etf.Ref, []etf.PID, error) {
	r, err := s.do(ctx, request{op: "monitor", group: group, sub: sub})
	return r.ref, r.members, err
}

// MonitorScope subscribes sub to changes of every group
// (pg:monitor_scope/1) and returns the current groups with their
// members.
func (s *Scope) MonitorScope(ctx context.Context, sub etf.PID) (etf.Ref, []GroupMembers, error) {
	r, err := s.do(ctx, request{op: "monitor_scope", sub: sub})
	return r.ref, r.groups, err
}

// Demonitor cancels a Monitor/MonitorScope subscription.
func (s *Scope) Demonitor(ctx context.Context, ref etf.Ref) error {
	_, err := s.do(ctx, request{op: "demonitor", ref: ref})
	return err
}
