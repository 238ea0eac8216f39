// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"log/slog"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// The acceptor ("B" in the protocol document) side of the handshake, one
// method per step as the document names them: recv_name, send_status,
// send_challenge, recv_complement (v5 only), recv_challenge_reply,
// send_challenge_ack.

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

// serverHS is the state of one acceptor handshake.
type serverHS struct {
	h   *hsIO
	cfg *Config
	opt serverOptions
	res hsResult
	// sn is the initiator's send_name, its Name and Creation replaced by
	// the assigned ones for NAME_ME (and Creation by the complement's for
	// v5).
	sn        sendName
	peerFlags Flags  // as received so far (v5: the high word after 'c')
	named     status // the named: status for a NAME_ME peer
	nameMe    bool
}

// serverHandshake runs the acceptor side over nc. cfg must have defaults
// applied. On success the connection is ready for framed traffic.
func serverHandshake(nc net.Conn, cfg *Config, opt serverOptions) (hsResult, error) {
	defer func() { _ = nc.SetDeadline(time.Time{}) }()
	s := &serverHS{
		h: newHSIO(nc, cfg.SetupTimeout), cfg: cfg, opt: opt,
		res: hsResult{Name: cfg.Name, Creation: cfg.Creation},
	}
	if err := s.recvName(); err != nil {
		return s.res, err
	}
	if err := s.sendStatus(); err != nil {
		return s.res, err
	}
	myChallenge := randUint32()
	if err := s.sendChallenge(myChallenge); err != nil {
		return s.res, err
	}
	if s.sn.Version == 5 {
		if err := s.recvComplement(); err != nil {
			return s.res, err
		}
	}
	cookie := cfg.cookie(s.res.Peer)
	peerChallenge, err := s.recvChallengeReply(myChallenge, cookie)
	if err != nil {
		return s.res, err
	}
	ack := challengeAck{Digest: genDigest(peerChallenge, cookie)}
	if err := s.h.write(ack.append); err != nil { // send_challenge_ack
		return s.res, err
	}
	peerFlags := expandDigest(s.peerFlags)
	s.res.PeerFlags, s.res.Flags, s.res.PeerCreation = peerFlags, negotiate(cfg.Flags, peerFlags), s.sn.Creation
	return s.res, nil
}

// refuse sends not_allowed, best effort: the handshake ends either way.
func (s *serverHS) refuse() { _ = s.h.write(status{Status: statusNotAllowed}.append) }

// recvName reads the initiator's send_name, assigns a name for NAME_ME,
// and checks the name and the mandatory flags it can check yet.
func (s *serverHS) recvName() error {
	b, err := s.h.read()
	if err != nil {
		return err
	}
	sn, err := parseSendName(b)
	if err != nil {
		return err
	}
	s.peerFlags = sn.Flags
	if sn.Version == 5 && s.peerFlags&FlagHandshake23 == 0 {
		// A v5 'n' without HANDSHAKE_23 is the pre-OTP-23 handshake,
		// which OTP 25 dropped.
		s.refuse()
		return hsErr(ErrNotAllowed, "peer %q uses the pre-OTP 23 handshake", sn.Name)
	}
	s.nameMe = sn.Version == 6 && s.peerFlags&FlagNameMe != 0
	if s.nameMe {
		if s.opt.AssignName == nil {
			s.refuse()
			return hsErr(ErrNotAllowed, "dynamic name requested by host %q but not supported", sn.Name)
		}
		name, cr := s.opt.AssignName(sn.Name)
		s.named = status{Status: statusNamed, Name: string(name), Creation: cr}
		sn.Name, sn.Creation = string(name), cr
	}
	s.sn = sn
	s.res.Peer = etf.Atom(sn.Name)
	if err := checkAcceptedName(sn.Name); err != nil {
		s.cfg.Logger.Warn("dist: connection attempt from disallowed node name",
			slog.String("peer", sn.Name), slog.Any("err", err))
		s.refuse()
		return hsErr(ErrNotAllowed, "illegal peer name %q: %v", sn.Name, err)
	}
	// For v5 the high flag word arrives in 'c'; check the low word now
	// and the whole set after 'c'.
	mandatoryNow := MandatoryFlags
	if sn.Version == 5 {
		mandatoryNow &= 0xffffffff
	}
	if missing := mandatoryNow &^ expandDigest(s.peerFlags); missing != 0 {
		s.warnMandatory(missing)
		s.refuse()
		return hsErr(ErrNotAllowed, "peer %s cannot handle %v", sn.Name, missing.Names())
	}
	return nil
}

