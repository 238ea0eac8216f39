package observer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// counter is an actor with a state to read through sys:get_state.
type counter struct {
	actors.Base
	n int
}

func (c *counter) State() etf.Term { return etf.Tuple{etf.Atom("counter"), c.n} }

// startGoApp starts on n an application obs_app: a supervisor
// obs_app_sup with a worker obs_app_worker.
func startGoApp(t *testing.T, n *node.Node) *actors.Applications {
	t.Helper()
	apps := actors.NewApplications(n)
	require.NoError(t, apps.Load(actors.App{
		Name: "obs_app",
		Start: func() (actors.Actor, error) {
			return &actors.Supervisor{Children: []actors.ChildSpec{{
				ID:      etf.Atom("worker"),
				Start:   func(etf.List) (actors.Actor, error) { return &counter{n: 7}, nil },
				Options: []node.SpawnOption{node.WithName("obs_app_worker")},
			}}}, nil
		},
		Options: []node.SpawnOption{node.WithName("obs_app_sup")},
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, apps.Start(ctx, "obs_app", actors.AppTemporary))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = apps.StopAll(ctx)
	})
	return apps
}

// startGoTarget starts a Go node name as `erlgo observer` expects one:
// interop services, erlgo_observer with its application, and two
// registered idle processes (obs_victim, obs_bystander).
func startGoTarget(t *testing.T, name string, port int) (*node.Node, etf.PID) {
	t.Helper()
	target := startDist(t, name, port)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	svc, err := interop.Start(ctx, target)
	require.NoError(t, err)
	t.Cleanup(svc.Stop)
	RegisterRPC(svc, target, WithApplications(startGoApp(t, target)))
	victim, err := target.Spawn(idle, node.WithName("obs_victim"))
	require.NoError(t, err)
	_, err = target.Spawn(idle, node.WithName("obs_bystander"))
	require.NoError(t, err)
	return target, victim
}

