// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Conn is one established distribution connection to a peer node. Its
// methods are safe for concurrent use.
type Conn struct {
	m   *Manager
	cfg *Config
	nc  net.Conn
	log *slog.Logger

	peer         etf.Atom
	peerCreation uint32
	peerFlags    Flags
	flags        Flags // negotiated
	name         etf.Atom
	creation     uint32

	// writer side, guarded by wmu
	wmu       sync.Mutex
	wroom     *sync.Cond // signalled when the queue drains or on close
	wbuf      []byte     // encoded frames not yet handed to the writer
	spare     []byte     // recycled buffer for wbuf
	wclosed   bool
	out       outCache   // atom cache, sending direction
	cenc      ctlEncoder // control/payload encoder
	scratch   []byte     // control+payload encoding area
	wext      []extent   // fragments' data spliced into wbuf (writer_vec.go)
	wextN     int        // bytes in wext
	wbodies   [][]byte   // encoding areas wext points into
	bodyFree  [][]byte   // written encoding areas kept for reuse
	bodyFreeN int        // their capacity
	seq       uint64     // fragment sequence ids
	wake      chan struct{}
	flushing  bool          // a goroutine owns the transport's write side (see writer.go)
	corked    bool          // the reader writes the queue before it waits (writer_cork.go)
	lastEnd   time.Time     // when the last flush ended, for the direct-write heuristic
	sent      atomic.Uint64 // messages queued, for the ticker
	readCnt   atomic.Uint64 // packets read (ticks included), for the ticker

	// owned by the goroutine that holds flushing
	wdeadline time.Time       // write deadline currently set on nc
	handoff   []byte          // rest of a direct write for the writer goroutine (under wmu)
	raw       syscall.RawConn // for direct writes by senders; nil: always use the writer
	dw        directWrite     // state of the current direct write
	vec       [][]byte        // writev vector of the writer goroutine (writeBatch)

	stats   connStats
	dropLog dropLog     // owned by the reader goroutine
	warnLog dropLog     // WarnLimited's; owned by the reader goroutine
	inl     inlineState // inline runs and reader takeover (reader_takeover.go)

	drainOnce  sync.Once
	drain      chan struct{} // closed by Close: flush, then close
	drainTimer *time.Timer   // forces the close if the flush hangs
	closeOnce  sync.Once
	reason     error         // set once, before closing closing
	closing    chan struct{} // closed by closeWith
	done       chan struct{} // closed after HandleConnDown returned
	wg         sync.WaitGroup
}

