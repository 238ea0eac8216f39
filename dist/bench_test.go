package dist

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// BenchmarkEncodeSendFrame measures encoding one SEND with a small payload
// (the integer 42 and a {Pid, 42} tuple) into the write buffer, atom cache
// on, as Conn.Send does under its lock.
func BenchmarkEncodeSendFrame(b *testing.B) {
	for name, payload := range map[string]etf.Term{
		"int":    42,
		"pidint": etf.Tuple{pid("a@127.0.0.1", 5), 42},
		"gencall": etf.Tuple{etf.Atom("$gen_call"), etf.Tuple{pid("a@127.0.0.1", 5),
			etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: ref("a@127.0.0.1", 7)}}, 42},
	} {
		b.Run(name, func(b *testing.B) {
			c := newEncConn(b, DefaultFlags&^FlagSendSender, 0)
			// Boxed once: the encoder itself must not allocate.
			var ctl Control = Send{To: pid("b@127.0.0.1", 1)}
			b.ReportAllocs()
			for b.Loop() {
				c.wbuf = c.wbuf[:0]
				if err := c.appendMessage(ctl, payload, true); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(c.wbuf)))
		})
	}
}

// BenchmarkDecodeSendFrame measures decoding one such frame (header with
// cached atom refs, control tuple, payload) into a Message.
func BenchmarkDecodeSendFrame(b *testing.B) {
	for name, payload := range map[string]etf.Term{
		"int":    42,
		"pidint": etf.Tuple{pid("a@127.0.0.1", 5), 42},
		"gencall": etf.Tuple{etf.Atom("$gen_call"), etf.Tuple{pid("a@127.0.0.1", 5),
			etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: ref("a@127.0.0.1", 7)}}, 42},
	} {
		b.Run(name, func(b *testing.B) {
			c := newEncConn(b, DefaultFlags&^FlagSendSender, 0)
			d := newPacketDecoder(1 << 20)
			d.peer, d.self = "a@127.0.0.1", "b@127.0.0.1" // sender checks on, as in the reader
			benchDecodeSend(b, c, d, payload)
		})
	}
}

// countingHandler counts received messages.
type countingHandler struct {
	n    atomic.Int64
	want int64
	done chan struct{}
	up   chan *Conn
}

func (h *countingHandler) HandleConnUp(c *Conn) {
	select {
	case h.up <- c:
	default:
	}
}
func (h *countingHandler) HandleMessage(c *Conn, m Message) {
	if h.n.Add(1) == h.want {
		close(h.done)
	}
}
func (h *countingHandler) HandleConnDown(c *Conn, reason error) {}

// BenchmarkConnThroughput sends small messages (flood-int: the integer 42)
// from P goroutines over one TCP loopback connection between two Managers
// in this process, and reports messages/s as seen by the receiver.
func BenchmarkConnThroughput(b *testing.B) {
	for _, pairs := range []int{1, 8} {
		b.Run("pairs="+itoa(pairs), func(b *testing.B) {
			benchConnFlood(b, pairs, func(int) etf.Term { return 42 })
		})
	}
}

// BenchmarkConnLarge sends binaries of 16 KiB and 1 MiB (the runner's
// msg-16k and msg-1m) from one goroutine over one TCP loopback connection
// between two Managers in this process; the 1 MiB ones are fragmented.
// SetBytes is the payload, so MB/s compares with the runner's rows.
func BenchmarkConnLarge(b *testing.B) {
	for _, size := range []int{16 << 10, 1 << 20} {
		b.Run("size="+itoa(size>>10)+"k", func(b *testing.B) {
			msg := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			benchConnFlood(b, 1, func(int) etf.Term { return msg })
		})
	}
}

// benchConnFlood sends b.N messages from pairs goroutines over one loopback
// connection and waits until the receiver counted them all.
func benchConnFlood(b *testing.B, pairs int, msg func(p int) etf.Term) {
	rh := &countingHandler{done: make(chan struct{}), up: make(chan *Conn, 1)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	recv, err := NewManager(Config{Name: "recv@127.0.0.1", Cookie: "c", Logger: quietLogger()}, rh)
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = recv.Serve(l) }()
	defer recv.Close()
	send, err := NewManager(Config{Name: "send@127.0.0.1", Cookie: "c", Logger: quietLogger(),
		Dial: func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, "tcp", l.Addr().String())
			return nc, 6, err
		}}, &countingHandler{done: make(chan struct{}), up: make(chan *Conn, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer send.Close()
	c, err := send.Connect(context.Background(), "recv@127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	<-rh.up
	total := b.N
	rh.want = int64(total)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := total / pairs
	for p := 0; p < pairs; p++ {
		k := per
		if p == 0 {
			k += total - per*pairs
		}
		wg.Add(1)
		go func(p, k int) {
			defer wg.Done()
			ctl := Send{To: etf.PID{Node: "recv@127.0.0.1", ID: uint32(p + 1), Creation: 1}}
			m := msg(p)
			for i := 0; i < k; i++ {
				if err := c.Send(ctl, m); err != nil {
					b.Error(err)
					return
				}
			}
		}(p, k)
	}
	wg.Wait()
	select {
	case <-rh.done:
	case <-time.After(60 * time.Second):
		b.Fatalf("received %d of %d", rh.n.Load(), total)
	}
	el := time.Since(start)
	b.ReportMetric(float64(total)/el.Seconds(), "msgs/s")
}

// benchDecodeSend measures d decoding one SEND of payload that c encoded,
// after a first packet that fills the atom cache (the steady state).
func benchDecodeSend(b *testing.B, c *Conn, d *packetDecoder, payload etf.Term) {
	ctl := Send{To: pid("b@127.0.0.1", 1)}
	_ = c.appendMessage(ctl, payload, true)
	_ = c.appendMessage(ctl, payload, true) // cached refs from here on
	ps := packets(b, c.wbuf)
	if _, _, err := d.decode(ps[0]); err != nil {
		b.Fatal(err)
	}
	first := ps[1]
	b.ReportAllocs()
	b.SetBytes(int64(len(first)))
	for b.Loop() {
		if _, ok, err := d.decode(first); err != nil || !ok {
			b.Fatal(err)
		}
	}
}
