package actors

import (
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// EventKind says what an actor did to the outside world.
type EventKind uint8

// Event kinds reported to an Observer.
const (
	EventSend      EventKind = iota + 1 // Send or Cast (Msg is the full message)
	EventCall                           // Call started (Msg is the request)
	EventReply                          // a call was answered (To is the caller)
	EventSpawn                          // Spawn or StartLink (To is the new pid)
	EventLink                           // Link
	EventUnlink                         // Unlink
	EventMonitor                        // Monitor (Msg is the ref)
	EventDemonitor                      // Demonitor (Msg is the ref)
	EventExit                           // Exit signal sent (Msg is the reason)
	EventTimer                          // SendAfter (Msg is the message, After the delay)
	EventStop                           // the actor stopped (Msg is the reason)
)

var kindNames = [...]string{"?", "send", "call", "reply", "spawn", "link", "unlink", "monitor", "demonitor", "exit", "timer", "stop"}

// String returns a short lower-case name (send, reply, spawn ...).
func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// Event is one effect of an actor, as seen by an Observer.
type Event struct {
	Kind  EventKind
	From  etf.PID  // the actor
	To    etf.Term // destination, linked/monitored/spawned process, caller
	Msg   etf.Term // message, request, reply, ref or reason
	After time.Duration
}

// String formats the event for test failures and logs.
func (e Event) String() string {
	f := etf.Format
	switch e.Kind {
	case EventTimer:
		return fmt.Sprintf("timer %s -> %s after %v", f(e.Msg), f(e.To), e.After)
	case EventStop:
		return fmt.Sprintf("stop %s", f(e.Msg))
	case EventLink, EventUnlink, EventSpawn:
		return fmt.Sprintf("%s %s", e.Kind, f(e.To))
	}
	return fmt.Sprintf("%s %s -> %s", e.Kind, f(e.Msg), f(e.To))
}

// Observer receives the events of an actor (WithObserver). Observe is
// called synchronously on the actor's goroutine, before the effect happens;
// it must not block. actorstest uses it to capture what an actor does.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to an Observer.
type ObserverFunc func(Event)

// Observe calls f.
func (f ObserverFunc) Observe(e Event) { f(e) }
