package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Hooks are callbacks a node runs on events, for metrics and tracing
// (package metrics installs one set). Any of them may be nil. They run on
// the goroutine where the event happens (the caller of Call, the
// connection's goroutines), so they must be quick and must not block.
type Hooks struct {
	// CallDone runs when a Call or CallSystem (of a process or of the
	// node) that reached the point of sending returns: its duration and
	// its error (nil for a reply).
	CallDone func(d time.Duration, err error)
	// ConnUp runs when a distribution connection to peer is up, visible
	// or hidden.
	ConnUp func(peer etf.Atom, hidden bool)
	// ConnDown runs when that connection is down.
	ConnDown func(peer etf.Atom, hidden bool)
}

// AddHooks installs h until the returned function is called. With no
// hooks installed the node pays one atomic load per call and per
// connection event.
func (n *Node) AddHooks(h Hooks) (remove func()) {
	hp := &h
	n.hooks.update(func(old []*Hooks) []*Hooks { return append(old, hp) })
	var once sync.Once
	return func() {
		once.Do(func() {
			n.hooks.update(func(old []*Hooks) []*Hooks {
				var out []*Hooks
				for _, o := range old {
					if o != hp {
						out = append(out, o)
					}
				}
				return out
			})
		})
	}
}

// hookList is copy-on-write: readers load a snapshot without locking.
type hookList struct {
	mu  sync.Mutex
	cur atomic.Pointer[[]*Hooks] // nil when empty
}

func (l *hookList) update(f func([]*Hooks) []*Hooks) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var old []*Hooks
	if p := l.cur.Load(); p != nil {
		old = append(old, *p...) // a copy: readers may hold the old slice
	}
	next := f(old)
	if len(next) == 0 {
		l.cur.Store(nil)
		return
	}
	l.cur.Store(&next)
}

// callStart returns the hooks to notify when a call labelled label ends
// and its start time; nil and no clock read when there are none (or for
// WaitDown's label-less monitor).
func (l *hookList) callStart(label etf.Atom) (*[]*Hooks, time.Time) {
	hs := l.cur.Load()
	if hs == nil || label == "" {
		return nil, time.Time{}
	}
	return hs, time.Now()
}

func callDone(hs *[]*Hooks, start time.Time, err error) {
	if hs == nil {
		return
	}
	d := time.Since(start)
	for _, h := range *hs {
		if h.CallDone != nil {
			h.CallDone(d, err)
		}
	}
}

func (l *hookList) conn(peer etf.Atom, hidden, up bool) {
	hs := l.cur.Load()
	if hs == nil {
		return
	}
	for _, h := range *hs {
		if f := h.ConnUp; up && f != nil {
			f(peer, hidden)
		} else if f := h.ConnDown; !up && f != nil {
			f(peer, hidden)
		}
	}
}
