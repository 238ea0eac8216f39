package tcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/erlgo/erlgo/node"
)

// rawPeer returns a plain net.Conn connected to an accepted Socket of l
// (owner mode: o gets Accepted).
func rawPeer(t *testing.T, o *owner, l *Listener) (net.Conn, *Socket) {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m := o.Next(t)
	a, ok := m.(Accepted)
	if !ok || a.Listener != l {
		t.Fatalf("want Accepted, got %#v", m)
	}
	return c, a.Socket
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// {active, once}: one message, then nothing until SetActive(Once) re-arms
// it; meanwhile the socket stops reading, so the peer's writes block once
// the kernel buffers are full and our heap does not grow with what the
// peer tries to send.
func TestActiveOnceFlowControl(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithPacket(4), WithActive(Once))
	peer, s := rawPeer(t, o, l)
	msg := bytes.Repeat([]byte("z"), 64<<10)
	frame := append([]byte{0, 1, 0, 0}, msg...)
	before := heapInUse()
	// The peer writes until its writes block: 256 MiB would never fit
	// the kernel's buffers.
	written := make(chan int, 1)
	go func() {
		total := 0
		for total < 256<<20 {
			_ = peer.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
			k, err := peer.Write(frame)
			total += k
			if err != nil {
				break
			}
		}
		written <- total
	}()
	if got := o.nextData(t, s); !bytes.Equal(got, msg) {
		t.Fatalf("first message: %d bytes", len(got))
	}
	var total int
	select {
	case total = <-written:
	case <-time.After(waitFor):
		t.Fatal("the peer's writes never blocked")
	}
	if total >= 256<<20 {
		t.Fatal("the peer wrote everything: nothing held it back")
	}
	o.None(t, 0)
	if grew := int64(heapInUse()) - int64(before); grew > 16<<20 {
		t.Fatalf("heap grew by %d bytes while the socket was passive", grew)
	}
	if err := s.SetActive(Once); err != nil {
		t.Fatal(err)
	}
	if got := o.nextData(t, s); !bytes.Equal(got, msg) {
		t.Fatalf("message after re-arm: %d bytes", len(got))
	}
	o.None(t, 50*time.Millisecond) // once again: one message only
	if err := s.SetActive(Active); err != nil {
		t.Fatal(err)
	}
	// The rest drains: every full frame the peer wrote arrives.
	for range total/len(frame) - 2 {
		o.nextData(t, s)
	}
}

// Passive: Recv with a timeout fails with ErrTimeout when nothing comes,
// {packet, 0} Recv(n) returns exactly n bytes whatever the segments, the
// rest stays for the next Recv, and the end is ErrClosed.
func TestPassiveRecv(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithActive(Passive))
	peer, s := rawPeer(t, o, l)
	ctx := context.Background()
	if _, err := s.Recv(ctx, 0, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("recv on silence: %v, want ErrTimeout", err)
	}
	if _, err := peer.Write([]byte("hel")); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Recv(ctx, 5, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("recv 5 of 3 bytes: %q %v, want ErrTimeout", b, err)
	}
	if _, err := peer.Write([]byte("lo world")); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Recv(ctx, 5, waitFor); err != nil || string(b) != "hello" {
		t.Fatalf("recv 5: %q %v", b, err)
	}
	if b, err := s.Recv(ctx, 0, waitFor); err != nil || string(b) != " world" {
		t.Fatalf("recv rest: %q %v", b, err)
	}
	peer.Close()
	if _, err := s.Recv(ctx, 0, waitFor); !errors.Is(err, ErrClosed) {
		t.Fatalf("recv after the peer closed: %v, want ErrClosed", err)
	}
	waitDone(t, s.Done(), "socket")
	if _, err := s.Recv(ctx, 0, waitFor); !errors.Is(err, ErrClosed) {
		t.Fatalf("recv on an ended socket: %v", err)
	}
	if err := s.SetActive(Active); !errors.Is(err, ErrClosed) {
		t.Fatalf("setactive on an ended socket: %v", err)
	}
}

// Recv in an active mode and with a length in a packet mode are refused.
func TestRecvRefused(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithPacket(2))
	_, s := rawPeer(t, o, l)
	if _, err := s.Recv(context.Background(), 0, time.Millisecond); !errors.Is(err, ErrNotPassive) {
		t.Fatalf("recv while active: %v", err)
	}
	if _, err := s.Recv(context.Background(), 3, time.Millisecond); !errors.Is(err, ErrBadOption) {
		t.Fatalf("recv with a length under {packet, 2}: %v", err)
	}
	if err := o.send(t, s, make([]byte, 70000)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("send over the header: %v", err)
	}
}

