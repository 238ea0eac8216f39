package udp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// A round trip between two sockets: each Datagram names its sender, its
// Term is gen_udp's {udp, Socket, IP, Port, Data}.
func TestRoundTrip(t *testing.T) {
	n := localNode(t)
	oa, ob := startOwner(t, n), startOwner(t, n)
	a, b := oa.open(t), ob.open(t)
	ctx := context.Background()
	if err := a.Send(ctx, b.LocalAddr(), []byte("ping")); err != nil {
		t.Fatal(err)
	}
	d := ob.datagram(t)
	if d.Socket != b || string(d.Data) != "ping" || d.Addr() != a.LocalAddr() {
		t.Fatalf("got %+v from %v", d, d.Addr())
	}
	want := etf.Tuple{etf.Atom("udp"), b.ID(), etf.Tuple{127, 0, 0, 1}, int(a.LocalAddr().Port()), []byte("ping")}
	if got := d.Term(); etf.Format(got) != etf.Format(want) {
		t.Fatalf("term %s, want %s", etf.Format(got), etf.Format(want))
	}
	if err := b.Send(ctx, d.Addr(), []byte("pong")); err != nil {
		t.Fatal(err)
	}
	if d := oa.datagram(t); string(d.Data) != "pong" || d.Addr() != b.LocalAddr() {
		t.Fatalf("got %+v", d)
	}
}

// Once delivers one datagram until re-armed; Passive keeps them for Recv,
// which times out on silence.
func TestActiveModes(t *testing.T) {
	n := localNode(t)
	o, op := startOwner(t, n), startOwner(t, n)
	s := o.open(t, WithActive(Once))
	peer := op.open(t)
	ctx := context.Background()
	for i := range 3 {
		if err := peer.Send(ctx, s.LocalAddr(), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if d := o.datagram(t); d.Data[0] != 0 {
		t.Fatalf("first %v", d.Data)
	}
	o.None(t, 50*time.Millisecond)
	if err := s.SetActive(Passive); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Recv(ctx, waitFor); err != nil || d.Data[0] != 1 {
		t.Fatalf("recv %v %v", d.Data, err)
	}
	if err := s.SetActive(Once); err != nil {
		t.Fatal(err)
	}
	if d := o.datagram(t); d.Data[0] != 2 {
		t.Fatalf("third %v", d.Data)
	}
	if _, err := s.Recv(ctx, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("recv on silence: %v", err)
	}
	if err := s.SetActive(Active); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(ctx, time.Millisecond); !errors.Is(err, ErrNotPassive) {
		t.Fatalf("recv while active: %v", err)
	}
}

// The owner's exit closes the socket; the socket's death reaches a
// trapping owner as an exit signal; a named socket is registered; Close
// is quiet and final.
func TestLifecycle(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n)
	s := o.open(t)
	if err := n.Exit(s.ID(), node.Kill); err != nil {
		t.Fatal(err)
	}
	if x, ok := o.Next(t).(node.ExitMsg); !ok || x.From != s.ID() || x.Reason != etf.Atom("killed") {
		t.Fatalf("want EXIT killed, got %#v", x)
	}
	<-s.Done()
	if err := s.Send(context.Background(), s.LocalAddr(), []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("send on a dead socket: %v", err)
	}

	o2 := startOwner(t, n)
	s2 := o2.open(t)
	if err := o2.Exit(etf.Atom("bye")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s2.Done():
	case <-time.After(waitFor):
		t.Fatal("the socket outlived its owner")
	}

	s3 := o.open(t, WithSpawnOptions(node.WithName("udp_sock")))
	if pid, ok := n.Whereis("udp_sock"); !ok || pid != s3.ID() {
		t.Fatalf("whereis udp_sock: %v %v", pid, ok)
	}
	if err := s3.Close(); err != nil {
		t.Fatal(err)
	}
	o.None(t, 100*time.Millisecond)
	if err := s3.SetActive(Once); !errors.Is(err, ErrClosed) {
		t.Fatalf("setactive after close: %v", err)
	}
}

// Against gen_udp on a real erl node: the Go socket sends, erl answers to
// the address it saw, the Go socket receives it from erl's port, under
// sustained load too (1,000 datagrams in flight-limited rounds).
func TestErlPeer(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "udp_peer.erl")
	cmd := exec.Command(erl, "-noshell", "-noinput", "-pa", dir, "-s", "udp_peer", "start")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	port := 0
	for port == 0 && sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "port "); ok {
			port, _ = strconv.Atoi(p)
		}
	}
	if port == 0 {
		t.Fatalf("erl printed no port: %v", sc.Err())
	}
	erlAddr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	n := localNode(t)
	o := startOwner(t, n)
	s := o.open(t, WithActive(Passive))
	ctx := context.Background()
	for round := range 100 {
		for i := range 10 {
			if err := s.Send(ctx, erlAddr, fmt.Appendf(nil, "%d.%d", round, i)); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		for range 10 {
			d, err := s.Recv(ctx, waitFor)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if d.Addr() != erlAddr || !strings.HasPrefix(string(d.Data), "erl:") {
				t.Fatalf("got %q from %v", d.Data, d.Addr())
			}
			seen[string(d.Data)] = true
		}
		if len(seen) != 10 {
			t.Fatalf("round %d: %d distinct answers", round, len(seen))
		}
	}
}
