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
// payloadReason. It dispatches on the control type to one helper per
// family; a type switch keeps it allocation-free.
func (e *ctlEncoder) appendControl(dst []byte, ctl Control, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	switch c := ctl.(type) {
	case Send:
		// SEND is most of the traffic: written out here as one piece, not
		// in a helper, which cost ~10% more instructions per control
		// (callgrind).
		var err error
		if c.From != (etf.PID{}) && flags&FlagSendSender != 0 {
			if c.Token != nil {
				dst = tupleHeader(dst, 4, OpSendSenderTT)
			} else {
				dst = tupleHeader(dst, 3, OpSendSender)
			}
			if dst, err = e.pid(dst, c.From); err != nil {
				return dst, 0, nil, err
			}
		} else {
			if c.Token != nil {
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
		if dst, err = e.token(dst, c.Token); err != nil {
			return dst, 0, nil, err
		}
		return dst, payloadMessage, nil, nil
	case RegSend:
		dst, err := e.regSend(dst, &c)
		return dst, payloadMessage, nil, err
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
		return e.monitorExit(dst, &c, flags)
	case SpawnRequest:
		return e.spawnRequest(dst, &c, flags)
	case SpawnReply:
		return e.spawnReply(dst, &c)
	case AliasSend:
		return e.aliasSend(dst, &c, flags)
	case UnlinkID:
		return e.unlinkID(dst, OpUnlinkID, c.ID, c.From, c.To)
	case UnlinkIDAck:
		return e.unlinkID(dst, OpUnlinkIDAck, c.ID, c.From, c.To)
	case AltactSig:
		return e.altactSig(dst, &c, flags)
	case nil:
		return dst, 0, nil, fmt.Errorf("dist: nil control message")
	}
	return dst, 0, nil, fmt.Errorf("%w: control type %T", ErrUnsupportedOp, ctl)
}

// token appends a seq_trace token when there is one (the TT variants).
func (e *ctlEncoder) token(dst []byte, tok etf.Term) ([]byte, error) {
	if tok == nil {
		return dst, nil
	}
	return e.term(dst, tok)
}

// pick returns the TT op when there is a token.
func pick(tok etf.Term, op, opTT Op) Op {
	if tok != nil {
		return opTT
	}
	return op
}

// regSend writes REG_SEND {6, From, Unused, ToName} or REG_SEND_TT; the
// message follows as the payload.
func (e *ctlEncoder) regSend(dst []byte, c *RegSend) ([]byte, error) {
	dst = tupleHeader(dst, 4+b2i(c.Token != nil), pick(c.Token, OpRegSend, OpRegSendTT))
	dst, err := e.pid(dst, c.From)
	if err != nil {
		return dst, err
	}
	if dst, err = e.atom(dst, emptyAtom); err != nil {
		return dst, err
	}
	if dst, err = e.atom(dst, c.To); err != nil {
		return dst, err
	}
	return e.token(dst, c.Token)
}

// monitorExit writes MONITOR_P_EXIT {21, FromProc, To, Ref, Reason}, or
// PAYLOAD_MONITOR_P_EXIT with the reason as payload when the peer takes it.
func (e *ctlEncoder) monitorExit(dst []byte, c *MonitorPExit, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	payload := flags&FlagExitPayload != 0
	if payload {
		dst = tupleHeader(dst, 4, OpPayloadMonitorPExit)
	} else {
		dst = tupleHeader(dst, 5, OpMonitorPExit)
	}
	dst, err := e.term(dst, c.From)
	if err != nil {
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
}

// spawnRequest writes SPAWN_REQUEST {29, ReqId, From, GroupLeader,
// {Module, Function, Arity}, OptList} or its TT form; the argument list
// follows as the payload.
func (e *ctlEncoder) spawnRequest(dst []byte, c *SpawnRequest, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	if flags&FlagSpawn == 0 {
		return dst, 0, nil, fmt.Errorf("%w: SPAWN_REQUEST needs DFLAG_SPAWN", ErrUnsupportedOp)
	}
	dst = tupleHeader(dst, 6+b2i(c.Token != nil), pick(c.Token, OpSpawnRequest, OpSpawnRequestTT))
	dst, err := e.ref(dst, c.ReqID)
	if err != nil {
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
	if dst, err = e.token(dst, c.Token); err != nil {
		return dst, 0, nil, err
	}
	return dst, payloadMessage, nil, nil
}

// spawnReply writes SPAWN_REPLY {31, ReqId, To, Flags, Result} or its TT
// form.
func (e *ctlEncoder) spawnReply(dst []byte, c *SpawnReply) ([]byte, payloadSource, etf.Term, error) {
	dst = tupleHeader(dst, 5+b2i(c.Token != nil), pick(c.Token, OpSpawnReply, OpSpawnReplyTT))
	dst, err := e.ref(dst, c.ReqID)
	if err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.pid(dst, c.To); err != nil {
		return dst, 0, nil, err
	}
	dst = appendUint(dst, uint64(c.Flags&0xff))
	if dst, err = e.term(dst, c.Result); err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.token(dst, c.Token); err != nil {
		return dst, 0, nil, err
	}
	return dst, payloadNone, nil, nil
}

// aliasSend writes an alias send: as ALTACT_SIG_SEND with the alias flag
// when the peer negotiated DFLAG_ALTACT_SIG, else as ALIAS_SEND {33, From,
// Alias} or its TT form (DFLAG_ALIAS).
func (e *ctlEncoder) aliasSend(dst []byte, c *AliasSend, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	var err error
	if flags&FlagAltactSig != 0 {
		f := AltactAlias
		if c.Token != nil {
			f |= AltactToken
		}
		if dst, err = e.altactHead(dst, f, c.From); err != nil {
			return dst, 0, nil, err
		}
	} else {
		if flags&FlagAlias == 0 {
			return dst, 0, nil, fmt.Errorf("%w: ALIAS_SEND needs DFLAG_ALIAS", ErrUnsupportedOp)
		}
		dst = tupleHeader(dst, 3+b2i(c.Token != nil), pick(c.Token, OpAliasSend, OpAliasSendTT))
		if dst, err = e.pid(dst, c.From); err != nil {
			return dst, 0, nil, err
		}
	}
	// The alias goes through ref, not term: boxing the Ref as a Term would
	// allocate on every send.
	if dst, err = e.ref(dst, c.Alias); err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.token(dst, c.Token); err != nil {
		return dst, 0, nil, err
	}
	return dst, payloadMessage, nil, nil
}

// altactSig writes ALTACT_SIG_SEND {37, Flags, SenderPid, To[, Token]}; the
// token flag follows whether there is a token.
func (e *ctlEncoder) altactSig(dst []byte, c *AltactSig, flags Flags) ([]byte, payloadSource, etf.Term, error) {
	if flags&FlagAltactSig == 0 {
		return dst, 0, nil, fmt.Errorf("%w: ALTACT_SIG_SEND needs DFLAG_ALTACT_SIG", ErrUnsupportedOp)
	}
	f := c.Flags &^ AltactToken
	if c.Token != nil {
		f |= AltactToken
	}
	dst, err := e.altactHead(dst, f, c.Sender)
	if err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.term(dst, c.To); err != nil {
		return dst, 0, nil, err
	}
	if dst, err = e.token(dst, c.Token); err != nil {
		return dst, 0, nil, err
	}
	return dst, payloadMessage, nil, nil
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

// altactHead writes the part of ALTACT_SIG_SEND before To: the tuple
// header (arity 5 with the token flag), the flags and the sender.
func (e *ctlEncoder) altactHead(dst []byte, f AltactFlags, sender etf.PID) ([]byte, error) {
	dst = tupleHeader(dst, 4+b2i(f&AltactToken != 0), OpAltactSigSend)
	dst = appendUint(dst, uint64(f))
	return e.pid(dst, sender)
}
