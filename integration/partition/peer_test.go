package partition

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// event is one EVENT line of a peer: what its probe (or a global holder)
// saw, when (wall clock, ms), about which peer.
type event struct {
	Kind, Peer, Detail string
	At                 time.Time
}

// peer is a node (BEAM running ptest.erl, or the Go agent) in a namespace,
// driven over stdin/stdout by the line protocol.
type peer struct {
	t     *testing.T
	name  string // full node name
	kind  string // "BEAM" or "Go"
	cmd   *exec.Cmd
	stdin io.WriteCloser

	mu      sync.Mutex
	nextID  int
	waiting map[string]chan string
	events  []event
	changed chan struct{} // closed and replaced on every new event
	output  strings.Builder
	ready   chan struct{}
	done    chan struct{}
}

// waitReady waits until every peer printed READY (they boot concurrently).
func waitReady(t *testing.T, ps ...*peer) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for _, p := range ps {
		select {
		case <-p.ready:
		case <-p.done:
			t.Fatalf("%s exited before it was ready:\n%s", p.name, p.out())
		case <-deadline:
			t.Fatalf("%s not ready after 60s:\n%s", p.name, p.out())
		}
	}
}

// startBEAM starts erl -name name in ns with ptest (compiled into dir)
// and net_ticktime tickSecs.
func startBEAM(t *testing.T, ns, name, cookie, dir string, tickSecs int) *peer {
	args := []string{"netns", "exec", ns, "erl", "-noshell", "-name", name, "-setcookie", cookie,
		"-kernel", "net_ticktime", strconv.Itoa(tickSecs), "-kernel", "start_pg", "true",
		"-pa", dir, "-eval", "ptest:main()"}
	return startPeer(t, "BEAM", name, exec.Command("ip", args...))
}

// startGo starts the Go agent (this test binary) as name in ns.
func startGo(t *testing.T, ns, name, cookie string, tickSecs int) *peer {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envAgent+"="+name, envCookie+"="+cookie, envTick+"="+strconv.Itoa(tickSecs))
	return startPeer(t, "Go", name, cmd)
}

func startPeer(t *testing.T, kind, name string, cmd *exec.Cmd) *peer {
	t.Helper()
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "ERL_EPMD_PORT=4369") // the namespace's own epmd
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &peer{t: t, name: name, kind: kind, cmd: cmd, waiting: map[string]chan string{},
		changed: make(chan struct{}), done: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{p: p}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p.ready = make(chan struct{})
	go p.read(stdout, p.ready)
	t.Cleanup(p.kill)
	return p
}

// lockedWriter appends a peer's stderr to its output.
type lockedWriter struct{ p *peer }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.p.output.Write(b)
	return len(b), nil
}

func (p *peer) read(r io.Reader, ready chan struct{}) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var once sync.Once
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		switch {
		case strings.HasPrefix(line, "READY "):
			once.Do(func() { close(ready) })
		case strings.HasPrefix(line, "RESULT "):
			id, val, _ := strings.Cut(strings.TrimPrefix(line, "RESULT "), " ")
			if ch := p.waiting[id]; ch != nil {
				delete(p.waiting, id)
				ch <- val
			}
		case strings.HasPrefix(line, "EVENT "):
			f := strings.SplitN(strings.TrimPrefix(line, "EVENT "), " ", 4)
			if len(f) == 4 {
				ms, _ := strconv.ParseInt(f[2], 10, 64)
				p.events = append(p.events, event{Kind: f[0], Peer: f[1], At: time.UnixMilli(ms), Detail: f[3]})
				close(p.changed)
				p.changed = make(chan struct{})
			}
		default:
			p.output.WriteString(line + "\n")
		}
		p.mu.Unlock()
	}
}

func (p *peer) out() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// do sends a command and returns its answer; the test fails when none
// comes within d.
func (p *peer) do(d time.Duration, words ...string) string {
	p.t.Helper()
	v, err := p.try(d, words...)
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

// try is do for any goroutine: it returns the failure instead.
func (p *peer) try(d time.Duration, words ...string) (string, error) {
	p.mu.Lock()
	p.nextID++
	id := strconv.Itoa(p.nextID)
	ch := make(chan string, 1)
	p.waiting[id] = ch
	p.mu.Unlock()
	if _, err := fmt.Fprintf(p.stdin, "%s %s\n", id, strings.Join(words, " ")); err != nil {
		return "", fmt.Errorf("%s: write %v: %w", p.name, words, err)
	}
	select {
	case v := <-ch:
		return v, nil
	case <-p.done:
		return "", fmt.Errorf("%s exited during %v:\n%s", p.name, words, p.out())
	case <-time.After(d):
		return "", fmt.Errorf("%s: no answer to %v within %v:\n%s", p.name, words, d, p.out())
	}
}

// expect is do that fails the test unless the answer is want.
func (p *peer) expect(want string, words ...string) {
	p.t.Helper()
	if got := p.do(30*time.Second, words...); got != want {
		p.t.Fatalf("%s (%s) %v: got %s, want %s\noutput:\n%s", p.name, p.kind, words, got, want, p.out())
	}
}

// waitEvent waits until the peer has reported an event of kind about
// about that happened at or after since, and returns the first one.
func (p *peer) waitEvent(kind, about string, since time.Time, d time.Duration) (event, bool) {
	deadline := time.After(d)
	for {
		p.mu.Lock()
		for _, e := range p.events {
			if e.Kind == kind && e.Peer == about && !e.At.Before(since.Truncate(time.Millisecond)) {
				p.mu.Unlock()
				return e, true
			}
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return event{}, false
		}
	}
}

// eventsSince returns the events that happened at or after since.
func (p *peer) eventsSince(since time.Time) []event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []event
	for _, e := range p.events {
		if !e.At.Before(since.Truncate(time.Millisecond)) {
			out = append(out, e)
		}
	}
	return out
}

// signal sends sig to the peer's process group (SIGSTOP / SIGCONT).
func (p *peer) signal(sig syscall.Signal) {
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil {
		p.t.Fatalf("signal %v to %s: %v", sig, p.name, err)
	}
}

// kill ends the peer (and anything it started) at once.
func (p *peer) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	_ = p.stdin.Close()
	<-p.done
	_ = p.cmd.Wait()
}
