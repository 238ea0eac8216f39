// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// The initiator ("A" in the protocol document) side of the handshake, one
// method per step as the document names them: send_name, recv_status,
// recv_challenge, send_challenge_reply, recv_challenge_ack.

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

// clientHS is the state of one initiator handshake.
type clientHS struct {
	h      *hsIO
	cfg    *Config
	peer   etf.Atom
	opt    clientOptions
	cookie string
	ours   Flags // the flags we offered (with NAME_ME when asked)
	res    hsResult
}

// clientHandshake runs the initiator side over nc, which must be a fresh
// connection to peer. cfg must have defaults applied.
func clientHandshake(nc net.Conn, cfg *Config, peer etf.Atom, opt clientOptions) (hsResult, error) {
	defer func() { _ = nc.SetDeadline(time.Time{}) }()
	c := &clientHS{
		h: newHSIO(nc, cfg.SetupTimeout), cfg: cfg, peer: peer, opt: opt,
		res: hsResult{Peer: peer, Name: cfg.Name, Creation: cfg.Creation},
	}
	if !opt.NameMe {
		if err := checkPeerName(string(cfg.Name), string(peer)); err != nil {
			return c.res, hsErr(err, "cannot connect to %q", peer)
		}
	}
	c.cookie = cfg.cookie(peer)
	if err := c.sendName(); err != nil {
		return c.res, err
	}
	if err := c.recvStatus(); err != nil {
		return c.res, err
	}
	peerChallenge, err := c.recvChallenge()
	if err != nil {
		return c.res, err
	}
	myChallenge, err := c.sendChallengeReply(peerChallenge)
	if err != nil {
		return c.res, err
	}
	return c.res, c.recvChallengeAck(myChallenge)
}

// sendName sends our name, flags and creation (the v6 'N'); with NAME_ME
// the name is only our host part and the creation is left to the acceptor.
func (c *clientHS) sendName() error {
	c.ours = c.cfg.Flags
	sn := sendName{Version: 6, Flags: c.ours, Creation: c.cfg.Creation, Name: string(c.cfg.Name)}
	if c.opt.NameMe {
		c.ours |= FlagNameMe
		_, host, err := splitName(string(c.cfg.Name))
		if err != nil {
			host = string(c.cfg.Name)
		}
		sn = sendName{Version: 6, Flags: c.ours, Name: host}
	}
	return c.h.write(sn.append)
}

// recvStatus reads the acceptor's status and acts on it: ok and
// ok_simultaneous continue, alive asks opt.AliveAnswer and answers
// true/false, named carries our assigned name, anything else ends the
// handshake.
func (c *clientHS) recvStatus() error {
	b, err := c.h.read()
	if err != nil {
		return err
	}
	st, err := parseStatus(b)
	if err != nil {
		return err
	}
	peer := c.peer
	c.res.Status = st.Status
	switch st.Status {
	case statusOK, statusOKSimultaneous:
	case statusNok:
		return hsErr(ErrNok, "peer %s answered nok", peer)
	case statusNotAllowed:
		return hsErr(ErrNotAllowed, "peer %s answered not_allowed", peer)
	case statusAlive:
		if err := c.answerAlive(); err != nil {
			return err
		}
	case statusNamed:
		if !c.opt.NameMe {
			return hsErr(nil, "unexpected named: status from %s", peer)
		}
		if _, _, err := splitName(st.Name); err != nil || st.Creation == 0 {
			return hsErr(ErrBadName, "peer %s assigned an invalid name %q", peer, st.Name)
		}
		c.res.Name, c.res.Creation = etf.Atom(st.Name), st.Creation
	default:
		return hsErr(nil, "peer %s answered unknown status %q", peer, st.Status)
	}
	if c.opt.NameMe && st.Status != statusNamed {
		return hsErr(nil, "peer %s did not assign a name", peer)
	}
	return nil
}

// answerAlive answers the acceptor's alive status: true (our old
// connection is dead, continue) unless opt.AliveAnswer says otherwise.
func (c *clientHS) answerAlive() error {
	ans := c.opt.AliveAnswer == nil || c.opt.AliveAnswer()
	reply := "true"
	if !ans {
		reply = "false"
	}
	if err := c.h.write(func(d []byte) []byte { return append(append(d, tagStatus), reply...) }); err != nil {
		return err
	}
	if !ans {
		return hsErr(ErrAlreadyConnected, "peer %s is already connected to us", c.peer)
	}
	return nil
}

// recvChallenge reads the acceptor's name, flags, creation and challenge,
// checks the name and the mandatory flags, and settles the negotiated
// flags. It returns the acceptor's challenge.
func (c *clientHS) recvChallenge() (uint32, error) {
	b, err := c.h.read()
	if err != nil {
		return 0, err
	}
	ch, err := parseChallenge(b)
	if err != nil {
		return 0, err
	}
	// dist_util: the acceptor must present exactly the name we dialled.
	if ch.Name != string(c.peer) {
		return 0, hsErr(ErrBadName, "dialled %s but peer calls itself %q", c.peer, ch.Name)
	}
	peerFlags := expandDigest(ch.Flags)
	if missing := checkMandatory(peerFlags); missing != 0 {
		c.cfg.Logger.Warn("dist: connection attempt to node aborted since it cannot handle mandatory flags",
			slog.String("peer", string(c.peer)), slog.Any("missing", missing.Names()))
		return 0, hsErr(ErrNotAllowed, "peer %s cannot handle %v", c.peer, missing.Names())
	}
	c.res.PeerFlags, c.res.Flags, c.res.PeerCreation = peerFlags, negotiate(c.ours, peerFlags), ch.Creation
	return ch.Challenge, nil
}

// sendChallengeReply answers the acceptor's challenge with its digest and
// our own challenge, which it returns.
func (c *clientHS) sendChallengeReply(peerChallenge uint32) (uint32, error) {
	myChallenge := randUint32()
	reply := challengeReply{Challenge: myChallenge, Digest: genDigest(peerChallenge, c.cookie)}
	return myChallenge, c.h.write(reply.append)
}

// recvChallengeAck reads the acceptor's digest of our challenge, which
// proves it has the cookie.
func (c *clientHS) recvChallengeAck(myChallenge uint32) error {
	b, err := c.h.read()
	if err != nil {
		if errors.Is(err, ErrSetupTimeout) {
			return err
		}
		// OTP closes without an ack when our digest is wrong.
		return hsErr(ErrBadCookie, "peer %s closed after challenge reply (cookie mismatch?)", c.peer)
	}
	ack, err := parseChallengeAck(b)
	if err != nil {
		return err
	}
	if !digestOK(ack.Digest, myChallenge, c.cookie) {
		return hsErr(ErrBadCookie, "peer %s sent a wrong challenge ack digest", c.peer)
	}
	return nil
}
