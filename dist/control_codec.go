package dist

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
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

// Control message decoding.

// decodeControl converts a decoded control tuple into its typed value and
// reports what payload follows it on the wire.
func decodeControl(t etf.Term) (Control, payloadSource, error) {
	tup, ok := t.(etf.Tuple)
	if !ok || len(tup) == 0 {
		return nil, 0, malformed(nil, "control message is not a tuple: %T", t)
	}
	opn, ok := tup[0].(int)
	if !ok || opn < 0 || opn > 255 {
		return nil, 0, malformed(nil, "control message op is not a small integer")
	}
	op := Op(opn)
	d := ctlDec{tup: tup, op: op}
	arity := func(n int) bool {
		if len(tup) != n {
			d.err = malformed(nil, "%v with arity %d, want %d", op, len(tup), n)
			return false
		}
		return true
	}
	var ctl Control
	src := payloadNone
	switch op {
	case OpLink:
		if arity(3) {
			ctl = Link{From: d.pid(1), To: d.pid(2)}
		}
	case OpUnlink:
		if arity(3) {
			ctl = Unlink{From: d.pid(1), To: d.pid(2)}
		}
	case OpGroupLeader:
		if arity(3) {
			ctl = GroupLeader{From: d.pid(1), To: d.pid(2)}
		}
	case OpNodeLink:
		if arity(1) {
			ctl = NodeLink{}
		}
	case OpSend:
		if arity(3) {
			ctl, src = Send{To: d.pid(2)}, payloadMessage
		}
	case OpSendTT:
		if arity(4) {
			ctl, src = Send{To: d.pid(2), Token: tup[3]}, payloadMessage
		}
	case OpSendSender:
		if arity(3) {
			ctl, src = Send{From: d.pid(1), To: d.pid(2)}, payloadMessage
		}
	case OpSendSenderTT:
		if arity(4) {
			ctl, src = Send{From: d.pid(1), To: d.pid(2), Token: tup[3]}, payloadMessage
		}
	case OpRegSend:
		if arity(4) {
			ctl, src = RegSend{From: d.pid(1), To: d.atom(3)}, payloadMessage
		}
	case OpRegSendTT:
		if arity(5) {
			ctl, src = RegSend{From: d.pid(1), To: d.atom(3), Token: tup[4]}, payloadMessage
		}
	case OpExit:
		if arity(4) {
			ctl = Exit{From: d.pid(1), To: d.pid(2), Reason: tup[3]}
		}
	case OpExitTT:
		if arity(5) {
			ctl = Exit{From: d.pid(1), To: d.pid(2), Token: tup[3], Reason: tup[4]}
		}
	case OpPayloadExit:
		if arity(3) {
			ctl, src = Exit{From: d.pid(1), To: d.pid(2)}, payloadReason
		}
	case OpPayloadExitTT:
		if arity(4) {
			ctl, src = Exit{From: d.pid(1), To: d.pid(2), Token: tup[3]}, payloadReason
		}
	case OpExit2:
		if arity(4) {
			ctl = Exit2{From: d.pid(1), To: d.pid(2), Reason: tup[3]}
		}
	case OpExit2TT:
		if arity(5) {
			ctl = Exit2{From: d.pid(1), To: d.pid(2), Token: tup[3], Reason: tup[4]}
		}
	case OpPayloadExit2:
		if arity(3) {
			ctl, src = Exit2{From: d.pid(1), To: d.pid(2)}, payloadReason
		}
	case OpPayloadExit2TT:
		if arity(4) {
			ctl, src = Exit2{From: d.pid(1), To: d.pid(2), Token: tup[3]}, payloadReason
		}
	case OpMonitorP:
		if arity(4) {
			ctl = MonitorP{From: d.pid(1), To: d.proc(2), Ref: d.ref(3)}
		}
	case OpDemonitorP:
		if arity(4) {
			ctl = DemonitorP{From: d.pid(1), To: d.proc(2), Ref: d.ref(3)}
		}
	case OpMonitorPExit:
		if arity(5) {
			ctl = MonitorPExit{From: d.proc(1), To: d.pid(2), Ref: d.ref(3), Reason: tup[4]}
		}
	case OpPayloadMonitorPExit:
		if arity(4) {
			ctl, src = MonitorPExit{From: d.proc(1), To: d.pid(2), Ref: d.ref(3)}, payloadReason
		}
	case OpSpawnRequest, OpSpawnRequestTT:
		n := 6
		if op == OpSpawnRequestTT {
			n = 7
		}
		if arity(n) {
			r := SpawnRequest{ReqID: d.ref(1), From: d.pid(2), GroupLeader: d.pid(3), Opts: d.list(5)}
			mfa, ok := tup[4].(etf.Tuple)
			if !ok || len(mfa) != 3 {
				d.fail(4, "{M, F, A}")
			} else {
				m, ok1 := mfa[0].(etf.Atom)
				f, ok2 := mfa[1].(etf.Atom)
				a, ok3 := mfa[2].(int)
				if !ok1 || !ok2 || !ok3 || a < 0 || a > 255 {
					d.fail(4, "{M, F, A}")
				}
				r.Module, r.Function, r.Arity = m, f, a
			}
			if n == 7 {
				r.Token = tup[6]
			}
			ctl, src = r, payloadMessage
		}
	case OpSpawnReply, OpSpawnReplyTT:
		n := 5
		if op == OpSpawnReplyTT {
			n = 6
		}
		if arity(n) {
			r := SpawnReply{ReqID: d.ref(1), To: d.pid(2), Flags: d.smallInt(3), Result: tup[4]}
			if n == 6 {
				r.Token = tup[5]
			}
			ctl = r
		}
	case OpAliasSend:
		if arity(3) {
			ctl, src = AliasSend{From: d.pid(1), Alias: d.ref(2)}, payloadMessage
		}
	case OpAliasSendTT:
		if arity(4) {
			ctl, src = AliasSend{From: d.pid(1), Alias: d.ref(2), Token: tup[3]}, payloadMessage
		}
	case OpUnlinkID:
		if arity(4) {
			ctl = UnlinkID{ID: d.uint64(1), From: d.pid(2), To: d.pid(3)}
		}
	case OpUnlinkIDAck:
		if arity(4) {
			ctl = UnlinkIDAck{ID: d.uint64(1), From: d.pid(2), To: d.pid(3)}
		}
	case OpAltactSigSend:
		if len(tup) != 4 && len(tup) != 5 {
			d.err = malformed(nil, "%v with arity %d", op, len(tup))
			break
		}
		f := AltactFlags(d.smallInt(1))
		a := AltactSig{Flags: f, Sender: d.pid(2), To: tup[3]}
		if (f&AltactToken != 0) != (len(tup) == 5) {
			d.fail(1, "token flag")
		}
		if len(tup) == 5 {
			a.Token = tup[4]
		}
		if f&^AltactToken == AltactAlias {
			// A plain alias send from an OTP 28 peer: the same signal as
			// ALIAS_SEND, so deliver it as one.
			if r, ok := a.To.(etf.Ref); ok && d.err == nil {
				return AliasSend{From: a.Sender, Alias: r, Token: a.Token}, payloadMessage, nil
			}
		}
		switch {
		case f&AltactAlias != 0:
			if _, ok := a.To.(etf.Ref); !ok {
				d.fail(3, "alias")
			}
		case f&AltactName != 0:
			if _, ok := a.To.(etf.Atom); !ok {
				d.fail(3, "name")
			}
		default:
			if _, ok := a.To.(etf.PID); !ok {
				d.fail(3, "pid")
			}
		}
		ctl, src = a, payloadMessage
	default:
		return nil, 0, malformed(nil, "unknown control op %d", opn)
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	return ctl, src, nil
}

// withReason stores a PAYLOAD_* reason in the control value.
func withReason(ctl Control, reason etf.Term) Control {
	switch c := ctl.(type) {
	case Exit:
		c.Reason = reason
		return c
	case Exit2:
		c.Reason = reason
		return c
	case MonitorPExit:
		c.Reason = reason
		return c
	}
	return ctl
}

// ctlDec extracts typed fields from a control tuple, remembering the first
// mismatch.
type ctlDec struct {
	tup etf.Tuple
	op  Op
	err error
}

func (d *ctlDec) fail(i int, want string) {
	if d.err == nil {
		d.err = malformed(nil, "%v element %d is not a valid %s (%T)", d.op, i, want, d.tup[i])
	}
}

func (d *ctlDec) pid(i int) etf.PID {
	p, ok := d.tup[i].(etf.PID)
	if !ok {
		d.fail(i, "pid")
	}
	return p
}

func (d *ctlDec) atom(i int) etf.Atom {
	a, ok := d.tup[i].(etf.Atom)
	if !ok {
		d.fail(i, "atom")
	}
	return a
}

func (d *ctlDec) ref(i int) etf.Ref {
	switch r := d.tup[i].(type) {
	case etf.Ref:
		return r
	case etf.Alias:
		return etf.Ref(r)
	}
	d.fail(i, "reference")
	return etf.Ref{}
}

// proc accepts a pid or an atom (a registered name).
func (d *ctlDec) proc(i int) etf.Term {
	switch d.tup[i].(type) {
	case etf.PID, etf.Atom:
		return d.tup[i]
	}
	d.fail(i, "pid or name")
	return nil
}

func (d *ctlDec) list(i int) etf.List {
	switch l := d.tup[i].(type) {
	case etf.List:
		return l
	case nil:
		return nil
	case etf.Charlist:
		out := make(etf.List, 0, len(l))
		for _, r := range string(l) {
			out = append(out, int(r))
		}
		return out
	}
	d.fail(i, "list")
	return nil
}

func (d *ctlDec) smallInt(i int) int {
	v, ok := d.tup[i].(int)
	if !ok || v < 0 || v > math.MaxInt32 {
		d.fail(i, "integer")
	}
	return v
}

func (d *ctlDec) uint64(i int) uint64 {
	switch v := d.tup[i].(type) {
	case int:
		if v > 0 {
			return uint64(v)
		}
	case *big.Int:
		if v.Sign() > 0 && v.IsUint64() {
			return v.Uint64()
		}
	}
	d.fail(i, "unlink id")
	return 0
}
