package node

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// FuzzSpawnReply: local processes send spawn requests (link, monitor,
// reply modes from the fuzz bytes) to a raw peer, which answers with
// SPAWN_REPLYs built from the bytes: for a pending request, one already
// answered or abandoned, an unknown one; to the requester or another
// process; any flags; a pid of the peer or of a third node, an error atom
// or any term; over the live connection, through the real decode and
// handler path. Afterwards the requesters are killed and the connection
// closed, and the node must be back where it started: no pending request,
// no process, no books, goroutines at the baseline.
func FuzzSpawnReply(f *testing.F) {
	for _, seed := range [][]byte{
		{3, 0, 0, 0, 0},          // link+monitor request, success reply
		{1, 1, 0, 2, 3, 0},       // error reply for a linked request
		{2, 0, 0, 1, 0, 0, 0},    // reply to a third node's pid
		{0, 9, 1, 0, 3, 5, 4, 0}, // abandoned, then its reply with both flags
		{3, 0, 2, 1, 3, 1, 0, 1}, // reply to another process, unknown ref
		{7, 0, 0, 3, 3, 0, 0, 3}, // reply twice
	} {
		f.Add(seed)
	}
	h := controlsOf[dist.SpawnRequest]{ch: make(chan dist.SpawnRequest, 64)}
	fp := newFuzzPeerWith(f, h)
	a, b, marks := fp.a, fp.b, fp.marks
	peerPID := func(b byte) etf.PID { return etf.PID{Node: fp.peer, ID: uint32(b) + 100, Creation: 5} }
	base := runtime.NumGoroutine()
	seq := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		g := fuzzGen{data: data}
		nc, err := net.Dial("tcp", a.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		c, err := b.ConnectConn(ctx, nc, a.Name())
		if err != nil {
			t.Fatal(err)
		}
		for a.remote.liveConn(fp.peer) == nil && c.Err() == nil {
			time.Sleep(time.Millisecond) // polling: the dialling side returns first
		}
		var owners []*Process
		var reqs []dist.SpawnRequest
		defer func() { // also when the input failed: the next one starts clean
			for _, p := range owners {
				_ = a.Exit(p.pid, Kill)
			}
			_ = c.Close()
		}()
		for i := 0; i < 3 && !g.done(); i++ {
			ob := g.byte()
			opts := []RemoteSpawnOption{SpawnReply(SpawnReplyMode(ob >> 2 & 3))}
			if ob&1 != 0 {
				opts = append(opts, SpawnLink())
			}
			if ob&2 != 0 {
				opts = append(opts, SpawnMonitor())
			}
			var trap []SpawnOption
			if ob&16 != 0 {
				trap = append(trap, WithTrapExit())
			}
			pid, err := a.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil }), trap...)
			if err != nil {
				t.Fatal(err)
			}
			p := a.lookup(pid)
			owners = append(owners, p)
			ref, err := p.SpawnRequest(fp.peer, "m", "f", nil, opts...)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case r := <-h.ch:
				reqs = append(reqs, r)
			case <-time.After(waitFor):
				t.Fatal("no spawn request arrived")
			}
			if ob&32 != 0 {
				p.SpawnRequestAbandon(ref)
			}
		}
		for i := 0; i < 8 && !g.done() && len(reqs) > 0; i++ {
			r := reqs[int(g.byte())%len(reqs)]
			ctl := dist.SpawnReply{ReqID: r.ReqID, To: r.From, Flags: int(g.byte() & 3)}
			switch g.byte() % 4 {
			case 1:
				ctl.ReqID.ID[0]++ // unknown
			case 2:
				ctl.To = owners[int(g.byte())%len(owners)].pid
			case 3:
				ctl.To = peerPID(0)
			}
			switch g.byte() % 5 {
			case 0, 1:
				ctl.Result = peerPID(g.byte())
			case 2:
				ctl.Result = etf.PID{Node: "third@127.0.0.1", ID: 7, Creation: 1}
			case 3:
				ctl.Result = []etf.Atom{"badopt", "notsup", "system_limit", "noconnection", "other"}[int(g.byte())%5]
			default: // any other term (not fuzzGen.term: its pids need a fuzzPeer)
				ctl.Result = []etf.Term{int(g.byte()), etf.Binary{1}, etf.Tuple{peerPID(1)}, etf.List{}, nil}[int(g.byte())%5]
				if k := min(len(g.data), 24); k > 1 {
					if tm, err := etf.Decode(g.data[:k]); err == nil {
						ctl.Result = tm
					}
					g.data = g.data[k:]
				}
			}
			if err := c.SendControl(ctl); err != nil {
				break
			}
		}
		seq++
		if c.Send(dist.RegSend{From: peerPID(0), To: "fz_barrier"}, seq) == nil {
			select {
			case <-marks:
			case <-c.Done():
			case <-time.After(waitFor):
				t.Fatal("the node did not handle the replies")
			}
		}
		for _, p := range owners {
			_ = a.Exit(p.pid, Kill)
		}
		_ = c.Close()
		owners = nil
		deadline := time.Now().Add(5 * time.Second)
		for {
			why := ""
			switch {
			case a.remote.spawns.len() != 0:
				why = "pending spawn requests: " + itoa(a.remote.spawns.len())
			case a.ProcessCount() != 1:
				why = "processes left: " + itoa(a.ProcessCount())
			case a.remote.liveConn(fp.peer) != nil:
				why = "connection still booked"
			case a.remote.settingUp(fp.peer):
				// A setup toward the peer (say, a killed owner's exit
				// signal to a process there) would hold the next input's
				// requests until it fails.
				why = "a connection setup toward the peer"
			case runtime.NumGoroutine() > base+16:
				why = "goroutines: " + itoa(runtime.NumGoroutine())
			}
			if why == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node did not settle: %s", why)
			}
			time.Sleep(time.Millisecond) // polling
		}
		for len(h.ch) > 0 {
			<-h.ch
		}
	})
}
