package node

import (
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// TestSignalsDoNotWaitForOtherSetups: while a connection setup toward
// another node hangs (its route leads to a listener that never answers the
// handshake), a process's spawn request, link and monitor to a connected
// peer go out on the live connection (remote.readyConn; they used to take
// a background setup of their own, with a goroutine and a Connect, as
// soon as any setup was in progress), and in the order the process made
// them, each before the message it sends right after.
func TestSignalsDoNotWaitForOtherSetups(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	held := make(chan net.Conn, 4)
	go func() {
		for {
			nc, err := silent.Accept()
			if err != nil {
				return
			}
			held <- nc // keep it open, say nothing
		}
	}()
	t.Cleanup(func() {
		for len(held) > 0 {
			_ = (<-held).Close()
		}
	})
	const stuck = "stuck@127.0.0.1"
	a := distNode(t, "rca@127.0.0.1", freePort(t), "rc",
		WithRoute(stuck, Route{Host: "127.0.0.1", Port: silent.Addr().(*net.TCPAddr).Port}))
	rec := controlsOf[dist.Control]{ch: make(chan dist.Control, 64)}
	rawPeer(t, a, dist.Config{Name: "rcb@127.0.0.1", Creation: 5, Cookie: "rc"}, rec)
	pr := spawnProbe(t, a)
	pr.do(func(p *Process) error { return p.Send(Name{"x", stuck}, 1) }) // starts the hanging setup
	waitUntil(t, "a setup toward the silent node", func() bool { return a.remote.settingUp(stuck) })

	peerPID := etf.PID{Node: "rcb@127.0.0.1", ID: 42, Creation: 5}
	pr.do(func(p *Process) error {
		if _, err := p.SpawnRequest("rcb@127.0.0.1", "m", "f", nil); err != nil {
			return err
		}
		if err := p.Send(peerPID, 1); err != nil {
			return err
		}
		if err := p.Link(peerPID); err != nil {
			return err
		}
		if err := p.Send(peerPID, 2); err != nil {
			return err
		}
		p.Monitor(peerPID)
		return p.Send(peerPID, 3)
	})
	var got []string
	for len(got) < 6 {
		select {
		case ctl := <-rec.ch:
			switch ctl.(type) {
			case dist.SpawnRequest:
				got = append(got, "spawn")
			case dist.Link:
				got = append(got, "link")
			case dist.MonitorP:
				got = append(got, "monitor")
			case dist.Send:
				got = append(got, "send")
			}
		case <-time.After(waitFor):
			t.Fatalf("after %v: nothing more arrived", got)
		}
	}
	want := []string{"spawn", "send", "link", "send", "monitor", "send"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	if !a.remote.settingUp(stuck) {
		t.Fatal("the setup toward the silent node ended meanwhile: the test proved nothing")
	}
}
