package epmd

import (
	"context"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A connection reset before EPMD answered anything means no EPMD served
// it (ErrUnreachable, which makes Publish fall back to an embedded
// server); a reset once part of an answer arrived stays a protocol
// error. The first case is real kernel behaviour: a listener closed with
// our connection still in its accept queue resets it. That is what a
// closed embedded EPMD looked like for a moment when another goroutine
// forked a child (os/exec) that still held the listening socket until its
// exec: TestRealErlInEmbeddedServer saw "connection reset" instead of
// ErrUnreachable after Close.
func TestClientResetClassified(t *testing.T) {
	calls := []struct {
		name string
		call func(c *Client) error
	}{
		{"names", func(c *Client) error { _, _, err := c.Names(ctxT(t)); return err }},
		{"port please", func(c *Client) error { _, err := c.PortPlease(ctxT(t), "x"); return err }},
		{"register", func(c *Client) error {
			r, err := c.Register(ctxT(t), Registration{Name: "x", Port: 1})
			if err == nil {
				_ = r.Close()
			}
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name+"/reset in the accept queue", func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			t.Cleanup(func() { _ = l.Close() })
			c := &Client{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
				var d net.Dialer
				conn, err := d.DialContext(ctx, network, l.Addr().String())
				if err != nil {
					return nil, err
				}
				// Never accepted: closing the listener resets conn.
				_ = l.Close()
				return conn, nil
			}}
			err = tc.call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnreachable)
			assert.ErrorIs(t, err, syscall.ECONNRESET, "the cause is kept")
		})
		t.Run(tc.name+"/reset mid-answer", func(t *testing.T) {
			c := &Client{Dial: func(context.Context, string, string) (net.Conn, error) {
				return resetAfter(t, 1), nil
			}}
			err := tc.call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrProtocol)
			assert.NotErrorIs(t, err, ErrUnreachable)
		})
	}
}

// resetAfter returns a connection whose peer reads the request, sends the
// first n bytes of an answer (zeros) and then resets: reads after those n
// bytes fail with ECONNRESET.
func resetAfter(t *testing.T, n int) net.Conn {
	client, server := net.Pipe()
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	go func() {
		if _, err := readFrame(server); err != nil {
			return
		}
		_, _ = server.Write(make([]byte, n))
	}()
	return &resetConn{Conn: client, left: n}
}

// resetConn delivers left bytes from the pipe, then fails every read with
// the error a TCP reset gives.
type resetConn struct {
	net.Conn
	left int
}

func (c *resetConn) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= n
	return n, err
}
