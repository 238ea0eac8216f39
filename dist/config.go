package dist

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultSetupTimeout  = 7 * time.Second  // net_setuptime
	DefaultTickTime      = 60 * time.Second // net_ticktime
	DefaultTickIntensity = 4                // net_tickintensity
	DefaultFragmentSize  = 64 * 1024        // ERTS' fragment size
	DefaultMaxReassembly = 256 << 20        // per-connection fragment memory
	// DefaultMaxFragmentSeqs bounds the fragmented messages open at once
	// on one connection. ERTS numbers a sequence after its sending
	// process and a process finishes one fragmented send before the next,
	// so a BEAM peer has at most one open sequence per concurrently
	// sending process, each holding at least one full 64 KiB fragment:
	// 4096 of them are DefaultMaxReassembly, so BEAM-shaped traffic meets
	// the memory cap before this one. It exists for peers that open
	// sequences holding next to nothing.
	DefaultMaxFragmentSeqs = DefaultMaxReassembly / DefaultFragmentSize
	DefaultMaxPacket       = 256 << 20 // largest unfragmented packet accepted
	DefaultWriteQueue      = 4 << 20   // bytes queued per connection before Send blocks
)

// Config configures a Manager. Only Name and Cookie are required; zero
// values mean the documented defaults.
type Config struct {
	// Name is this node's full name, e.g. "go@127.0.0.1". The host part
	// decides long (dotted host or IP address) vs short names, and peers
	// must use the same kind, as OTP enforces.
	Name etf.Atom
	// Creation is this node's incarnation (from the EPMD registration);
	// 0 is replaced by 1.
	Creation uint32
	// Cookie is the default magic cookie.
	Cookie string
	// CookieFor returns the cookie for one peer; nil or "" means Cookie.
	CookieFor func(peer etf.Atom) string
	// Hidden makes this node hidden: FlagPublished is not advertised.
	Hidden bool
	// Flags are the capabilities advertised; 0 means DefaultFlags.
	Flags Flags
	// SetupTimeout bounds every handshake step (net_setuptime); default 7s.
	SetupTimeout time.Duration
	// TickTime is net_ticktime; default 60s. Both sides must agree.
	TickTime time.Duration
	// TickIntensity is net_tickintensity (4..1000); default 4.
	TickIntensity int
	// FragmentSize is the largest fragment sent to peers that set
	// FRAGMENTS; default 64 KiB.
	FragmentSize int
	// MaxReassembly caps the memory held by incomplete fragmented
	// messages per connection (buffer capacity, the atom-cache refs each
	// keeps and a per-sequence overhead), and the size of one reassembled
	// message; default 256 MiB. A peer exceeding it is disconnected with
	// ErrReassemblyLimit.
	MaxReassembly int
	// MaxFragmentSeqs caps the fragmented messages open at once per
	// connection; default DefaultMaxFragmentSeqs (4096). A peer exceeding
	// it is disconnected with ErrReassemblyLimit.
	MaxFragmentSeqs int
	// Limits bounds the decoding of every term received (control messages
	// and payloads); zero fields take etf.DefaultLimits, which are no
	// lower than what the Erlang VM itself accepts from a peer. A message
	// that exceeds a limit (etf.ErrTooLarge, etf.ErrTooDeep) is dropped
	// and logged at Warn; the connection stays up, since framing keeps the
	// stream intact.
	Limits etf.Limits
	// MaxPacket caps one unfragmented packet; default 256 MiB.
	MaxPacket int
	// WriteQueue bounds the bytes queued for writing per connection; Send
	// blocks while the queue is over it (one message larger than the
	// bound is admitted alone). Default 4 MiB.
	WriteQueue int
	// TLS, when set, runs the distribution over TLS like OTP's
	// -proto_dist inet_tls. Connections dialled are wrapped with
	// tls.Client (ServerName defaults to the peer's host part); accepted
	// ones with tls.Server.
	TLS *tls.Config
	// TLSFor, when set, returns the TLS configuration for connections
	// this node dials to peer; nil means TLS (which may itself be nil:
	// plain TCP). It lets one node reach some peers over TLS and others
	// over TCP (the node layer's routes). Accepted connections always use
	// TLS: the peer's name is known only after the TLS handshake.
	TLSFor func(peer etf.Atom) *tls.Config
	// Dial opens a transport connection to peer and reports the peer's
	// highest distribution version (from EPMD; 0 if unknown). The node
	// layer supplies it (EPMD lookup + TCP dial). Dist wraps TLS itself.
	Dial func(ctx context.Context, peer etf.Atom) (net.Conn, int, error)
	// Logger receives connection events; nil means slog.Default().
	Logger *slog.Logger
	// Registry, when set, encodes the Go values registered in it as their
	// BEAM terms in every payload sent, and decodes the payloads of
	// messages (SEND, REG_SEND, ALIAS_SEND) that name a registered type
	// straight into the Go value (etf.Registry.DecodeTerm). A payload
	// that names a registered type but does not fit it arrives as a
	// *Mismatched; the node layer decides what to do with it.
	Registry *etf.Registry
}

// withDefaults returns a copy of c with defaults filled in, or an error if
// c is unusable.
func (c Config) withDefaults() (Config, error) {
	if _, _, err := splitName(string(c.Name)); err != nil {
		return c, fmt.Errorf("dist: config Name %q: %w", c.Name, err)
	}
	if c.Creation == 0 {
		c.Creation = 1
	}
	if c.Flags == 0 {
		c.Flags = DefaultFlags
	}
	// We always speak the mandatory set; NAME_ME is a per-dial request.
	c.Flags |= MandatoryFlags
	c.Flags &^= FlagNameMe | FlagLocalExt
	if c.Hidden {
		c.Flags &^= FlagPublished
	}
	defaultIfUnset(&c.SetupTimeout, DefaultSetupTimeout)
	defaultIfUnset(&c.TickTime, DefaultTickTime)
	defaultIfUnset(&c.TickIntensity, DefaultTickIntensity)
	if c.TickIntensity < 4 || c.TickIntensity > 1000 {
		return c, fmt.Errorf("dist: TickIntensity %d out of range 4..1000", c.TickIntensity)
	}
	defaultIfUnset(&c.FragmentSize, DefaultFragmentSize)
	if c.FragmentSize < 1024 {
		c.FragmentSize = 1024
	}
	defaultIfUnset(&c.MaxReassembly, DefaultMaxReassembly)
	defaultIfUnset(&c.MaxFragmentSeqs, DefaultMaxFragmentSeqs)
	defaultIfUnset(&c.MaxPacket, DefaultMaxPacket)
	defaultIfUnset(&c.WriteQueue, DefaultWriteQueue)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// cookie returns the cookie to use with peer.
func (c *Config) cookie(peer etf.Atom) string {
	if c.CookieFor != nil {
		if s := c.CookieFor(peer); s != "" {
			return s
		}
	}
	return c.Cookie
}

// defaultIfUnset sets *v to def when it is zero or negative (unset).
func defaultIfUnset[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
