package tcp

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/erlgo/erlgo/node"
)

var modeNames = map[ActiveMode]string{Active: "active", Once: "once", Passive: "passive"}

// messagesFor returns test messages that fit the framing.
func messagesFor(packet int) [][]byte {
	switch packet {
	case Line:
		return [][]byte{[]byte("hello\n"), []byte("\n"), []byte("a longer line with spaces\n"), bytes.Repeat([]byte("x"), 5000)}
	case 1:
		return [][]byte{{}, []byte("a"), bytes.Repeat([]byte("b"), 255)}
	case 2:
		return [][]byte{{}, []byte("a"), bytes.Repeat([]byte("c"), 65535)}
	}
	return [][]byte{[]byte("a"), bytes.Repeat([]byte("d"), 100_000), bytes.Repeat([]byte("e"), 3<<20+5)}
}

// Echo through a tcp server process in every framing, with the server's
// handler and the client in every active mode: every message comes back
// whole and in order ({packet, 0}: the same bytes).
func TestEcho(t *testing.T) {
	for _, packet := range []int{0, 1, 2, 4, Line} {
		for _, srvMode := range []ActiveMode{Active, Once, Passive} {
			for _, cliMode := range []ActiveMode{Active, Once, Passive} {
				name := fmt.Sprintf("packet%d/server_%s/client_%s", packet, modeNames[srvMode], modeNames[cliMode])
				if packet == Line {
					name = fmt.Sprintf("line/server_%s/client_%s", modeNames[srvMode], modeNames[cliMode])
				}
				t.Run(name, func(t *testing.T) {
					n := localNode(t)
					o := startOwner(t, n, true)
					l := o.listen(t, WithPacket(packet), WithActive(srvMode), WithHandler(echoHandler(srvMode)))
					c := o.dial(t, l.Addr().String(), WithPacket(packet), WithActive(cliMode))
					msgs := messagesFor(packet)
					if packet == Line {
						// the last "line" has no newline: it comes back
						// when the server sees the end of the stream
						msgs[len(msgs)-1] = append(msgs[len(msgs)-1], '\n')
					}
					var want []byte
					for _, m := range msgs {
						if err := o.send(t, c, m); err != nil {
							t.Fatal(err)
						}
						want = append(want, m...)
					}
					var got []byte
					recv := func() []byte {
						switch cliMode {
						case Passive:
							b, err := c.Recv(context.Background(), 0, waitFor)
							if err != nil {
								t.Fatal(err)
							}
							return b
						case Once:
							b := o.nextData(t, c)
							if err := c.SetActive(Once); err != nil {
								t.Fatal(err)
							}
							return b
						}
						return o.nextData(t, c)
					}
					if packet == 0 {
						for len(got) < len(want) {
							got = append(got, recv()...)
						}
					} else {
						for i, m := range msgs {
							b := recv()
							if !bytes.Equal(b, m) {
								t.Fatalf("message %d: got %d bytes, want %d", i, len(b), len(m))
							}
							got = append(got, b...)
						}
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("echo differs: %d bytes, want %d", len(got), len(want))
					}
					if err := o.Do(t, func(*node.Process) error { return c.Close() }); err != nil {
						t.Fatal(err)
					}
					o.None(t, 0) // Close: no Closed, no EXIT
					if err := l.Close(); err != nil {
						t.Fatal(err)
					}
				})
			}
		}
	}
}
