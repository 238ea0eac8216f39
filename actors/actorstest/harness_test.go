package actorstest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/etf"
)

// recordingT captures failures so that the harness's messages can be
// checked.
type recordingT struct {
	testing.TB
	errs []string
}

func (r *recordingT) Helper() {}
func (r *recordingT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, sprintf(format, args...))
}

func TestAssertionFailuresAreReadable(t *testing.T) {
	h := actorstest.New(t, Reminder{})
	h.Call(etf.Tuple{etf.Atom("remind"), etf.Atom("bob"), 1})
	rt := &recordingT{TB: t}
	h2 := h.WithT(rt)
	h2.AssertReceived(etf.Atom("never"))
	h2.AssertExited(actorstest.Any)
	if len(rt.errs) != 2 {
		t.Fatalf("want 2 failures, got %v", rt.errs)
	}
	for _, want := range []string{"expected the test process to receive never", "timer {due,", "reply ok"} {
		if !strings.Contains(rt.errs[0], want) {
			t.Errorf("failure message lacks %q:\n%s", want, rt.errs[0])
		}
	}
	if !strings.Contains(rt.errs[1], "it is alive") {
		t.Errorf("exit failure: %s", rt.errs[1])
	}
}

func TestFakeClockOrder(t *testing.T) {
	c := actorstest.NewFakeClock(time.Unix(0, 0))
	var got []int
	c.AfterFunc(2*time.Second, func() { got = append(got, 2) })
	c.AfterFunc(time.Second, func() { got = append(got, 1) })
	stop := c.AfterFunc(time.Second, func() { got = append(got, 99) })
	c.AfterFunc(time.Second, func() { got = append(got, 11) })
	if !stop() {
		t.Fatal("stop of a pending timer must report true")
	}
	c.Advance(1500 * time.Millisecond)
	if want := []int{1, 11}; !equalInts(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	c.Advance(time.Second)
	if want := []int{1, 11, 2}; !equalInts(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	if c.Pending() != 0 || !c.Now().Equal(time.Unix(2, 500e6)) {
		t.Fatalf("pending %d now %v", c.Pending(), c.Now())
	}
}

// crasher exits when told.
type crasher struct{ actors.Base }

func (crasher) HandleCast(p *actors.Process, msg etf.Term) error { return actors.Stop(msg) }

func TestHarnessSeesExit(t *testing.T) {
	h := actorstest.New(t, crasher{})
	h.Cast(etf.Atom("bye"))
	h.AssertExited(etf.Atom("bye"))
	if _, err := h.TryCall(etf.Atom("x")); err == nil {
		t.Fatal("call to a dead actor must fail")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// idle is a child that does nothing.
type idle struct{ actors.Base }

func TestHarnessCapturesSpawnsAndLinks(t *testing.T) {
	child := func(id string) actors.ChildSpec {
		return actors.ChildSpec{ID: etf.Atom(id), Start: func(etf.List) (actors.Actor, error) { return idle{}, nil }}
	}
	h := actorstest.New(t, &actors.Supervisor{Children: []actors.ChildSpec{child("a"), child("b")}})
	pids := h.AssertSpawned(2)
	for _, p := range pids {
		h.AssertLinked(p)
	}
	// the supervisor answers which_children through the harness too
	rows := h.Call(etf.Atom("which_children")).(etf.List)
	if len(rows) != 2 || rows[0].(etf.Tuple)[1] != pids[0] {
		t.Fatalf("which_children = %s", etf.Format(rows))
	}
	// shutdown from the parent (the probe) stops the children first
	h.Exit(etf.Atom("shutdown"))
	h.AssertExited(etf.Atom("shutdown"))
	for _, p := range pids {
		if h.Node().IsAlive(p) {
			t.Errorf("child %v still alive", p)
		}
	}
}
