// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
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

// clientOptions are the initiator's per-dial parameters.
type clientOptions struct {
	// NameMe asks the acceptor for a dynamic name; our Name is then only
	// the host part and the result carries the assigned name.
	NameMe bool
	// AliveAnswer is asked when the acceptor says it already has a
	// connection to us: true means that connection is dead (continue).
	AliveAnswer func() bool
	// PeerVersion is the peer's highest version from EPMD (0 unknown). We
	// always send the v6 'N': every OTP 23+ acceptor takes it.
	PeerVersion int
}

// clientHandshake runs the initiator side over nc, which must be a fresh
// connection to peer. cfg must have defaults applied.
func clientHandshake(nc net.Conn, cfg *Config, peer etf.Atom, opt clientOptions) (hsResult, error) {
	h := newHSIO(nc, cfg.SetupTimeout)
	defer func() { _ = nc.SetDeadline(time.Time{}) }()
	res := hsResult{Peer: peer, Name: cfg.Name, Creation: cfg.Creation}
	if !opt.NameMe {
		if err := checkPeerName(string(cfg.Name), string(peer)); err != nil {
			return res, hsErr(err, "cannot connect to %q", peer)
		}
	}
	cookie := cfg.cookie(peer)

	ours := cfg.Flags
	sn := sendName{Version: 6, Flags: ours, Creation: cfg.Creation, Name: string(cfg.Name)}
	if opt.NameMe {
		ours |= FlagNameMe
		_, host, err := splitName(string(cfg.Name))
		if err != nil {
			host = string(cfg.Name)
		}
		sn = sendName{Version: 6, Flags: ours, Name: host}
	}
	if err := h.write(sn.append); err != nil {
		return res, err
	}

	b, err := h.read()
	if err != nil {
		return res, err
	}
	st, err := parseStatus(b)
	if err != nil {
		return res, err
	}
	res.Status = st.Status
	switch st.Status {
	case statusOK, statusOKSimultaneous:
	case statusNok:
		return res, hsErr(ErrNok, "peer %s answered nok", peer)
	case statusNotAllowed:
		return res, hsErr(ErrNotAllowed, "peer %s answered not_allowed", peer)
	case statusAlive:
		ans := opt.AliveAnswer == nil || opt.AliveAnswer()
		reply := "true"
		if !ans {
			reply = "false"
		}
		if err := h.write(func(d []byte) []byte { return append(append(d, tagStatus), reply...) }); err != nil {
			return res, err
		}
		if !ans {
			return res, hsErr(ErrAlreadyConnected, "peer %s is already connected to us", peer)
		}
	case statusNamed:
		if !opt.NameMe {
			return res, hsErr(nil, "unexpected named: status from %s", peer)
		}
		if _, _, err := splitName(st.Name); err != nil || st.Creation == 0 {
			return res, hsErr(ErrBadName, "peer %s assigned an invalid name %q", peer, st.Name)
		}
		res.Name, res.Creation = etf.Atom(st.Name), st.Creation
	default:
		return res, hsErr(nil, "peer %s answered unknown status %q", peer, st.Status)
	}
	if opt.NameMe && st.Status != statusNamed {
		return res, hsErr(nil, "peer %s did not assign a name", peer)
	}

	if b, err = h.read(); err != nil {
		return res, err
	}
	ch, err := parseChallenge(b)
	if err != nil {
		return res, err
	}
	// dist_util: the acceptor must present exactly the name we dialled.
	if ch.Name != string(peer) {
		return res, hsErr(ErrBadName, "dialled %s but peer calls itself %q", peer, ch.Name)
	}
	peerFlags := expandDigest(ch.Flags)
	if missing := checkMandatory(peerFlags); missing != 0 {
		cfg.Logger.Warn("dist: connection attempt to node aborted since it cannot handle mandatory flags",
			slog.String("peer", string(peer)), slog.Any("missing", missing.Names()))
		return res, hsErr(ErrNotAllowed, "peer %s cannot handle %v", peer, missing.Names())
	}
	res.PeerFlags, res.Flags, res.PeerCreation = peerFlags, negotiate(ours, peerFlags), ch.Creation

	myChallenge := randUint32()
	reply := challengeReply{Challenge: myChallenge, Digest: genDigest(ch.Challenge, cookie)}
	if err := h.write(reply.append); err != nil {
		return res, err
	}
	if b, err = h.read(); err != nil {
		if errors.Is(err, ErrSetupTimeout) {
			return res, err
		}
		// OTP closes without an ack when our digest is wrong.
		return res, hsErr(ErrBadCookie, "peer %s closed after challenge reply (cookie mismatch?)", peer)
	}
	ack, err := parseChallengeAck(b)
	if err != nil {
		return res, err
	}
	if !digestOK(ack.Digest, myChallenge, cookie) {
		return res, hsErr(ErrBadCookie, "peer %s sent a wrong challenge ack digest", peer)
	}
	return res, nil
}

