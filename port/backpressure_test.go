package port

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// slowOwner handles one message per pause and reports how many it got and
// the longest mailbox it saw behind each.
type slowOwner struct {
	pause  time.Duration
	want   int
	got    int
	maxLen int
	open   func(p *node.Process) (*Port, error)
	port   chan *Port
	done   chan struct{}
}

func (s *slowOwner) Init(p *node.Process) error {
	pt, err := s.open(p)
	if err != nil {
		return err
	}
	s.port <- pt
	return nil
}

func (s *slowOwner) HandleMessage(p *node.Process, msg etf.Term) error {
	if x, ok := msg.(node.ExitMsg); ok {
		return &node.ExitError{Reason: x.Reason}
	}
	s.maxLen = max(s.maxLen, p.MessageQueueLen())
	s.got++
	if s.got == s.want {
		close(s.done)
	}
	time.Sleep(s.pause) // the slowness under test
	return nil
}

func (*slowOwner) Terminate(*node.Process, etf.Term) {}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// A program that floods stdout (cat /dev/zero: gigabytes a second) read by
// an owner that takes a message per millisecond: the port reads only as
// fast as the owner's mailbox drains, so the mailbox stays within the
// window and the heap does not grow with the flood.
func TestFloodBoundedMemory(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"stream", nil},
		{"line", []Option{WithLine(1 << 16)}},
		{"stderr separate", []Option{WithStderr(StderrSeparate)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := localNode(t)
			const window = 16
			script := "cat /dev/zero"
			if tc.name == "stderr separate" {
				script = "cat /dev/zero >&2"
			}
			s := &slowOwner{pause: time.Millisecond, want: 300, port: make(chan *Port, 1), done: make(chan struct{})}
			s.open = func(p *node.Process) (*Port, error) {
				return Open(context.Background(), p, "sh", []string{"-c", script}, append(tc.opts, WithWindow(window))...)
			}
			before := heapInUse()
			pid, err := n.Spawn(s, node.WithTrapExit())
			if err != nil {
				t.Fatal(err)
			}
			pt := <-s.port
			select {
			case <-s.done:
			case <-time.After(waitFor):
				t.Fatal("owner did not get its messages")
			}
			grown := int64(heapInUse()) - int64(before)
			_ = n.Exit(pid, node.Kill)
			waitDone(t, pt)
			requireGone(t, pt.OSPid())
			// 300 ms of cat /dev/zero is gigabytes; two windows of 64 KiB
			// chunks are 2 MiB. 32 MiB is a generous bound for the rest.
			if grown > 32<<20 {
				t.Fatalf("heap grew by %d MiB while a slow owner read a flood", grown>>20)
			}
			if s.maxLen > window+1 {
				t.Fatalf("owner's mailbox reached %d messages, window %d", s.maxLen, window)
			}
			t.Logf("heap growth %d KiB, longest mailbox %d", grown>>10, s.maxLen)
		})
	}
}

// Command waits while the write buffer is full of data the program does
// not read, gives up with ctx, and the owner is not blocked for good.
func TestCommandBackpressure(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	// sleep never reads stdin: the pipe (64 KiB) and the buffer fill up.
	pt := o.open(t, "sleep", []string{"1000"}, WithWriteBuffer(128<<10))
	chunk := make([]byte, 32<<10)
	var err error
	_ = o.Do(t, func(*node.Process) error {
		for i := 0; i < 1000 && err == nil; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			err = pt.Command(ctx, chunk)
			cancel()
		}
		return nil
	})
	if err != context.DeadlineExceeded {
		t.Fatalf("Command to a program that does not read: %v, want the deadline", err)
	}
	pending := pt.s.wq.pendingBytes()
	if pending > 128<<10 {
		t.Fatalf("%d bytes queued, buffer 128 KiB", pending)
	}
	if err := o.Do(t, func(*node.Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		return pt.Close(ctx) // stdin never drains: TERM after the grace period
	}); err != nil {
		t.Fatal(err)
	}
	requireGone(t, pt.OSPid())
}

// Close from the owner's own handler on a program that answers EOF with a
// lot of output (sort does): the owner cannot drain while it waits, so the
// window is lifted meanwhile and the program finishes instead of being
// stalled into SIGTERM. CloseInput returns at once and keeps the window.
func TestCloseLiftsWindowForOwner(t *testing.T) {
	const script = "cat >/dev/null; head -c 8388608 /dev/zero"
	for _, wait := range []bool{true, false} {
		name := map[bool]string{true: "Close", false: "CloseInput"}[wait]
		t.Run(name, func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, "sh", []string{"-c", script}, WithWindow(4), WithExitStatus(), WithGracePeriod(time.Second))
			if err := o.Do(t, func(*node.Process) error {
				if !wait {
					pt.CloseInput()
					return nil
				}
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				defer cancel()
				return pt.Close(ctx)
			}); err != nil {
				t.Fatal(err)
			}
			out, evs := o.drain(t, pt)
			if len(out) != 8<<20 {
				t.Fatalf("got %d bytes of 8 MiB", len(out))
			}
			if want := []event{{kind: "exit_status", code: 0}, {kind: "EXIT", reason: node.Normal}}; !sameEvents(evs, want) {
				t.Fatalf("events %+v, want %+v", evs, want)
			}
		})
	}
}
