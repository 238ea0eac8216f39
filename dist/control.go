// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"strconv"

	"github.com/erlgo/erlgo/etf"
)

// Op is a distribution control message operation code (DOP_* in ERTS'
// dist.h; erl_dist_protocol "Protocol between connected nodes").
type Op uint8

// Control message operation codes.
const (
	OpLink                Op = 1
	OpSend                Op = 2
	OpExit                Op = 3
	OpUnlink              Op = 4 // obsolete since OTP 26 (use UNLINK_ID)
	OpNodeLink            Op = 5 // ancient, ignored
	OpRegSend             Op = 6
	OpGroupLeader         Op = 7
	OpExit2               Op = 8
	OpSendTT              Op = 12
	OpExitTT              Op = 13
	OpRegSendTT           Op = 16
	OpExit2TT             Op = 18
	OpMonitorP            Op = 19
	OpDemonitorP          Op = 20
	OpMonitorPExit        Op = 21
	OpSendSender          Op = 22
	OpSendSenderTT        Op = 23
	OpPayloadExit         Op = 24
	OpPayloadExitTT       Op = 25
	OpPayloadExit2        Op = 26
	OpPayloadExit2TT      Op = 27
	OpPayloadMonitorPExit Op = 28
	OpSpawnRequest        Op = 29
	OpSpawnRequestTT      Op = 30
	OpSpawnReply          Op = 31
	OpSpawnReplyTT        Op = 32
	OpAliasSend           Op = 33
	OpAliasSendTT         Op = 34
	OpUnlinkID            Op = 35
	OpUnlinkIDAck         Op = 36
	OpAltactSigSend       Op = 37
)

var opNames = [...]string{
	1: "LINK", 2: "SEND", 3: "EXIT", 4: "UNLINK", 5: "NODE_LINK", 6: "REG_SEND",
	7: "GROUP_LEADER", 8: "EXIT2", 12: "SEND_TT", 13: "EXIT_TT", 16: "REG_SEND_TT",
	18: "EXIT2_TT", 19: "MONITOR_P", 20: "DEMONITOR_P", 21: "MONITOR_P_EXIT",
	22: "SEND_SENDER", 23: "SEND_SENDER_TT", 24: "PAYLOAD_EXIT", 25: "PAYLOAD_EXIT_TT",
	26: "PAYLOAD_EXIT2", 27: "PAYLOAD_EXIT2_TT", 28: "PAYLOAD_MONITOR_P_EXIT",
	29: "SPAWN_REQUEST", 30: "SPAWN_REQUEST_TT", 31: "SPAWN_REPLY", 32: "SPAWN_REPLY_TT",
	33: "ALIAS_SEND", 34: "ALIAS_SEND_TT", 35: "UNLINK_ID", 36: "UNLINK_ID_ACK",
	37: "ALTACT_SIG_SEND",
}

// String returns the OTP name of the operation.
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "OP_" + strconv.Itoa(int(o))
}

// Control is a typed control message. There is one struct per operation;
// wire variants are normalized: a received SEND_SENDER is a Send with From
// set, *_TT variants set Token, PAYLOAD_EXIT* carry their reason in the
// Reason field. Op reports the base operation of the value (OpSend for
// every send variant, OpExit for EXIT/EXIT_TT/PAYLOAD_EXIT/PAYLOAD_EXIT_TT,
// ...); the wire variant sent is chosen from the negotiated flags.
type Control interface {
	Op() Op
}

// Link is LINK {1, From, To}.
type Link struct{ From, To etf.PID }

// Send is SEND {2, ”, To} (+Msg). With a non-zero From and a peer that set
// SEND_SENDER it goes out as SEND_SENDER {22, From, To}. A non-nil Token
// selects SEND_TT / SEND_SENDER_TT.
type Send struct {
	From  etf.PID // zero unless received as SEND_SENDER or known on send
	To    etf.PID
	Token etf.Term // seq_trace token or nil
}

// Exit is a link exit signal: EXIT {3, From, To, Reason}, EXIT_TT, or
// PAYLOAD_EXIT(_TT) {24, From, To} +Reason when the peer set EXIT_PAYLOAD.
type Exit struct {
	From, To etf.PID
	Reason   etf.Term
	Token    etf.Term
}

// Unlink is the obsolete UNLINK {4, From, To}; OTP 26+ peers use UnlinkID.
type Unlink struct{ From, To etf.PID }

// NodeLink is the ancient NODE_LINK {5}; it carries nothing.
type NodeLink struct{}

// RegSend is REG_SEND {6, From, ”, ToName} (+Msg) or REG_SEND_TT.
type RegSend struct {
	From  etf.PID
	To    etf.Atom
	Token etf.Term
}

// GroupLeader is GROUP_LEADER {7, From, To}: From becomes To's group leader.
type GroupLeader struct{ From, To etf.PID }

// Exit2 is exit/2: EXIT2 {8, From, To, Reason}, EXIT2_TT, or
// PAYLOAD_EXIT2(_TT) when the peer set EXIT_PAYLOAD.
type Exit2 struct {
	From, To etf.PID
	Reason   etf.Term
	Token    etf.Term
}

// MonitorP is MONITOR_P {19, From, To, Ref}; To is a PID or an Atom name.
type MonitorP struct {
	From etf.PID
	To   etf.Term
	Ref  etf.Ref
}

// DemonitorP is DEMONITOR_P {20, From, To, Ref}.
type DemonitorP struct {
	From etf.PID
	To   etf.Term
	Ref  etf.Ref
}

