package dist

import (
	"github.com/erlgo/erlgo/etf"
)

// Sender and target checks on received control messages.
//
// ERTS (erts_net_message in erts/emulator/beam/dist.c) rejects a signal
// whose sender is not a process of the node at the other end of the
// connection it came on, or whose target must be a local process and is
// not, as "Invalid distribution message", and closes the connection. The
// rules below are the same, op by op:
//
//   - LINK, UNLINK, UNLINK_ID, UNLINK_ID_ACK, EXIT*, EXIT2*, MONITOR_P,
//     DEMONITOR_P: the sender pid must be on the peer node; the target pid
//     must be on this node (MONITOR_P/DEMONITOR_P may name a registered
//     process instead).
//   - MONITOR_P_EXIT: the target (watcher) must be local; a pid as the
//     monitored object must not be local.
//   - SPAWN_REPLY: the parent pid and the request ref must be local; a pid
//     result must not be local.
//   - SPAWN_REQUEST: the request ref and the parent must not be local.
//   - SEND*, REG_SEND*, ALIAS_SEND*, GROUP_LEADER and message forms of
//     ALTACT_SIG_SEND: no node checks (the sender of a message is only
//     information for its receiver); ERTS delivers them.
//
// Three places are stricter than ERTS, all where legitimate BEAM traffic
// can only carry the peer's own pids: SPAWN_REQUEST's parent, a pid
// MONITOR_P_EXIT reports as down and the sender of an ALTACT_SIG_SEND exit
// signal must be on the peer (ERTS checks these through later lookups
// that erlgo's node layer does not make).
//
// "Local" means the node name; a pid of an old incarnation of this node
// passes here and the node layer, which compares creations, finds no
// process for it (ERTS answers noproc or drops such signals).

// checkSignal reports whether ctl, received from peer by the node self, is
// a valid signal. The error matches ErrInvalidMessage and ErrMalformed.
func checkSignal(ctl Control, peer, self etf.Atom) error {
	k := sigCheck{ctl: ctl, peer: peer, self: self}
	switch c := ctl.(type) {
	case Send, RegSend, AliasSend, GroupLeader, NodeLink:
		return nil // messages: no node checks (see above)
	case MonitorP:
		return k.monitor(c.From, c.To)
	case DemonitorP:
		return k.monitor(c.From, c.To)
	case MonitorPExit:
		if p, ok := c.From.(etf.PID); ok {
			if err := k.fromPeer(p, "monitored process"); err != nil {
				return err
			}
		}
		return k.local(c.To, "watcher")
	case SpawnRequest:
		if c.ReqID.Node == self {
			return invalidMsg(ctl, "request reference of this node")
		}
		return k.fromPeer(c.From, "parent")
	case SpawnReply:
		if err := k.local(c.To, "parent"); err != nil {
			return err
		}
		if c.ReqID.Node != self {
			return invalidMsg(ctl, "request reference of node %s", c.ReqID.Node)
		}
		if p, ok := c.Result.(etf.PID); ok {
			return k.notLocal(p, "spawned process")
		}
		return nil
	case AltactSig:
		if c.Flags&AltactExit != 0 {
			if err := k.fromPeer(c.Sender, "sender"); err != nil {
				return err
			}
			if p, ok := c.To.(etf.PID); ok {
				return k.local(p, "target")
			}
		}
		return nil
	case senderTarget: // LINK, UNLINK, UNLINK_ID(_ACK), EXIT*, EXIT2*
		from, to := c.senderTarget()
		if err := k.fromPeer(from, "sender"); err != nil {
			return err
		}
		return k.local(to, "target")
	}
	return nil
}

// senderTarget is implemented by the signals whose sender must be on the
// peer and whose target must be local, and nothing more.
type senderTarget interface {
	senderTarget() (from, to etf.PID)
}

func (c Link) senderTarget() (etf.PID, etf.PID)        { return c.From, c.To }
func (c Unlink) senderTarget() (etf.PID, etf.PID)      { return c.From, c.To }
func (c UnlinkID) senderTarget() (etf.PID, etf.PID)    { return c.From, c.To }
func (c UnlinkIDAck) senderTarget() (etf.PID, etf.PID) { return c.From, c.To }
func (c Exit) senderTarget() (etf.PID, etf.PID)        { return c.From, c.To }
func (c Exit2) senderTarget() (etf.PID, etf.PID)       { return c.From, c.To }

// sigCheck names the node checks for one received signal.
type sigCheck struct {
	ctl        Control
	peer, self etf.Atom
}

func (k *sigCheck) fromPeer(p etf.PID, what string) error {
	if p.Node != k.peer {
		return invalidMsg(k.ctl, "%s %s is not a process of the peer %s", what, pidString(p), k.peer)
	}
	return nil
}

func (k *sigCheck) local(p etf.PID, what string) error {
	if p.Node != k.self {
		return invalidMsg(k.ctl, "%s %s is not a local process", what, pidString(p))
	}
	return nil
}

func (k *sigCheck) notLocal(p etf.PID, what string) error {
	if p.Node == k.self {
		return invalidMsg(k.ctl, "%s %s is a local process", what, pidString(p))
	}
	return nil
}

// monitor checks MONITOR_P and DEMONITOR_P: the watcher is the peer's, a
// monitored pid (not a name) is local.
func (k *sigCheck) monitor(from etf.PID, to etf.Term) error {
	if err := k.fromPeer(from, "watcher"); err != nil {
		return err
	}
	if p, ok := to.(etf.PID); ok {
		return k.local(p, "monitored process")
	}
	return nil
}

func invalidMsg(ctl Control, format string, args ...any) error {
	args = append([]any{ctl.Op()}, args...)
	return malformed(ErrInvalidMessage, "%v: "+format, args...)
}

func pidString(p etf.PID) string {
	return "<" + string(p.Node) + "." + itoa(int(p.ID)) + "." + itoa(int(p.Serial)) + ">"
}
