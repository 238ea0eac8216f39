package dist_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// printer is a Handler that prints what arrives and signals each message.
type printer struct{ got chan dist.Message }

func (p printer) HandleConnUp(c *dist.Conn)                  { fmt.Println("up:", c.Peer()) }
func (p printer) HandleMessage(c *dist.Conn, m dist.Message) { p.got <- m }
func (p printer) HandleConnDown(c *dist.Conn, reason error)  {}

// Two Managers talk over an in-memory pipe: one side runs the acceptor
// handshake (ServeConn), the other the initiator (ConnectConn).
func Example() {
	quiet := slog.New(slog.DiscardHandler)
	b := printer{got: make(chan dist.Message, 1)}
	mb, _ := dist.NewManager(dist.Config{Name: "b@127.0.0.1", Cookie: "secret", Logger: quiet}, b)
	ma, _ := dist.NewManager(dist.Config{Name: "a@127.0.0.1", Cookie: "secret", Logger: quiet}, printer{got: make(chan dist.Message, 1)})
	defer ma.Close()
	defer mb.Close()

	x, y := net.Pipe()
	go func() { _, _ = mb.ServeConn(y) }()
	c, err := ma.ConnectConn(context.Background(), x, "b@127.0.0.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	to := etf.PID{Node: "b@127.0.0.1", ID: 42, Creation: 1}
	_ = c.Send(dist.RegSend{From: etf.PID{Node: "a@127.0.0.1", ID: 1, Creation: 1}, To: "logger"}, etf.Tuple{etf.Atom("hello"), to})
	m := <-b.got
	fmt.Printf("%v %v\n", m.Control.Op(), m.Payload)
	// Unordered output:
	// up: a@127.0.0.1
	// up: b@127.0.0.1
	// REG_SEND {hello,<b@127.0.0.1.42.0>}
}
