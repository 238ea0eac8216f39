package tcp

import (
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/node"
)

// FuzzSocketInput writes any bytes from a peer to a real socket in each
// framing (max 1 KiB) and checks what the controller gets: Data no longer
// than the maximum, then at most one Error (emsgsize for an oversized
// message), then Closed and the socket's normal exit; never a panic, and
// the node keeps serving the next input.
func FuzzSocketInput(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x03abc\x00\x00\x00\x00"), uint8(4))
	f.Add([]byte("\x00\x00\xff\xff"), uint8(4))
	f.Add([]byte("\x05ab"), uint8(1))
	f.Add([]byte("\x00\x02hi\xff\xff"), uint8(2))
	f.Add([]byte("line\n\nno newline"), uint8(3))
	f.Add(make([]byte, 2000), uint8(3))
	f.Add([]byte("raw"), uint8(0))
	n := localNode(f)
	o := startOwner(f, n, true)
	listeners := map[int]*Listener{}
	for _, p := range []int{0, 1, 2, 4, Line} {
		listeners[p] = o.listen(f, WithPacket(p), WithMaxPacket(1024))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		packet := []int{0, 1, 2, 4, Line}[mode%5]
		l := listeners[packet]
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetWriteDeadline(time.Now().Add(waitFor))
		_, _ = c.Write(data) // the server may close first (emsgsize)
		_ = c.(*net.TCPConn).CloseWrite()
		a, ok := o.Next(t).(Accepted)
		if !ok {
			t.Fatal("want Accepted")
		}
		s := a.Socket
		sawError := false
		for {
			switch m := o.Next(t).(type) {
			case Data:
				if m.Socket != s || sawError {
					t.Fatalf("data %d bytes from %v after error %v", len(m.Data), m.Socket.ID(), sawError)
				}
				if packet != 0 && len(m.Data) > 1024 {
					t.Fatalf("message of %d bytes over the maximum", len(m.Data))
				}
			case Error:
				if sawError || m.Reason != atomEmsgsize {
					t.Fatalf("error %v (twice: %v)", m.Reason, sawError)
				}
				sawError = true
			case Closed:
				if x, ok := o.Next(t).(node.ExitMsg); !ok || x.From != s.ID() || x.Reason != node.Normal {
					t.Fatalf("want EXIT normal, got %#v", x)
				}
				return
			default:
				t.Fatalf("unexpected %#v", m)
			}
		}
	})
}
