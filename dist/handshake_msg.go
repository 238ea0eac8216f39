// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"strconv"
)

// Handshake message encoding and decoding (erl_dist_protocol, "Distribution
// Handshake"). Each message travels in a packet with a 2-byte big-endian
// length; the functions here handle the bytes after the length. Decoders
// never panic and reject short input.

// handshake message tags
const (
	tagSendNameV5 = 'n'
	tagSendNameV6 = 'N' // also the challenge tag
	tagStatus     = 's'
	tagComplement = 'c'
	tagReply      = 'r'
	tagAck        = 'a'
)

// Handshake status strings.
const (
	statusOK             = "ok"
	statusOKSimultaneous = "ok_simultaneous"
	statusNok            = "nok"
	statusNotAllowed     = "not_allowed"
	statusAlive          = "alive"
	statusNamed          = "named:"
)

// sendName is the initiator's first message: v5 'n' or v6 'N'.
type sendName struct {
	Version  int // 5 for 'n', 6 for 'N'
	Flags    Flags
	Creation uint32 // v6 only
	Name     string // full name, or the host part only with NAME_ME
}

func (m sendName) append(dst []byte) []byte {
	if m.Version == 5 {
		dst = append(dst, tagSendNameV5)
		dst = binary.BigEndian.AppendUint16(dst, 5)
		dst = binary.BigEndian.AppendUint32(dst, uint32(m.Flags))
		return append(dst, m.Name...)
	}
	dst = append(dst, tagSendNameV6)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Flags))
	dst = binary.BigEndian.AppendUint32(dst, m.Creation)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.Name)))
	return append(dst, m.Name...)
}

func parseSendName(b []byte) (sendName, error) {
	if len(b) == 0 {
		return sendName{}, hsErr(nil, "empty send_name")
	}
	switch b[0] {
	case tagSendNameV5:
		if len(b) < 7 {
			return sendName{}, hsErr(nil, "short v5 send_name")
		}
		v := binary.BigEndian.Uint16(b[1:])
		if v != 5 {
			return sendName{}, hsErr(nil, "send_name version %d not supported", v)
		}
		return sendName{Version: 5, Flags: Flags(binary.BigEndian.Uint32(b[3:])), Name: string(b[7:])}, nil
	case tagSendNameV6:
		if len(b) < 15 {
			return sendName{}, hsErr(nil, "short v6 send_name")
		}
		n := int(binary.BigEndian.Uint16(b[13:]))
		if len(b)-15 < n {
			return sendName{}, hsErr(nil, "send_name name length %d exceeds message", n)
		}
		// Bytes after the name are an extension field OTP ignores.
		return sendName{
			Version:  6,
			Flags:    Flags(binary.BigEndian.Uint64(b[1:])),
			Creation: binary.BigEndian.Uint32(b[9:]),
			Name:     string(b[15 : 15+n]),
		}, nil
	}
	return sendName{}, hsErr(nil, "unexpected send_name tag %d", b[0])
}

// challenge is the acceptor's 'N' message (always the v6 format).
type challenge struct {
	Flags     Flags
	Challenge uint32
	Creation  uint32
	Name      string
}

func (m challenge) append(dst []byte) []byte {
	dst = append(dst, tagSendNameV6)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Flags))
	dst = binary.BigEndian.AppendUint32(dst, m.Challenge)
	dst = binary.BigEndian.AppendUint32(dst, m.Creation)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.Name)))
	return append(dst, m.Name...)
}

func parseChallenge(b []byte) (challenge, error) {
	if len(b) < 19 || b[0] != tagSendNameV6 {
		return challenge{}, hsErr(nil, "malformed challenge (len %d)", len(b))
	}
	n := int(binary.BigEndian.Uint16(b[17:]))
	if len(b)-19 < n {
		return challenge{}, hsErr(nil, "challenge name length %d exceeds message", n)
	}
	return challenge{
		Flags:     Flags(binary.BigEndian.Uint64(b[1:])),
		Challenge: binary.BigEndian.Uint32(b[9:]),
		Creation:  binary.BigEndian.Uint32(b[13:]),
		Name:      string(b[19 : 19+n]),
	}, nil
}

