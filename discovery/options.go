package discovery

import (
	"log/slog"
	"time"
)

// Option configures Start.
type Option func(*config)

type config struct {
	poll           time.Duration
	minBackoff     time.Duration
	maxBackoff     time.Duration
	connectTimeout time.Duration
	lookupTimeout  time.Duration
	parallel       int
	onEvent        func(Event)
	logger         *slog.Logger
}

// Defaults, libcluster's where it has one.
const (
	DefaultPollInterval   = 5 * time.Second  // libcluster's polling_interval
	DefaultMinBackoff     = 1 * time.Second  // first retry of a failed connect
	DefaultMaxBackoff     = 30 * time.Second // cap of the doubling back-off
	DefaultConnectTimeout = 7 * time.Second  // OTP's net_setuptime
	DefaultLookupTimeout  = 10 * time.Second // one Strategy.Nodes call
	DefaultParallel       = 4                // connects in flight at once
)

func defaultConfig() config {
	return config{
		poll:           DefaultPollInterval,
		minBackoff:     DefaultMinBackoff,
		maxBackoff:     DefaultMaxBackoff,
		connectTimeout: DefaultConnectTimeout,
		lookupTimeout:  DefaultLookupTimeout,
		parallel:       DefaultParallel,
	}
}

// WithPollInterval sets how often the strategy is asked for the node list
// (default DefaultPollInterval). Connection state is followed between
// polls through node monitoring, so nodedown is reported at once.
func WithPollInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.poll = d
		}
	}
}

// WithBackoff sets the retry delays of a node that cannot be connected:
// first after the first failure, doubling per failure up to limit, each with
// ±20 % jitter so that many nodes restarting together do not retry in
// step (defaults DefaultMinBackoff, DefaultMaxBackoff).
func WithBackoff(first, limit time.Duration) Option {
	return func(c *config) {
		if first > 0 {
			c.minBackoff = first
		}
		if limit >= c.minBackoff {
			c.maxBackoff = limit
		}
	}
}

// WithConnectTimeout bounds one connection attempt: EPMD lookup and
// handshake (default DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.connectTimeout = d
		}
	}
}

// WithLookupTimeout bounds one Strategy.Nodes call (default
// DefaultLookupTimeout).
func WithLookupTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lookupTimeout = d
		}
	}
}

// WithParallel bounds the connection attempts in flight at once (default
// DefaultParallel), so a long list of dead candidates costs a few
// goroutines, not one each.
func WithParallel(k int) Option {
	return func(c *config) {
		if k > 0 {
			c.parallel = k
		}
	}
}

// OnEvent sets a function called with every nodeup and nodedown of a
// candidate node, in order, from the loop's goroutine: it must return
// quickly (hand the event to a channel or a process) and must not call
// Runner.Stop, which waits for the loop. A panic in it is recovered and
// logged.
func OnEvent(f func(Event)) Option { return func(c *config) { c.onEvent = f } }

// WithLogger sets the loop's logger (default the node's). Failed polls
// log at Warn, failed connects at Debug (they are expected while a node is
// down), nodeup/nodedown at Info.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
