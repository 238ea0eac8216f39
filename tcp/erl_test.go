package tcp

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
)

// erlPacket is the packet option as tcp_peer.erl takes it.
func erlPacket(packet int) string {
	if packet == Line {
		return "line"
	}
	return strconv.Itoa(packet)
}

var erlSizes = map[int][]int{
	1:    {0, 1, 2, 255},
	2:    {1, 300, 65535},
	4:    {1, 1000, 70000, 3<<20 + 1},
	Line: {0, 1, 5000},
}

// startErlServer runs tcp_peer:server on a free port and returns it.
func startErlServer(t testing.TB, packet int) int {
	t.Helper()
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "tcp_peer.erl")
	cmd := exec.Command(erl, "-noshell", "-noinput", "-pa", dir, "-s", "tcp_peer", "server", erlPacket(packet))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "port "); ok {
			port, err := strconv.Atoi(p)
			if err != nil {
				t.Fatal(err)
			}
			go func() { // keep the pipe drained
				for sc.Scan() {
				}
			}()
			return port
		}
	}
	t.Fatalf("erl server printed no port: %v", sc.Err())
	return 0
}

// An erl node's gen_tcp client against the Go server, in each framing:
// gen_tcp sends, the tcp server process echoes, gen_tcp checks every
// message (framing compatible both ways).
func TestErlClientGoServer(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "tcp_peer.erl")
	for _, packet := range []int{1, 2, 4, Line} {
		t.Run("packet_"+erlPacket(packet), func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			l := o.listen(t, WithPacket(packet), WithHandler(echoHandler(Once)))
			port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
			args := []string{"-noshell", "-noinput", "-pa", dir, "-s", "tcp_peer", "client", port, erlPacket(packet)}
			for _, s := range erlSizes[packet] {
				args = append(args, strconv.Itoa(s))
			}
			out, err := exec.Command(erl, args...).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Fatalf("erl client: %v\n%s", err, out)
			}
		})
	}
}

// The Go client against an erl node's gen_tcp server, in each framing.
func TestGoClientErlServer(t *testing.T) {
	for _, packet := range []int{1, 2, 4, Line} {
		t.Run("packet_"+erlPacket(packet), func(t *testing.T) {
			port := startErlServer(t, packet)
			n := localNode(t)
			o := startOwner(t, n, true)
			c := o.dial(t, "127.0.0.1:"+strconv.Itoa(port), WithPacket(packet), WithActive(Passive))
			for i, size := range erlSizes[packet] {
				m := bytes.Repeat([]byte{byte('a' + i)}, size)
				if packet == Line {
					m = append(m, '\n')
				}
				if err := o.send(t, c, m); err != nil {
					t.Fatal(err)
				}
				got, err := c.Recv(context.Background(), 0, waitFor)
				if err != nil || !bytes.Equal(got, m) {
					t.Fatalf("message %d (%d bytes): got %d bytes, %v", i, len(m), len(got), err)
				}
			}
		})
	}
}