// status is an 's' message. For "named:" Name and Creation are set.
type status struct {
	Status   string
	Name     string
	Creation uint32
}

func (m status) append(dst []byte) []byte {
	dst = append(dst, tagStatus)
	dst = append(dst, m.Status...)
	if m.Status == statusNamed {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.Name)))
		dst = append(dst, m.Name...)
		dst = binary.BigEndian.AppendUint32(dst, m.Creation)
	}
	return dst
}

func parseStatus(b []byte) (status, error) {
	if len(b) < 1 || b[0] != tagStatus {
		return status{}, hsErr(nil, "malformed status message")
	}
	s := string(b[1:])
	if len(s) >= len(statusNamed) && s[:len(statusNamed)] == statusNamed {
		r := b[1+len(statusNamed):]
		if len(r) < 2 {
			return status{}, hsErr(nil, "short named: status")
		}
		n := int(binary.BigEndian.Uint16(r))
		if len(r)-2 < n+4 {
			return status{}, hsErr(nil, "named: status name length %d exceeds message", n)
		}
		return status{Status: statusNamed, Name: string(r[2 : 2+n]), Creation: binary.BigEndian.Uint32(r[2+n:])}, nil
	}
	return status{Status: s}, nil
}

// complement is the 'c' message following a v5 'n'.
type complement struct {
	FlagsHigh uint32
	Creation  uint32
}

func (m complement) append(dst []byte) []byte {
	dst = append(dst, tagComplement)
	dst = binary.BigEndian.AppendUint32(dst, m.FlagsHigh)
	return binary.BigEndian.AppendUint32(dst, m.Creation)
}

func parseComplement(b []byte) (complement, error) {
	if len(b) != 9 || b[0] != tagComplement {
		return complement{}, hsErr(nil, "malformed complement message")
	}
	return complement{FlagsHigh: binary.BigEndian.Uint32(b[1:]), Creation: binary.BigEndian.Uint32(b[5:])}, nil
}

// challengeReply is the initiator's 'r' message.
type challengeReply struct {
	Challenge uint32
	Digest    [16]byte
}

func (m challengeReply) append(dst []byte) []byte {
	dst = append(dst, tagReply)
	dst = binary.BigEndian.AppendUint32(dst, m.Challenge)
	return append(dst, m.Digest[:]...)
}

func parseChallengeReply(b []byte) (challengeReply, error) {
	// dist_util requires the digest to be exactly 16 bytes.
	if len(b) != 21 || b[0] != tagReply {
		return challengeReply{}, hsErr(nil, "malformed challenge reply (len %d)", len(b))
	}
	var m challengeReply
	m.Challenge = binary.BigEndian.Uint32(b[1:])
	copy(m.Digest[:], b[5:])
	return m, nil
}

// challengeAck is the acceptor's 'a' message.
type challengeAck struct{ Digest [16]byte }

func (m challengeAck) append(dst []byte) []byte {
	dst = append(dst, tagAck)
	return append(dst, m.Digest[:]...)
}

func parseChallengeAck(b []byte) (challengeAck, error) {
	if len(b) != 17 || b[0] != tagAck {
		return challengeAck{}, hsErr(nil, "malformed challenge ack (len %d)", len(b))
	}
	var m challengeAck
	copy(m.Digest[:], b[1:])
	return m, nil
}

// genDigest is dist_util:gen_digest: MD5(Cookie ++ integer_to_list(Challenge)).
func genDigest(challenge uint32, cookie string) [16]byte {
	h := md5.New()
	h.Write([]byte(cookie))
	h.Write(strconv.AppendUint(nil, uint64(challenge), 10))
	var d [16]byte
	h.Sum(d[:0])
	return d
}

// digestOK compares a received digest with the expected one in constant
// time.
func digestOK(got [16]byte, challenge uint32, cookie string) bool {
	want := genDigest(challenge, cookie)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
