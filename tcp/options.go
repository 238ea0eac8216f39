package tcp

import (
	"crypto/tls"
	"time"

	"github.com/erlgo/erlgo/internal/active"
	"github.com/erlgo/erlgo/node"
)

// ActiveMode is a socket's active mode ({active, true | once | false}).
type ActiveMode = active.Mode

// The active modes.
const (
	// Active delivers every message to the controlling process as it
	// arrives ({active, true}), pausing while the controller's mailbox
	// holds WithWindow messages or more.
	Active = active.Active
	// Once delivers one message, then turns Passive until SetActive(Once)
	// re-arms it ({active, once}): flow control by the controller.
	Once = active.Once
	// Passive delivers nothing: the controller calls Recv ({active,
	// false}).
	Passive = active.Passive
)

// Line is the packet value for gen_tcp's {packet, line}: a message is a
// line with its trailing "\n".
const Line = -1

// Defaults.
const (
	// DefaultMaxPacket bounds one incoming packet or line (16 MiB): more
	// closes the connection with emsgsize.
	DefaultMaxPacket = 16 << 20
	// DefaultWindow is how many messages the controller's mailbox may
	// hold before an Active socket stops reading.
	DefaultWindow = 64
	// DefaultMaxConns bounds a Listener's open connections; accepting
	// waits while that many are open.
	DefaultMaxConns = 4096
	// DefaultConnectTimeout bounds Dial when ctx has no deadline, and
	// every reconnection attempt.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultHandshakeTimeout bounds an accepted connection's TLS
	// handshake.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultReadSize is the size of one read from the socket, and so the
	// largest {packet, 0} message. Every open connection holds a buffer
	// of this size (64 MiB at DefaultMaxConns).
	DefaultReadSize = 16 << 10
)

// Option configures Listen and Dial.
type Option func(*config)

type config struct {
	packet      int
	maxPacket   int
	active      ActiveMode
	window      int
	readSize    int
	tls         *tls.Config
	maxConns    int
	handler     func(*Socket) node.Behavior
	pool        int
	poolWorker  func() node.Behavior
	connectTO   time.Duration
	handshakeTO time.Duration
	reconnect   bool
	backoffMin  time.Duration
	backoffMax  time.Duration
	spawnOpts   []node.SpawnOption
}

func defaultConfig() config {
	return config{maxPacket: DefaultMaxPacket, active: Active, window: DefaultWindow, readSize: DefaultReadSize,
		maxConns: DefaultMaxConns, connectTO: DefaultConnectTimeout, handshakeTO: DefaultHandshakeTimeout}
}

// WithPacket sets the framing ({packet, N}): 0 delivers data as it is
// read and sends it as is; 1, 2 or 4 prefix every message with its
// big-endian length; Line delivers one line per message, "\n" included,
// and sends data as is. Default 0.
func WithPacket(n int) Option { return func(c *config) { c.packet = n } }

// WithMaxPacket bounds one incoming packet or line (packet_size; default
// DefaultMaxPacket). A peer that announces or sends more gets its
// connection closed: the controller receives Error{emsgsize} and Closed,
// and the reason is logged.
func WithMaxPacket(n int) Option { return func(c *config) { c.maxPacket = n } }

// WithActive sets the initial active mode (default Active).
func WithActive(m ActiveMode) Option { return func(c *config) { c.active = m } }

// WithWindow sets how many messages may wait in the controller's mailbox
// before an Active socket stops reading (default DefaultWindow).
func WithWindow(n int) Option { return func(c *config) { c.window = n } }

// WithReadSize sets the size of one read from the socket (default
// DefaultReadSize).
func WithReadSize(n int) Option { return func(c *config) { c.readSize = n } }

// WithTLS makes Listen accept TLS connections and Dial connect with TLS,
// using cfg (a client's cfg needs ServerName or RootCAs as usual).
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithHandshakeTimeout bounds the TLS handshake of an accepted
// connection (default DefaultHandshakeTimeout): a client that does not
// complete it in time is disconnected (its controller gets Error with
// reason timeout, then Closed) and frees its WithMaxConns slot.
func WithHandshakeTimeout(d time.Duration) Option { return func(c *config) { c.handshakeTO = d } }

// WithMaxConns bounds how many connections a Listener has open at once
// (default DefaultMaxConns); while the bound is reached it accepts no
// more and further clients wait in the kernel's backlog.
func WithMaxConns(n int) Option { return func(c *config) { c.maxConns = n } }

// WithHandler makes a Listener spawn one process per accepted connection,
// running the Behavior newHandler returns for its socket, linked to the
// listener, and make it the socket's controlling process. The socket is
// ready when the handler's Init runs.
func WithHandler(newHandler func(s *Socket) node.Behavior) Option {
	return func(c *config) { c.handler = newHandler }
}

// WithPool makes a Listener start n worker processes (linked to it,
// restarted when they exit) and hand accepted sockets to them in turn:
// each worker becomes the controlling process of its sockets and receives
// Accepted for each.
func WithPool(n int, newWorker func() node.Behavior) Option {
	return func(c *config) { c.pool, c.poolWorker = n, newWorker }
}

// WithConnectTimeout bounds Dial when ctx has no deadline, and each
// reconnection attempt (default DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) Option { return func(c *config) { c.connectTO = d } }

// WithReconnect makes a Dial'd socket reconnect when its connection ends:
// the controller gets Closed, then Connected once a new connection is up.
// Attempts are spaced from min, doubling to max. Sends meanwhile fail
// with ErrClosed.
func WithReconnect(min, max time.Duration) Option {
	return func(c *config) { c.reconnect, c.backoffMin, c.backoffMax = true, min, max }
}

// WithSpawnOptions passes options to the Spawn of the listener's process
// (Listen) or the socket's (Dial), e.g. node.WithName to register it and
// list it in the observer.
func WithSpawnOptions(opts ...node.SpawnOption) Option {
	return func(c *config) { c.spawnOpts = append(c.spawnOpts, opts...) }
}

func (c *config) validate() error {
	switch {
	case c.packet != 0 && c.packet != 1 && c.packet != 2 && c.packet != 4 && c.packet != Line:
		return optionError("packet must be 0, 1, 2, 4 or Line")
	case c.maxPacket <= 0, c.window <= 0, c.readSize <= 0, c.maxConns <= 0, c.connectTO <= 0, c.handshakeTO <= 0:
		return optionError("limits must be positive")
	case c.active < Passive || c.active > Active:
		return optionError("unknown active mode")
	case c.pool < 0, c.pool > 0 && c.poolWorker == nil:
		return optionError("pool needs a size and a worker")
	case c.pool > 0 && c.handler != nil:
		return optionError("WithPool and WithHandler exclude each other")
	case c.reconnect && (c.backoffMin <= 0 || c.backoffMax < c.backoffMin):
		return optionError("reconnect back-off must be 0 < min <= max")
	}
	return nil
}
