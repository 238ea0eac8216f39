package dist

import (
	"sync/atomic"
	"time"
)

// Inline runs and reader takeover (docs/calls.md, "Running a server on the
// reader"). A Handler may run the work a message causes on the reader
// goroutine itself, instead of waking another goroutine for it, if it
// brackets that work with BeginInline and EndInline. While it runs, nobody
// reads the connection; if it does not return within about inlineBudget
// (the watchdog), or the handler is about to block (HandOff), a new
// goroutine becomes the connection's reader and carries on from the next
// packet with the same decoder state. The old goroutine then belongs to the
// handler: when HandleMessage returns, it sees that it is no longer the
// reader and ends.
//
// inlineState.v is seq<<1 | running: BeginInline sets the bit with a new
// seq (reader goroutine only, while the bit is clear), EndInline clears it
// with a CAS from the token, a takeover replaces it with the next seq and
// the bit clear, also with a CAS from the token. Exactly one of EndInline
// and a takeover wins; seq only grows, so a token is never valid twice.
type inlineState struct {
	v         atomic.Uint64
	watched   atomic.Bool // a watchdog goroutine runs
	rs        readState   // the reader's loop state, for a takeover
	takeovers atomic.Uint64
}

// readState is what the reader loop carries from one packet to the next.
type readState struct {
	r *packetReader
	d *packetDecoder
}

// inlineBudget is how long an inline run may hold the reader before the
// watchdog hands the connection to a new reader goroutine: between one and
// two watchdog periods. It is far above a request handler's run (a few
// microseconds) and low enough that a blocked handler delays other
// processes' messages on the connection by at most a couple of
// milliseconds.
const inlineBudget = time.Millisecond

// watchIdle is how many periods without an inline run the watchdog
// waits before it ends.
const watchIdle = 8

// BeginInline starts an inline run on the reader goroutine. It must be
// called only from HandleMessage, at most once per message, and be paired
// with EndInline(token) by the same goroutine before HandleMessage
// returns, unless HandOff(token) was called or EndInline already
// returned false.
func (c *Conn) BeginInline() (token uint64) {
	s := &c.inl
	token = ((s.v.Load()>>1)+1)<<1 | 1
	s.v.Store(token)
	if !s.watched.Load() && s.watched.CompareAndSwap(false, true) {
		go c.watchInline()
	}
	return token
}

// EndInline ends an inline run. It returns true if the goroutine is still
// the connection's reader (HandleMessage should return promptly) and false
// if another goroutine took over: the caller may then block as it likes.
func (c *Conn) EndInline(token uint64) bool {
	return c.inl.v.CompareAndSwap(token, token&^1)
}

// HandOff gives the connection to a new reader goroutine now, if the
// inline run of token still holds it: an inline handler calls it before it
// blocks, for example waiting for a reply that this connection will bring.
func (c *Conn) HandOff(token uint64) {
	c.takeOver(token)
}

func (c *Conn) takeOver(token uint64) bool {
	if !c.inl.v.CompareAndSwap(token, ((token>>1)+1)<<1) {
		return false
	}
	c.inl.takeovers.Add(1)
	// What the old reader corked must not wait for a handler that may
	// block now; the new reader corks again if it finds packets buffered.
	c.setCork(false)
	go c.readFrom(&c.inl.rs)
	return true
}

// watchInline takes the connection over from an inline run that holds it
// for more than one period. It ends after watchIdle quiet periods, or
// once the connection is down.
func (c *Conn) watchInline() {
	s := &c.inl
	t := time.NewTimer(inlineBudget)
	defer t.Stop()
	last, quiet := s.v.Load(), 0
	for {
		select {
		case <-t.C:
		case <-c.done:
			// The reader ended, so it is not inline: nothing to watch.
			s.watched.Store(false)
			return
		}
		v := s.v.Load()
		switch {
		case v&1 != 0 && v == last:
			c.takeOver(v)
			quiet = 0
		case v == last:
			quiet++
		default:
			quiet = 0
		}
		last = v
		if quiet >= watchIdle {
			s.watched.Store(false)
			// BeginInline stores v, then loads watched; this stores
			// watched, then loads v: one of the two sees the other.
			if s.v.Load()&1 == 0 || !s.watched.CompareAndSwap(false, true) {
				return
			}
			quiet = 0
		}
		t.Reset(inlineBudget)
	}
}
