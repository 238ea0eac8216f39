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
	fromPeer := func(p etf.PID, what string) error {
		if p.Node != peer {
			return invalidMsg(ctl, "%s %s is not a process of the peer %s", what, pidString(p), peer)
		}
		return nil
	}
	local := func(p etf.PID, what string) error {
		if p.Node != self {
			return invalidMsg(ctl, "%s %s is not a local process", what, pidString(p))
		}
		return nil
	}
	notLocal := func(p etf.PID, what string) error {
		if p.Node == self {
			return invalidMsg(ctl, "%s %s is a local process", what, pidString(p))
		}
		return nil
	}
	both := func(from, to etf.PID) error {
		if err := fromPeer(from, "sender"); err != nil {
			return err
		}
		return local(to, "target")
	}
	switch c := ctl.(type) {
	case Link:
		return both(c.From, c.To)
	case Unlink:
		return both(c.From, c.To)
	case UnlinkID:
		return both(c.From, c.To)
	case UnlinkIDAck:
		return both(c.From, c.To)
	case Exit:
		return both(c.From, c.To)
	case Exit2:
		return both(c.From, c.To)
	case MonitorP:
		return monitorTarget(ctl, c.From, c.To, fromPeer, local)
	case DemonitorP:
		return monitorTarget(ctl, c.From, c.To, fromPeer, local)
	case MonitorPExit:
		if p, ok := c.From.(etf.PID); ok {
			if err := fromPeer(p, "monitored process"); err != nil {
				return err
			}
		}
		return local(c.To, "watcher")
	case SpawnRequest:
		if c.ReqID.Node == self {
			return invalidMsg(ctl, "request reference of this node")
		}
		return fromPeer(c.From, "parent")
	case SpawnReply:
		if err := local(c.To, "parent"); err != nil {
			return err
		}
		if c.ReqID.Node != self {
			return invalidMsg(ctl, "request reference of node %s", c.ReqID.Node)
		}
		if p, ok := c.Result.(etf.PID); ok {
			return notLocal(p, "spawned process")
		}
		return nil
	case AltactSig:
		if c.Flags&AltactExit != 0 {
			if err := fromPeer(c.Sender, "sender"); err != nil {
				return err
			}
			if p, ok := c.To.(etf.PID); ok {
				return local(p, "target")
			}
		}
		return nil
	}
	return nil
}

func monitorTarget(ctl Control, from etf.PID, to etf.Term,
	fromPeer, local func(etf.PID, string) error) error {
	if err := fromPeer(from, "watcher"); err != nil {
		return err
	}
	if p, ok := to.(etf.PID); ok {
		return local(p, "monitored process")
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
