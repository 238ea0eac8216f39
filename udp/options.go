package udp

import (
	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/node"
)

// ActiveMode is a socket's active mode ({active, true | once | false}).
type ActiveMode = active.Mode

// The active modes.
const (
	// Active delivers every datagram to the controlling process as it
	// arrives ({active, true}), pausing while the controller's mailbox
	// holds WithWindow messages or more; datagrams that arrive meanwhile
	// wait in the kernel's buffer, which drops what does not fit, as UDP
	// does.
	Active = active.Active
	// Once delivers one datagram, then turns Passive until SetActive(Once)
	// ({active, once}).
	Once = active.Once
	// Passive delivers nothing: the controller calls Recv ({active,
	// false}).
	Passive = active.Passive
)

// DefaultWindow is how many messages the controller's mailbox may hold
// before an Active socket stops reading.
const DefaultWindow = 64

// maxDatagram is the read buffer: the largest UDP payload over IPv4 and
// IPv6 without jumbograms fits.
const maxDatagram = 65535

// Option configures Open.
type Option func(*config)

type config struct {
	active    ActiveMode
	window    int
	spawnOpts []node.SpawnOption
}

// WithActive sets the initial active mode (default Active).
func WithActive(m ActiveMode) Option { return func(c *config) { c.active = m } }

// WithWindow sets how many messages may wait in the controller's mailbox
// before an Active socket stops reading (default DefaultWindow).
func WithWindow(n int) Option { return func(c *config) { c.window = n } }

// WithSpawnOptions passes options to the socket process's Spawn, e.g.
// node.WithName to register it and list it in the observer.
func WithSpawnOptions(opts ...node.SpawnOption) Option {
	return func(c *config) { c.spawnOpts = append(c.spawnOpts, opts...) }
}
