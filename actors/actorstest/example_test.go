package actorstest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/etf"
)

// Reminder answers {remind, Who, After} at once with ok, then sends
// {reminder, Who} to the caller when the time has passed.
type Reminder struct{ actors.Base }

func (Reminder) HandleCall(p *actors.Process, from actors.From, req etf.Term) (etf.Term, error) {
	t, ok := req.(etf.Tuple)
	if !ok || len(t) != 3 || t[0] != etf.Atom("remind") {
		return nil, actors.ErrUnknownRequest
	}
	p.SendAfter(time.Duration(t[2].(int))*time.Second, p.Self(), etf.Tuple{etf.Atom("due"), from.PID, t[1]})
	return etf.Atom("ok"), nil
}

func (Reminder) HandleInfo(p *actors.Process, msg etf.Term) error {
	if t, ok := msg.(etf.Tuple); ok && len(t) == 3 && t[0] == etf.Atom("due") {
		return p.Send(t[1], etf.Tuple{etf.Atom("reminder"), t[2]})
	}
	return nil
}

// A test of Reminder: calls come from the harness's probe (h.Self()),
// time moves only with Advance, and what the actor sent is asserted.
func Example() {
	t := &exampleT{}
	defer t.done()
	// In a real test: func TestReminder(t *testing.T) { h := actorstest.New(t, Reminder{}) ...
	h := actorstest.New(t, Reminder{})

	fmt.Println(h.Call(etf.Tuple{etf.Atom("remind"), etf.Atom("ann"), 60}))
	h.Advance(59 * time.Second)
	fmt.Println("after 59s:", len(h.Received()))
	h.Advance(time.Second)
	h.AssertReceived(etf.Tuple{etf.Atom("reminder"), etf.Atom("ann")})
	h.AssertSent(h.Self(), etf.Tuple{etf.Atom("reminder"), etf.Atom("ann")})
	for _, e := range h.Events() {
		fmt.Println(e.Kind)
	}
	// Output:
	// ok
	// after 59s: 0
	// timer
	// reply
	// send
}

// exampleT is enough of a testing.TB to run the harness inside an example.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf("ERROR: "+format+"\n", args...) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Logf(format string, args ...any)   {}
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