// negotiate returns the flags in effect on a connection: the intersection,
// as dist_util does (PUBLISHED included), minus handshake-only flags.
func negotiate(ours, theirs Flags) Flags {
	return ours & theirs &^ (FlagNameMe | FlagMandatory25Digest)
}

// acceptDecision is the Manager's answer for an incoming handshake.
type acceptDecision struct {
	Status string // ok, ok_simultaneous, nok, alive, not_allowed
	// OnAliveTrue is called when Status was alive and the peer answered
	// true (its old connection is dead).
	OnAliveTrue func()
}

// serverOptions are the acceptor's hooks into the Manager.
type serverOptions struct {
	// Decide is called once the peer's name is known and valid.
	Decide func(peer etf.Atom) acceptDecision
	// AssignName generates a name for a NAME_ME peer with the given host.
	AssignName func(host string) (etf.Atom, uint32)
}

// serverHandshake runs the acceptor side over nc. cfg must have defaults
// applied. On success the connection is ready for framed traffic.
func serverHandshake(nc net.Conn, cfg *Config, opt serverOptions) (hsResult, error) {
	h := newHSIO(nc, cfg.SetupTimeout)
	defer func() { _ = nc.SetDeadline(time.Time{}) }()
	res := hsResult{Name: cfg.Name, Creation: cfg.Creation}

	b, err := h.read()
	if err != nil {
		return res, err
	}
	sn, err := parseSendName(b)
	if err != nil {
		return res, err
	}
	peerFlags := sn.Flags
	if sn.Version == 5 && peerFlags&FlagHandshake23 == 0 {
		// A v5 'n' without HANDSHAKE_23 is the pre-OTP-23 handshake,
		// which OTP 25 dropped.
		_ = h.write(status{Status: statusNotAllowed}.append)
		return res, hsErr(ErrNotAllowed, "peer %q uses the pre-OTP 23 handshake", sn.Name)
	}
	nameMe := sn.Version == 6 && peerFlags&FlagNameMe != 0
	var named status
	if nameMe {
		if opt.AssignName == nil {
			_ = h.write(status{Status: statusNotAllowed}.append)
			return res, hsErr(ErrNotAllowed, "dynamic name requested by host %q but not supported", sn.Name)
		}
		name, cr := opt.AssignName(sn.Name)
		named = status{Status: statusNamed, Name: string(name), Creation: cr}
		sn.Name, sn.Creation = string(name), cr
	}
	peer := etf.Atom(sn.Name)
	res.Peer = peer
	if err := checkAcceptedName(sn.Name); err != nil {
		cfg.Logger.Warn("dist: connection attempt from disallowed node name",
			slog.String("peer", sn.Name), slog.Any("err", err))
		_ = h.write(status{Status: statusNotAllowed}.append)
		return res, hsErr(ErrNotAllowed, "illegal peer name %q: %v", sn.Name, err)
	}
	// For v5 the high flag word arrives in 'c'; check the low word now
	// and the whole set after 'c'.
	mandatoryNow := MandatoryFlags
	if sn.Version == 5 {
		mandatoryNow &= 0xffffffff
	}
	if missing := mandatoryNow &^ expandDigest(peerFlags); missing != 0 {
		cfg.Logger.Warn("dist: connection attempt from node rejected since it cannot handle mandatory flags",
			slog.String("peer", sn.Name), slog.Any("missing", missing.Names()))
		_ = h.write(status{Status: statusNotAllowed}.append)
		return res, hsErr(ErrNotAllowed, "peer %s cannot handle %v", sn.Name, missing.Names())
	}

	dec := acceptDecision{Status: statusOK}
	if opt.Decide != nil {
		dec = opt.Decide(peer)
	}
	res.Status = dec.Status
	switch dec.Status {
	case statusOK, statusOKSimultaneous:
		st := status{Status: dec.Status}
		if nameMe {
			st = named
		}
		if err := h.write(st.append); err != nil {
			return res, err
		}
	case statusAlive:
		if err := h.write(status{Status: statusAlive}.append); err != nil {
			return res, err
		}
		if b, err = h.read(); err != nil {
			return res, err
		}
		st, err := parseStatus(b)
		if err != nil {
			return res, err
		}
		switch st.Status {
		case "true":
			if dec.OnAliveTrue != nil {
				dec.OnAliveTrue()
			}
		case "false":
			return res, hsErr(ErrAlreadyConnected, "peer %s keeps its existing connection", peer)
		default:
			return res, hsErr(nil, "peer %s answered alive with %q", peer, st.Status)
		}
	case statusNok:
		_ = h.write(status{Status: statusNok}.append)
		return res, hsErr(ErrNok, "simultaneous connect from %s: our attempt wins", peer)
	default:
		_ = h.write(status{Status: dec.Status}.append)
		return res, hsErr(ErrNotAllowed, "refused %s with status %s", peer, dec.Status)
	}

	myChallenge := randUint32()
	ch := challenge{Flags: cfg.Flags, Challenge: myChallenge, Creation: cfg.Creation, Name: string(cfg.Name)}
	if err := h.write(ch.append); err != nil {
		return res, err
	}
	if sn.Version == 5 {
		if b, err = h.read(); err != nil {
			return res, err
		}
		c, err := parseComplement(b)
		if err != nil {
			return res, err
		}
		peerFlags |= Flags(c.FlagsHigh) << 32
		sn.Creation = c.Creation
		if missing := checkMandatory(peerFlags); missing != 0 {
			cfg.Logger.Warn("dist: connection attempt from node rejected since it cannot handle mandatory flags",
				slog.String("peer", sn.Name), slog.Any("missing", missing.Names()))
			return res, hsErr(ErrNotAllowed, "peer %s cannot handle %v", sn.Name, missing.Names())
		}
	}
	if b, err = h.read(); err != nil {
		return res, err
	}
	rep, err := parseChallengeReply(b)
	if err != nil {
		return res, err
	}
	cookie := cfg.cookie(peer)
	if !digestOK(rep.Digest, myChallenge, cookie) {
		cfg.Logger.Warn("dist: connection attempt from node rejected: invalid challenge reply (cookie mismatch)",
			slog.String("peer", string(peer)))
		return res, hsErr(ErrBadCookie, "invalid challenge reply from %s", peer)
	}
	ack := challengeAck{Digest: genDigest(rep.Challenge, cookie)}
	if err := h.write(ack.append); err != nil {
		return res, err
	}
	peerFlags = expandDigest(peerFlags)
	res.PeerFlags, res.Flags, res.PeerCreation = peerFlags, negotiate(cfg.Flags, peerFlags), sn.Creation
	return res, nil
}
