package web

import (
	"time"

	"github.com/coder/websocket"
)

// Option configures a Handler or a WebSocket endpoint.
type Option func(*config)

type config struct {
	timeout      time.Duration
	maxBody      int64
	window       int
	mailbox      int
	readLimit    int64
	writeTimeout time.Duration
	accept       *websocket.AcceptOptions
}

// Defaults for the options.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBody      = 8 << 20
	DefaultWindow       = 16
	DefaultMailbox      = 1024
	DefaultReadLimit    = 1 << 20
	DefaultWriteTimeout = 10 * time.Second
)

func defaultConfig() config {
	return config{timeout: DefaultTimeout, maxBody: DefaultMaxBody, window: DefaultWindow,
		mailbox: DefaultMailbox, readLimit: DefaultReadLimit, writeTimeout: DefaultWriteTimeout}
}

func newConfig(opts []Option) config {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithTimeout bounds the wait for a worker's reply, and for each chunk of
// a stream after it; when it passes the client gets 504 Gateway Timeout
// (or, mid-stream, a cut connection). Default DefaultTimeout; d <= 0
// keeps the default.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithMaxBodyBytes bounds request bodies (http.MaxBytesReader); a larger
// body gets 413 Request Entity Too Large and never reaches a worker.
// Default DefaultMaxBody.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithWindow sets how many chunks of a stream may wait for the client:
// a Go stream's ChunkWriter.Write waits while that many are unwritten.
// Default DefaultWindow.
func WithWindow(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.window = n
		}
	}
}

// WithMailboxLimit bounds the mailbox of each request process and of
// each WebSocket handler process (node.WithMailboxLimit): what a peer on
// another node sends beyond it is dropped, so a flooding peer cannot
// hold memory without bound. Default DefaultMailbox.
func WithMailboxLimit(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.mailbox = n
		}
	}
}

// WithReadLimit bounds one WebSocket message from the client; a larger
// one closes the connection with status 1009 (message too big). Default
// DefaultReadLimit.
func WithReadLimit(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.readLimit = n
		}
	}
}

// WithWriteTimeout bounds one WebSocket write. Default DefaultWriteTimeout.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.writeTimeout = d
		}
	}
}
