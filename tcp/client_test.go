package tcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// TLS on both sides (client certificates verified): echo works; a plain
// client to the TLS server, and a TLS client that does not trust the
// server, get nothing and break nothing.
func TestTLS(t *testing.T) {
	pki := erltest.NewPKI(t)
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithTLS(pki.TLS), WithPacket(2), WithHandler(echoHandler(Active)))
	c := o.dial(t, l.Addr().String(), WithTLS(pki.TLS), WithPacket(2))
	for _, m := range messagesFor(2) {
		if err := o.send(t, c, m); err != nil {
			t.Fatal(err)
		}
		if got := o.nextData(t, c); !bytes.Equal(got, m) {
			t.Fatalf("echo of %d bytes: %d", len(m), len(got))
		}
	}
	if _, ok := c.current().(*tls.Conn); !ok {
		t.Fatal("the client connection is not TLS")
	}

	plain, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Write([]byte("\x00\x04ping")); err != nil {
		t.Fatal(err)
	}
	readEOF(t, plain) // the handshake fails and the server closes

	untrusting := pki.TLS.Clone()
	untrusting.RootCAs = nil
	untrusting.InsecureSkipVerify = false
	untrusting.ServerName = "127.0.0.1"
	err = o.Do(t, func(p *node.Process) error {
		_, err := Dial(context.Background(), p, l.Addr().String(), WithTLS(untrusting))
		return err
	})
	if !errors.Is(err, ErrConnect) {
		t.Fatalf("dial with an untrusted server: %v", err)
	}
	// The first connection still echoes.
	if err := o.send(t, c, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := o.nextData(t, c); string(got) != "after" {
		t.Fatalf("got %q", got)
	}
}

// Dial fails with ErrConnect for a closed port and honours its timeout
// for an address that does not answer.
func TestDialFails(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	port := erltest.FreePort(t)
	err := o.Do(t, func(p *node.Process) error {
		_, err := Dial(context.Background(), p, net.JoinHostPort("127.0.0.1", itoa(port)))
		return err
	})
	if !errors.Is(err, ErrConnect) {
		t.Fatalf("dial a closed port: %v", err)
	}
	err = o.Do(t, func(p *node.Process) error {
		// TEST-NET-1 (RFC 5737): nothing answers, the dial times out.
		_, err := Dial(context.Background(), p, "192.0.2.1:9", WithConnectTimeout(50*time.Millisecond))
		return err
	})
	if !errors.Is(err, ErrConnect) {
		t.Fatalf("dial an address that does not answer: %v", err)
	}
	if err := o.Do(t, func(p *node.Process) error {
		_, err := Dial(context.Background(), p, "127.0.0.1:1", WithPacket(3))
		return err
	}); !errors.Is(err, ErrBadOption) {
		t.Fatalf("bad packet: %v", err)
	}
}

// WithReconnect: the server goes away (Closed), comes back on the same
// port, the client reconnects by itself (Connected) and echoes again;
// sends in between fail with ErrClosed.
func TestReconnect(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	srv := startOwner(t, n, true)
	l := srv.listen(t, WithPacket(4), WithHandler(echoHandler(Active)))
	addr := l.Addr().String()
	c := o.dial(t, addr, WithPacket(4), WithReconnect(5*time.Millisecond, 50*time.Millisecond))
	echo := func(msg string) {
		t.Helper()
		if err := o.send(t, c, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if got := o.nextData(t, c); string(got) != msg {
			t.Fatalf("got %q", got)
		}
	}
	echo("before")
	if err := l.Close(); err != nil { // the handlers and their sockets go too
		t.Fatal(err)
	}
	if m, ok := o.Next(t).(Closed); !ok || m.Socket != c {
		t.Fatalf("want Closed, got %#v", m)
	}
	if err := c.Send(context.Background(), []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("send while disconnected: %v", err)
	}
	var l2 *Listener
	waitUntil(t, "the port free again", func() bool {
		err := srv.Do(t, func(p *node.Process) (err error) {
			l2, err = Listen(context.Background(), p, addr, WithPacket(4), WithHandler(echoHandler(Active)))
			return err
		})
		return err == nil
	})
	if m, ok := o.Next(t).(Connected); !ok || m.Socket != c {
		t.Fatalf("want Connected, got %#v", m)
	}
	echo("after")
	_ = l2
	if err := o.Do(t, func(*node.Process) error { return c.Close() }); err != nil {
		t.Fatal(err)
	}
}

// A client that connects to a TLS listener and never completes the
// handshake is dropped after WithHandshakeTimeout, freeing its slot: with
// WithMaxConns(1), a real client is served next.
func TestTLSHandshakeTimeout(t *testing.T) {
	pki := erltest.NewPKI(t)
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t, WithTLS(pki.TLS), WithMaxConns(1), WithHandshakeTimeout(100*time.Millisecond))
	silent, s := rawPeer(t, o, l)
	if e, ok := o.Next(t).(Error); !ok || e.Socket != s || e.Reason != atomTimeout {
		t.Fatalf("want Error timeout, got %#v", e)
	}
	if _, ok := o.Next(t).(Closed); !ok {
		t.Fatal("want Closed")
	}
	if x, ok := o.Next(t).(node.ExitMsg); !ok || x.From != s.ID() {
		t.Fatalf("want EXIT, got %#v", x)
	}
	readEOF(t, silent)
	c := o.dial(t, l.Addr().String(), WithTLS(pki.TLS))
	a, ok := o.Next(t).(Accepted)
	if !ok {
		t.Fatal("the second client was not accepted")
	}
	if err := o.send(t, c, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if got := o.nextData(t, a.Socket); string(got) != "hi" {
		t.Fatalf("got %q", got)
	}
}
