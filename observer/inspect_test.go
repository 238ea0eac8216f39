package observer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// blocked returns a Behavior stuck in its first message until release
// is closed, so that later messages queue in its mailbox.
func blocked(release <-chan struct{}) node.Behavior {
	return node.BehaviorFunc(func(*node.Process, etf.Term) error {
		<-release
		return nil
	})
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// post sends a kill request; header adds the X-Erlgo-Observer header.
func post(t *testing.T, srv *httptest.Server, body string, header bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/kill", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if header {
		req.Header.Set(killHeader, "kill")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var eb errorBody
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb.Error
}

// TestInspectGoTarget reads a real Go node's processes, applications and
// connections through erlgo_observer from a hidden observer node, kills
// over HTTP, and checks the read-only mode.
func TestInspectGoTarget(t *testing.T) {
	port := erltest.FreePort(t)
	target := startDist(t, "obs_insp@127.0.0.1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := interop.Start(ctx, target)
	require.NoError(t, err)
	t.Cleanup(svc.Stop)
	RegisterRPC(svc, target, WithApplications(startGoApp(t, target)))
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	busy, err := target.Spawn(blocked(release), node.WithName("obs_busy"))
	require.NoError(t, err)
	require.NoError(t, target.Send(busy, etf.Tuple{etf.Atom("m"), 1}))
	obs := startDist(t, "obs_inspviewer@127.0.0.1", port, node.WithHidden(), node.WithoutEPMD())
	connect(t, obs, target.Name())
	src := Remote(obs, target.Name()).(Inspector)

	// The head of a mailbox: message 1 is being handled, 2..5 wait.
	require.Eventually(t, func() bool {
		d, err := src.Process(ctx, busy.String(), false)
		return err == nil && d.Status == "running"
	}, 10*time.Second, 20*time.Millisecond)
	for i := 2; i <= 5; i++ {
		require.NoError(t, target.Send(busy, etf.Tuple{etf.Atom("m"), i}))
	}
	d, err := src.Process(ctx, busy.String(), false)
	require.NoError(t, err)
	require.Equal(t, []string{"{m,2}", "{m,3}", "{m,4}", "{m,5}"}, d.Messages)
	require.Equal(t, "obs_busy", d.Name)
	require.Equal(t, "running", d.Status)
	require.Empty(t, d.State, "a plain process is not asked for its state")

	// An actor: links to its supervisor, state through sys:get_state.
	worker, _ := target.Whereis("obs_app_worker")
	sup, _ := target.Whereis("obs_app_sup")
	d, err = src.Process(ctx, worker.String(), false)
	require.NoError(t, err)
	require.Contains(t, d.Links, sup.String())
	require.Equal(t, "{counter,7}", d.State)
	require.NotEmpty(t, d.InitialCall)
	d, err = src.Process(ctx, sup.String(), false)
	require.NoError(t, err)
	require.True(t, d.Supervisor, "%+v", d)

	// A filter on name or pid, ignoring case, over every process.
	pl, err := src.(Source).Processes(ctx, Query{Sort: "name", Filter: "OBS_APP"})
	require.NoError(t, err)
	require.Equal(t, 2, pl.Total)
	require.Equal(t, "obs_app_sup", pl.Processes[0].Name)
	require.Equal(t, "obs_app_worker", pl.Processes[1].Name)
	pl, err = src.(Source).Processes(ctx, Query{Filter: strings.TrimSuffix(busy.String(), ">")})
	require.NoError(t, err)
	require.Equal(t, busy.String(), pl.Processes[0].PID)

	// Unknown and malformed pids.
	_, err = src.Process(ctx, fmt.Sprintf("<%s.9999.0>", target.Name()), false)
	require.True(t, errors.Is(err, ErrNoProcess), fmt.Sprint(err))
	_, err = src.Process(ctx, "<nonsense>", false)
	require.True(t, errors.Is(err, ErrBadQuery), fmt.Sprint(err))

	// The application and its tree.
	apps, err := src.Applications(ctx)
	require.NoError(t, err)
	require.Len(t, apps, 1)
	require.Equal(t, "obs_app", apps[0].Name)
	require.Equal(t, sup.String(), apps[0].Root)
	require.NotNil(t, apps[0].Tree)
	require.Len(t, apps[0].Tree.Children, 1)
	require.Equal(t, SupNode{ID: "worker", PID: worker.String(), Type: "worker"}, *apps[0].Tree.Children[0])

	// The connection to the observer, with its counters.
	conns, err := src.Connections(ctx)
	require.NoError(t, err)
	require.Len(t, conns, 1)
	require.Equal(t, string(obs.Name()), conns[0].Node)
	require.Equal(t, "hidden", conns[0].Type)
	require.Positive(t, deref(conns[0].MessagesIn))
	require.Positive(t, deref(conns[0].BytesOut))

	// Kill over HTTP: header and body checked, read-only refused.
	ro := httptest.NewServer(Handler(obs, WithTarget(target.Name()), WithReadOnly(), WithLogger(quietLogger())))
	t.Cleanup(ro.Close)
	body := fmt.Sprintf(`{"pid":%q,"reason":"shutdown"}`, busy.String())
	status, msg := post(t, ro, body, true)
	require.Equal(t, http.StatusForbidden, status, msg)
	require.True(t, target.IsAlive(busy))
	_, cfg := get(t, ro, "/api/config")
	require.JSONEq(t, `{"read_only":true,"inspect":true}`, cfg)

	srv := httptest.NewServer(Handler(obs, WithTarget(target.Name()), WithLogger(quietLogger())))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		body   string
		header bool
		status int
	}{
		{body, false, http.StatusBadRequest},                                                    // no header: maybe another site's form
		{`{"pid":"` + busy.String() + `","reason":"Not An Atom"}`, true, http.StatusBadRequest}, // not a plain atom
		{`{"pid":`, true, http.StatusBadRequest},                                                // bad JSON
		{`{"pid":"<` + string(target.Name()) + `.9999.0>"}`, true, http.StatusNotFound},
	} {
		status, msg := post(t, srv, tt.body, tt.header)
		require.Equal(t, tt.status, status, "%s: %s", tt.body, msg)
	}
	require.True(t, target.IsAlive(busy))
	unblock() // a Go process takes exit signals between messages
	exited := target.Watch(busy)
	status, msg = post(t, srv, body, true)
	require.Equal(t, http.StatusOK, status, msg)
	select {
	case reason := <-exited:
		require.Equal(t, etf.Atom("shutdown"), reason)
	case <-ctx.Done():
		t.Fatal("the process did not exit")
	}
	status, _ = get(t, srv, "/api/process?pid="+busy.String())
	require.Equal(t, http.StatusNotFound, status)
}

// TestInspectBEAMTarget reads a real erl node's process windows,
// applications and connections, kills with a reason, and keeps working
// after both sides idled past 2 x net_ticktime (2 s).
func TestInspectBEAMTarget(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	port := erltest.StartEPMD(t)
	cookie := fmt.Sprintf("obs_%d", time.Now().UnixNano())
	name := etf.Atom(fmt.Sprintf("obs_insp%d@127.0.0.1", os.Getpid()))
	// obs_q never takes {m, I}: they stay in its mailbox.
	cmd := exec.Command(erl, "-noshell", "-name", string(name), "-setcookie", cookie, "-kernel", "net_ticktime", "2", "-eval",
		`P = spawn(fun() -> receive stop -> ok end end), register(obs_q, P), `+
			`spawn(fun() -> link(P), receive stop -> ok end end), `+
			`[P ! {m, I} || I <- lists:seq(1, 30)], io:format("ready~n").`)
	cmd.Env = erltest.EnvWithEPMD(port)
	out := &erltest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("erl output:\n%s", out.String())
		}
	})
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "ready") }, erltest.Wait, 20*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	obs, err := node.Start(ctx, fmt.Sprintf("obs_inspv%d@127.0.0.1", os.Getpid()), node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", port), node.WithHidden(), node.WithoutEPMD(), node.WithTickTime(2*time.Second), quiet())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = obs.Stop(ctx)
	})
	connect(t, obs, name)
	src := Remote(obs, name).(Inspector)
	pidOf := func(reg string) string {
		t.Helper()
		p, err := interop.RPC(ctx, obs, name, "erlang", "whereis", etf.List{etf.Atom(reg)})
		require.NoError(t, err)
		pid, ok := p.(etf.PID)
		require.True(t, ok, reg)
		return pid.String()
	}

	q := pidOf("obs_q")
	// A filter on name or pid, ignoring case, over every process (small
	// chunks: across several rpcs).
	chunked := Remote(obs, name).(*remoteSource)
	chunked.chunk = 5
	pl, err := chunked.Processes(ctx, Query{Sort: "memory", Filter: "Obs_Q"})
	require.NoError(t, err)
	require.Equal(t, 1, pl.Total)
	require.Equal(t, "obs_q", pl.Processes[0].Name)
	pl, err = chunked.Processes(ctx, Query{Sort: "name", Filter: q})
	require.NoError(t, err)
	require.Equal(t, q, pl.Processes[0].PID)
	pl, err = chunked.Processes(ctx, Query{Filter: "code_serv"})
	require.NoError(t, err)
	require.Equal(t, "code_server", pl.Processes[0].Name)

	d, err := src.Process(ctx, q, false)
	require.NoError(t, err)
	require.Equal(t, "obs_q", d.Name)
	require.Equal(t, 30, deref(d.MessageQueueLen))
	require.Len(t, d.Messages, messagesShown)
	require.Equal(t, "{m,1}", d.Messages[0])
	require.Equal(t, "first 20 of 30", d.MessagesShown)
	require.Equal(t, "waiting", d.Status)
	require.Len(t, d.Links, 1, "linked to its companion")
	require.Empty(t, d.State, "a plain process is not asked for its state")

	d, err = src.Process(ctx, pidOf("kernel_sup"), false)
	require.NoError(t, err)
	require.True(t, d.Supervisor)
	require.Equal(t, "supervisor:kernel/1", d.InitialCall)
	require.True(t, d.TrapExit)
	require.Contains(t, d.State, "kernel_sup", "supervisor's #state{} through sys:get_state")

	apps, err := src.Applications(ctx)
	require.NoError(t, err)
	i := slices.IndexFunc(apps, func(a AppInfo) bool { return a.Name == "kernel" })
	require.GreaterOrEqual(t, i, 0, "%+v", apps)
	require.NotEmpty(t, apps[i].Version)
	require.Equal(t, pidOf("kernel_sup"), apps[i].Root)
	var ids []string
	for _, c := range apps[i].Tree.Children {
		ids = append(ids, c.ID)
	}
	require.Contains(t, ids, "code_server")
	require.Contains(t, ids, "net_sup")

	conns, err := src.Connections(ctx)
	require.NoError(t, err)
	require.Len(t, conns, 1)
	require.Equal(t, string(obs.Name()), conns[0].Node)
	require.Equal(t, "hidden", conns[0].Type)
	require.Positive(t, deref(conns[0].MessagesIn))
	require.Contains(t, conns[0].Address, "127.0.0.1:")

	info, err := src.(Source).Node(ctx)
	require.NoError(t, err)
	require.NotNil(t, info.RunQueue)
	require.Positive(t, deref(info.IOInBytes))

	// Idle past 2 x net_ticktime: the connection is still the same one.
	time.Sleep(5 * time.Second)
	require.Equal(t, []etf.Atom{name}, obs.ConnectedNodes())
	d, err = src.Process(ctx, q, false)
	require.NoError(t, err)
	require.Equal(t, 30, deref(d.MessageQueueLen))

	// Kill with a reason.
	require.NoError(t, src.Kill(ctx, q, "shutdown"))
	require.Eventually(t, func() bool {
		_, err := src.Process(ctx, q, false)
		return errors.Is(err, ErrNoProcess)
	}, 10*time.Second, 20*time.Millisecond)
	require.True(t, errors.Is(src.Kill(ctx, q, "kill"), ErrNoProcess))
}
