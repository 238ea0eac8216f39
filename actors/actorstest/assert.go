package actorstest

import (
	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
)

// f formats terms in failure messages.
var f = etf.Format

// Any matches any term in the assertions' to/msg arguments.
var Any etf.Term = &anyTerm{}

type anyTerm struct{}

func match(want, got etf.Term) bool {
	if want == Any {
		return true
	}
	return etf.Equal(want, got)
}

// AssertSent checks that the actor sent msg to "to" (Send or Cast; a cast
// shows as {'$gen_cast', Msg}). Either may be Any.
func (h *Harness) AssertSent(to, msg etf.Term) {
	h.t.Helper()
	for _, e := range h.EventsOf(actors.EventSend) {
		if match(to, e.To) && match(msg, e.Msg) {
			return
		}
	}
	h.t.Errorf("actorstest: expected the actor to send %s to %s; it did not\n%s", f(msg), f(to), h.describe())
}

// AssertNotSent checks that the actor sent no message matching to/msg.
func (h *Harness) AssertNotSent(to, msg etf.Term) {
	h.t.Helper()
	for _, e := range h.EventsOf(actors.EventSend) {
		if match(to, e.To) && match(msg, e.Msg) {
			h.t.Errorf("actorstest: expected no %s to %s, but the actor sent %v\n%s", f(msg), f(to), e, h.describe())
			return
		}
	}
}

// AssertReceived checks that the test process (Self) received msg from the
// actor.
func (h *Harness) AssertReceived(msg etf.Term) {
	h.t.Helper()
	for _, m := range h.Received() {
		if match(msg, m) {
			return
		}
	}
	h.t.Errorf("actorstest: expected the test process to receive %s; it did not\n%s", f(msg), h.describe())
}

// AssertSpawned checks that the actor spawned n processes and returns
// their pids.
func (h *Harness) AssertSpawned(n int) []etf.PID {
	h.t.Helper()
	evs := h.EventsOf(actors.EventSpawn)
	if len(evs) != n {
		h.t.Errorf("actorstest: expected %d spawns, got %d\n%s", n, len(evs), h.describe())
	}
	var out []etf.PID
	for _, e := range evs {
		if pid, ok := e.To.(etf.PID); ok {
			out = append(out, pid)
		}
	}
	return out
}

// AssertLinked checks that the actor linked to pid (Link or StartLink).
func (h *Harness) AssertLinked(pid etf.PID) {
	h.t.Helper()
	for _, e := range h.EventsOf(actors.EventLink) {
		if e.To == pid {
			return
		}
	}
	h.t.Errorf("actorstest: expected a link to %v\n%s", pid, h.describe())
}

// AssertExited checks that the actor has exited with reason (Any for any).
func (h *Harness) AssertExited(reason etf.Term) {
	h.t.Helper()
	got, dead := h.Exited()
	switch {
	case !dead:
		h.t.Errorf("actorstest: expected the actor to exit with %s; it is alive\n%s", f(reason), h.describe())
	case !match(reason, got):
		h.t.Errorf("actorstest: expected exit reason %s, got %s\n%s", f(reason), f(got), h.describe())
	}
}

// AssertAlive checks that the actor has not exited.
func (h *Harness) AssertAlive() {
	h.t.Helper()
	if reason, dead := h.Exited(); dead {
		h.t.Errorf("actorstest: expected the actor alive; it exited with %v\n%s", reason, h.describe())
	}
}

// AssertState checks sys:get_state against want.
func (h *Harness) AssertState(want etf.Term) {
	h.t.Helper()
	if got := h.State(); !etf.Equal(want, got) {
		h.t.Errorf("actorstest: state = %s, want %s", f(got), f(want))
	}
}

// String prints Any as the Erlang wildcard.
func (*anyTerm) String() string { return "_" }
