package actors

import "time"

// Clock is the time source of an actor's timers (SendAfter, SetTimeout)
// and of a supervisor's restart-intensity window. The default is the real
// clock; actorstest provides a fake one. Under testing/synctest the real
// clock is already virtual.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d; stop cancels it and
	// reports whether that prevented the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// RealClock returns the wall clock.
func RealClock() Clock { return realClock{} }
