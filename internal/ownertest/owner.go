package ownertest

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Owner is a test's process: it runs the functions that Do and Post send
// it inside its handler (so that code which must be called from a process,
// such as opening a socket or a port it will own, is called as in real
// code), returns from its handler when Exit asks it to, and hands every
// other message to Msgs. A Shutdown exit signal (Node.Stop, when it traps
// exits) is handed to Msgs too, and then ends it.
type Owner struct {
	// Node is the node the owner runs on.
	Node *node.Node
	// PID is the owner's pid.
	PID etf.PID
	// Proc is the owner's process, set by its Init before Start returns.
	Proc *node.Process
	// Msgs receives the messages the owner gets, in order, other than
	// the functions and exit requests of Do, Post and Exit. Its buffer
	// is large (1<<16) so that the owner does not block on a test that
	// reads late; it blocks once the buffer is full.
	Msgs chan etf.Term
}

// call is a function for the owner to run; done receives its error.
type call struct {
	f    func(p *node.Process) error
	done chan error
}

// exit makes the owner return reason from its handler.
type exit struct{ reason etf.Term }

type behavior struct{ o *Owner }

func (b behavior) Init(p *node.Process) error { b.o.Proc = p; return nil }

func (b behavior) HandleMessage(p *node.Process, msg etf.Term) error {
	switch c := msg.(type) {
	case *call:
		c.done <- c.f(p)
		return nil
	case exit:
		return &node.ExitError{Reason: c.reason}
	}
	b.o.Msgs <- msg
	if x, ok := msg.(node.ExitMsg); ok && x.Reason == node.Shutdown {
		return &node.ExitError{Reason: node.Shutdown} // Node.Stop
	}
	return nil
}

func (behavior) Terminate(*node.Process, etf.Term) {}

// Start spawns an owner on n; trap makes it trap exits (so that exit
// signals arrive in Msgs as node.ExitMsg).
func Start(t testing.TB, n *node.Node, trap bool) *Owner {
	t.Helper()
	o := &Owner{Node: n, Msgs: make(chan etf.Term, 1<<16)}
	var opts []node.SpawnOption
	if trap {
		opts = append(opts, node.WithTrapExit())
	}
	pid, err := n.Spawn(behavior{o}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	o.PID = pid
	return o
}

// Post sends f to run in the owner's handler and returns at once; the
// channel receives f's error once it has run. A test uses it to keep the
// owner busy (f blocking) while it does something else; Do is Post plus
// the wait.
func (o *Owner) Post(t testing.TB, f func(p *node.Process) error) <-chan error {
	t.Helper()
	c := &call{f: f, done: make(chan error, 1)}
	if err := o.Node.Send(o.PID, c); err != nil {
		t.Fatal(err)
	}
	return c.done
}

// Do runs f in the owner's handler and returns its error; the owner not
// running it within Wait fails the test.
func (o *Owner) Do(t testing.TB, f func(p *node.Process) error) error {
	t.Helper()
	select {
	case err := <-o.Post(t, f):
		return err
	case <-time.After(Wait):
		t.Fatal("owner did not run the function")
		return nil
	}
}

// Exit makes the owner return from its handler with reason (node.Normal
// for a normal exit), as a process ending on its own would; the error is
// that of sending the request (node.ErrNoProc and the like).
func (o *Owner) Exit(reason etf.Term) error {
	return o.Node.Send(o.PID, exit{reason})
}

// Next returns the owner's next message; none within Wait fails the test.
func (o *Owner) Next(t testing.TB) etf.Term {
	t.Helper()
	select {
	case m := <-o.Msgs:
		return m
	case <-time.After(Wait):
		t.Fatal("no message for the owner")
		return nil
	}
}

// None fails the test if a message arrives within d: the behaviour under
// test is that nothing is delivered.
func (o *Owner) None(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-o.Msgs:
		t.Fatalf("unexpected message %#v", m)
	case <-time.After(d):
	}
}
