package epmd

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// pipeDialer returns a Dial func whose "EPMD" reads the request and
// answers with answer, then closes.
func pipeDialer(answer []byte) func(context.Context, string, string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			if _, err := readFrame(server); err != nil {
				return
			}
			_, _ = server.Write(answer)
		}()
		return client, nil
	}
}

func TestClientParsesAnswers(t *testing.T) {
	ctx := ctxT(t)
	tests := []struct {
		name    string
		answer  []byte
		call    func(c *Client) error
		wantErr error
	}{
		{"port please ok without Elen", []byte{119, 0, 0, 1, 77, 0, 0, 6, 0, 5, 0, 1, 'a'}, func(c *Client) error {
			info, err := c.PortPlease(ctx, "a")
			if err == nil && (info.Port != 1 || info.Name != "a" || info.Extra != nil) {
				t.Errorf("info %+v", info)
			}
			return err
		}, nil},
		{"port please huge name length", []byte{119, 0, 0, 1, 77, 0, 0, 6, 0, 5, 0xff, 0xff, 'a'}, func(c *Client) error {
			_, err := c.PortPlease(ctx, "a")
			return err
		}, ErrProtocol},
		{"port please wrong code", []byte{1, 0}, func(c *Client) error {
			_, err := c.PortPlease(ctx, "a")
			return err
		}, ErrProtocol},
		{"port please not found", []byte{119, 1}, func(c *Client) error {
			_, err := c.PortPlease(ctx, "a")
			return err
		}, ErrNotRegistered},
		{"port please silent close", nil, func(c *Client) error {
			_, err := c.PortPlease(ctx, "a")
			return err
		}, ErrProtocol},
		{"alive 16-bit answer", []byte{121, 0, 0, 3}, func(c *Client) error {
			reg, err := c.Register(ctx, Registration{Name: "a", Port: 1})
			if err == nil {
				if reg.Creation() != 3 {
					t.Errorf("creation %d", reg.Creation())
				}
				<-reg.Done() // the fake EPMD closed the socket
				_ = reg.Close()
			}
			return err
		}, nil},
		{"alive refused", []byte{118, 1, 0, 0, 0, 99}, func(c *Client) error {
			_, err := c.Register(ctx, Registration{Name: "a", Port: 1})
			return err
		}, ErrNameTaken},
		{"alive garbage", []byte{0, 0, 0}, func(c *Client) error {
			_, err := c.Register(ctx, Registration{Name: "a", Port: 1})
			return err
		}, ErrProtocol},
		{"names bad line", append([]byte{0, 0, 17, 17}, "hello\n"...), func(c *Client) error {
			_, _, err := c.Names(ctx)
			return err
		}, ErrProtocol},
		{"kill silent close", nil, func(c *Client) error {
			_, err := c.Kill(ctx)
			return err
		}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(&Client{Dial: pipeDialer(tt.answer)})
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	ctx := ctxT(t)
	c := &Client{Port: erltest.FreePort(t)}
	_, err := c.PortPlease(ctx, "x")
	assert.ErrorIs(t, err, ErrUnreachable)
	_, err = c.Register(ctx, Registration{Name: "x"})
	assert.ErrorIs(t, err, ErrUnreachable)
	_, err = c.Register(ctx, Registration{Name: ""})
	assert.ErrorIs(t, err, ErrInvalidName)
	_, err = c.Register(ctx, Registration{Name: "x", Extra: make([]byte, MaxSymLen+1)})
	assert.ErrorIs(t, err, ErrInvalidName)
	_, err = c.PortPlease(ctx, "a\x00")
	assert.ErrorIs(t, err, ErrInvalidName)
}

// TestClientHonoursContext: an EPMD that accepts but never answers does
// not hold the caller beyond its deadline, nor after cancellation.
func TestClientHonoursContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	held := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(held)
				return
			}
			held <- c
		}
	}()
	defer func() {
		l.Close()
		for c := range held {
			c.Close()
		}
	}()
	c := &Client{Port: l.Addr().(*net.TCPAddr).Port}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Register(ctx, Registration{Name: "x", Port: 1})
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	_, err = c.PortPlease(ctx2, "x")
	assert.ErrorIs(t, err, context.Canceled)
}

// FuzzClientResponses feeds arbitrary EPMD answers to every client call:
// no panic, no hang, and failures are typed.
func FuzzClientResponses(f *testing.F) {
	f.Add([]byte{119, 0, 0, 1, 77, 0, 0, 6, 0, 5, 0, 1, 'a', 0, 0})
	f.Add([]byte{119, 1})
	f.Add([]byte{118, 0, 0, 0, 0, 9})
	f.Add([]byte{121, 0, 0, 2})
	f.Add(append([]byte{0, 0, 17, 17}, "name a at port 1\n"...))
	f.Add([]byte("OK"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, answer []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c := &Client{Dial: pipeDialer(answer)}
		typed := func(err error) {
			if err != nil && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrNotRegistered) && !errors.Is(err, ErrNameTaken) {
				t.Fatalf("untyped error %v", err)
			}
		}
		_, err := c.PortPlease(ctx, "a")
		typed(err)
		reg, err := c.Register(ctx, Registration{Name: "a", Port: 1})
		typed(err)
		if err == nil {
			_ = reg.Close()
		}
		_, _, err = c.Names(ctx)
		typed(err)
		_, err = c.Dump(ctx)
		typed(err)
		_, err = c.Kill(ctx)
		typed(err)
	})
}