func (s *serverHS) warnMandatory(missing Flags) {
	s.cfg.Logger.Warn("dist: connection attempt from node rejected since it cannot handle mandatory flags",
		slog.String("peer", s.sn.Name), slog.Any("missing", missing.Names()))
}

// sendStatus asks the Manager what to answer and sends it: ok (named: for
// NAME_ME), alive (then reads the initiator's true/false), or a refusal.
func (s *serverHS) sendStatus() error {
	peer := s.res.Peer
	dec := acceptDecision{Status: statusOK}
	if s.opt.Decide != nil {
		dec = s.opt.Decide(peer)
	}
	s.res.Status = dec.Status
	switch dec.Status {
	case statusOK, statusOKSimultaneous:
		st := status{Status: dec.Status}
		if s.nameMe {
			st = s.named
		}
		return s.h.write(st.append)
	case statusAlive:
		return s.recvAliveAnswer(dec)
	case statusNok:
		_ = s.h.write(status{Status: statusNok}.append)
		return hsErr(ErrNok, "simultaneous connect from %s: our attempt wins", peer)
	default:
		_ = s.h.write(status{Status: dec.Status}.append)
		return hsErr(ErrNotAllowed, "refused %s with status %s", peer, dec.Status)
	}
}

// recvAliveAnswer sends alive and reads the initiator's answer: true means
// its old connection is dead and this one replaces it.
func (s *serverHS) recvAliveAnswer(dec acceptDecision) error {
	if err := s.h.write(status{Status: statusAlive}.append); err != nil {
		return err
	}
	b, err := s.h.read()
	if err != nil {
		return err
	}
	st, err := parseStatus(b)
	if err != nil {
		return err
	}
	switch st.Status {
	case "true":
		if dec.OnAliveTrue != nil {
			dec.OnAliveTrue()
		}
		return nil
	case "false":
		return hsErr(ErrAlreadyConnected, "peer %s keeps its existing connection", s.res.Peer)
	}
	return hsErr(nil, "peer %s answered alive with %q", s.res.Peer, st.Status)
}

// sendChallenge sends our name, flags, creation and challenge.
func (s *serverHS) sendChallenge(myChallenge uint32) error {
	ch := challenge{Flags: s.cfg.Flags, Challenge: myChallenge, Creation: s.cfg.Creation, Name: string(s.cfg.Name)}
	return s.h.write(ch.append)
}

// recvComplement reads a v5 initiator's 'c': the high flag word and its
// creation; only now can all mandatory flags be checked.
func (s *serverHS) recvComplement() error {
	b, err := s.h.read()
	if err != nil {
		return err
	}
	c, err := parseComplement(b)
	if err != nil {
		return err
	}
	s.peerFlags |= Flags(c.FlagsHigh) << 32
	s.sn.Creation = c.Creation
	if missing := checkMandatory(s.peerFlags); missing != 0 {
		s.warnMandatory(missing)
		return hsErr(ErrNotAllowed, "peer %s cannot handle %v", s.sn.Name, missing.Names())
	}
	return nil
}

// recvChallengeReply reads the initiator's digest of our challenge, which
// proves it has the cookie, and returns its own challenge.
func (s *serverHS) recvChallengeReply(myChallenge uint32, cookie string) (uint32, error) {
	b, err := s.h.read()
	if err != nil {
		return 0, err
	}
	rep, err := parseChallengeReply(b)
	if err != nil {
		return 0, err
	}
	if !digestOK(rep.Digest, myChallenge, cookie) {
		s.cfg.Logger.Warn("dist: connection attempt from node rejected: invalid challenge reply (cookie mismatch)",
			slog.String("peer", string(s.res.Peer)))
		return 0, hsErr(ErrBadCookie, "invalid challenge reply from %s", s.res.Peer)
	}
	return rep.Challenge, nil
}