// A message over WithMaxPacket closes that connection only: its
// controller gets Error{emsgsize} then Closed, the reason is logged, and
// another connection of the same listener keeps echoing.
func TestOversizedFrame(t *testing.T) {
	for _, tc := range []struct {
		name   string
		packet int
		bad    []byte
	}{
		{"packet4 header", 4, []byte{0, 0, 4, 1}},
		{"line without newline", Line, bytes.Repeat([]byte("y"), 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			n := localNode(t, node.WithLogger(logs.logger()))
			o := startOwner(t, n, true)
			l := o.listen(t, WithPacket(tc.packet), WithMaxPacket(1024))
			good, gs := rawPeer(t, o, l)
			bad, bs := rawPeer(t, o, l)
			if _, err := bad.Write(tc.bad); err != nil {
				t.Fatal(err)
			}
			e, ok := o.Next(t).(Error)
			if !ok || e.Socket != bs || e.Reason != atomEmsgsize || !errors.Is(e.Err, ErrMsgSize) {
				t.Fatalf("want Error emsgsize, got %#v", e)
			}
			if c, ok := o.Next(t).(Closed); !ok || c.Socket != bs {
				t.Fatalf("want Closed, got %#v", c)
			}
			if x, ok := o.Next(t).(node.ExitMsg); !ok || x.From != bs.ID() || x.Reason != node.Normal {
				t.Fatalf("want EXIT normal, got %#v", x)
			}
			if _, err := io.ReadAll(bad); err != nil { // the peer sees the close
				t.Fatalf("bad peer: %v", err)
			}
			waitUntil(t, "the log line", func() bool { return bytes.Contains(logs.bytes(), []byte("over the maximum")) })
			// The other connection is untouched.
			msg := []byte("still here\n")
			if tc.packet == 4 {
				msg = append([]byte{0, 0, 0, 4}, "ping"...)
			}
			if _, err := good.Write(msg); err != nil {
				t.Fatal(err)
			}
			if got := o.nextData(t, gs); len(got) == 0 {
				t.Fatal("empty message")
			}
			if err := o.send(t, gs, []byte("pong\n")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A peer that never reads: Send blocks once the kernel buffers are full
// (nothing is queued in the process), ctx ends it, the socket is closed
// (a partial frame may be out), and the heap stays flat.
func TestSlowReader(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithPacket(4))
	_, s := rawPeer(t, o, l)
	chunk := make([]byte, 1<<20)
	before := heapInUse()
	sent := 0
	var err error
	for sent < 1<<30 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err = s.Send(ctx, chunk)
		cancel()
		if err != nil {
			break
		}
		sent += len(chunk)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send to a peer that does not read: %v after %d bytes", err, sent)
	}
	if grew := int64(heapInUse()) - int64(before); grew > 16<<20 {
		t.Fatalf("heap grew by %d bytes", grew)
	}
	if e, ok := o.Next(t).(Error); !ok || e.Reason != atomTimeout {
		t.Fatalf("want Error timeout, got %#v", e)
	}
	if _, ok := o.Next(t).(Closed); !ok {
		t.Fatal("want Closed")
	}
	waitDone(t, s.Done(), "socket")
	if err := s.Send(context.Background(), chunk); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after: %v", err)
	}
}

// An accept flood is bounded: with WithMaxConns(4), 20 clients connect
// (the kernel's backlog takes them) but only 4 sockets exist at once;
// each one closed lets one more in, and all 20 are served in the end.
func TestAcceptFlood(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	const max, clients = 4, 20
	l := o.listen(t, WithMaxConns(max), WithPacket(1), WithHandler(echoHandler(Active)))
	var conns []net.Conn
	for range clients {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	served := 0
	for served < clients {
		waitUntil(t, "accepted connections", func() bool { return l.Conns() == min(max, clients-served) })
		if got := l.Conns(); got > max {
			t.Fatalf("%d connections open, max %d", got, max)
		}
		// Find a served client: its echo comes back; close it.
		for i, c := range conns {
			if c == nil {
				continue
			}
			_ = c.SetDeadline(time.Now().Add(20 * time.Millisecond))
			if _, err := c.Write([]byte{1, byte(i)}); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 2)
			if _, err := io.ReadFull(c, buf); err == nil {
				if buf[1] != byte(i) {
					t.Fatalf("echo %v to client %d", buf, i)
				}
				c.Close()
				conns[i] = nil
				served++
				break
			}
			_ = c.SetDeadline(time.Time{})
		}
		if l.Conns() > max {
			t.Fatalf("%d connections open, max %d", l.Conns(), max)
		}
	}
	waitUntil(t, "all closed", func() bool { return l.Conns() == 0 })
}

// Accepted reaches the controller before the data of a peer that writes
// at once.
func TestAcceptedBeforeData(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t)
	for range 20 {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("first")); err != nil {
			t.Fatal(err)
		}
		a, ok := o.Next(t).(Accepted)
		if !ok {
			t.Fatal("data before Accepted")
		}
		if b := o.nextData(t, a.Socket); string(b) != "first" {
			t.Fatalf("got %q", b)
		}
	}
}

// Active mode against a controller that is busy: the socket stops
// reading once the controller's mailbox holds WithWindow messages, so the
// mailbox stays at the window, the peer's writes block, and everything
// arrives once the controller gets to it.
func TestActiveWindowBoundsMailbox(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	const window = 8
	l := o.listen(t, WithPacket(4), WithWindow(window))
	peer, s := rawPeer(t, o, l)
	release := make(chan struct{})
	o.Post(t, func(*node.Process) error { <-release; return nil }) // keeps the owner busy
	frame := append([]byte{0, 1, 0, 0}, make([]byte, 64<<10)...)
	written := make(chan int, 1)
	go func() {
		total := 0
		for total < 256<<20 {
			_ = peer.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
			k, err := peer.Write(frame)
			total += k
			if err != nil {
				break
			}
		}
		written <- total
	}()
	var total int
	select {
	case total = <-written:
	case <-time.After(waitFor):
		t.Fatal("the peer's writes never blocked")
	}
	if q := o.Proc.MessageQueueLen(); q > window {
		t.Fatalf("mailbox holds %d messages, window %d", q, window)
	}
	if total >= 256<<20 {
		t.Fatal("the peer wrote everything")
	}
	close(release)
	for range total / len(frame) {
		if b := o.nextData(t, s); len(b) != 64<<10 {
			t.Fatalf("message of %d bytes", len(b))
		}
	}
}
