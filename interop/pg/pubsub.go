package pg

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// PubSub is a Go endpoint of a Phoenix.PubSub instance, compatible with
// the PG2 adapter: each node runs a worker registered under the adapter
// name and joined to the group of that name in the 'Elixir.Phoenix.PubSub'
// scope. A broadcast sends {forward_to_local, Topic, Msg, Dispatcher} to
// the workers on the other nodes, which deliver Msg to their local
// subscribers of Topic; a direct broadcast sends it to {Adapter, Node}.
//
// Go subscribers are processes of this node; they receive the broadcast
// message as sent (an Elixir app usually broadcasts tuples or maps).
type PubSub struct {
	scope   *Scope
	adapter etf.Atom
	groups  []etf.Atom // adapter, adapter_2 ... adapter_N
	workers []etf.PID

	mu   sync.RWMutex
	subs map[string][]etf.PID
}

// DefaultDispatcher is the dispatcher Phoenix.PubSub uses unless told
// otherwise: the module Phoenix.PubSub.
const DefaultDispatcher etf.Atom = "Elixir.Phoenix.PubSub"

// AdapterName is the PG2 adapter name Phoenix.PubSub derives from the
// pubsub name, e.g. "MyApp.PubSub" -> 'Elixir.MyApp.PubSub.Adapter'.
func AdapterName(pubsubName string) etf.Atom {
	return etf.Atom("Elixir." + pubsubName + ".Adapter")
}

// PubSubOption configures StartPubSub.
type PubSubOption func(*PubSub)

// WithPoolSize matches Phoenix.PubSub's pool_size option (default 1): the
// adapter then uses the groups Adapter, Adapter_2 ... Adapter_N, each with
// one worker per node registered under the group's name. Every node of
// the cluster must use the same pool size.
func WithPoolSize(n int) PubSubOption {
	return func(ps *PubSub) {
		if n < 1 {
			n = 1
		}
		ps.groups = ps.groups[:1]
		for i := 2; i <= n; i++ {
			ps.groups = append(ps.groups, etf.Atom(fmt.Sprintf("%s_%d", ps.adapter, i)))
		}
	}
}

// StartPubSub starts the endpoint for the adapter name (see AdapterName)
// on scope (normally a scope started with PhoenixScope): a worker per
// adapter group, registered under the group name and joined to the group.
func StartPubSub(ctx context.Context, scope *Scope, adapter etf.Atom, opts ...PubSubOption) (*PubSub, error) {
	ps := &PubSub{scope: scope, adapter: adapter, groups: []etf.Atom{adapter}, subs: map[string][]etf.PID{}}
	for _, o := range opts {
		o(ps)
	}
	for _, g := range ps.groups {
		pid, err := scope.n.Spawn(node.BehaviorFunc(ps.handle), node.WithName(g))
		if err != nil {
			ps.Stop()
			return nil, fmt.Errorf("pg: start pubsub worker %s: %w", g, err)
		}
		ps.workers = append(ps.workers, pid)
		if err := scope.Join(ctx, g, pid); err != nil {
			ps.Stop()
			return nil, err
		}
	}
	return ps, nil
}

// Stop stops the workers (they leave their groups).
func (ps *PubSub) Stop() {
	for _, w := range ps.workers {
		_ = ps.scope.n.Send(w, stopSignal{})
	}
}

// Worker returns the pid of the first worker (group Adapter).
func (ps *PubSub) Worker() etf.PID { return ps.workers[0] }

// group picks the adapter group a broadcast goes through; as in Phoenix
// it depends on the sender, so one sender's messages stay in order.
func (ps *PubSub) group(p *node.Process) etf.Atom {
	if p == nil || len(ps.groups) == 1 {
		return ps.groups[0]
	}
	return ps.groups[int(p.Self().ID)%len(ps.groups)]
}

