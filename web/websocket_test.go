package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
)

// wsHandler is a connection handler: it echoes text frames upper-cased
// through Conn.Send and binary frames as {websocket_send, ...} messages,
// and reports everything else on a channel.
type wsHandler struct {
	c      *Conn
	events chan etf.Term
	pid    chan etf.PID
	trap   bool
}

func (h *wsHandler) Init(p *node.Process) error {
	p.TrapExit(h.trap)
	h.pid <- p.Self()
	return nil
}

func (h *wsHandler) HandleMessage(p *node.Process, msg etf.Term) error {
	if m, ok := ParseMessage(msg); ok {
		if m.Conn != h.c.ID() {
			h.events <- etf.Atom("wrong_conn")
		}
		switch {
		case string(m.Data) == "die":
			return errors.New("handler died")
		case string(m.Data) == "bye":
			return &node.ExitError{Reason: node.Normal}
		case string(m.Data) == "close":
			return h.c.Close(4001, "asked")
		case m.Type == Text:
			return h.c.Send(context.Background(), Text, []byte(strings.ToUpper(string(m.Data))))
		default:
			return p.Send(h.c.ID(), etf.Tuple{atomWSSend, etf.Tuple{atomBinary, etf.List{m.Data, m.Data}}})
		}
	}
	h.events <- msg
	if e, ok := msg.(node.ExitMsg); ok {
		return &node.ExitError{Reason: e.Reason}
	}
	return nil
}

func (h *wsHandler) Terminate(*node.Process, etf.Term) {}

type wsFixture struct {
	srv    string
	events chan etf.Term
	pids   chan etf.PID
	conns  chan etf.PID
	owner  *ownertest.Owner
	ep     etf.PID
	n      *node.Node
}

func newWSFixture(t *testing.T, trap bool, opts ...Option) *wsFixture {
	t.Helper()
	n := localNode(t)
	f := &wsFixture{n: n, events: make(chan etf.Term, 64), pids: make(chan etf.PID, 64), conns: make(chan etf.PID, 64)}
	ws := NewWebSocket(func(c *Conn, r *http.Request) (node.Behavior, error) {
		if r.URL.Query().Get("refuse") != "" {
			return nil, errors.New("refused")
		}
		f.conns <- c.ID()
		return &wsHandler{c: c, events: f.events, pid: f.pids, trap: trap}, nil
	}, opts...)
	srv, o, pid := serve(t, n, ws)
	f.srv, f.owner, f.ep = "ws"+strings.TrimPrefix(srv.URL, "http"), o, pid
	return f
}

func (f *wsFixture) dial(t *testing.T, query string) (*websocket.Conn, etf.PID) {
	t.Helper()
	c, _, err := websocket.Dial(ctxT(t), f.srv+"/"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	select {
	case pid := <-f.pids:
		return c, pid
	case <-time.After(waitFor):
		t.Fatal("no handler process")
		return nil, etf.PID{}
	}
}

func (f *wsFixture) event(t *testing.T) etf.Term {
	t.Helper()
	select {
	case m := <-f.events:
		return m
	case <-time.After(waitFor):
		t.Fatal("no event")
		return nil
	}
}

func TestWebSocketEcho(t *testing.T) {
	f := newWSFixture(t, false)
	c, _ := f.dial(t, "")
	// The endpoint is a gen_server: sys:get_state counts the connection.
	st, err := actors.GetState(ctxT(t), f.n, f.ep)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := st.(etf.Map)
	if open, _ := m.Get(etf.Atom("open")); open != 1 {
		t.Fatalf("state %s", etf.Format(st))
	}
	for _, tc := range []struct {
		typ      websocket.MessageType
		in, want string
	}{{websocket.MessageText, "hello", "HELLO"}, {websocket.MessageBinary, "\x00\x01", "\x00\x01\x00\x01"}, {websocket.MessageText, "", ""}} {
		if err := c.Write(ctxT(t), tc.typ, []byte(tc.in)); err != nil {
			t.Fatal(err)
		}
		typ, data, err := c.Read(ctxT(t))
		if err != nil || typ != tc.typ || string(data) != tc.want {
			t.Fatalf("%v %q: got %v %q %v", tc.typ, tc.in, typ, data, err)
		}
	}
}

// Closes in both directions.
func TestWebSocketClose(t *testing.T) {
	t.Run("handler error closes 1011", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, _ := f.dial(t, "")
		_ = c.Write(ctxT(t), websocket.MessageText, []byte("die"))
		_, _, err := c.Read(ctxT(t))
		if websocket.CloseStatus(err) != websocket.StatusInternalError {
			t.Fatalf("read after the handler died: %v", err)
		}
	})
	t.Run("handler exit normal closes 1000", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, _ := f.dial(t, "")
		_ = c.Write(ctxT(t), websocket.MessageText, []byte("bye"))
		_, _, err := c.Read(ctxT(t))
		if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Fatalf("read after the handler exited: %v", err)
		}
	})
	t.Run("Conn.Close sends code and reason", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, hp := f.dial(t, "")
		down := f.n.Watch(hp)
		_ = c.Write(ctxT(t), websocket.MessageText, []byte("close"))
		_, _, err := c.Read(ctxT(t))
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "asked" {
			t.Fatalf("read after Close: %v", err)
		}
		select {
		case r := <-down:
			if want := (etf.Tuple{node.Shutdown, etf.Tuple{atomWSClosed, 4001}}); !etf.Equal(r, want) {
				t.Fatalf("handler exited %s", etf.Format(r))
			}
		case <-time.After(waitFor):
			t.Fatal("the handler outlived its closed connection")
		}
	})
	t.Run("client close reaches a trapping handler as EXIT", func(t *testing.T) {
		f := newWSFixture(t, true)
		c, hp := f.dial(t, "")
		_ = hp
		if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
			t.Fatal(err)
		}
		e, ok := f.event(t).(node.ExitMsg)
		want := etf.Tuple{node.Shutdown, etf.Tuple{atomWSClosed, 1000}}
		if !ok || !etf.Equal(e.Reason, want) {
			t.Fatalf("handler got %v, want EXIT %s", e, etf.Format(want))
		}
	})
	t.Run("client gone kills a non-trapping handler, monitors get DOWN", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, hp := f.dial(t, "")
		down := f.n.Watch(hp)
		_ = c.CloseNow()
		select {
		case r := <-down:
			want := etf.Tuple{node.Shutdown, etf.Tuple{atomWSClosed, etf.Atom("abnormal")}}
			if !etf.Equal(r, want) {
				t.Fatalf("handler exited %s, want %s", etf.Format(r), etf.Format(want))
			}
		case <-time.After(waitFor):
			t.Fatal("the handler outlived its connection")
		}
	})
	t.Run("endpoint death closes 1001", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, _ := f.dial(t, "")
		if err := f.n.Exit(f.ep, etf.Atom("kill")); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.Read(ctxT(t))
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("read after the endpoint died: %v", err)
		}
	})
	t.Run("refused by the factory", func(t *testing.T) {
		f := newWSFixture(t, false)
		c, _, err := websocket.Dial(ctxT(t), f.srv+"/?refuse=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		_, _, err = c.Read(ctxT(t))
		if websocket.CloseStatus(err) != websocket.StatusInternalError {
			t.Fatalf("read on a refused connection: %v", err)
		}
	})
	t.Run("over the read limit closes 1009", func(t *testing.T) {
		f := newWSFixture(t, false, WithReadLimit(16))
		c, _ := f.dial(t, "")
		_ = c.Write(ctxT(t), websocket.MessageText, []byte(strings.Repeat("x", 17)))
		_, _, err := c.Read(ctxT(t))
		if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Fatalf("read after a big message: %v", err)
		}
	})
}

