package bench

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

func TestParseCtxSwitches(t *testing.T) {
	status := "Name:\tbeam.smp\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t120\nnonvoluntary_ctxt_switches:\t7\n"
	if got := parseCtxSwitches([]byte(status)); got != 127 {
		t.Errorf("parseCtxSwitches = %d, want 127", got)
	}
	if got := parseCtxSwitches([]byte("voluntary_ctxt_switches:\tx\n")); got != 0 {
		t.Errorf("garbage: %d, want 0", got)
	}
}

// TestCtxSwitchesCountsThreads reads this process's threads from /proc:
// the count is positive and never falls; a process that does not exist
// is an error, which leaves the column empty instead of showing 0.
func TestCtxSwitchesCountsThreads(t *testing.T) {
	a, err := ctxSwitches(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ctxSwitches(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if a == 0 || b < a {
		t.Errorf("ctx switches %d then %d", a, b)
	}
	if _, err := ctxSwitches(1 << 30); err == nil {
		t.Error("no error for a pid that does not exist")
	}
	r, err := withCtxSwitches([]int{1 << 30}, testCase(t, "call", "", 1, 1), func() (Result, error) { return Result{Ops: 1, Elapsed: 1}, nil })
	if err != nil || r.CtxSwitches != 0 {
		t.Errorf("unreadable pid: %+v, %v", r, err)
	}
}

// TestWriteTableReferences: the large-message rows are read against the
// loopback TCP limit and call p1 against the ping-pong floor of the run.
func TestWriteTableReferences(t *testing.T) {
	p50 := func(ns float64) *Summary { return &Summary{Median: ns} }
	rep := &Report{
		Sides: []SideStatus{{Name: SideGoLocal, Status: "ok"}, {Name: SideGoGo, Status: "ok"}},
		Rows: []Row{
			{Case: "call/p1", Workload: "call", Pairs: 1, Unit: "calls/s", Cells: []Cell{
				{Side: SideGoGo, Status: "ok", Value: Summary{Median: 10000}, P50: p50(90000), P90: p50(1), P99: p50(1),
					CtxSwitches: &Summary{Median: 4.5}}}},
			{Case: "msg-1m/p1", Workload: "msg-1m", Pairs: 1, Unit: "MB/s", Cells: []Cell{
				{Side: SideGoLocal, Status: "ok", Value: Summary{Median: 90000}},
				{Side: SideGoGo, Status: "ok", Value: Summary{Median: 250}}}},
			{Case: "tcp-limit/p1", Workload: RefTCPLimit, Pairs: 1, Unit: "MB/s", Cells: []Cell{
				{Side: SideGoGo, Status: "ok", Value: Summary{Median: 4000}}}},
			{Case: "tcp-pingpong/p1", Workload: RefTCPPingPong, Pairs: 1, Unit: "calls/s", Cells: []Cell{
				{Side: SideGoGo, Status: "ok", Value: Summary{Median: 60000}, P50: p50(15000), P90: p50(1), P99: p50(1)}}},
		},
	}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"- msg-1m/p1 go-go: 250 MB/s = 6.2% of the loopback TCP limit (4000 MB/s)",
		"- call/p1 go-go: p50 90.0µs = 6.0x the TCP ping-pong floor (15.0µs)",
		"| call/p1 | go-go | 10.0k calls/s |",
		" | 4.50 |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// In-process messages never touch TCP: no reference line for them.
	if strings.Contains(out, "msg-1m/p1 go-local:") {
		t.Errorf("local side read against the TCP limit:\n%s", out)
	}
}

// TestTCPRefServerRefusesUnknownMode: the reference server reads a mode
// byte from the wire; anything else closes the connection with an error.
func TestTCPRefServerRefusesUnknownMode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	errs := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			errs <- err
			return
		}
		defer c.Close()
		errs <- serveTCPRefConn(c)
	}()
	c, err := dialTCPRef(context.Background(), ln.Addr().String(), 'x')
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := <-errs; err == nil || !strings.Contains(err.Error(), "unknown mode") {
		t.Errorf("serveTCPRefConn = %v, want unknown mode", err)
	}
}

// FuzzServeTCPRefConn: whatever a client sends, the reference server
// returns (with an error or at EOF) and never panics.
func FuzzServeTCPRefConn(f *testing.F) {
	f.Add([]byte("e\x01\x02\x03"))
	f.Add([]byte("s\x00\x00\x00\x00\x00\x00\x00\x03abc"))
	f.Add([]byte("s\xff\xff\xff\xff\xff\xff\xff\xffab"))
	f.Add([]byte("s\x00\x00"))
	f.Add([]byte("?"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = serveTCPRefConn(server)
			server.Close()
		}()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_, _ = client.Write(data)
		client.Close()
		<-done
	})
}
