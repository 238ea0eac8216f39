package node

import "github.com/erlgo/erlgo/etf"

// linkState is a process's state of one of its links (the OTP 26 unlink
// protocol, erl_dist_protocol "Link Protocol"): active, or being unlinked,
// in which case it holds the id of the UNLINK_ID we sent and wait to have
// acknowledged by UNLINK_ID_ACK. An unlinking link delivers no exit
// signal and is forgotten at the ack, unless the process linked again
// meanwhile (the state is then active again).
type linkState uint64

// linkActive is the state of an active link; any other value is the id of
// an unlink in flight (ids start at 1).
const linkActive linkState = 0

// unlinkingWith is the state of a link whose UNLINK_ID id is in flight.
func unlinkingWith(id uint64) linkState { return linkState(id) }

// unlinking reports whether an unlink is in flight for the link.
func (s linkState) unlinking() bool { return s != linkActive }

// isUnlink reports whether the link waits for the ack of unlink id.
func (s linkState) isUnlink(id uint64) bool { return s.unlinking() && uint64(s) == id }

// linkMap is a process's links by peer pid.
type linkMap map[etf.PID]linkState

// active reports whether the link to pid exists and is active.
func (m linkMap) active(pid etf.PID) bool {
	st, ok := m[pid]
	return ok && !st.unlinking()
}
