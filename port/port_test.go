package port

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

func TestCatStreamRoundTrip(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "cat", nil, WithExitStatus())
	var want []byte
	for i := range 100 {
		line := []byte(strings.Repeat(string(rune('a'+i%26)), i+1) + "\n")
		want = append(want, line...)
		if err := o.command(t, pt, line); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Do(t, func(*node.Process) error { return pt.Close(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	out, evs := o.drain(t, pt)
	if !bytes.Equal(out, want) {
		t.Fatalf("echo: got %d bytes, want %d", len(out), len(want))
	}
	wantEvs := []event{{kind: "exit_status", code: 0}, {kind: "EXIT", reason: node.Normal}}
	if !sameEvents(evs, wantEvs) {
		t.Fatalf("events %+v, want %+v", evs, wantEvs)
	}
	waitDone(t, pt)
	requireGone(t, pt.OSPid())
	if err := o.command(t, pt, []byte("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Command after exit: %v, want ErrClosed", err)
	}
}

func sameEvents(a, b []event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || !bytes.Equal(a[i].data, b[i].data) || a[i].code != b[i].code || !etf.Equal(a[i].reason, b[i].reason) {
			return false
		}
	}
	return true
}

// Every byte value survives both directions, in stream and packet modes.
func TestBinaryAllBytes(t *testing.T) {
	all := make([]byte, 0, 256*4)
	for r := range 4 {
		for b := range 256 {
			all = append(all, byte(b^r))
		}
	}
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"stream", nil}, {"packet2", []Option{WithPacket(2)}}, {"packet4", []Option{WithPacket(4)}}} {
		t.Run(tc.name, func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, "cat", nil, tc.opts...)
			if err := o.command(t, pt, all); err != nil {
				t.Fatal(err)
			}
			if err := o.Do(t, func(*node.Process) error { return pt.Close(context.Background()) }); err != nil {
				t.Fatal(err)
			}
			out, evs := o.drain(t, pt)
			if !bytes.Equal(out, all) {
				t.Fatalf("got %d bytes back, want the %d sent", len(out), len(all))
			}
			if len(evs) != 1 || evs[0].reason != node.Normal {
				t.Fatalf("events %+v", evs)
			}
		})
	}
}

// 12 MiB through stdout arrive complete and in order.
func TestLargeOutput(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	const size = 12 << 20
	pt := o.open(t, "sh", []string{"-c", "yes 0123456789abcdef | head -c 12582912"}, WithExitStatus())
	out, evs := o.drain(t, pt)
	if len(out) != size {
		t.Fatalf("got %d bytes, want %d", len(out), size)
	}
	if want := bytes.Repeat([]byte("0123456789abcdef\n"), size/17+1)[:size]; !bytes.Equal(out, want) {
		t.Fatal("output differs from yes | head")
	}
	if !sameEvents(evs, []event{{kind: "exit_status"}, {kind: "EXIT", reason: node.Normal}}) {
		t.Fatalf("events %+v", evs)
	}
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		code   int
	}{
		{"zero", "exit 0", 0},
		{"three", "exit 3", 3},
		{"255", "exit 255", 255},
		{"sigkill", "kill -9 $$", 128 + 9},
		{"sigterm", "kill -15 $$", 128 + 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, "sh", []string{"-c", tc.script}, WithExitStatus())
			_, evs := o.drain(t, pt)
			want := []event{{kind: "exit_status", code: tc.code}, {kind: "EXIT", reason: node.Normal}}
			if !sameEvents(evs, want) {
				t.Fatalf("events %+v, want %+v", evs, want)
			}
			if code, ok := pt.ExitStatus(); !ok || code != tc.code {
				t.Fatalf("ExitStatus() = %d, %v", code, ok)
			}
			waitDone(t, pt)
			requireGone(t, pt.OSPid())
		})
	}
	t.Run("without exit_status only EXIT", func(t *testing.T) {
		n := localNode(t)
		o := startOwner(t, n, true)
		pt := o.open(t, "sh", []string{"-c", "exit 3"})
		if _, evs := o.drain(t, pt); !sameEvents(evs, []event{{kind: "EXIT", reason: node.Normal}}) {
			t.Fatalf("events %+v", evs)
		}
	})
}

