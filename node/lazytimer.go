package node

import "time"

// lazyTimer is a reused timer for waits that usually end early (a
// lingering server's next request, a Call's reply): when the wait ends it
// is left running instead of being stopped, since a Reset and a Stop per
// wait (each a lock on the P's timer heap) cost more than the rest of the
// wait. A timer left armed for an earlier deadline fires early now and
// then; fired re-arms it for what is left. Only one goroutine uses it.
type lazyTimer struct {
	t     *time.Timer
	at    time.Time // when t fires, while armed
	armed bool      // t is pending, or has fired and is not yet received
}

// arm makes the timer fire no later than deadline and returns its channel.
func (l *lazyTimer) arm(deadline time.Time) <-chan time.Time {
	switch {
	case l.t == nil:
		l.t = time.NewTimer(time.Until(deadline))
	case !l.armed || l.at.After(deadline):
		l.t.Reset(time.Until(deadline))
	default:
		return l.t.C // fires earlier than deadline: fired re-arms then
	}
	l.at, l.armed = deadline, true
	return l.t.C
}

// fired is called when the channel delivered: it reports whether deadline
// has passed, and if not re-arms the timer for the rest.
func (l *lazyTimer) fired(deadline time.Time) bool {
	l.armed = false
	rest := time.Until(deadline)
	if rest <= 0 {
		return true
	}
	l.t.Reset(rest)
	l.at, l.armed = deadline, true
	return false
}