func newConn(m *Manager, nc net.Conn, res hsResult) *Conn {
	c := &Conn{
		m: m, cfg: &m.cfg, nc: nc,
		peer: res.Peer, peerCreation: res.PeerCreation, peerFlags: res.PeerFlags, flags: res.Flags,
		name: res.Name, creation: res.Creation,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		drain:   make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.wroom = sync.NewCond(&c.wmu)
	c.raw = rawConn(nc)
	c.initEncoder()
	c.log = m.log.With(slog.String("peer", string(res.Peer)))
	return c
}

// run starts the connection's goroutines (after HandleConnUp returned).
func (c *Conn) run() {
	c.wg.Add(2)
	go c.writeLoop()
	go c.tickLoop()
	go c.readLoop()
}

// Peer returns the peer's node name.
func (c *Conn) Peer() etf.Atom { return c.peer }

// PeerCreation returns the peer's creation (incarnation).
func (c *Conn) PeerCreation() uint32 { return c.peerCreation }

// PeerFlags returns the flags the peer advertised.
func (c *Conn) PeerFlags() Flags { return c.peerFlags }

// Flags returns the negotiated flags (ours & the peer's).
func (c *Conn) Flags() Flags { return c.flags }

// Hidden reports whether the connection is hidden: PUBLISHED was not set
// by both sides.
func (c *Conn) Hidden() bool { return c.flags&FlagPublished == 0 }

// LocalAddr returns the transport's local address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the transport's remote address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// Done is closed once the connection is down and HandleConnDown returned.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns the reason the connection went down, or nil while it is up.
func (c *Conn) Err() error {
	select {
	case <-c.closing:
		return c.reason
	default:
		return nil
	}
}

// waitRoomLocked waits, with c.wmu held, until the write queue has room or
// the connection closes; an interrupted sender returns ErrInterrupted.
// Registering before checking Interrupted means a wake-up is never lost:
// an interrupter that missed the registration set its flag before this
// sender checks it.
func (c *Conn) waitRoomLocked(in Interrupter) error {
	if in != nil {
		in.Waiting(c)
		defer in.Waiting(nil)
	}
	for !c.wclosed && c.queuedLocked() >= c.cfg.WriteQueue {
		if in != nil && in.Interrupted() {
			return ErrInterrupted
		}
		c.wroom.Wait()
	}
	return nil
}

// Close closes the connection: messages already accepted by Send are
// flushed (for at most a second), then the transport is closed and
// HandleConnDown fires with ErrClosed. Close does not wait for
// HandleConnDown (see Done).
func (c *Conn) Close() error {
	c.drainOnce.Do(func() {
		c.wmu.Lock()
		c.wclosed = true
		c.wroom.Broadcast()
		c.drainTimer = time.AfterFunc(2*time.Second, func() { c.closeWith(ErrClosed) })
		c.wmu.Unlock()
		close(c.drain)
	})
	return nil
}

// closeWith records reason (the first one wins), closes the transport and
// wakes everything blocked on the connection.
func (c *Conn) closeWith(reason error) {
	c.closeOnce.Do(func() {
		c.reason = reason
		close(c.closing)
		_ = c.nc.Close()
		c.wmu.Lock()
		c.wclosed = true
		c.wroom.Broadcast()
		c.wmu.Unlock()
	})
}

// Send encodes ctl (and payload, for operations that carry one) and queues
// it for writing. It is safe for concurrent use; messages sent by one
// goroutine are written in order. It blocks while the write queue is over
// its bound (backpressure) and returns ErrClosed once the connection is
// closed. The wire variant follows the negotiated flags (SEND_SENDER,
// PAYLOAD_*, ALTACT_SIG, atom cache, fragments).
func (c *Conn) Send(ctl Control, payload etf.Term) error {
	return c.send(ctl, payload, true)
}

// SendControl sends a control message without payload (LINK, MONITOR_P,
// EXIT with its reason inside, ...).
func (c *Conn) SendControl(ctl Control) error {
	return c.send(ctl, nil, false)
}

// Interrupter lets a sender blocked by backpressure give up, as a BEAM
// process suspended on a busy distribution port is still killed at once.
// The sender registers with Waiting(c) before it sleeps and Waiting(nil)
// when it stops waiting; whoever makes Interrupted true afterwards calls
// c.WakeSenders so the sender sees it.
type Interrupter interface {
	Interrupted() bool
	Waiting(c *Conn)
}

// SendInterruptible is Send for a sender that may be interrupted while it
// waits for room in the write queue: it returns ErrInterrupted instead of
// waiting further once in.Interrupted() is true. Nothing is queued then.
func (c *Conn) SendInterruptible(ctl Control, payload etf.Term, in Interrupter) error {
	return c.sendWith(ctl, payload, true, in)
}

// WakeSenders wakes the senders blocked by backpressure so that
// interrupted ones (see Interrupter) return.
func (c *Conn) WakeSenders() {
	c.wmu.Lock()
	c.wroom.Broadcast()
	c.wmu.Unlock()
}

func (c *Conn) send(ctl Control, payload etf.Term, hasPayload bool) error {
	return c.sendWith(ctl, payload, hasPayload, nil)
}

// lockForSend takes c.wmu once the write queue has room (Config.WriteQueue
// bounds what is queued, spliced fragments included); on an error c.wmu is
// not held.
func (c *Conn) lockForSend(in Interrupter) error {
	c.wmu.Lock()
	if !c.wclosed && c.queuedLocked() >= c.cfg.WriteQueue {
		if err := c.waitRoomLocked(in); err != nil {
			c.wmu.Unlock()
			return err
		}
	}
	if c.wclosed {
		c.wmu.Unlock()
		return ErrClosed
	}
	return nil
}

func (c *Conn) sendWith(ctl Control, payload etf.Term, hasPayload bool, in Interrupter) error {
	if err := c.lockForSend(in); err != nil {
		return err
	}
	wasEmpty := len(c.wbuf) == 0
	if err := c.appendMessage(ctl, payload, hasPayload); err != nil {
		c.wmu.Unlock()
		return err
	}
	c.sent.Add(1)
	c.kickLocked(wasEmpty)
	return nil
}

// goingDown reports whether c is on its way down: closing already, or its
// peer has closed its end and the reader has not seen it yet.
func (c *Conn) goingDown() bool {
	select {
	case <-c.closing:
		return true
	default:
		return c.peerClosed()
	}
}
