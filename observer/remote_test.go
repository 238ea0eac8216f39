package observer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// startDist starts a distributed node on the EPMD at port (the first node
// on a free port runs an in-process EPMD there, gone with the test, rather
// than the default detached daemon that would outlive it).
func startDist(t *testing.T, name string, port int, opts ...node.Option) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts = append([]node.Option{node.WithCookie(testCookie), node.WithEPMD("127.0.0.1", port), node.WithEmbeddedEPMD(),
		node.WithListenAddr("127.0.0.1:0"), quiet()}, opts...)
	n, err := node.Start(ctx, name, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

// connect retries until target accepts a connection (it may still be
// registering with EPMD).
func connect(t *testing.T, n *node.Node, target etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := n.Connect(ctx, target)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connect %s: %v", target, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRemoteErlgo(t *testing.T) {
	port := erltest.FreePort(t) // the first node starts an embedded EPMD here
	target := startDist(t, "obs_target@127.0.0.1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	svc, err := interop.Start(ctx, target)
	require.NoError(t, err)
	t.Cleanup(svc.Stop)
	RegisterRPC(svc, target)
	_, err = target.Spawn(idle, node.WithName("obs_remote_worker"))
	require.NoError(t, err)

	obs := startDist(t, "obs_viewer@127.0.0.1", port, node.WithHidden(), node.WithoutEPMD())
	connect(t, obs, target.Name())
	src := Remote(obs, target.Name())

	info, err := src.Node(ctx)
	require.NoError(t, err)
	require.Equal(t, KindErlgo, info.Kind, "erlgo_observer answered, so no BIF fallback")
	require.Equal(t, "obs_target@127.0.0.1", info.Name)
	require.Contains(t, info.Registered, "obs_remote_worker")
	require.Contains(t, info.ConnectedNodes, "obs_viewer@127.0.0.1")
	require.Positive(t, info.Goroutines)

	pl, err := src.Processes(ctx, Query{Sort: "name", Limit: 500})
	require.NoError(t, err)
	require.Equal(t, "all", pl.Scope)
	require.Equal(t, len(pl.Processes), pl.Total, "every process listed: fewer than the limit")
	var names []string
	var unnamed int
	for _, p := range pl.Processes {
		names = append(names, p.Name)
		if p.Name == "" {
			unnamed++
		}
		require.NotNil(t, p.MessageQueueLen, p.PID)
		require.NotNil(t, p.Memory, p.PID)
	}
	require.Contains(t, names, "obs_remote_worker")
	require.Positive(t, unnamed, "anonymous processes are listed too")

	ni, err := src.Network(ctx)
	require.NoError(t, err)
	require.Contains(t, ni.Connected, "obs_viewer@127.0.0.1")
	require.Equal(t, []string{"obs_viewer@127.0.0.1"}, ni.Hidden, "the observer node is hidden")
	require.Empty(t, ni.Visible)

	// The same through HTTP, with no cookie in any answer.
	srv := httptest.NewServer(Handler(obs, WithTarget(target.Name())))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/api/node", "/api/processes", "/api/network"} {
		status, body := get(t, srv, path)
		require.Equal(t, 200, status, body)
		require.NotContains(t, body, testCookie)
		require.Contains(t, body, "obs_target@127.0.0.1")
	}
}

func TestRemoteBEAM(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	port := erltest.StartEPMD(t)
	cookie := fmt.Sprintf("obs_%d", time.Now().UnixNano())
	name := etf.Atom(fmt.Sprintf("obs_x%d@127.0.0.1", os.Getpid()))
	// obs_busy holds 321 unread messages: it must top the mailbox sort.
	cmd := exec.Command(erl, "-noshell", "-name", string(name), "-setcookie", cookie, "-eval",
		`P = spawn(fun() -> receive stop -> ok end end), register(obs_busy, P), [P ! {m, I} || I <- lists:seq(1, 321)].`)
	cmd.Env = erltest.EnvWithEPMD(port)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("erl output:\n%s", out.String())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	obs, err := node.Start(ctx, fmt.Sprintf("obs_viewer%d@127.0.0.1", os.Getpid()), node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", port), node.WithHidden(), node.WithoutEPMD(), quiet())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = obs.Stop(ctx)
	})
	connect(t, obs, name)
	src := Remote(obs, name)

	info, err := src.Node(ctx)
	require.NoError(t, err)
	require.Equal(t, KindBEAM, info.Kind)
	require.Equal(t, string(name), info.Name)
	require.Positive(t, info.ProcessCount)
	require.Positive(t, info.MemoryBytes)
	require.NotEmpty(t, info.OTPRelease)
	require.Contains(t, info.Registered, "code_server")
	require.Contains(t, info.ConnectedNodes, string(obs.Name()))

	pl, err := src.Processes(ctx, Query{Sort: "memory", Limit: 500})
	require.NoError(t, err)
	require.Equal(t, "all", pl.Scope)
	require.Positive(t, len(pl.Processes))
	var found bool
	for i, p := range pl.Processes {
		require.NotNil(t, p.MessageQueueLen, p.PID)
		require.NotNil(t, p.Memory, p.PID)
		if i > 0 {
			require.GreaterOrEqual(t, *pl.Processes[i-1].Memory, *p.Memory, "sorted by memory")
		}
		if p.Name == "code_server" {
			found = true
			require.NotEmpty(t, p.CurrentFunction)
		}
	}
	require.True(t, found, "code_server in the process list")

	// Default order: largest mailbox first, found across several scan chunks.
	chunked := Remote(obs, name).(*remoteSource)
	chunked.chunk = 7
	deadline := time.Now().Add(10 * time.Second)
	for {
		byMailbox, err := chunked.Processes(ctx, Query{Limit: 3})
		require.NoError(t, err)
		require.Len(t, byMailbox.Processes, 3)
		if top := byMailbox.Processes[0]; top.Name == "obs_busy" {
			require.Equal(t, 321, *top.MessageQueueLen)
			break
		}
		if time.Now().After(deadline) { // -eval may still be running
			t.Fatalf("obs_busy not first by mailbox: %+v", byMailbox.Processes[0])
		}
		time.Sleep(50 * time.Millisecond)
	}

	ni, err := src.Network(ctx)
	require.NoError(t, err)
	require.Contains(t, ni.Hidden, string(obs.Name()), "the observer node is hidden")

	// A small scan cap marks the list truncated.
	capped, err := Remote(obs, name, WithScanLimit(3)).Processes(ctx, Query{})
	require.NoError(t, err)
	require.True(t, capped.Truncated)
	require.GreaterOrEqual(t, 3, len(capped.Processes))

	// The HTTP API and the text summary for the BEAM node.
	srv := httptest.NewServer(Handler(obs, WithTarget(name)))
	t.Cleanup(srv.Close)
	status, body := get(t, srv, "/api/node")
	require.Equal(t, 200, status, body)
	require.NotContains(t, body, cookie)
	var viaHTTP NodeInfo
	require.NoError(t, json.Unmarshal([]byte(body), &viaHTTP))
	require.Contains(t, viaHTTP.Registered, "code_server")

	var text bytes.Buffer
	require.NoError(t, WriteText(&text, info, pl))
	require.Contains(t, text.String(), "code_server")
	require.NotContains(t, text.String(), cookie)
}

func TestRemoteErlgoWithoutRPC(t *testing.T) {
	port := erltest.FreePort(t)
	target := startDist(t, "obs_bare@127.0.0.1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	svc, err := interop.Start(ctx, target) // rpc works, erlgo_observer is not registered
	require.NoError(t, err)
	t.Cleanup(svc.Stop)
	obs := startDist(t, "obs_viewer2@127.0.0.1", port, node.WithHidden(), node.WithoutEPMD())
	connect(t, obs, target.Name())

	// Without erlgo_observer the observer falls back to the BEAM BIFs that
	// interop serves on a Go node, as for an erl node.
	src := Remote(obs, target.Name())
	info, err := src.Node(ctx)
	require.NoError(t, err)
	require.Equal(t, KindErlgo, info.Kind, "system_version names erlgo")
	require.Equal(t, string(target.Name()), info.Name)
	require.Contains(t, info.Registered, "rex")
	pl, err := src.Processes(ctx, Query{Sort: "name"})
	require.NoError(t, err)
	require.Equal(t, "all", pl.Scope)
	require.Equal(t, "net_kernel", pl.Processes[0].Name)
}