// MonitorPExit is a monitor DOWN: MONITOR_P_EXIT {21, From, To, Ref, Reason}
// or PAYLOAD_MONITOR_P_EXIT {28, From, To, Ref} +Reason. From is the PID or
// Atom name that was monitored.
type MonitorPExit struct {
	From   etf.Term
	To     etf.PID
	Ref    etf.Ref
	Reason etf.Term
}

// SpawnRequest is SPAWN_REQUEST {29, ReqID, From, GroupLeader, {M, F, A},
// Opts} (+ArgList) or SPAWN_REQUEST_TT. The argument list is the message
// payload.
type SpawnRequest struct {
	ReqID       etf.Ref
	From        etf.PID
	GroupLeader etf.PID
	Module      etf.Atom
	Function    etf.Atom
	Arity       int
	Opts        etf.List
	Token       etf.Term
}

// Spawn reply flags (SpawnReply.Flags).
const (
	SpawnReplyLink    = 1 // a link was set up
	SpawnReplyMonitor = 2 // a monitor was set up
)

// SpawnReply is SPAWN_REPLY {31, ReqID, To, Flags, Result} or
// SPAWN_REPLY_TT. Result is the new PID or an error atom.
type SpawnReply struct {
	ReqID  etf.Ref
	To     etf.PID
	Flags  int
	Result etf.Term
	Token  etf.Term
}

// AliasSend is a send to a process alias: ALIAS_SEND {33, From, Alias}
// (+Msg), ALIAS_SEND_TT, or ALTACT_SIG_SEND with the ALIAS flag when the
// peer set ALTACT_SIG (OTP 28).
type AliasSend struct {
	From  etf.PID
	Alias etf.Ref
	Token etf.Term
}

// UnlinkID is UNLINK_ID {35, ID, From, To}.
type UnlinkID struct {
	ID       uint64
	From, To etf.PID
}

// UnlinkIDAck is UNLINK_ID_ACK {36, ID, From, To}; From is the acker.
type UnlinkIDAck struct {
	ID       uint64
	From, To etf.PID
}

// AltactFlags are the flags of ALTACT_SIG_SEND (EEP 76, OTP 28).
type AltactFlags int

// ALTACT_SIG_SEND flags.
const (
	AltactPrio  AltactFlags = 1  // priority signal
	AltactToken AltactFlags = 2  // a seq_trace token follows To
	AltactAlias AltactFlags = 4  // To is an alias (Ref)
	AltactName  AltactFlags = 8  // To is a registered name (Atom)
	AltactExit  AltactFlags = 16 // the payload is an exit reason (exit/2)
)

// AltactSig is ALTACT_SIG_SEND {37, Flags, Sender, To[, Token]} +Msg or
// +Reason. To is a PID, a Ref (AltactAlias) or an Atom (AltactName). On
// send the AltactToken flag is derived from Token. A received
// ALTACT_SIG_SEND whose only flag is ALIAS (plus TOKEN) is delivered as an
// AliasSend, since it is exactly that signal.
type AltactSig struct {
	Flags  AltactFlags
	Sender etf.PID
	To     etf.Term
	Token  etf.Term
}

// Op implements Control.
func (Link) Op() Op { return OpLink }

// Op implements Control.
func (Send) Op() Op { return OpSend }

// Op implements Control.
func (Exit) Op() Op { return OpExit }

// Op implements Control.
func (Unlink) Op() Op { return OpUnlink }

// Op implements Control.
func (NodeLink) Op() Op { return OpNodeLink }

// Op implements Control.
func (RegSend) Op() Op { return OpRegSend }

// Op implements Control.
func (GroupLeader) Op() Op { return OpGroupLeader }

// Op implements Control.
func (Exit2) Op() Op { return OpExit2 }

// Op implements Control.
func (MonitorP) Op() Op { return OpMonitorP }

// Op implements Control.
func (DemonitorP) Op() Op { return OpDemonitorP }

// Op implements Control.
func (MonitorPExit) Op() Op { return OpMonitorPExit }

// Op implements Control.
func (SpawnRequest) Op() Op { return OpSpawnRequest }

// Op implements Control.
func (SpawnReply) Op() Op { return OpSpawnReply }

// Op implements Control.
func (AliasSend) Op() Op { return OpAliasSend }

// Op implements Control.
func (UnlinkID) Op() Op { return OpUnlinkID }

// Op implements Control.
func (UnlinkIDAck) Op() Op { return OpUnlinkIDAck }

// Op implements Control.
func (AltactSig) Op() Op { return OpAltactSigSend }

// Mismatched is the Payload of a send whose term names a type registered
// in Config.Registry but does not fit it. It stands in the Payload rather
// than in a field of Message because every received message is copied
// several times on the way to the Handler, and a wider Message measurably
// slowed the decoding of all of them (BenchmarkDecodeSendFrame).
type Mismatched struct {
	// Term is the raw term, nil when the registry rejects misfits.
	Term etf.Term
	// Err says why it does not fit: usually an *etf.MismatchError,
	// matching etf.ErrMismatch, and etf.ErrRejected when rejected.
	Err error
}

// Message is one received (or sent) distribution message: a control
// message and, for operations that carry one, the payload term (the
// message of a send, the argument list of a spawn request). Payload is nil
// when the operation has none; PAYLOAD_* reasons are in the Control value.
type Message struct {
	Control Control
	Payload etf.Term
}
