package node

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestErlConnStats: the counters of a connection to a real erl node count
// what crossed it: 200 messages of 1000 bytes each way (echoed by a
// process on erl), the queue empty once they are out; then, idling past
// net_ticktime 2 s, the erl node's ticks add bytes but no messages.
func TestErlConnStats(t *testing.T) {
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "cookie" + id
	e := startErlWith(t, port, "erlstats"+id, cookie, "-kernel", "net_ticktime", "2")
	n := distNode(t, "gostats"+id+"@127.0.0.1", port, cookie, WithTickTime(2*time.Second))
	pr := spawnProbe(t, n)
	if v := e.eval(t, pr, `register(stats_echo, spawn(fun L() -> receive {From, B} -> From ! B, L() end end)), ok.`); v != etf.Atom("ok") {
		t.Fatalf("erl: %v", v)
	}
	before, ok := n.PeerConnStats(e.name)
	if !ok {
		t.Fatal("no stats for the connected erl node")
	}
	const count, size = 200, 1000
	payload := bytes.Repeat([]byte{'x'}, size)
	pr.do(func(p *Process) error {
		for range count {
			if err := p.Send(Name{"stats_echo", e.name}, etf.Tuple{p.Self(), payload}); err != nil {
				return err
			}
		}
		return nil
	})
	for range count {
		if b, ok := pr.recv().([]byte); !ok || len(b) != size {
			t.Fatalf("echo: %v", b)
		}
	}
	// A writer adds to BytesOut when its write(2) returns, and erl can echo
	// the last message before the writer gets back to count it: wait for
	// the count rather than read it once.
	after := settledStats(t, n, e.name, func(s PeerStats) bool {
		return s.BytesOut-before.BytesOut >= count*size && s.QueueBytes == 0
	})
	if d := after.MessagesOut - before.MessagesOut; d < count {
		t.Errorf("MessagesOut grew by %d, sent %d", d, count)
	}
	if d := after.MessagesIn - before.MessagesIn; d < count {
		t.Errorf("MessagesIn grew by %d, received %d", d, count)
	}
	if d := after.BytesOut - before.BytesOut; d < count*size {
		t.Errorf("BytesOut grew by %d, sent %d payload bytes", d, count*size)
	}
	if d := after.BytesIn - before.BytesIn; d < count*size {
		t.Errorf("BytesIn grew by %d, received %d payload bytes", d, count*size)
	}
	if after.QueueBytes != 0 {
		t.Errorf("QueueBytes %d once everything was answered", after.QueueBytes)
	}
	all := n.ConnStats()
	if len(all) != 1 || all[0].Node != e.name || all[0].Hidden {
		t.Errorf("ConnStats: %+v", all)
	}
	// Ticks: bytes without messages.
	deadline := time.Now().Add(10 * time.Second)
	for {
		idle, ok := n.PeerConnStats(e.name)
		if !ok {
			t.Fatal("connection lost while idling")
		}
		if idle.BytesIn > after.BytesIn && idle.BytesOut > after.BytesOut {
			if idle.MessagesIn != after.MessagesIn || idle.MessagesOut != after.MessagesOut {
				t.Errorf("messages counted while idle: %+v -> %+v", after, idle)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tick counted in 10 s of idling: %+v", idle)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not a readiness wait
	}
}

// TestErlConnStatsQueue: while a real erl node is stopped (SIGSTOP), what
// a Go process sends it piles up and QueueBytes shows it; once the node
// runs again the queue drains to 0 and BytesOut counts it all.
func TestErlConnStatsQueue(t *testing.T) {
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "cookie" + id
	e := startErl(t, port, "erlq"+id, cookie)
	n := distNode(t, "goq"+id+"@127.0.0.1", port, cookie)
	pr := spawnProbe(t, n)
	if v := e.eval(t, pr, `ok.`); v != etf.Atom("ok") {
		t.Fatalf("erl: %v", v)
	}
	before, _ := n.PeerConnStats(e.name)
	if err := e.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = e.cmd.Process.Signal(syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	const count, size = 64, 256 << 10 // 16 MiB: more than the socket buffers take
	payload := bytes.Repeat([]byte{'q'}, size)
	sent := make(chan error, 1)
	go func() { // blocks once the queue passes WriteQueue, until erl reads again
		for range count {
			if err := n.Send(Name{"nobody", e.name}, payload); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	deadline := time.Now().Add(10 * time.Second)
	var peak uint64
	for peak == 0 {
		st, ok := n.PeerConnStats(e.name)
		if !ok {
			t.Fatal("connection lost")
		}
		peak = st.QueueBytes
		if time.Now().After(deadline) {
			t.Fatalf("QueueBytes stayed 0 while the peer was stopped: %+v", st)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	resume()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		st, _ := n.PeerConnStats(e.name)
		if st.QueueBytes == 0 && st.BytesOut-before.BytesOut >= count*size {
			t.Logf("queue peaked at %d bytes seen; %d bytes out", peak, st.BytesOut-before.BytesOut)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue did not drain: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settledStats polls the counters of the connection to peer until done
// accepts them or 5 s pass, and returns the last snapshot either way (the
// caller's checks then report what is off).
func settledStats(t *testing.T, n *Node, peer etf.Atom, done func(PeerStats) bool) PeerStats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, ok := n.PeerConnStats(peer)
		if !ok {
			t.Fatal("connection lost")
		}
		if done(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a readiness wait
	}
}
