package actorstest

import (
	"sort"
	"sync"
	"time"
)

// FakeClock is an actors.Clock whose time moves only when Advance is
// called. Timers due at the same instant fire in the order they were set.
// It is safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*fakeTimer
}

type fakeTimer struct {
	at   time.Time
	seq  uint64
	f    func()
	done bool
}

// NewFakeClock returns a clock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.done {
			return false
		}
		t.done = true
		return true
	}
}

// Pending returns how many timers have not fired or been stopped.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}

// Advance moves time forward by d, firing due timers in time order on the
// calling goroutine. Timers set by the fired functions fire too when due.
func (c *FakeClock) Advance(d time.Duration) {
	end := c.Now().Add(d)
	for c.step(end) {
	}
}

// step fires the earliest timer due at or before end and reports whether
// it fired one; when none is due it sets the time to end.
func (c *FakeClock) step(end time.Time) bool {
	c.mu.Lock()
	live := c.timers[:0]
	for _, t := range c.timers {
		if !t.done {
			live = append(live, t)
		}
	}
	c.timers = live
	sort.Slice(live, func(i, j int) bool {
		if !live[i].at.Equal(live[j].at) {
			return live[i].at.Before(live[j].at)
		}
		return live[i].seq < live[j].seq
	})
	if len(live) == 0 || live[0].at.After(end) {
		if end.After(c.now) {
			c.now = end
		}
		c.mu.Unlock()
		return false
	}
	t := live[0]
	t.done = true
	if t.at.After(c.now) {
		c.now = t.at
	}
	c.mu.Unlock()
	t.f()
	return true
}
