package tcp

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Sustained load: 32 clients each echo 2,000 {packet, 4} messages of
// varying size through one listener at once; every message comes back
// intact and in order, and no socket or goroutine is left.
func TestSustainedLoad(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithPacket(4), WithHandler(echoHandler(Active)))
	const clients, msgs = 32, 2000
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- loadClient(l.Addr().String(), c, msgs)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "sockets closed", func() bool { return l.Conns() == 0 })
}

// loadClient writes msgs messages while reading the echoes back.
func loadClient(addr string, id, msgs int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(waitFor))
	msg := func(i int) []byte { return bytes.Repeat([]byte{byte(id), byte(i)}, 1+(i*7+id)%300) }
	werr := make(chan error, 1)
	go func() {
		w := make([]byte, 0, 1024)
		for i := range msgs {
			m := msg(i)
			w = binary.BigEndian.AppendUint32(w[:0], uint32(len(m)))
			if _, err := c.Write(append(w, m...)); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	hdr := make([]byte, 4)
	for i := range msgs {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return err
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr))
		if _, err := io.ReadFull(c, body); err != nil {
			return err
		}
		if !bytes.Equal(body, msg(i)) {
			return io.ErrUnexpectedEOF
		}
	}
	return <-werr
}

// A Send on an already-cancelled context sends nothing and leaves the
// socket open.
func TestSendCancelled(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t)
	peer, s := rawPeer(t, o, l)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, []byte("never")); err != context.Canceled {
		t.Fatalf("send on a cancelled ctx: %v", err)
	}
	if err := s.Send(context.Background(), []byte("ok")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "ok" {
		t.Fatalf("peer %q %v", buf, err)
	}
}
