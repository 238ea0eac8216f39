package integration

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// TestErlgoNodeCommand runs the real `erlgo node` binary with -name and
// -sname: it prints ready, answers ping from erl, and stops on SIGINT
// (and SIGTERM) with status 0.
func TestErlgoNodeCommand(t *testing.T) {
	erltest.Tool(t, "erl")
	bin := filepath.Join(t.TempDir(), "erlgo")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // the toolchain running this test
	}
	build := exec.Command(goBin, "build", "-o", bin, "./cmd/erlgo")
	build.Dir = filepath.Join(sourceDir(), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for i, nm := range namings(t) {
		sig := []os.Signal{syscall.SIGINT, syscall.SIGTERM}[i%2]
		t.Run(nm.label, func(t *testing.T) {
			epmdPort := erltest.StartEPMD(t)
			cookie := "cmd_cookie_" + strconv.Itoa(int(seq.Add(1)))
			full := nm.nodeName("gocmd")
			arg := full
			if !nm.long {
				arg = full[:strings.IndexByte(full, '@')] // -sname takes the bare name
			}
			cmd := exec.Command(bin, "node", nm.nameFlag(), arg, "-epmd-port", strconv.Itoa(epmdPort))
			cmd.Env = append(os.Environ(), "ERLGO_COOKIE="+cookie)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			out := &syncBuffer{}
			cmd.Stderr = out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			ready := make(chan struct{})
			go func() {
				sc := bufio.NewScanner(stdout)
				closed := false
				for sc.Scan() {
					out.Write([]byte(sc.Text() + "\n"))
					if !closed && strings.Contains(sc.Text(), "ready") {
						close(ready)
						closed = true
					}
				}
				exited <- cmd.Wait()
			}()
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			select {
			case <-ready:
			case err := <-exited:
				t.Fatalf("erlgo node exited early (%v):\n%s", err, out.String())
			case <-time.After(waitFor):
				t.Fatalf("no ready line:\n%s", out.String())
			}
			// A BEAM node links to a worker and monitors the Go node: on
			// the signal it must see the worker's shutdown, then nodedown.
			c := &cluster{naming: nm, epmdPort: epmdPort, cookie: cookie, beamDir: compileErl(t)}
			watcher := exec.Command("erl", "-noshell", c.nameFlag(), c.nodeName("watch"), "-setcookie", cookie,
				"-pa", c.beamDir, "-eval", "it_checks:watch(['"+full+"'])")
			watcher.Env = c.env()
			wout, err := watcher.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			watcher.Stderr = out
			if err := watcher.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = watcher.Process.Kill(); _ = watcher.Wait() })
			seen := &syncBuffer{}
			armed := make(chan struct{})
			watchDone := make(chan struct{})
			go func() {
				defer close(watchDone)
				sc := bufio.NewScanner(wout)
				for sc.Scan() {
					seen.Write([]byte(sc.Text() + "\n"))
					if sc.Text() == "armed" {
						close(armed)
					}
				}
			}()
			select {
			case <-armed:
			case <-time.After(waitFor):
				t.Fatalf("BEAM watcher not armed:\n%s\n%s", seen.String(), out.String())
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-watchDone:
			case <-time.After(waitFor):
				t.Fatalf("BEAM watcher saw no nodedown:\n%s", seen.String())
			}
			got := seen.String()
			if !strings.Contains(got, "seen {'EXIT',") || !strings.Contains(got, ",shutdown}") || !strings.Contains(got, "seen {nodedown,") {
				t.Errorf("BEAM watcher should see the worker exit with shutdown, then nodedown; saw:\n%s", got)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("exit after %v: %v\n%s", sig, err, out.String())
				}
			case <-ctx.Done():
				t.Fatalf("did not stop on %v:\n%s", sig, out.String())
			}
			if !strings.Contains(out.String(), "stopped") {
				t.Errorf("no stopped line:\n%s", out.String())
			}
		})
	}
}
