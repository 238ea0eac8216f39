package beamproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"go.uber.org/goleak"
)

func TestTailBufferKeepsLastBytes(t *testing.T) {
	tb := NewTailBuffer(5)
	for _, s := range []string{"ab", "cdef", "gh"} {
		if n, err := tb.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := tb.String(); got != "defgh" {
		t.Fatalf("String() = %q, want %q", got, "defgh")
	}
}

func TestFreePortIsBindable(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d from FreePort not bindable: %v", port, err)
	}
	l.Close()
}

func TestStartEPMDAnswersNames(t *testing.T) {
	bin := erltest.Tool(t, "epmd")
	e, err := StartEPMD(context.Background(), bin, erltest.Wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	out, err := exec.Command(bin, "-port", strconv.Itoa(e.Port), "-names").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "up and running") {
		t.Fatalf("epmd -names on port %d: %v\n%s", e.Port, err, out)
	}
	e.Stop()
	e.Stop() // idempotent
	if _, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(e.Port)), time.Second); err == nil {
		t.Fatalf("epmd still listening on %d after Stop", e.Port)
	}
}

// A port someone else holds must be reported, not taken for epmd's: this is
// the race StartEPMD retries on.
func TestStartEPMDOnTakenPortFails(t *testing.T) {
	bin := erltest.Tool(t, "epmd")
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	e, err := startEPMDOn(context.Background(), bin, port, erltest.Wait)
	if e != nil || err == nil {
		e.Stop()
		t.Fatalf("startEPMDOn(taken port %d) = %v, %v; want an error", port, e, err)
	}
}

// TestMain checks that every reader goroutine (LineProc's, EPMD's) ended
// with its process.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestCompileReportsErlcOutput(t *testing.T) {
	erlc := erltest.Tool(t, "erlc")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.erl"), []byte("-module(broken).\nf( ->\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Compile(context.Background(), erlc, dir, "broken.erl")
	if err == nil || !strings.Contains(err.Error(), "broken.erl:2") {
		t.Fatalf("Compile(broken.erl) = %v; want erlc's error with the line", err)
	}
}

// TestLineProc drives real erl nodes running testdata/lineecho.erl,
// compiled once with Compile for all the subtests.
func TestLineProc(t *testing.T) {
	erlc := erltest.Tool(t, "erlc")
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "lineecho.erl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lineecho.erl"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Compile(context.Background(), erlc, dir, "lineecho.erl"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func(*testing.T, string)
	}{
		{"CommandsAndExit", testCommandsAndExit},
		{"ReadLineHonoursContext", testReadLineHonoursContext},
		{"Route", testRoute},
		{"KillClosesStdin", testKillClosesStdin},
		{"KillAfterGrace", testKillAfterGrace},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, dir) })
	}
}

// startEcho starts erl running lineecho:fun() from dir and reads its READY
// line (unless o.Route takes it).
func startEcho(t *testing.T, dir, fun string, o Options) *LineProc {
	t.Helper()
	erl := erltest.Tool(t, "erl")
	p, err := Start(exec.Command(erl, "-noshell", "-pa", dir, "-eval", "lineecho:"+fun+"()"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill(time.Second) })
	if o.Route == nil {
		ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
		defer cancel()
		line, err := p.ReadLine(ctx)
		if err != nil || !strings.HasPrefix(line, "READY") {
			t.Fatalf("first line = %q, %v; want READY", line, err)
		}
	}
	return p
}

func testCommandsAndExit(t *testing.T, dir string) {
	p := startEcho(t, dir, "main", Options{})
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	for _, cmd := range []string{"one", "two words"} {
		if err := p.WriteLine(cmd); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"chatter", "ECHO " + cmd} {
			if got, err := p.ReadLine(ctx); got != want || err != nil {
				t.Fatalf("after %q: ReadLine = %q, %v; want %q", cmd, got, err, want)
			}
		}
	}
	if p.Exited() {
		t.Fatal("Exited before quit")
	}
	if err := p.WriteLine("quit"); err != nil {
		t.Fatal(err)
	}
	_, err := p.ReadLine(ctx)
	if !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "told to quit") {
		t.Fatalf("ReadLine after quit = %v; want ErrExited with the stderr tail", err)
	}
	<-p.Done()
	if !p.Exited() {
		t.Fatal("Exited false after Done closed")
	}
}

func testReadLineHonoursContext(t *testing.T, dir string) {
	p := startEcho(t, dir, "main", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.ReadLine(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadLine(cancelled) = %v; want context.Canceled", err)
	}
}

// Route sees every line first; the lines it keeps reach ReadLine, the
// others go where it puts them (here, the stderr tail).
func testRoute(t *testing.T, dir string) {
	tail := NewTailBuffer(1024)
	ready := make(chan string, 1)
	p := startEcho(t, dir, "main", Options{Stderr: tail, Route: func(line string) bool {
		switch {
		case strings.HasPrefix(line, "READY"):
			ready <- line
			return false
		case strings.HasPrefix(line, "ECHO "):
			return true
		}
		tail.Write([]byte(line + "\n"))
		return false
	}})
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	select {
	case <-ready:
	case <-ctx.Done():
		t.Fatal("no READY routed")
	}
	if err := p.WriteLine("x"); err != nil {
		t.Fatal(err)
	}
	if got, err := p.ReadLine(ctx); got != "ECHO x" || err != nil {
		t.Fatalf("ReadLine = %q, %v; want %q (chatter routed away)", got, err, "ECHO x")
	}
	if !strings.Contains(p.Stderr(), "chatter") {
		t.Fatalf("Stderr() = %q; want the routed chatter", p.Stderr())
	}
}

// Kill closes stdin first: a helper that halts on EOF exits within grace.
func testKillClosesStdin(t *testing.T, dir string) {
	p := startEcho(t, dir, "main", Options{})
	start := time.Now()
	p.Kill(erltest.Wait)
	if !p.Exited() {
		t.Fatal("not exited after Kill")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d; want 0 (halted on EOF, not killed) after %v", code, time.Since(start))
	}
	p.Kill(time.Second) // idempotent
}

// A process that ignores stdin is killed once grace has passed.
func testKillAfterGrace(t *testing.T, dir string) {
	p := startEcho(t, dir, "deaf", Options{})
	p.Kill(200 * time.Millisecond)
	if !p.Exited() {
		t.Fatal("not exited after Kill")
	}
	if p.cmd.ProcessState.Success() {
		t.Fatal("deaf helper exited cleanly; want it killed")
	}
}
