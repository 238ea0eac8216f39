package metrics

import "log/slog"

// Option configures a Collector (NewCollector, NewRegistry) or a Server
// (Serve, which takes both kinds).
type Option func(*config)

type config struct {
	mailboxBuckets []float64
	callBuckets    []float64
	noMailbox      bool
	pprof          bool
	allowRemote    bool
	logger         *slog.Logger
}

// DefaultMailboxBuckets are the upper bounds of erlgo_mailbox_depth: an
// idle process, a short queue, a backlog, a flood.
var DefaultMailboxBuckets = []float64{0, 1, 4, 16, 64, 256, 1024, 4096, 16384, 65536}

// DefaultCallBuckets are the upper bounds, in seconds, of
// erlgo_call_duration_seconds: from a local call (tens of microseconds)
// to the default call timeout (5 s).
var DefaultCallBuckets = []float64{50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10}

func defaultConfig() config {
	return config{
		mailboxBuckets: DefaultMailboxBuckets,
		callBuckets:    DefaultCallBuckets,
	}
}

func newConfig(opts []Option) config {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	return c
}

// WithMailboxBuckets sets the upper bounds of erlgo_mailbox_depth
// (default DefaultMailboxBuckets).
func WithMailboxBuckets(b ...float64) Option {
	return func(c *config) { c.mailboxBuckets = append([]float64(nil), b...) }
}

// WithCallBuckets sets the upper bounds in seconds of
// erlgo_call_duration_seconds (default DefaultCallBuckets).
func WithCallBuckets(b ...float64) Option {
	return func(c *config) { c.callBuckets = append([]float64(nil), b...) }
}

// WithoutMailboxHistogram leaves erlgo_mailbox_depth out, so that a
// scrape does not visit every process (see Collector for the cost).
func WithoutMailboxHistogram() Option { return func(c *config) { c.noMailbox = true } }

// WithPprof makes Serve answer Go's profiles under /debug/pprof/ too (see
// PprofHandler). Off by default: a CPU profile costs the node while it runs.
func WithPprof() Option { return func(c *config) { c.pprof = true } }

// WithAllowRemote lets Serve listen on an address other machines can
// reach. Without it Serve refuses any address that is not loopback, and
// answers only requests addressed to a loopback host name.
func WithAllowRemote() Option { return func(c *config) { c.allowRemote = true } }

// WithLogger sets the logger Serve reports HTTP server errors to (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