// TestBrowserGoTarget drives the page in Chromium against an observer
// (on a hidden node, as `erlgo observer` runs) of a real Go node, which
// it then stops and starts again.
func TestBrowserGoTarget(t *testing.T) {
	b := newBrowser(t)
	port := erltest.StartEPMD(t) // outlives the target, which restarts
	target, victim := startGoTarget(t, "obs_gotarget@127.0.0.1", port)
	obs := startDist(t, "obs_goviewer@127.0.0.1", port, node.WithHidden(), node.WithoutEPMD())
	connect(t, obs, target.Name())
	srv := httptest.NewServer(LoopbackOnly(Handler(obs, WithTarget(target.Name()), WithLogger(slog.New(slog.DiscardHandler)))))
	t.Cleanup(srv.Close)

	pid := b.checkObserver(srv.URL, string(target.Name()), "obs_victim")
	require.Equal(t, victim.String(), pid)
	require.False(t, target.IsAlive(victim), "the kill reached the Go node")
	require.True(t, target.IsAlive(mustWhereis(t, target, "obs_bystander")))

	// The application's supervision tree.
	b.do("applications tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="apps"]`)))
	worker := mustWhereis(t, target, "obs_app_worker").String()
	b.poll("tree shown", `document.querySelector("#apps").textContent.includes("obs_app") && document.querySelector("#apps").textContent.includes(`+jsString(worker)+`)`, 15*time.Second)
	b.screenshot("applications")
	b.do("network tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="network"]`)))
	b.poll("connection listed", `document.querySelector("#net").textContent.includes(`+jsString(string(obs.Name()))+`)`, 15*time.Second)
	b.screenshot("network")

	// The Go node goes away, then a new one comes up under the same name.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, target.Stop(ctx))
	b.poll("target down", `document.querySelector("#status").dataset.state === "down"`, 30*time.Second)
	b.screenshot("target-down")
	again, victim := startGoTarget(t, "obs_gotarget@127.0.0.1", port)
	b.poll("target back", `document.querySelector("#status").dataset.state === "up" && document.querySelector("#banner").textContent.includes("reachable again")`, 60*time.Second)
	b.do("processes tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="processes"]`)))
	b.poll("victim of the new node listed", `(document.querySelector('tr[data-name="obs_victim"]') || {dataset: {}}).dataset.pid === `+jsString(victim.String()), 30*time.Second)
	require.NotEqual(t, target.Creation(), again.Creation())
	b.screenshot("target-back")
}

func mustWhereis(t *testing.T, n *node.Node, name etf.Atom) etf.PID {
	t.Helper()
	pid, ok := n.Whereis(name)
	require.True(t, ok, name)
	return pid
}

// erlNode is a real erl node for the browser test, which it stops and
// starts again under the same name.
type erlNode struct {
	t      *testing.T
	name   etf.Atom
	cookie string
	port   int
	cmd    *exec.Cmd
	out    *erltest.SyncBuffer
}

// erlVictims is what the erl node runs: a registered idle process to kill.
const erlVictims = `register(obs_victim, spawn(fun() -> receive stop -> ok end end)), ` +
	`register(obs_bystander, spawn(fun() -> receive stop -> ok end end)), io:format("ready~n").`

func (e *erlNode) start() {
	e.t.Helper()
	erl := erltest.Tool(e.t, "erl")
	e.out = &erltest.SyncBuffer{}
	e.cmd = exec.Command(erl, "-noshell", "-name", string(e.name), "-setcookie", e.cookie, "-eval", erlVictims)
	e.cmd.Env = erltest.EnvWithEPMD(e.port)
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	require.NoError(e.t, e.cmd.Start())
	deadline := time.Now().Add(erltest.Wait)
	for !strings.Contains(e.out.String(), "ready") {
		if time.Now().After(deadline) {
			e.t.Fatalf("erl did not start:\n%s", e.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	erltest.WaitEPMDName(e.t, e.port, strings.SplitN(string(e.name), "@", 2)[0])
}

func (e *erlNode) stop() {
	if e.cmd != nil && e.cmd.Process != nil {
		_ = e.cmd.Process.Kill()
		_ = e.cmd.Wait()
	}
}

// TestBrowserBEAMTarget drives the page against an observer of a real
// erl node, then stops the node and starts it again: the page says it is
// unreachable, then shows it again.
func TestBrowserBEAMTarget(t *testing.T) {
	b := newBrowser(t)
	port := erltest.StartEPMD(t)
	e := &erlNode{t: t, name: etf.Atom(fmt.Sprintf("obs_beam%d@127.0.0.1", os.Getpid())),
		cookie: fmt.Sprintf("obs_%d", time.Now().UnixNano()), port: port}
	e.start()
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("erl output:\n%s", e.out.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	obs, err := node.Start(ctx, fmt.Sprintf("obs_beamviewer%d@127.0.0.1", os.Getpid()), node.WithCookie(e.cookie),
		node.WithEPMD("127.0.0.1", port), node.WithHidden(), node.WithoutEPMD(), quiet())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = obs.Stop(ctx)
	})
	connect(t, obs, e.name)
	srv := httptest.NewServer(LoopbackOnly(Handler(obs, WithTarget(e.name), WithLogger(slog.New(slog.DiscardHandler)))))
	t.Cleanup(srv.Close)

	b.checkObserver(srv.URL, string(e.name), "obs_victim")
	where, err := interop.RPC(ctx, obs, e.name, "erlang", "whereis", etf.List{etf.Atom("obs_victim")})
	require.NoError(t, err)
	require.Equal(t, etf.Atom("undefined"), where, "the kill reached the erl node")
	where, err = interop.RPC(ctx, obs, e.name, "erlang", "whereis", etf.List{etf.Atom("obs_bystander")})
	require.NoError(t, err)
	require.IsType(t, etf.PID{}, where)

	b.do("applications tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="apps"]`)))
	b.poll("kernel tree", `document.querySelector("#apps").textContent.includes("net_sup") && document.querySelector("#apps").textContent.includes("code_server")`, 15*time.Second)
	b.screenshot("applications")

	// The target goes away: the page says so; it comes back: the page
	// shows it again.
	e.stop()
	b.poll("target down", `document.querySelector("#status").dataset.state === "down" && document.querySelector("#banner").textContent.includes("unreachable")`, 30*time.Second)
	b.screenshot("target-down")
	e.start()
	b.poll("target back", `document.querySelector("#status").dataset.state === "up" && document.querySelector("#banner").textContent.includes("reachable again")`, 60*time.Second)
	b.do("processes tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="processes"]`)))
	b.poll("victim of the new node listed", `!!document.querySelector('tr[data-name="obs_victim"]')`, 30*time.Second)
	b.screenshot("target-back")
}
