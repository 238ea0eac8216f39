package port

import (
	"time"

	"github.com/erlgo/erlgo/node"
)

// Option configures Open.
type Option func(*config)

// Framing is how the bytes a program writes on stdout are cut into the
// messages its owner receives, and how Command frames what it writes.
type Framing uint8

// The framings of open_port.
const (
	// Stream delivers stdout in chunks as they are read (open_port's
	// default, stream): chunk boundaries are wherever a read ended.
	Stream Framing = iota
	// Packet prefixes every message with its length ({packet, N}).
	Packet
	// Line delivers one message per line ({line, L}).
	Line
)

// Stderr says what happens to the program's standard error.
type Stderr uint8

const (
	// StderrInherit gives the program this OS process's stderr, as
	// open_port does by default.
	StderrInherit Stderr = iota
	// StderrMerge sends stderr into the stdout pipe, framed with it
	// (open_port's stderr_to_stdout).
	StderrMerge
	// StderrSeparate delivers stderr to the owner as {Port, {stderr,
	// Data}} chunks, unframed, under the same backpressure as stdout. OTP
	// has no such option; the shape follows {Port, {data, Data}}.
	StderrSeparate
	// StderrDiscard connects stderr to /dev/null.
	StderrDiscard
)

// Defaults.
const (
	// DefaultGracePeriod is how long a program gets after SIGTERM before
	// SIGKILL, and after Close closed its stdin before SIGTERM.
	DefaultGracePeriod = 2 * time.Second
	// DefaultMaxPacket bounds one incoming {packet, 4} message (64 MiB).
	// Stream and stderr data come in chunks of at most 64 KiB, line
	// parts of at most L bytes.
	DefaultMaxPacket = 64 << 20
	// DefaultWindow is how many ordinary messages the owner's mailbox may
	// hold before the port stops reading the program's output.
	DefaultWindow = 64
	// DefaultWriteBuffer is how many bytes Command may queue toward the
	// program's stdin before it waits.
	DefaultWriteBuffer = 1 << 20
)

type config struct {
	env        []string
	dir        string
	framing    Framing
	n          int // packet header bytes, or line length
	text       bool
	stderr     Stderr
	exitStatus bool
	grace      time.Duration
	maxPacket  int
	window     int
	writeBuf   int
	spawnOpts  []node.SpawnOption
}

func defaultConfig() config {
	return config{grace: DefaultGracePeriod, maxPacket: DefaultMaxPacket, window: DefaultWindow, writeBuf: DefaultWriteBuffer}
}

// WithEnv adds "KEY=value" entries to the program's environment, on top
// of this OS process's ({env, [{Key, Value}]}); a later entry for the same
// key wins.
func WithEnv(kv ...string) Option { return func(c *config) { c.env = append(c.env, kv...) } }

// WithDir runs the program in dir ({cd, Dir}).
func WithDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithPacket frames messages with an n-byte big-endian length header,
// n = 1, 2 or 4 ({packet, N}); other values make Open fail with ErrBadOption.
func WithPacket(n int) Option { return func(c *config) { c.framing, c.n = Packet, n } }

// WithLine delivers stdout line by line ({line, L}): {eol, Line} for a
// line of at most maxLen bytes (its "\n" or "\r\n" removed, as ERTS
// does), and {noeol, Part}
// for each maxLen-byte part of a longer one, whose last part comes as
// {eol, Rest}. Output that ends without a newline comes as {noeol, Rest}.
func WithLine(maxLen int) Option { return func(c *config) { c.framing, c.n = Line, maxLen } }

// WithStream delivers stdout as it is read (the default; open_port's
// stream).
func WithStream() Option { return func(c *config) { c.framing, c.n = Stream, 0 } }

// WithBinary delivers data as []byte, Erlang binaries (the default).
func WithBinary() Option { return func(c *config) { c.text = false } }

// WithText delivers data as etf.Charlist, one code point per byte, which
// travels as an Erlang list of bytes: open_port's default list mode.
func WithText() Option { return func(c *config) { c.text = true } }

// WithStderr chooses what happens to the program's stderr (default
// StderrInherit).
func WithStderr(s Stderr) Option { return func(c *config) { c.stderr = s } }

// WithExitStatus sends {Port, {exit_status, Code}} to the owner when the
// program has exited and its output is delivered (open_port's
// exit_status). Code is the exit code, or 128+N for a program killed by
// signal N, as ERTS reports it.
func WithExitStatus() Option { return func(c *config) { c.exitStatus = true } }

// WithGracePeriod sets how long the program gets to exit after Close
// closed its stdin, and again after SIGTERM, before the next step
// (default DefaultGracePeriod).
func WithGracePeriod(d time.Duration) Option { return func(c *config) { c.grace = d } }

// WithMaxPacket bounds the size of one incoming {packet, N} message: a
// header announcing more ends the port with reason emsgsize before
// anything of it is buffered. Default DefaultMaxPacket.
func WithMaxPacket(n int) Option { return func(c *config) { c.maxPacket = n } }

// WithWindow sets how many ordinary messages may wait in the owner's
// mailbox before the port pauses reading the program's output (default
// DefaultWindow). See the package doc, "Backpressure".
func WithWindow(n int) Option { return func(c *config) { c.window = n } }

// WithWriteBuffer sets how many bytes Command queues toward stdin before
// it waits for the program to read (default DefaultWriteBuffer).
func WithWriteBuffer(n int) Option { return func(c *config) { c.writeBuf = n } }

// WithSpawnOptions passes options to the port process's Spawn, e.g.
// node.WithName to register it (and list it in the observer) or
// node.WithLogAttrs.
func WithSpawnOptions(opts ...node.SpawnOption) Option {
	return func(c *config) { c.spawnOpts = append(c.spawnOpts, opts...) }
}

func (c *config) validate() error {
	switch {
	case c.framing == Packet && c.n != 1 && c.n != 2 && c.n != 4:
		return optionError("packet size must be 1, 2 or 4")
	case c.framing == Line && c.n <= 0:
		return optionError("line length must be positive")
	case c.maxPacket <= 0, c.window <= 0, c.writeBuf <= 0, c.grace < 0:
		return optionError("limits must be positive")
	case c.stderr > StderrDiscard:
		return optionError("unknown stderr mode")
	}
	return nil
}
