// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"math"
	"math/big"

	"github.com/erlgo/erlgo/etf"
)

// Control message decoding. decodeControl dispatches on the op to one
// helper per family (the plain, TT and PAYLOAD variants of an operation
// share one tuple layout); each helper checks the arity and reads the
// fields, and the first mismatch is kept in ctlDec.err.

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
	var ctl Control
	src := payloadNone
	switch op {
	case OpLink, OpUnlink, OpGroupLeader:
		ctl = d.pidPair()
	case OpNodeLink:
		if d.arity(1) {
			ctl = NodeLink{}
		}
	case OpSend, OpSendTT, OpSendSender, OpSendSenderTT:
		ctl, src = d.send()
	case OpRegSend, OpRegSendTT:
		ctl, src = d.regSend()
	case OpExit, OpExit2:
		ctl, src = d.exit(false, false)
	case OpExitTT, OpExit2TT:
		ctl, src = d.exit(true, false)
	case OpPayloadExit, OpPayloadExit2:
		ctl, src = d.exit(false, true)
	case OpPayloadExitTT, OpPayloadExit2TT:
		ctl, src = d.exit(true, true)
	case OpMonitorP, OpDemonitorP:
		ctl = d.monitor()
	case OpMonitorPExit, OpPayloadMonitorPExit:
		ctl, src = d.monitorExit()
	case OpSpawnRequest, OpSpawnRequestTT:
		ctl, src = d.spawnRequest()
	case OpSpawnReply, OpSpawnReplyTT:
		ctl = d.spawnReply()
	case OpAliasSend, OpAliasSendTT:
		ctl, src = d.aliasSend()
	case OpUnlinkID, OpUnlinkIDAck:
		ctl = d.unlinkID()
	case OpAltactSigSend:
		ctl, src = d.altact()
	default:
		return nil, 0, malformed(nil, "unknown control op %d", opn)
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	return ctl, src, nil
}

// The per-family helpers. Each returns a nil Control when d.err is set,
// which decodeControl then reports.

// pidPair decodes LINK, UNLINK and GROUP_LEADER: {Op, From, To}.
func (d *ctlDec) pidPair() Control {
	if !d.arity(3) {
		return nil
	}
	from, to := d.pid(1), d.pid(2)
	switch d.op {
	case OpLink:
		return Link{From: from, To: to}
	case OpUnlink:
		return Unlink{From: from, To: to}
	}
	return GroupLeader{From: from, To: to}
}

// send decodes SEND {2, Unused, To}, SEND_SENDER {22, From, To} and their TT
// forms with a trailing token; the unused cookie slot of SEND is ignored.
func (d *ctlDec) send() (Control, payloadSource) {
	tt := d.op == OpSendTT || d.op == OpSendSenderTT
	if !d.arity(3 + b2i(tt)) {
		return nil, 0
	}
	var s Send
	if d.op == OpSendSender || d.op == OpSendSenderTT {
		s.From = d.pid(1)
	}
	s.To = d.pid(2)
	if tt {
		s.Token = d.tup[3]
	}
	return s, payloadMessage
}

// regSend decodes REG_SEND {6, From, Unused, ToName} and REG_SEND_TT.
func (d *ctlDec) regSend() (Control, payloadSource) {
	tt := d.op == OpRegSendTT
	if !d.arity(4 + b2i(tt)) {
		return nil, 0
	}
	r := RegSend{From: d.pid(1), To: d.atom(3)}
	if tt {
		r.Token = d.tup[4]
	}
	return r, payloadMessage
}

// exit decodes EXIT and EXIT2 in all four variants, which share one layout:
// {Op, From, To[, Token][, Reason]}; tt says the token is there, payload
// that the reason is the payload (PAYLOAD_*, DFLAG_EXIT_PAYLOAD).
func (d *ctlDec) exit(tt, payload bool) (Control, payloadSource) {
	n := 3 + b2i(tt) + b2i(!payload)
	if !d.arity(n) {
		return nil, 0
	}
	e := Exit{From: d.pid(1), To: d.pid(2)}
	if tt {
		e.Token = d.tup[3]
	}
	src := payloadReason
	if !payload {
		e.Reason, src = d.tup[n-1], payloadNone
	}
	switch d.op {
	case OpExit2, OpExit2TT, OpPayloadExit2, OpPayloadExit2TT:
		return Exit2(e), src
	}
	return e, src
}

// monitor decodes MONITOR_P and DEMONITOR_P: {Op, From, ToProc, Ref}.
func (d *ctlDec) monitor() Control {
	if !d.arity(4) {
		return nil
	}
	m := MonitorP{From: d.pid(1), To: d.proc(2), Ref: d.ref(3)}
	if d.op == OpDemonitorP {
		return DemonitorP(m)
	}
	return m
}

