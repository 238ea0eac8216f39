package dist

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// mailboxHandler hands every received message to a channel, as the node
// layer hands messages to a process mailbox (one goroutine hand-off).
type mailboxHandler struct {
	up  chan *Conn
	box chan Message
}

func (h *mailboxHandler) HandleConnUp(c *Conn) {
	select {
	case h.up <- c:
	default:
	}
}
func (h *mailboxHandler) HandleMessage(c *Conn, m Message)     { h.box <- m }
func (h *mailboxHandler) HandleConnDown(c *Conn, reason error) {}

// BenchmarkConnRoundTrip measures gen_server-call-style latency over a TCP
// loopback connection between two Managers in this process: a client
// goroutine sends {Pid, 42} and waits for the echo; a server goroutine
// (the "process" behind the peer's mailbox) replies. One message is
// outstanding at a time. Reports p50/p99 round trip in µs.
func BenchmarkConnRoundTrip(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sh := &mailboxHandler{up: make(chan *Conn, 1), box: make(chan Message, 16)}
	srv, err := NewManager(Config{Name: "srv@127.0.0.1", Cookie: "c", Logger: quietLogger()}, sh)
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	ch := &mailboxHandler{up: make(chan *Conn, 1), box: make(chan Message, 16)}
	cli, err := NewManager(Config{Name: "cli@127.0.0.1", Cookie: "c", Logger: quietLogger(),
		Dial: func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, "tcp", l.Addr().String())
			return nc, 6, err
		}}, ch)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	cc, err := cli.Connect(context.Background(), "srv@127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	sc := <-sh.up

	// Server process: reply to whoever called.
	stop := make(chan struct{})
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		for {
			select {
			case m := <-sh.box:
				t := m.Payload.(etf.Tuple)
				from := t[0].(etf.PID)
				if err := sc.Send(Send{From: etf.PID{Node: "srv@127.0.0.1", ID: 1, Creation: 1}, To: from}, t[1]); err != nil {
					return
				}
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-srvDone }()

	self := etf.PID{Node: "cli@127.0.0.1", ID: 7, Creation: 1}
	to := etf.PID{Node: "srv@127.0.0.1", ID: 1, Creation: 1}
	call := func() {
		if err := cc.Send(Send{From: self, To: to}, etf.Tuple{self, 42}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-ch.box:
		case <-time.After(30 * time.Second):
			b.Fatal("no reply")
		}
	}
	for range 100 { // warm up the atom caches and the connection
		call()
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		call()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	us := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(us(0.50), "p50-µs")
	b.ReportMetric(us(0.99), "p99-µs")
}
