package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/discovery"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/events"
	"github.com/erlgo/erlgo/interop/global"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// Option configures Start.
type Option func(*config)

type config struct {
	node     []node.Option
	services []interop.Option
	global   []global.Option
	pg       []pg.Option
	events   []events.Option
	strategy discovery.Strategy
	discOpts []discovery.Option
	noGlobal bool
	noPG     bool
	noEvents bool
}

// WithNode passes options to node.Start (cookie, EPMD, listen address,
// ticktime, logger, hidden ...). Repeated, the options add up.
func WithNode(opts ...node.Option) Option {
	return func(c *config) { c.node = append(c.node, opts...) }
}

// WithServices passes options to interop.Start (io output, restart
// intensity ...).
func WithServices(opts ...interop.Option) Option {
	return func(c *config) { c.services = append(c.services, opts...) }
}

// WithGlobal passes options to global.Start.
func WithGlobal(opts ...global.Option) Option {
	return func(c *config) { c.global = append(c.global, opts...) }
}

// WithPG passes options to pg.Start of the default scope.
func WithPG(opts ...pg.Option) Option {
	return func(c *config) { c.pg = append(c.pg, opts...) }
}

// WithEvents passes options to events.Start.
func WithEvents(opts ...events.Option) Option {
	return func(c *config) { c.events = append(c.events, opts...) }
}

// WithDiscovery runs a discovery loop (discovery.Start) with strategy s
// once the services are up, so the member connects to the nodes s lists
// and keeps reconnecting them; Stop stops the loop first, so nothing is
// redialled while the member shuts down.
func WithDiscovery(s discovery.Strategy, opts ...discovery.Option) Option {
	return func(c *config) { c.strategy, c.discOpts = s, opts }
}

// WithoutGlobal starts no global_name_server. BEAM nodes connected to the
// member then wait for it in global:sync/0 and see no names from it.
func WithoutGlobal() Option { return func(c *config) { c.noGlobal = true } }

// WithoutPG starts no default pg scope.
func WithoutPG() Option { return func(c *config) { c.noPG = true } }

// WithoutEvents starts no erlgo_events service: the member can then
// neither host events nor subscribe to them.
func WithoutEvents() Option { return func(c *config) { c.noEvents = true } }

// Member is a running node with its cluster services.
type Member struct {
	n      *node.Node
	svcs   *interop.Services
	global *global.Server
	pg     *pg.Scope
	events *events.Server
	disc   *discovery.Runner
}

// Start starts the node name (node.Start) and on it net_kernel, rex, erpc
// and user (interop.Start), global_name_server with global:resolve_it/4
// callable from BEAM, the default pg scope (pg.DefaultScope) and the
// erlgo_events service (events.Start). If any of them fails to start,
// what was started is stopped again and the error returned.
func Start(ctx context.Context, name string, opts ...Option) (*Member, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	n, err := node.Start(ctx, name, c.node...)
	if err != nil {
		return nil, err
	}
	m := &Member{n: n}
	if err := m.startServices(ctx, &c); err != nil {
		return nil, errors.Join(err, m.Stop(context.WithoutCancel(ctx)))
	}
	return m, nil
}

func (m *Member) startServices(ctx context.Context, c *config) error {
	var err error
	if m.svcs, err = interop.Start(ctx, m.n, c.services...); err != nil {
		return err
	}
	if !c.noGlobal {
		if m.global, err = global.Start(ctx, m.n, c.global...); err != nil {
			return err
		}
		m.global.RegisterResolver(m.svcs)
	}
	if !c.noPG {
		if m.pg, err = pg.Start(ctx, m.n, pg.DefaultScope, c.pg...); err != nil {
			return err
		}
	}
	if !c.noEvents {
		if m.events, err = events.Start(ctx, m.n, c.events...); err != nil {
			return err
		}
	}
	if c.strategy != nil {
		// The loop outlives Start's ctx: it runs until Stop.
		if m.disc, err = discovery.Start(context.WithoutCancel(ctx), m.n, c.strategy, c.discOpts...); err != nil {
			return err
		}
	}
	return nil
}

// Node returns the member's node.
func (m *Member) Node() *node.Node { return m.n }

// Services returns net_kernel, rex/erpc and user: register Go functions
// callable from BEAM with Services().Register.
func (m *Member) Services() *interop.Services { return m.svcs }

// Global returns the global_name_server (nil with WithoutGlobal).
func (m *Member) Global() *global.Server { return m.global }

// PG returns the default pg scope (nil with WithoutPG).
func (m *Member) PG() *pg.Scope { return m.pg }

// Events returns the events service (nil with WithoutEvents).
func (m *Member) Events() *events.Server { return m.events }

// Discovery returns the discovery loop (nil without WithDiscovery).
func (m *Member) Discovery() *discovery.Runner { return m.disc }

// Stop stops the discovery loop, the events service, the pg scope, global and the kernel
// services, in that order (the reverse of Start), then the node, waiting
// for its processes until ctx ends. Its error is the node's (see
// node.Node.Stop).
func (m *Member) Stop(ctx context.Context) error {
	if m.disc != nil {
		m.disc.Stop()
	}
	if m.events != nil {
		m.events.Stop()
	}
	if m.pg != nil {
		m.pg.Stop()
	}
	if m.global != nil {
		m.global.Stop()
	}
	if m.svcs != nil {
		m.svcs.Stop()
	}
	if err := m.n.Stop(ctx); err != nil {
		return fmt.Errorf("cluster: stop %s: %w", m.n.Name(), err)
	}
	return nil
}
