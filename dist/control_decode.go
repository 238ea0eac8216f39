// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"math"
	"math/big"

	"github.com/erlgo/erlgo/etf"
)

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
