package tcp

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// poolWorker echoes the sockets it is handed and reports them.
type poolWorker struct {
	got chan<- etf.PID // the worker's pid, once per Accepted
}

func (w poolWorker) Init(*node.Process) error { return nil }
func (w poolWorker) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case Accepted:
		if m.Socket.Controller() != p.Self() {
			return fmt.Errorf("socket controlled by %v", m.Socket.Controller())
		}
		w.got <- p.Self()
	case Data:
		return m.Socket.Send(context.Background(), m.Data)
	}
	return nil
}
func (poolWorker) Terminate(*node.Process, etf.Term) {}

// WithPool hands sockets to the workers in turn; a worker that dies takes
// its sockets with it and is replaced, and the pool keeps serving.
func TestPool(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	got := make(chan etf.PID, 16)
	l := o.listen(t, WithPool(2, func() node.Behavior { return poolWorker{got: got} }))
	dialEcho := func() (net.Conn, etf.PID) {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		var w etf.PID
		select {
		case w = <-got:
		case <-time.After(waitFor):
			t.Fatal("no worker got the socket")
		}
		if _, err := c.Write([]byte("hi")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		return c, w
	}
	c1, w1 := dialEcho()
	_, w2 := dialEcho()
	_, w3 := dialEcho()
	if w1 == w2 || w1 != w3 {
		t.Fatalf("workers %v %v %v: want turns", w1, w2, w3)
	}
	if err := n.Exit(w1, etf.Atom("crash")); err != nil {
		t.Fatal(err)
	}
	readEOF(t, c1)
	seen := map[etf.PID]bool{}
	for range 2 {
		_, w := dialEcho()
		seen[w] = true
	}
	if seen[w1] || len(seen) != 2 {
		t.Fatalf("after the crash the workers are %v (dead one %v)", seen, w1)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for w := range seen {
		waitUntil(t, "workers stopped", func() bool { return !n.IsAlive(w) })
	}
}

// listenWorker is the OTP shape of a supervised server: a gen_server that
// owns the listener and stops when it does.
type listenWorker struct {
	actors.Base
	addr string
	ls   chan<- *Listener
	l    *Listener
}

func (w *listenWorker) Init(p *actors.Process, _ ...any) (err error) {
	w.l, err = Listen(context.Background(), p.Process, w.addr, WithHandler(echoHandler(Active)),
		WithSpawnOptions(node.WithName("echo_listener")))
	if err == nil {
		w.ls <- w.l
	}
	return err
}

// A listener under a supervisor: killing it stops its worker, which is
// restarted with a new listener on the same address (and a name the
// observer lists); stopping the tree ends it.
func TestSupervisedListener(t *testing.T) {
	n := localNode(t)
	ls := make(chan *Listener, 4)
	addr := "127.0.0.1:0"
	sup := &actors.Supervisor{Strategy: actors.OneForOne, Intensity: 5, Period: time.Minute, Children: []actors.ChildSpec{{
		ID: "listener",
		Start: func(etf.List) (actors.Actor, error) {
			return &listenWorker{addr: addr, ls: ls}, nil
		},
	}}}
	supPid, err := actors.Spawn(n, sup, node.WithName("tcp_sup"))
	if err != nil {
		t.Fatal(err)
	}
	next := func() *Listener {
		select {
		case l := <-ls:
			return l
		case <-time.After(waitFor):
			t.Fatal("no listener started")
			return nil
		}
	}
	first := next()
	listed := func(l *Listener) bool {
		pl, err := observer.Local(n).Processes(context.Background(), observer.Query{Sort: "name"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pl.Processes {
			if p.Name == "echo_listener" && p.PID == l.ID().String() {
				return true
			}
		}
		return false
	}
	if !listed(first) {
		t.Fatal("the observer does not list the named listener")
	}
	if err := n.Exit(first.ID(), node.Kill); err != nil {
		t.Fatal(err)
	}
	second := next()
	if second.ID() == first.ID() {
		t.Fatal("not restarted")
	}
	c, err := net.Dial("tcp", second.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ok")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ok" {
		t.Fatalf("echo %q %v", buf, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := actors.StopProcess(ctx, n, supPid, node.Shutdown); err != nil {
		t.Fatal(err)
	}
	waitDone(t, second.Done(), "listener")
	readEOF(t, c)
	if listed(second) {
		t.Fatal("the observer still lists a stopped listener")
	}
}

// session is a handler written as an actor (a gen_server): it echoes
// Data in HandleInfo and answers a call with how many it echoed.
type session struct {
	actors.Base
	s     *Socket
	count int
	pids  chan<- etf.PID
}

func (a *session) Init(p *actors.Process, _ ...any) error {
	a.pids <- p.Self()
	return nil
}

func (a *session) HandleInfo(p *actors.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case Data:
		a.count++
		return m.Socket.Send(context.Background(), m.Data)
	case Closed:
		return actors.StopNormal
	}
	return nil
}

func (a *session) HandleCall(_ *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	return a.count, nil
}

// An actor as the connection handler: it receives the socket's messages
// in HandleInfo, answers gen_server calls meanwhile, and stops normally
// at Closed.
func TestActorHandler(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pids := make(chan etf.PID, 1)
	l := o.listen(t, WithPacket(1), WithHandler(func(s *Socket) node.Behavior {
		return actors.NewBehavior(&session{s: s, pids: pids})
	}))
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pid := <-pids
	for i := range 3 {
		if _, err := c.Write([]byte{1, byte(i)}); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(c, buf); err != nil || buf[1] != byte(i) {
			t.Fatalf("echo %v %v", buf, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	count, err := actors.Call[int](ctx, n, pid, etf.Atom("count"))
	if err != nil || count != 3 {
		t.Fatalf("call: %d %v", count, err)
	}
	c.Close()
	waitUntil(t, "the actor stopped", func() bool { return !n.IsAlive(pid) })
}
