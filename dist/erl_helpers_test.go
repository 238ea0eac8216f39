package dist

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/require"
)

// Helpers for tests against real Erlang/OTP (tools, the private epmd per
// test and erlc come from internal/erltest): a
// minimal EPMD client (the epmd package is not a dependency of dist), and
// an erl node driven line by line through testdata/disttest.erl.

func uniq(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// epmdRegister sends ALIVE2_REQ for alive on listenPort and returns the
// creation. The registration lasts until the test ends.
func epmdRegister(t testing.TB, epmdPort int, alive string, listenPort int) uint32 {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(epmdPort))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	body := []byte{'x'}
	body = binary.BigEndian.AppendUint16(body, uint16(listenPort))
	body = append(body, 77, 0)
	body = binary.BigEndian.AppendUint16(body, 6)
	body = binary.BigEndian.AppendUint16(body, 6)
	body = binary.BigEndian.AppendUint16(body, uint16(len(alive)))
	body = append(body, alive...)
	body = binary.BigEndian.AppendUint16(body, 0)
	req := binary.BigEndian.AppendUint16(nil, uint16(len(body)))
	_, err = c.Write(append(req, body...))
	require.NoError(t, err)
	var resp [6]byte
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadFull(c, resp[:])
	require.NoError(t, err)
	_ = c.SetReadDeadline(time.Time{})
	if resp[0] != 'v' || resp[1] != 0 {
		t.Fatalf("ALIVE2 refused: %v", resp)
	}
	return binary.BigEndian.Uint32(resp[2:])
}

// epmdLookup resolves alive's port with PORT_PLEASE2_REQ.
func epmdLookup(ctx context.Context, epmdPort int, alive string) (int, int, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(epmdPort))
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	req := binary.BigEndian.AppendUint16(nil, uint16(1+len(alive)))
	req = append(req, 'z')
	req = append(req, alive...)
	if _, err := c.Write(req); err != nil {
		return 0, 0, err
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return 0, 0, err
	}
	if hdr[0] != 119 || hdr[1] != 0 {
		return 0, 0, fmt.Errorf("PORT_PLEASE2 for %s failed: %v", alive, hdr)
	}
	var rest [8]byte
	if _, err := io.ReadFull(c, rest[:]); err != nil {
		return 0, 0, err
	}
	return int(binary.BigEndian.Uint16(rest[0:])), int(binary.BigEndian.Uint16(rest[4:])), nil
}

// epmdDialer is a Config.Dial resolving peers through the private epmd.
func epmdDialer(epmdPort int) func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
	return func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
		alive, host, err := splitName(string(peer))
		if err != nil {
			return nil, 0, err
		}
		port, ver, err := epmdLookup(ctx, epmdPort, alive)
		if err != nil {
			return nil, 0, err
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		return c, ver, err
	}
}

// erlNode is a running erl driven through stdin/stdout.
type erlNode struct {
	t     testing.TB
	name  etf.Atom
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	mu    sync.Mutex
	log   []string
	exit  chan struct{}
}

type erlOpts struct {
	cookie   string
	tickTime int      // seconds, 0 = default
	extra    []string // more erl arguments
}

func startErl(t testing.TB, epmdPort int, o erlOpts) *erlNode {
	t.Helper()
	dir := erltest.Compile(t, "testdata")
	name := uniq("erl") + "@127.0.0.1"
	args := []string{"-noshell", "-name", name, "-setcookie", o.cookie, "-pa", dir,
		"-kernel", "connect_all", "false"}
	if o.tickTime > 0 {
		args = append(args, "-kernel", "net_ticktime", strconv.Itoa(o.tickTime))
	}
	args = append(args, o.extra...)
	args = append(args, "-eval", "disttest:main()")
	cmd := exec.Command("erl", args...)
	cmd.Env = erltest.EnvWithEPMD(epmdPort)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	e := &erlNode{t: t, name: etf.Atom(name), cmd: cmd, stdin: stdin, lines: make(chan string, 1024), exit: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			e.mu.Lock()
			e.log = append(e.log, sc.Text())
			e.mu.Unlock()
			select {
			case e.lines <- sc.Text():
			default:
			}
		}
		close(e.lines)
	}()
	go func() { _ = cmd.Wait(); close(e.exit) }()
	t.Cleanup(func() {
		e.kill()
		if t.Failed() {
			e.mu.Lock()
			t.Logf("erl %s output:\n%s", name, strings.Join(e.log, "\n"))
			e.mu.Unlock()
		}
	})
	e.expect("READY")
	return e
}

// kill kills the erl OS process (its whole process group).
func (e *erlNode) kill() {
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-e.exit:
	case <-time.After(10 * time.Second):
	}
}

// do sends one command line and returns the first output line starting
// with want.
func (e *erlNode) do(cmd, want string) string {
	e.t.Helper()
	_, err := io.WriteString(e.stdin, cmd+"\n")
	require.NoError(e.t, err)
	return e.expect(want)
}

func (e *erlNode) expect(prefix string) string {
	e.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-e.lines:
			if !ok {
				e.t.Fatalf("erl exited while waiting for %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			e.t.Fatalf("timed out waiting for %q from erl", prefix)
		}
	}
}

// goNode is a Manager registered in the private epmd and serving on
// loopback.
type goNode struct {
	m    *Manager
	rec  *recorder
	name etf.Atom
	self etf.PID // a pid of ours for erl to reply to
}

func startGo(t testing.TB, epmdPort int, cfg Config) *goNode {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	alive := uniq("go")
	cfg.Name = etf.Atom(alive + "@127.0.0.1")
	cfg.Creation = epmdRegister(t, epmdPort, alive, l.Addr().(*net.TCPAddr).Port)
	cfg.Dial = epmdDialer(epmdPort)
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	rec := newRecorder()
	m, err := NewManager(cfg, rec)
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- m.Serve(l) }()
	t.Cleanup(func() {
		_ = m.Close()
		if err := <-served; err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return &goNode{m: m, rec: rec, name: cfg.Name, self: etf.PID{Node: cfg.Name, ID: 100, Serial: 0, Creation: cfg.Creation}}
}

// waitGone polls erl until it no longer lists node as connected.
func (e *erlNode) waitGone(node etf.Atom) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Contains(e.do("nodes", "NODES"), string(node)) {
		if time.Now().After(deadline) {
			e.t.Fatalf("erl still connected to %s", node)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