// Bad commands sent to a connection are ignored; it keeps working.
func TestWebSocketBadCommands(t *testing.T) {
	f := newWSFixture(t, false)
	c, hp := f.dial(t, "")
	_ = hp
	// The connection pid is in the handler's messages; find it through an echo.
	if err := c.Write(ctxT(t), websocket.MessageText, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	conn := <-f.conns
	for _, bad := range []etf.Term{
		etf.Tuple{atomWSSend, etf.Tuple{etf.Atom("ping"), etf.Binary("x")}},
		etf.Tuple{atomWSSend, etf.Tuple{atomText, 1.5}},
		etf.Tuple{atomWSClose, 1005, etf.Binary("")},
		etf.Tuple{atomWSClose, 1000, etf.Binary(strings.Repeat("r", 124))},
		etf.Atom("nonsense"),
	} {
		if err := f.n.Send(conn, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.n.Send(conn, etf.Tuple{atomWSSend, etf.Tuple{atomText, etf.Binary("still here")}}); err != nil {
		t.Fatal(err)
	}
	if _, data, err := c.Read(ctxT(t)); err != nil || string(data) != "still here" {
		t.Fatalf("%q %v", data, err)
	}
}

// WithAcceptOptions reaches the upgrade: a subprotocol is negotiated and
// the handler's Conn reports it.
func TestWebSocketSubprotocol(t *testing.T) {
	n := localNode(t)
	got := make(chan string, 1)
	ws := NewWebSocket(func(c *Conn, _ *http.Request) (node.Behavior, error) {
		got <- c.Subprotocol()
		return node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }), nil
	}, WithAcceptOptions(&websocket.AcceptOptions{Subprotocols: []string{"erlgo.v1"}}))
	srv, _, _ := serve(t, n, ws)
	c, _, err := websocket.Dial(ctxT(t), "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"other", "erlgo.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if c.Subprotocol() != "erlgo.v1" || <-got != "erlgo.v1" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
}

// Sustained load: 50 connections at once, 200 frames each, every echo
// back in order on its own connection; with a small handler mailbox the
// readers wait instead of dropping.
func TestWebSocketLoad(t *testing.T) {
	f := newWSFixture(t, false, WithMailboxLimit(4))
	const conns, frames = 50, 200
	errs := make(chan error, conns)
	for i := range conns {
		go func() {
			errs <- func() error {
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				defer cancel()
				c, _, err := websocket.Dial(ctx, f.srv+"/", nil)
				if err != nil {
					return err
				}
				defer c.CloseNow()
				go func() {
					for j := range frames {
						if c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, "c%d-%d", i, j)) != nil {
							return
						}
					}
				}()
				for j := range frames {
					_, data, err := c.Read(ctx)
					if want := fmt.Sprintf("C%d-%d", i, j); err != nil || string(data) != want {
						return fmt.Errorf("conn %d frame %d: %q %v, want %q", i, j, data, err, want)
					}
				}
				return c.Close(websocket.StatusNormalClosure, "")
			}()
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Node.Stop closes open connections cleanly (1000 from the handler's
// shutdown or 1001 from the node's, whichever comes first; never an
// abnormal drop) and Stop returns.
func TestWebSocketNodeStop(t *testing.T) {
	f := newWSFixture(t, false)
	c, _ := f.dial(t, "")
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		stopped <- f.n.Stop(ctx)
	}()
	_, _, err := c.Read(ctxT(t))
	if code := websocket.CloseStatus(err); code != websocket.StatusNormalClosure && code != websocket.StatusGoingAway {
		t.Fatalf("read during Node.Stop: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
