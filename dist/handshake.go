// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// hsResult is the outcome of a successful handshake.
type hsResult struct {
	Peer         etf.Atom
	PeerFlags    Flags // as advertised (digest expanded)
	Flags        Flags // negotiated: ours & theirs
	PeerCreation uint32
	// Name and Creation are ours; they differ from the Config only after
	// a NAME_ME handshake (initiator role).
	Name     etf.Atom
	Creation uint32
	// Status is the handshake status the acceptor sent.
	Status string
}

// hsIO sends and receives handshake packets (2-byte length) with a fresh
// deadline for every step, like net_setuptime reset per step in dist_util.
//
// Over TLS, OTP's inet_tls_dist frames the handshake with 4-byte lengths
// ({packet, 4} on the TLS socket) instead of the 2-byte lengths of
// inet_tcp_dist, so hsIO uses 4 when the transport is a *tls.Conn.
type hsIO struct {
	nc      net.Conn
	timeout time.Duration
	wbuf    []byte
	len4    bool
}

func newHSIO(nc net.Conn, timeout time.Duration) *hsIO {
	_, isTLS := nc.(*tls.Conn)
	return &hsIO{nc: nc, timeout: timeout, len4: isTLS}
}

// maxHSMessage bounds a handshake message read with a 4-byte length.
const maxHSMessage = 1 << 16

func (h *hsIO) deadline() {
	_ = h.nc.SetDeadline(time.Now().Add(h.timeout))
}

func (h *hsIO) write(build func([]byte) []byte) error {
	h.deadline()
	hl := 2
	if h.len4 {
		hl = 4
	}
	b := append(h.wbuf[:0], 0, 0, 0, 0)[:hl]
	b = build(b)
	n := len(b) - hl
	if n > 0xffff {
		return hsErr(nil, "handshake message too long")
	}
	if h.len4 {
		binary.BigEndian.PutUint32(b, uint32(n))
	} else {
		binary.BigEndian.PutUint16(b, uint16(n))
	}
	h.wbuf = b
	_, err := h.nc.Write(b)
	return ioErr(err)
}

func (h *hsIO) read() ([]byte, error) {
	h.deadline()
	var l [4]byte
	var n int
	if h.len4 {
		if _, err := io.ReadFull(h.nc, l[:]); err != nil {
			return nil, ioErr(err)
		}
		if v := binary.BigEndian.Uint32(l[:]); v > maxHSMessage {
			return nil, hsErr(nil, "handshake message of %d bytes", v)
		} else {
			n = int(v)
		}
	} else {
		if _, err := io.ReadFull(h.nc, l[:2]); err != nil {
			return nil, ioErr(err)
		}
		n = int(binary.BigEndian.Uint16(l[:2]))
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(h.nc, b); err != nil {
		return nil, ioErr(err)
	}
	return b, nil
}

func ioErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return hsErr(ErrSetupTimeout, "%v", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return hsErr(nil, "connection closed by peer")
	}
	return hsErr(nil, "%v", err)
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// checkMandatory returns the mandatory flags peer lacks.
func checkMandatory(peer Flags) Flags {
	return MandatoryFlags &^ expandDigest(peer)
}

// negotiate returns the flags in effect on a connection: the intersection,
// as dist_util does (PUBLISHED included), minus handshake-only flags.
func negotiate(ours, theirs Flags) Flags {
	return ours & theirs &^ (FlagNameMe | FlagMandatory25Digest)
}
