// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// Control message encoding. The control tuple is written by hand straight
// into the output buffer (tuple header, op, pids, refs, atoms), so the hot
// path allocates nothing; other terms (reasons, tokens, payloads) go through
// the etf Encoder.

// ctlEncoder appends control tuples. cache may be nil (no atom cache).
type ctlEncoder struct {
	enc   etf.Encoder
	cache *outCache
}

func (e *ctlEncoder) atom(dst []byte, a etf.Atom) ([]byte, error) {
	if e.cache != nil {
		if i, ok := e.cache.AtomRef(a); ok {
			return append(dst, etf.TagAtomCacheRef, byte(i)), nil
		}
	}
	if len(a) <= 255 && isPlainASCII(a) {
		dst = append(dst, etf.TagSmallAtomUTF8, byte(len(a)))
		return append(dst, a...), nil
	}
	return e.enc.AppendTerm(dst, a)
}

func isPlainASCII(a etf.Atom) bool {
	for i := 0; i < len(a); i++ {
		if a[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (e *ctlEncoder) pid(dst []byte, p etf.PID) ([]byte, error) {
	dst = append(dst, etf.TagNewPID)
	dst, err := e.atom(dst, p.Node)
	if err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint32(dst, p.ID)
	dst = binary.BigEndian.AppendUint32(dst, p.Serial)
	return binary.BigEndian.AppendUint32(dst, p.Creation), nil
}

func (e *ctlEncoder) ref(dst []byte, r etf.Ref) ([]byte, error) {
	if r.Len == 0 || int(r.Len) > len(r.ID) {
		return dst, fmt.Errorf("dist: invalid reference with %d words", r.Len)
	}
	dst = append(dst, etf.TagNewerReference, 0, r.Len)
	dst, err := e.atom(dst, r.Node)
	if err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint32(dst, r.Creation)
	for i := 0; i < int(r.Len); i++ {
		dst = binary.BigEndian.AppendUint32(dst, r.ID[i])
	}
	return dst, nil
}

// term encodes an arbitrary term; pids, refs and atoms take the fast paths.
func (e *ctlEncoder) term(dst []byte, t etf.Term) ([]byte, error) {
	switch x := t.(type) {
	case etf.PID:
		return e.pid(dst, x)
	case etf.Ref:
		return e.ref(dst, x)
	case etf.Alias:
		return e.ref(dst, etf.Ref(x))
	case etf.Atom:
		return e.atom(dst, x)
	}
	return e.enc.AppendTerm(dst, t)
}

func appendUint(dst []byte, v uint64) []byte {
	switch {
	case v < 256:
		return append(dst, etf.TagSmallInteger, byte(v))
	case v <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(dst, etf.TagInteger), uint32(v))
	}
	n := 0
	for x := v; x > 0; x >>= 8 {
		n++
	}
	dst = append(dst, etf.TagSmallBig, byte(n), 0)
	for ; v > 0; v >>= 8 {
		dst = append(dst, byte(v))
	}
	return dst
}

func tupleHeader(dst []byte, arity int, op Op) []byte {
	return append(dst, etf.TagSmallTuple, byte(arity), etf.TagSmallInteger, byte(op))
}

// payloadSource says where the payload term of a wire message comes from.
type payloadSource uint8

const (
	payloadNone    payloadSource = iota
	payloadMessage               // the caller's payload (message, spawn args)
	payloadReason                // the Reason field of the control value
)

var emptyAtom = etf.Atom("")

// appendControl encodes ctl as the wire variant fit for the negotiated
// flags and reports which payload must follow it and the payload term for
// payloadReason.
func (e *ctlEncoder) appendControl(dst []byte, ctl Control, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	var err error
	hasTok := func(t etf.Term) bool { return t != nil }
	switch c := ctl.(type) {
	case Send:
		if c.From != (etf.PID{}) && flags&FlagSendSender != 0 {
			if hasTok(c.Token) {
				dst = tupleHeader(dst, 4, OpSendSenderTT)
			} else {
				dst = tupleHeader(dst, 3, OpSendSender)
			}
			if dst, err = e.pid(dst, c.From); err != nil {
				return dst, 0, nil, err
			}
		} else {
			if hasTok(c.Token) {
				dst = tupleHeader(dst, 4, OpSendTT)
			} else {
				dst = tupleHeader(dst, 3, OpSend)
			}
			if dst, err = e.atom(dst, emptyAtom); err != nil {
				return dst, 0, nil, err
			}
		}
		if dst, err = e.pid(dst, c.To); err != nil {
			return dst, 0, nil, err
		}
		if hasTok(c.Token) {
			if dst, err = e.term(dst, c.Token); err != nil {
				return dst, 0, nil, err
			}
		}
		return dst, payloadMessage, nil, nil
	case RegSend:
		if hasTok(c.Token) {
			dst = tupleHeader(dst, 5, OpRegSendTT)
		} else {
			dst = tupleHeader(dst, 4, OpRegSend)
		}
		if dst, err = e.pid(dst, c.From); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.atom(dst, emptyAtom); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.atom(dst, c.To); err != nil {
			return dst, 0, nil, err
		}
		if hasTok(c.Token) {
			if dst, err = e.term(dst, c.Token); err != nil {
				return dst, 0, nil, err
			}
		}
		return dst, payloadMessage, nil, nil
	case Link:
		return e.pidPair(dst, OpLink, c.From, c.To)
	case Unlink:
		return e.pidPair(dst, OpUnlink, c.From, c.To)
	case GroupLeader:
		return e.pidPair(dst, OpGroupLeader, c.From, c.To)
	case NodeLink:
		return append(dst, etf.TagSmallTuple, 1, etf.TagSmallInteger, byte(OpNodeLink)), payloadNone, nil, nil
	case Exit:
		return e.exit(dst, flags, OpExit, OpExitTT, OpPayloadExit, OpPayloadExitTT, c.From, c.To, c.Reason, c.Token)
	case Exit2:
		return e.exit(dst, flags, OpExit2, OpExit2TT, OpPayloadExit2, OpPayloadExit2TT, c.From, c.To, c.Reason, c.Token)
	case MonitorP:
		return e.monitor(dst, OpMonitorP, c.From, c.To, c.Ref)
	case DemonitorP:
		return e.monitor(dst, OpDemonitorP, c.From, c.To, c.Ref)
	case MonitorPExit:
		payload := flags&FlagExitPayload != 0
		if payload {
			dst = tupleHeader(dst, 4, OpPayloadMonitorPExit)
		} else {
			dst = tupleHeader(dst, 5, OpMonitorPExit)
		}
		if dst, err = e.term(dst, c.From); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.pid(dst, c.To); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.ref(dst, c.Ref); err != nil {
			return dst, 0, nil, err
		}
		if payload {
			return dst, payloadReason, c.Reason, nil
		}
		dst, err = e.term(dst, c.Reason)
		return dst, payloadNone, nil, err
	case SpawnRequest:
		if flags&FlagSpawn == 0 {
			return dst, 0, nil, fmt.Errorf("%w: SPAWN_REQUEST needs DFLAG_SPAWN", ErrUnsupportedOp)
		}
		if hasTok(c.Token) {
			dst = tupleHeader(dst, 7, OpSpawnRequestTT)
		} else {
			dst = tupleHeader(dst, 6, OpSpawnRequest)
		}
		if dst, err = e.ref(dst, c.ReqID); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.pid(dst, c.From); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.pid(dst, c.GroupLeader); err != nil {
			return dst, 0, nil, err
		}
		dst = append(dst, etf.TagSmallTuple, 3)
		if dst, err = e.atom(dst, c.Module); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.atom(dst, c.Function); err != nil {
			return dst, 0, nil, err
		}
		if c.Arity < 0 || c.Arity > 255 {
			return dst, 0, nil, fmt.Errorf("dist: spawn arity %d out of range", c.Arity)
		}
		dst = append(dst, etf.TagSmallInteger, byte(c.Arity))
		if dst, err = e.enc.AppendTerm(dst, c.Opts); err != nil {
			return dst, 0, nil, err
		}
		if hasTok(c.Token) {
			if dst, err = e.term(dst, c.Token); err != nil {
				return dst, 0, nil, err
			}
		}
		return dst, payloadMessage, nil, nil
	case SpawnReply:
		if hasTok(c.Token) {
			dst = tupleHeader(dst, 6, OpSpawnReplyTT)
		} else {
			dst = tupleHeader(dst, 5, OpSpawnReply)
		}
		if dst, err = e.ref(dst, c.ReqID); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.pid(dst, c.To); err != nil {
			return dst, 0, nil, err
		}
		dst = appendUint(dst, uint64(c.Flags&0xff))
		if dst, err = e.term(dst, c.Result); err != nil {
			return dst, 0, nil, err
		}
		if hasTok(c.Token) {
			if dst, err = e.term(dst, c.Token); err != nil {
				return dst, 0, nil, err
			}
		}
		return dst, payloadNone, nil, nil
	case AliasSend:
		if flags&FlagAltactSig != 0 {
			f := AltactAlias
			if hasTok(c.Token) {
				f |= AltactToken
			}
			return e.altact(dst, f, c.From, c.Alias, c.Token)
		}
		if flags&FlagAlias == 0 {
			return dst, 0, nil, fmt.Errorf("%w: ALIAS_SEND needs DFLAG_ALIAS", ErrUnsupportedOp)
		}
		if hasTok(c.Token) {
			dst = tupleHeader(dst, 4, OpAliasSendTT)
		} else {
			dst = tupleHeader(dst, 3, OpAliasSend)
		}
		if dst, err = e.pid(dst, c.From); err != nil {
			return dst, 0, nil, err
		}
		if dst, err = e.ref(dst, c.Alias); err != nil {
			return dst, 0, nil, err
		}
		if hasTok(c.Token) {
			if dst, err = e.term(dst, c.Token); err != nil {
				return dst, 0, nil, err
			}
		}
		return dst, payloadMessage, nil, nil
	case UnlinkID:
		return e.unlinkID(dst, OpUnlinkID, c.ID, c.From, c.To)
	case UnlinkIDAck:
		return e.unlinkID(dst, OpUnlinkIDAck, c.ID, c.From, c.To)
	case AltactSig:
		if flags&FlagAltactSig == 0 {
			return dst, 0, nil, fmt.Errorf("%w: ALTACT_SIG_SEND needs DFLAG_ALTACT_SIG", ErrUnsupportedOp)
		}
		f := c.Flags &^ AltactToken
		if hasTok(c.Token) {
			f |= AltactToken
		}
		return e.altact(dst, f, c.Sender, c.To, c.Token)
	case nil:
		return dst, 0, nil, fmt.Errorf("dist: nil control message")
	}
	return dst, 0, nil, fmt.Errorf("%w: control type %T", ErrUnsupportedOp, ctl)
}

func (e *ctlEncoder) pidPair(dst []byte, op Op, from, to etf.PID) ([]byte, payloadSource, etf.Term, error) {
	dst = tupleHeader(dst, 3, op)
	dst, err := e.pid(dst, from)
	if err != nil {
		return dst, 0, nil, err
	}
	dst, err = e.pid(dst, to)
	return dst, payloadNone, nil, err
}

func (e *ctlEncoder) exit(dst []byte, flags Flags, op, opTT, opP, opPTT Op, from, to etf.PID, reason, token etf.Term) ([]byte, payloadSource, etf.Term, error) {
	payload := flags&FlagExitPayload != 0
	tok := token != nil
	switch {
	case payload && tok:
		dst = tupleHeader(dst, 4, opPTT)
	case payload:
		dst = tupleHeader(dst, 3, opP)
	case tok:
		dst = tupleHeader(dst, 5, opTT)
	default:
		dst = tupleHeader(dst, 4, op)
	}
	dst, err := e.pid(dst, from)
	if err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.pid(dst, to); err != nil {
		return dst, 0, nil, err
	}
	if tok {
		if dst, err = e.term(dst, token); err != nil {
			return dst, 0, nil, err
		}
	}
	if payload {
		return dst, payloadReason, reason, nil
	}
	dst, err = e.term(dst, reason)
	return dst, payloadNone, nil, err
}

func (e *ctlEncoder) monitor(dst []byte, op Op, from etf.PID, to etf.Term, ref etf.Ref) ([]byte, payloadSource, etf.Term, error) {
	dst = tupleHeader(dst, 4, op)
	dst, err := e.pid(dst, from)
	if err != nil {
		return dst, 0, nil, err
	}
	switch to.(type) {
	case etf.PID, etf.Atom:
	default:
		return dst, 0, nil, fmt.Errorf("dist: %v target must be a PID or an Atom, got %T", op, to)
	}
	if dst, err = e.term(dst, to); err != nil {
		return dst, 0, nil, err
	}
	dst, err = e.ref(dst, ref)
	return dst, payloadNone, nil, err
}

func (e *ctlEncoder) unlinkID(dst []byte, op Op, id uint64, from, to etf.PID) ([]byte, payloadSource, etf.Term, error) {
	if id == 0 {
		return dst, 0, nil, fmt.Errorf("dist: %v id must be non-zero", op)
	}
	dst = tupleHeader(dst, 4, op)
	dst = appendUint(dst, id)
	dst, err := e.pid(dst, from)
	if err != nil {
		return dst, 0, nil, err
	}
	dst, err = e.pid(dst, to)
	return dst, payloadNone, nil, err
}

func (e *ctlEncoder) altact(dst []byte, f AltactFlags, sender etf.PID, to, token etf.Term) ([]byte, payloadSource, etf.Term, error) {
	if f&AltactToken != 0 {
		dst = tupleHeader(dst, 5, OpAltactSigSend)
	} else {
		dst = tupleHeader(dst, 4, OpAltactSigSend)
	}
	dst = appendUint(dst, uint64(f))
	dst, err := e.pid(dst, sender)
	if err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.term(dst, to); err != nil {
		return dst, 0, nil, err
	}
	if f&AltactToken != 0 {
		if dst, err = e.term(dst, token); err != nil {
			return dst, 0, nil, err
		}
	}
	return dst, payloadMessage, nil, nil
}
