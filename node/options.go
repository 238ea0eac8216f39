package node

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Option configures a Node at Start.
type Option func(*config)

type config struct {
	cookie      string
	logger      *slog.Logger
	hidden      bool
	listenAddr  string
	epmdHost    string
	epmdPort    int
	noEPMD      bool
	noDist      bool
	tickTime    time.Duration
	tls         *tls.Config
	creation    uint32
	hasCreation bool
	callTimeout time.Duration
}

func defaultConfig() config {
	return config{
		epmdHost:    "127.0.0.1",
		epmdPort:    4369,
		listenAddr:  ":0",
		tickTime:    60 * time.Second,
		callTimeout: 5 * time.Second,
	}
}

// WithCookie sets the distribution cookie.
func WithCookie(cookie string) Option { return func(c *config) { c.cookie = cookie } }

// WithLogger sets the node's logger; processes log through children of it.
// The default discards nothing: it is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithHidden makes the node connect as a hidden node (not PUBLISHED).
func WithHidden() Option { return func(c *config) { c.hidden = true } }

// WithListenAddr sets the distribution listen address (default ":0", a
// random port on all interfaces).
func WithListenAddr(addr string) Option { return func(c *config) { c.listenAddr = addr } }

// WithEPMD sets the EPMD used to register this node and to look peers up:
// host is used for registration, peers are looked up at their own host on
// the same port. Default 127.0.0.1:4369.
func WithEPMD(host string, port int) Option {
	return func(c *config) { c.epmdHost, c.epmdPort = host, port }
}

// WithoutEPMD skips EPMD registration. The node still listens for
// distribution and can connect to peers (looked up at the EPMD port).
func WithoutEPMD() Option { return func(c *config) { c.noEPMD = true } }

// WithoutDistribution starts a purely local node: no listener, no EPMD, and
// sends to other nodes fail with ErrNoConnection. Useful in unit tests.
func WithoutDistribution() Option { return func(c *config) { c.noDist = true; c.noEPMD = true } }

// WithTickTime sets net_ticktime (default 60s). All nodes of a cluster must
// use the same value.
func WithTickTime(d time.Duration) Option { return func(c *config) { c.tickTime = d } }

// WithTLS runs distribution over TLS (like -proto_dist inet_tls).
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithCreation fixes the node's creation instead of taking it from EPMD
// (mainly for tests).
func WithCreation(creation uint32) Option {
	return func(c *config) { c.creation, c.hasCreation = creation, true }
}

// WithCallTimeout sets the deadline Call uses when its context has none
// (default 5s, like gen_server:call/2).
func WithCallTimeout(d time.Duration) Option { return func(c *config) { c.callTimeout = d } }

// SpawnOption configures a process at Spawn.
type SpawnOption func(*spawnConfig)

type spawnConfig struct {
	name        etf.Atom
	mailboxMax  int
	logAttrs    []any
	groupLeader etf.PID
	hasGL       bool
	trapExit    bool
}

// WithName registers the new process under name before Init runs; Spawn
// fails with ErrNameTaken if the name is in use.
func WithName(name etf.Atom) SpawnOption { return func(c *spawnConfig) { c.name = name } }

// WithMailboxLimit bounds the process's queue of ordinary messages. When
// max messages are waiting, further messages are dropped: a local Send
// returns ErrMailboxFull, a message from another node is dropped and
// counted in the log (at most once per second per process). Exit signals,
// DOWN and other system messages are never dropped. 0 means unbounded.
func WithMailboxLimit(max int) SpawnOption { return func(c *spawnConfig) { c.mailboxMax = max } }

// WithLogAttrs adds slog attributes to the process's Logger.
func WithLogAttrs(args ...any) SpawnOption {
	return func(c *spawnConfig) { c.logAttrs = append(c.logAttrs, args...) }
}

// WithGroupLeader sets the process's group leader (default: the spawning
// process's group leader, or none when spawned from the Node).
func WithGroupLeader(gl etf.PID) SpawnOption {
	return func(c *spawnConfig) { c.groupLeader, c.hasGL = gl, true }
}

// WithTrapExit starts the process trapping exits, before Init runs.
func WithTrapExit() SpawnOption { return func(c *spawnConfig) { c.trapExit = true } }
