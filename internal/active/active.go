// Package active is the delivery gate behind gen_tcp's and gen_udp's
// {active, true | once | false} for the tcp and udp packages: a reader
// goroutine hands every incoming message to the gate, which sends it to
// the controlling process (active), sends one and turns passive (once), or
// keeps it until a receive takes it (passive). Whatever the mode, the
// reader waits while the message cannot go anywhere, so it stops reading
// its socket and the kernel's buffers and the peer's flow control bound
// memory: a gate never holds more than the one message being handed.
//
// In active mode the gate also waits while the controlling process's
// mailbox holds Window messages or more (BEAM's active true has no such
// bound), so a slow controller slows the peer instead of growing its
// mailbox.
package active

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/erlgo/erlgo/node"
)

// Mode is a socket's active mode.
type Mode int8

const (
	// Passive keeps incoming data until a receive takes it ({active, false}).
	Passive Mode = iota
	// Once delivers one message, then turns Passive ({active, once}).
	Once
	// Active delivers every message as it comes ({active, true}).
	Active
)

var (
	// ErrTimeout is a receive whose timeout passed first.
	ErrTimeout = errors.New("active: timeout")
	// ErrNotPassive is a receive on a gate that is not passive.
	ErrNotPassive = errors.New("active: socket is not passive")
	// ErrStopped is a receive on a stopped gate.
	ErrStopped = errors.New("active: stopped")
)

// Mailbox polling while the controller is behind: the pause doubles from
// minPause to maxPause. The node has no wake-up for a draining mailbox,
// and a poll every few milliseconds costs nothing next to a controller
// that is behind anyway.
const (
	minPause = 50 * time.Microsecond
	maxPause = 10 * time.Millisecond
)

// Gate hands messages of type T from one reader to a controlling process.
type Gate[T any] struct {
	window  int
	handoff chan T        // passive: a receive takes the message here
	stop    chan struct{} // closed by Stop

	mu      sync.Mutex
	mode    Mode
	ctrl    *node.Process
	changed chan struct{} // closed and replaced when mode or ctrl change
	stopped bool
}

// New returns a gate in mode m toward ctrl, pausing in active mode while
// ctrl's mailbox holds window messages or more.
func New[T any](m Mode, ctrl *node.Process, window int) *Gate[T] {
	return &Gate[T]{window: max(window, 1), handoff: make(chan T), stop: make(chan struct{}), mode: m, ctrl: ctrl, changed: make(chan struct{})}
}

// Mode returns the current mode.
func (g *Gate[T]) Mode() Mode {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mode
}

// Controller returns the controlling process.
func (g *Gate[T]) Controller() *node.Process {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ctrl
}

// SetMode changes the mode; a reader waiting in Hand re-evaluates.
func (g *Gate[T]) SetMode(m Mode) {
	g.mu.Lock()
	g.mode = m
	g.signalLocked()
	g.mu.Unlock()
}

// SetController makes p the controlling process.
func (g *Gate[T]) SetController(p *node.Process) {
	g.mu.Lock()
	g.ctrl = p
	g.signalLocked()
	g.mu.Unlock()
}

func (g *Gate[T]) signalLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// Stop ends the gate: Hand returns false, receives fail with ErrStopped.
func (g *Gate[T]) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.stopped {
		g.stopped = true
		close(g.stop)
	}
}

// Stopped is closed once Stop was called.
func (g *Gate[T]) Stopped() <-chan struct{} { return g.stop }

// Hand delivers ev as the mode says, waiting as long as it cannot go
// anywhere; send is called (with the gate locked, so it must not block)
// to deliver it to the controller. Hand returns false once the gate is
// stopped, with ev not delivered.
func (g *Gate[T]) Hand(ev T, send func(ctrl *node.Process, ev T)) bool {
	for {
		g.mu.Lock()
		if g.stopped {
			g.mu.Unlock()
			return false
		}
		mode, ctrl, changed := g.mode, g.ctrl, g.changed
		switch mode {
		case Once:
			send(ctrl, ev)
			g.mode = Passive
			g.mu.Unlock()
			return true
		case Active:
			if ctrl.MessageQueueLen() < g.window {
				send(ctrl, ev)
				g.mu.Unlock()
				return true
			}
			g.mu.Unlock()
			if !g.waitWindow(ctrl, changed) {
				return false
			}
		default:
			g.mu.Unlock()
			select {
			case g.handoff <- ev:
				return true
			case <-changed:
			case <-g.stop:
				return false
			}
		}
	}
}

// waitWindow waits until ctrl's mailbox is under the window, the mode or
// controller changed, or the gate stopped (false).
func (g *Gate[T]) waitWindow(ctrl *node.Process, changed chan struct{}) bool {
	pause := minPause
	t := time.NewTimer(pause)
	defer t.Stop()
	for ctrl.MessageQueueLen() >= g.window {
		select {
		case <-g.stop:
			return false
		case <-changed:
			return true
		case <-t.C:
		}
		pause = min(2*pause, maxPause)
		t.Reset(pause)
	}
	return true
}

// Take receives the next message in passive mode, waiting under ctx and,
// if timeout > 0, for at most timeout. It fails with ErrNotPassive when
// the gate is not passive, ErrTimeout, ctx's error or ErrStopped.
func (g *Gate[T]) Take(ctx context.Context, timeout time.Duration) (T, error) {
	var zero T
	if g.Mode() != Passive {
		return zero, ErrNotPassive
	}
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case ev := <-g.handoff:
		return ev, nil
	case <-tc:
		return zero, ErrTimeout
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-g.stop:
		return zero, ErrStopped
	}
}