func (ps *PubSub) handle(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case etf.Tuple:
		if len(m) == 4 && m[0] == etf.Atom("forward_to_local") {
			if topic, ok := topicString(m[1]); ok {
				ps.localBroadcast(p, etf.PID{}, topic, m[2])
			}
		}
	}
	return nil
}

func topicString(t etf.Term) (string, bool) {
	switch v := t.(type) {
	case []byte:
		return string(v), true
	case string:
		return v, true
	case etf.Atom:
		return string(v), true
	}
	return "", false
}

// Subscribe makes pid (a process of this node) receive the messages
// broadcast on topic. Subscribing twice delivers twice, as in Phoenix.
// Subscriptions end with Unsubscribe; a dead subscriber's messages are
// simply dropped.
func (ps *PubSub) Subscribe(pid etf.PID, topic string) {
	ps.mu.Lock()
	ps.subs[topic] = append(ps.subs[topic], pid)
	ps.mu.Unlock()
}

// Unsubscribe removes every subscription of pid to topic.
func (ps *PubSub) Unsubscribe(pid etf.PID, topic string) {
	ps.mu.Lock()
	ps.subs[topic] = slices.DeleteFunc(ps.subs[topic], func(p etf.PID) bool { return p == pid })
	if len(ps.subs[topic]) == 0 {
		delete(ps.subs, topic)
	}
	ps.mu.Unlock()
}

func (ps *PubSub) localBroadcast(p *node.Process, except etf.PID, topic string, msg etf.Term) {
	ps.mu.RLock()
	subs := slices.Clone(ps.subs[topic])
	ps.mu.RUnlock()
	for _, s := range subs {
		if s == except {
			continue
		}
		if !ps.scope.n.IsAlive(s) {
			ps.Unsubscribe(s, topic)
			continue
		}
		if p != nil {
			_ = p.Send(s, msg)
		} else {
			_ = ps.scope.n.Send(s, msg)
		}
	}
}

// Broadcast delivers msg to every subscriber of topic on every node
// (Phoenix.PubSub.broadcast/3), sent from p (nil: from the node).
func (ps *PubSub) Broadcast(p *node.Process, topic string, msg etf.Term) error {
	return ps.BroadcastFrom(p, etf.PID{}, topic, msg)
}

// BroadcastFrom is Broadcast that skips the local subscriber from
// (Phoenix.PubSub.broadcast_from/4).
func (ps *PubSub) BroadcastFrom(p *node.Process, from etf.PID, topic string, msg etf.Term) error {
	fwd := etf.Tuple{etf.Atom("forward_to_local"), []byte(topic), msg, DefaultDispatcher}
	self := ps.scope.n.Name()
	for _, m := range ps.scope.GetMembers(ps.group(p)) {
		if m.Node == self {
			continue
		}
		if err := ps.send(p, m, fwd); err != nil {
			return err
		}
	}
	ps.localBroadcast(p, from, topic, msg)
	return nil
}

// LocalBroadcast delivers msg to this node's subscribers only.
func (ps *PubSub) LocalBroadcast(p *node.Process, topic string, msg etf.Term) {
	ps.localBroadcast(p, etf.PID{}, topic, msg)
}

// DirectBroadcast delivers msg to the subscribers of topic on one node
// (Phoenix.PubSub.direct_broadcast/4): {Adapter, Node} receives
// forward_to_local.
func (ps *PubSub) DirectBroadcast(p *node.Process, to etf.Atom, topic string, msg etf.Term) error {
	if to == ps.scope.n.Name() {
		ps.localBroadcast(p, etf.PID{}, topic, msg)
		return nil
	}
	fwd := etf.Tuple{etf.Atom("forward_to_local"), []byte(topic), msg, DefaultDispatcher}
	return ps.send(p, node.Name{Name: ps.group(p), Node: to}, fwd)
}

func (ps *PubSub) send(p *node.Process, to, msg etf.Term) error {
	if p != nil {
		return p.Send(to, msg)
	}
	return ps.scope.n.Send(to, msg)
}