// monitorExit decodes MONITOR_P_EXIT {21, FromProc, To, Ref, Reason} and
// PAYLOAD_MONITOR_P_EXIT, whose reason is the payload.
func (d *ctlDec) monitorExit() (Control, payloadSource) {
	payload := d.op == OpPayloadMonitorPExit
	if !d.arity(5 - b2i(payload)) {
		return nil, 0
	}
	m := MonitorPExit{From: d.proc(1), To: d.pid(2), Ref: d.ref(3)}
	if payload {
		return m, payloadReason
	}
	m.Reason = d.tup[4]
	return m, payloadNone
}

// spawnRequest decodes SPAWN_REQUEST {29, ReqId, From, GroupLeader,
// {Module, Function, Arity}, OptList} and its TT form; the argument list is
// the payload.
func (d *ctlDec) spawnRequest() (Control, payloadSource) {
	tt := d.op == OpSpawnRequestTT
	if !d.arity(6 + b2i(tt)) {
		return nil, 0
	}
	r := SpawnRequest{ReqID: d.ref(1), From: d.pid(2), GroupLeader: d.pid(3), Opts: d.list(5)}
	mfa, ok := d.tup[4].(etf.Tuple)
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
	if tt {
		r.Token = d.tup[6]
	}
	return r, payloadMessage
}

// spawnReply decodes SPAWN_REPLY {31, ReqId, To, Flags, Result} and its TT
// form.
func (d *ctlDec) spawnReply() Control {
	tt := d.op == OpSpawnReplyTT
	if !d.arity(5 + b2i(tt)) {
		return nil
	}
	r := SpawnReply{ReqID: d.ref(1), To: d.pid(2), Flags: d.smallInt(3), Result: d.tup[4]}
	if tt {
		r.Token = d.tup[5]
	}
	return r
}

// aliasSend decodes ALIAS_SEND {33, From, Alias} and its TT form.
func (d *ctlDec) aliasSend() (Control, payloadSource) {
	tt := d.op == OpAliasSendTT
	if !d.arity(3 + b2i(tt)) {
		return nil, 0
	}
	a := AliasSend{From: d.pid(1), Alias: d.ref(2)}
	if tt {
		a.Token = d.tup[3]
	}
	return a, payloadMessage
}

// unlinkID decodes UNLINK_ID and UNLINK_ID_ACK: {Op, Id, From, To}.
func (d *ctlDec) unlinkID() Control {
	if !d.arity(4) {
		return nil
	}
	u := UnlinkID{ID: d.uint64(1), From: d.pid(2), To: d.pid(3)}
	if d.op == OpUnlinkIDAck {
		return UnlinkIDAck(u)
	}
	return u
}

// altact decodes ALTACT_SIG_SEND {37, Flags, SenderPid, To[, Token]}: the
// token is present exactly when the flags say so, and To's type must match
// the alias/name flags.
func (d *ctlDec) altact() (Control, payloadSource) {
	if len(d.tup) != 4 && len(d.tup) != 5 {
		d.err = malformed(nil, "%v with arity %d", d.op, len(d.tup))
		return nil, 0
	}
	f := AltactFlags(d.smallInt(1))
	a := AltactSig{Flags: f, Sender: d.pid(2), To: d.tup[3]}
	if (f&AltactToken != 0) != (len(d.tup) == 5) {
		d.fail(1, "token flag")
	}
	if len(d.tup) == 5 {
		a.Token = d.tup[4]
	}
	if f&^AltactToken == AltactAlias {
		// A plain alias send from an OTP 28 peer: the same signal as
		// ALIAS_SEND, so deliver it as one.
		if r, ok := a.To.(etf.Ref); ok && d.err == nil {
			return AliasSend{From: a.Sender, Alias: r, Token: a.Token}, payloadMessage
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
	return a, payloadMessage
}

// b2i is 1 for true: the TT and PAYLOAD variants add or drop one element.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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

// arity checks the tuple's size for the op. It is small enough to inline,
// the error path is not: every control message passes here.
func (d *ctlDec) arity(n int) bool {
	if len(d.tup) != n {
		d.arityErr(n)
		return false
	}
	return true
}

//go:noinline
func (d *ctlDec) arityErr(n int) {
	d.err = malformed(nil, "%v with arity %d, want %d", d.op, len(d.tup), n)
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
	if l, ok := etf.AsList(d.tup[i]); ok {
		return l
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