func TestEnvDirArgs(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	dir := t.TempDir()
	pt := o.open(t, "sh", []string{"-c", `printf '%s|%s|%s' "$PORT_A" "$(pwd)" "$1"`, "sh", "arg one"},
		WithEnv("PORT_A=first", "PORT_A=second"), WithDir(dir))
	out, _ := o.drain(t, pt)
	real, err := exec.Command("sh", "-c", "cd "+dir+" && pwd").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "second|" + strings.TrimSpace(string(real)) + "|arg one"; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestStderrModes(t *testing.T) {
	script := "printf out1; printf err1 >&2; printf out2"
	t.Run("merge", func(t *testing.T) {
		n := localNode(t)
		o := startOwner(t, n, true)
		pt := o.open(t, "sh", []string{"-c", script}, WithStderr(StderrMerge))
		if out, _ := o.drain(t, pt); string(out) != "out1err1out2" {
			t.Fatalf("merged output %q", out)
		}
	})
	t.Run("separate", func(t *testing.T) {
		n := localNode(t)
		o := startOwner(t, n, true)
		pt := o.open(t, "sh", []string{"-c", script}, WithStderr(StderrSeparate))
		out, evs := o.drain(t, pt)
		var errOut []byte
		for _, e := range evs {
			if e.kind == "stderr" {
				errOut = append(errOut, e.data...)
			}
		}
		if string(out) != "out1out2" || string(errOut) != "err1" {
			t.Fatalf("stdout %q, stderr %q", out, errOut)
		}
	})
	t.Run("discard", func(t *testing.T) {
		n := localNode(t)
		o := startOwner(t, n, true)
		pt := o.open(t, "sh", []string{"-c", script}, WithStderr(StderrDiscard))
		if out, evs := o.drain(t, pt); string(out) != "out1out2" || len(evs) != 1 {
			t.Fatalf("stdout %q, events %+v", out, evs)
		}
	})
}

func TestTextMode(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "printf", []string{`a\377\n`}, WithText())
	m := o.Next(t).(etf.Tuple)
	got := m[1].(etf.Tuple)[1]
	if want := etf.Charlist([]rune{'a', 0xff, '\n'}); got != want {
		t.Fatalf("text data %#v, want %#v", got, want)
	}
	// As a term it is the list of bytes open_port's list mode gives.
	enc, err := etf.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{131, 107, 0, 3, 'a', 0xff, '\n'}; !bytes.Equal(enc, want) {
		t.Fatalf("encoded %v, want STRING_EXT %v", enc, want)
	}
	waitDone(t, pt)
}

func TestOpenErrors(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	open := func(name string, opts ...Option) error {
		return o.Do(t, func(p *node.Process) error {
			_, err := Open(context.Background(), p, name, nil, opts...)
			return err
		})
	}
	if err := open("/nonexistent/program"); !errors.Is(err, ErrStart) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing program: %v", err)
	}
	if err := open("no-such-program-erlgo"); !errors.Is(err, ErrStart) || !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("program not on PATH: %v", err)
	}
	if err := open("cat", WithDir("/nonexistent/dir")); !errors.Is(err, ErrStart) {
		t.Fatalf("bad dir: %v", err)
	}
	for name, opt := range map[string]Option{
		"packet 3": WithPacket(3), "line 0": WithLine(0), "window 0": WithWindow(0),
		"max packet 0": WithMaxPacket(0), "stderr 9": WithStderr(9),
	} {
		if err := open("cat", opt); !errors.Is(err, ErrBadOption) {
			t.Errorf("%s: %v, want ErrBadOption", name, err)
		}
	}
	// The failed opens left the owner alive and no process behind.
	if !n.IsAlive(o.PID) {
		t.Fatal("owner died")
	}
	select {
	case m := <-o.Msgs:
		t.Fatalf("owner got %#v", m)
	default:
	}
}

func TestPacketTooLargeForHeader(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "cat", nil, WithPacket(1))
	if err := o.command(t, pt, make([]byte, 256)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Command of 256 bytes with {packet,1}: %v", err)
	}
	if err := o.command(t, pt, make([]byte, 255)); err != nil {
		t.Fatal(err)
	}
	if e := o.nextEvent(t, pt); e.kind != "data" || len(e.data) != 255 {
		t.Fatalf("got %+v", e)
	}
	// The message form does what ERTS does: the port exits einval.
	_ = o.Do(t, func(p *node.Process) error {
		return p.Send(pt.ID(), etf.Tuple{p.Self(), etf.Tuple{atomCommand, make([]byte, 256)}})
	})
	if e := o.nextEvent(t, pt); e.kind != "EXIT" || e.reason != atomEinval {
		t.Fatalf("got %+v, want EXIT einval", e)
	}
	waitDone(t, pt)
	requireGone(t, pt.OSPid())
}

// A packet header over WithMaxPacket ends the port with emsgsize without
// buffering the announced size.
func TestMaxPacketExceeded(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "printf", []string{`\000\000\001\000rest`}, WithPacket(4), WithMaxPacket(255))
	if e := o.nextEvent(t, pt); e.kind != "EXIT" || e.reason != atomEmsgsize {
		t.Fatalf("got %+v, want EXIT emsgsize", e)
	}
	waitDone(t, pt)
}

// Sustained load: 20,000 {packet, 4} messages of 0 to 4 KiB through cat,
// written while the owner reads; every one comes back whole and in order.
func TestSustainedPacketEcho(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "cat", nil, WithPacket(4), WithWriteBuffer(256<<10))
	const count = 20000
	msg := func(i int) []byte {
		b := make([]byte, (i*131)%4097)
		for j := range b {
			b[j] = byte(i + j)
		}
		return b
	}
	werr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		for i := range count {
			if err := pt.Command(ctx, msg(i)); err != nil {
				werr <- err
				return
			}
		}
		werr <- pt.Close(ctx)
	}()
	for i := range count {
		if e := o.nextEvent(t, pt); e.kind != "data" || !bytes.Equal(e.data, msg(i)) {
			t.Fatalf("message %d: %s of %d bytes", i, e.kind, len(e.data))
		}
	}
	if e := o.nextEvent(t, pt); e.kind != "EXIT" || e.reason != node.Normal {
		t.Fatalf("got %+v", e)
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
}
