package node

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/erlgo/erlgo/epmd"
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
	epmdMode    epmd.Fallback // what to start when no EPMD answers
	epmdDaemon  []string      // daemon command for epmd.FallbackDaemon
	noDist      bool
	tickTime    time.Duration
	tls         *tls.Config
	creation    uint32
	hasCreation bool
	callTimeout time.Duration
	registry    *etf.Registry
	routes      []RouteEntry  // WithRoute, in order
	backoffBase time.Duration // WithConnectBackoff
	backoffMax  time.Duration
	backoffSet  bool
}

func defaultConfig() config {
	return config{
		epmdHost:    "127.0.0.1",
		epmdPort:    epmd.PortFromEnv(), // ERL_EPMD_PORT, else 4369, as erl
		listenAddr:  ":0",
		tickTime:    60 * time.Second,
		callTimeout: 5 * time.Second,
	}
}

// WithCookie sets the distribution cookie (a route can give another one
// for the peers it matches, see Route.Cookie).
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
// the same port (unless a route says otherwise, see WithRoute). Default 127.0.0.1 and the port from ERL_EPMD_PORT, else
// 4369, as erl does; read when Start runs.
//
// When no EPMD answers on this machine, Start starts one: by default a
// detached daemon, OTP's epmd from PATH, that outlives the node like the
// `epmd -daemon` erl starts (see WithEPMDDaemon, WithEmbeddedEPMD).
func WithEPMD(host string, port int) Option {
	return func(c *config) { c.epmdHost, c.epmdPort = host, port }
}

// WithEPMDDaemon sets the command Start runs, detached, when no EPMD
// answers on this machine (default: epmd from PATH; "-port N" is
// appended), e.g. WithEPMDDaemon("/usr/local/bin/erlgo", "epmd") where
// Erlang is not installed. The daemon keeps running after the node stops,
// so nodes that registered in it stay reachable. Without a command and
// without epmd on PATH, Start falls back to the in-process server (see
// WithEmbeddedEPMD) and logs a warning.
func WithEPMDDaemon(command ...string) Option {
	return func(c *config) { c.epmdMode, c.epmdDaemon = epmd.FallbackDaemon, command }
}

// WithoutEPMDStart makes Start fail (with epmd.ErrUnreachable) when no
// EPMD answers, instead of starting one, like erl -start_epmd false. After
// a lost registration the node waits for an EPMD to come back.
func WithoutEPMDStart() Option {
	return func(c *config) { c.epmdMode, c.epmdDaemon = epmd.FallbackNone, nil }
}

// WithEmbeddedEPMD makes Start run the EPMD server inside this process when
// no EPMD answers, instead of a daemon. That server stops with the node,
// and every registration in it goes with it: other erlgo nodes register
// again (one of them takes the port over), but erl nodes do not and can
// no longer be found by name. Meant for tests and Go-only machines.
func WithEmbeddedEPMD() Option {
	return func(c *config) { c.epmdMode, c.epmdDaemon = epmd.FallbackEmbedded, nil }
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

// WithTLS runs distribution over TLS (like -proto_dist inet_tls): every
// connection accepted, and every one dialled unless a route gives its own
// TLS configuration (see Route.TLS).
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithCreation fixes the node's creation instead of taking it from EPMD
// (mainly for tests).
func WithCreation(creation uint32) Option {
	return func(c *config) { c.creation, c.hasCreation = creation, true }
}

// WithCallTimeout sets the deadline Call uses when its context has none
// (default 5s, like gen_server:call/2).
func WithCallTimeout(d time.Duration) Option { return func(c *config) { c.callTimeout = d } }

// WithRegistry makes Go values keep their type across nodes: values of
// the types registered in r are sent as their BEAM terms (an Elixir
// struct, a record, a tagged value), and messages, call requests and
// replies from other nodes that name a registered type arrive as the Go
// value; errors registered in r travel as {error, Name} exit reasons and
// come back as themselves (errors.Is, errors.As). A message that names a
// registered type but does not fit it is logged at Warn and delivered as
// the raw term, or dropped if r was made WithRejectMismatch. Each node has
// its own registry (nil, the default: no registry). See etf.Registry.
func WithRegistry(r *etf.Registry) Option { return func(c *config) { c.registry = r } }

// SpawnOption configures a process at Spawn.
type SpawnOption func(*spawnConfig)

type spawnConfig struct {
	name        etf.Atom
	mailboxMax  int
	logAttrs    []any
	groupLeader etf.PID
	hasGL       bool
	trapExit    bool
	beforeInit  []func(*Process)
	runHere     bool // run the first batch on the spawning goroutine (runOnSpawner)
}

// runOnSpawner makes spawn run the new process's first batch (what arrived
// during Init) on the calling goroutine instead of starting one, so the
// caller blocks until the process goes idle or exits. For a goroutine that
// exists only to spawn (a SPAWN_REQUEST's): it saves a goroutine start and
// the new goroutine's stack growth per spawn, the main costs of erpc into
// a Go node.
func runOnSpawner() SpawnOption { return func(c *spawnConfig) { c.runHere = true } }

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

// WithBeforeInit runs f on the new process after it is set up (pid, name,
// link or monitor to the spawner) and before Behavior.Init, on the
// spawner's goroutine. Hooks run in the order given. It is the way a
// package that builds on node configures the Behavior it spawns (actors'
// WithArgs, WithClock and WithObserver are such hooks), so that one Spawn
// takes node's options and those of the layer above alike.
func WithBeforeInit(f func(p *Process)) SpawnOption {
	return func(c *spawnConfig) {
		if f != nil {
			c.beforeInit = append(c.beforeInit, f)
		}
	}
}

// ApplyBeforeInit runs the WithBeforeInit hooks among opts on p, ignoring
// every other option. It is for a Behavior built before its Spawn and
// handed its options early (actors.NewBehavior): called from its own Init,
// the hooks see p as they would have inside Spawn.
func ApplyBeforeInit(p *Process, opts ...SpawnOption) {
	var cfg spawnConfig
	for _, o := range opts {
		o(&cfg)
	}
	for _, f := range cfg.beforeInit {
		f(p)
	}
}
