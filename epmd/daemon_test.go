package epmd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/internal/erltest"
)

// killDaemon stops a daemon this test process started, at cleanup. The
// daemon is this process's child until it exits, so StartDaemon's reaper
// collects it; the pid is gone once that happened.
func killDaemon(t testing.TB, pid int) {
	t.Helper()
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		eventually(t, func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }, "daemon %d reaped", pid)
	})
}

// sessionID reads the session id of pid from /proc (Linux).
func sessionID(t testing.TB, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("reading /proc (this test needs Linux): %v", err)
	}
	// pid (comm) state ppid pgrp session ...; comm may hold blanks.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	sid, err := strconv.Atoi(f[3])
	require.NoError(t, err)
	return sid
}

func TestStartDaemonDetached(t *testing.T) {
	erltest.Tool(t, "epmd")
	port := erltest.FreePort(t)
	pid, err := StartDaemon(ctxT(t), DaemonConfig{Port: port, Address: "127.0.0.1", Logger: testLogger(t)})
	require.NoError(t, err)
	killDaemon(t, pid)
	assert.Equal(t, pid, sessionID(t, pid), "the daemon leads a session of its own (setsid)")
	assert.NotEqual(t, sessionID(t, os.Getpid()), sessionID(t, pid))
	for _, fd := range []string{"0", "1", "2"} {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd))
		require.NoError(t, err)
		assert.Equal(t, os.DevNull, target, "fd %s", fd)
	}
	names, _, err := (&Client{Port: port}).Names(ctxT(t))
	require.NoError(t, err, "the daemon answers NAMES when StartDaemon returns")
	assert.Equal(t, port, names)
}

// TestStartDaemonPortTaken: a connect to the port would succeed (another
// listener holds it), but that is no EPMD and the daemon exits on the
// taken port: StartDaemon reports it instead of returning a dead pid.
func TestStartDaemonPortTaken(t *testing.T) {
	erltest.Tool(t, "epmd")
	l, err := net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = StartDaemon(ctxT(t), DaemonConfig{Port: port, Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrDaemonExited)
}

func TestStartDaemonNotAnEPMD(t *testing.T) {
	_, err := StartDaemon(ctxT(t), DaemonConfig{Command: []string{"false"}, Port: erltest.FreePort(t), Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrDaemonExited)
}

// TestPublishDaemonOutlivesPublication is defect 2 of issue 12 at the
// library level: the Go node finds no EPMD and starts one (the default,
// FallbackDaemon), a real erl registers in it, the Go node's publication
// closes, and a new erl still reaches the first by name.
func TestPublishDaemonOutlivesPublication(t *testing.T) {
	t.Parallel()
	erl := erltest.Tool(t, "erl")
	port := erltest.FreePort(t)
	goName := uniqueName("godaemon")
	p, _ := publishT(t, PublishOptions{Registration: Registration{Name: goName, Port: 6003}, Port: port, ListenHost: "127.0.0.1"})
	st := p.Status()
	require.False(t, st.Embedded)
	require.NotZero(t, st.DaemonPID, "a daemon was started")
	killDaemon(t, st.DaemonPID)

	env := []string{EnvPort + "=" + strconv.Itoa(port)}
	cookie, first := uniqueName("c"), uniqueName("first")+"@127.0.0.1"
	a := startProc(t, env, erl, "-noshell", "-start_epmd", "false", "-name", first, "-setcookie", cookie,
		"-eval", `io:format("up~n"), receive after infinity -> ok end.`)
	a.waitLine(t, "up")

	require.NoError(t, p.Close())
	c := &Client{Port: port}
	_, err := c.PortPlease(ctxT(t), goName)
	assert.ErrorIs(t, err, ErrNotRegistered, "the Go node unregistered")

	b := startProc(t, env, erl, "-noshell", "-start_epmd", "false", "-name", uniqueName("second")+"@127.0.0.1",
		"-setcookie", cookie, "-eval", fmt.Sprintf(`io:format("ping=~p~n", [net_adm:ping('%s')]), halt().`, first))
	assert.Equal(t, "ping=pong", b.waitLine(t, "ping="))
}

// TestPublishDaemonRace: two nodes find no EPMD at the same moment and
// both start a daemon; one daemon loses the port and exits, and both
// nodes end up registered in the winner.
func TestPublishDaemonRace(t *testing.T) {
	t.Parallel()
	erltest.Tool(t, "epmd")
	port := erltest.FreePort(t)
	// Stop whichever daemon won, by KILL_REQ once both nodes are gone.
	t.Cleanup(func() {
		eventually(t, func() bool {
			ans, err := (&Client{Port: port}).Kill(ctxT(t))
			return ans == "OK" || errors.Is(err, ErrUnreachable)
		}, "daemon on port %d killed", port)
	})
	type result struct {
		p   *Publication
		err error
	}
	results := make(chan result, 2)
	for _, name := range []string{uniqueName("ra"), uniqueName("rb")} {
		go func() {
			p, err := Publish(ctxT(t), PublishOptions{Registration: Registration{Name: name, Port: 7001}, Port: port,
				ListenHost: "127.0.0.1", Logger: testLogger(t)})
			results <- result{p, err}
		}()
	}
	var pubs []*Publication
	for range 2 {
		r := <-results
		require.NoError(t, r.err)
		pubs = append(pubs, r.p)
		t.Cleanup(func() { _ = r.p.Close() })
	}
	_, names, err := (&Client{Port: port}).Names(ctxT(t))
	require.NoError(t, err)
	assert.Len(t, names, 2, "both registered in the one EPMD: %v", names)
	for _, p := range pubs {
		assert.False(t, p.Status().Embedded)
	}
}

// TestPublishRestartsDaemon: when the daemon a publication started dies,
// the publication starts a new one and registers again.
func TestPublishRestartsDaemon(t *testing.T) {
	t.Parallel()
	erltest.Tool(t, "epmd")
	port := erltest.FreePort(t)
	p, changes := publishT(t, PublishOptions{Registration: Registration{Name: uniqueName("gorestartd"), Port: 7002}, Port: port, ListenHost: "127.0.0.1"})
	first := p.Status().DaemonPID
	require.NotZero(t, first)
	killDaemon(t, first)
	require.NoError(t, syscall.Kill(first, syscall.SIGKILL))
	st := changes.next(t, "registered again", registered)
	require.NotZero(t, st.DaemonPID)
	killDaemon(t, st.DaemonPID)
	// Runs before the kill: a live publication would start yet another
	// daemon when this one dies.
	t.Cleanup(func() { _ = p.Close() })
	assert.NotEqual(t, first, st.DaemonPID, "a new daemon")
	assert.False(t, st.Embedded)
}

// TestPublishWithoutEPMDBinary: no epmd on PATH and no daemon command:
// the default falls back to the in-process server (with a warning).
func TestPublishWithoutEPMDBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	require.Nil(t, DefaultDaemonCommand())
	p, _ := publishT(t, PublishOptions{Registration: Registration{Name: uniqueName("gonobin"), Port: 7003}, Port: erltest.FreePort(t), ListenHost: "127.0.0.1"})
	st := p.Status()
	assert.True(t, st.Embedded)
	assert.Zero(t, st.DaemonPID)
}

func TestStartDaemonNoCommand(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := StartDaemon(ctxT(t), DaemonConfig{Port: erltest.FreePort(t), Logger: testLogger(t)})
	assert.ErrorIs(t, err, ErrNoDaemon)
}
