package tcp

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// BenchmarkTCPEcho: the same Go client ({packet, 4}, plain net.Conn)
// echoes messages through three servers in the same run: a tcp.Listen
// server whose handler process echoes each Data (erlgo), a plain Go net
// server with a goroutine per connection (gonet), and gen_tcp on a real
// erl node with {active, once} (beam). "pingpong" is one message in
// flight (the time per message is the round trip); "pipelined" keeps 32
// in flight on each of 4 connections. Every iteration is one round that
// times a batch of messages on each server in turn (the order rotates),
// so load drifts hit all three alike; the metrics are the medians over
// the rounds: <server>-ns/msg and erlgo's ratios (lower is faster).
//
//	go test -run XXX -bench BenchmarkTCPEcho -benchtime 7x ./tcp/
func BenchmarkTCPEcho(b *testing.B) {
	n := localNode(b)
	o := startOwner(b, n, true)
	l := o.listen(b, WithPacket(4), WithHandler(func(*Socket) node.Behavior { return benchEcho{} }))
	servers := []struct{ name, addr string }{
		{"erlgo", l.Addr().String()},
		{"gonet", goEchoServer(b)},
		{"beam", "127.0.0.1:" + strconv.Itoa(startErlServer(b, 4))},
	}
	for _, size := range []int{64, 4096} {
		for _, shape := range []struct {
			name                 string
			conns, flight, batch int
		}{{"pingpong", 1, 1, 2000}, {"pipelined", 4, 32, 20000}} {
			b.Run(fmt.Sprintf("%s/size=%d", shape.name, size), func(b *testing.B) {
				per := map[string][]float64{}
				for i := range b.N {
					for k := range servers {
						srv := servers[(i+k)%len(servers)]
						start := time.Now()
						echoLoad(b, srv.addr, size, shape.conns, shape.flight, shape.batch)
						per[srv.name] = append(per[srv.name], float64(time.Since(start).Nanoseconds())/float64(shape.batch))
					}
				}
				med := map[string]float64{}
				for name, v := range per {
					slices.Sort(v)
					med[name] = v[len(v)/2]
					b.ReportMetric(med[name], name+"-ns/msg")
				}
				b.ReportMetric(med["erlgo"]/med["gonet"], "erlgo/gonet")
				b.ReportMetric(med["erlgo"]/med["beam"], "erlgo/beam")
			})
		}
	}
}

// benchEcho echoes each Data with no deadline, as the gonet baseline.
type benchEcho struct{}

func (benchEcho) Init(*node.Process) error { return nil }
func (benchEcho) HandleMessage(_ *node.Process, msg etf.Term) error {
	if d, ok := msg.(Data); ok {
		return d.Socket.Send(context.Background(), d.Data)
	}
	return nil
}
func (benchEcho) Terminate(*node.Process, etf.Term) {}

// echoLoad sends total messages over conns connections, flight in flight
// on each, and reads every echo.
func echoLoad(b *testing.B, addr string, size, conns, flight, total int) {
	var wg sync.WaitGroup
	per := (total + conns - 1) / conns
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if err := echoConn(c, size, flight, per); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
}

func echoConn(c net.Conn, size, flight, count int) error {
	msg := binary.BigEndian.AppendUint32(nil, uint32(size))
	msg = append(msg, make([]byte, size)...)
	r := bufio.NewReaderSize(c, 64<<10)
	buf := make([]byte, 4+size)
	sent := 0
	for ; sent < min(flight, count); sent++ {
		if _, err := c.Write(msg); err != nil {
			return err
		}
	}
	for got := 0; got < count; got++ {
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		if sent < count {
			if _, err := c.Write(msg); err != nil {
				return err
			}
			sent++
		}
	}
	return nil
}

// goEchoServer is the plain Go baseline: {packet, 4} echo, a goroutine
// per connection, buffered reads, one write per message.
func goEchoServer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReaderSize(c, 64<<10)
				hdr := make([]byte, 4)
				var buf []byte
				for {
					if _, err := io.ReadFull(r, hdr); err != nil {
						return
					}
					size := binary.BigEndian.Uint32(hdr)
					buf = append(append(buf[:0], hdr...), make([]byte, size)...)
					if _, err := io.ReadFull(r, buf[4:]); err != nil {
						return
					}
					if _, err := c.Write(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}
