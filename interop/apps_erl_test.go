package interop

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/stretchr/testify/require"
)

// goApps loads the applications the BEAM->Go tests start: goapp (needs
// godep, has an environment), godep, goother (also has an environment),
// gobad (its root fails to start).
func goApps(t *testing.T, s *Services) (*actors.Applications, *AppServer) {
	t.Helper()
	apps := actors.NewApplications(s.Node())
	sup := func() (actors.Actor, error) { return &actors.Supervisor{}, nil }
	require.NoError(t, apps.Load(actors.App{Name: "godep", Start: sup}))
	require.NoError(t, apps.Load(actors.App{Name: "goapp", Deps: []etf.Atom{"godep"}, Start: sup,
		Env: map[string]etf.Term{"color": etf.Atom("blue")}}))
	require.NoError(t, apps.Load(actors.App{Name: "goother", Start: sup,
		Env: map[string]etf.Term{"secret": etf.Atom("s3cret")}}))
	require.NoError(t, apps.Load(actors.App{Name: "gobad",
		Start: func() (actors.Actor, error) { return nil, errors.New("no database") }}))
	t.Cleanup(func() {
		// Before the node stops: goapp ends up permanent, and a permanent
		// application that dies with its node would stop the node again.
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := apps.StopAll(ctx); err != nil {
			t.Errorf("stop applications: %v", err)
		}
	})
	return apps, ServeApplications(s, apps)
}

// TestErlControlsGoApplications: a real erl starts, stops, lists and
// configures the Go node's applications by rpc:call and erpc:call, and
// every answer has the shape OTP's application controller gives
// (testdata/it_apps.erl checks each against the OTP term): missing
// dependency, not allowed (by application and by calling node), not
// loaded, invalid restart type, a failing start, ensure_all_started's
// started list, already started, env get/set, stop twice.
func TestErlControlsGoApplications(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "erlc", "epmd")[0]
	dir := erltest.Compile(t, "testdata", "it_apps.erl")
	port := erltest.StartEPMD(t)
	cookie := "apps" + strconv.FormatInt(seq.Add(1), 10)
	n, s, _ := distServices(t, port, cookie)
	apps, srv := goApps(t, s)
	erlName := "erlapps_" + cookie + "@127.0.0.1"
	srv.Allow("goapp", etf.Atom(erlName))
	srv.Allow("godep", etf.Atom(erlName))
	srv.Allow("gobad")
	srv.Allow("nosuch")
	srv.Allow("goother", "someone_else@127.0.0.1")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", erlName, "-setcookie", cookie,
		"-pa", dir, "-eval", "it_apps:main('"+string(n.Name())+"')")
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl: %s", out)
	checks := 0
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "ok "):
			checks++
		case strings.HasPrefix(line, "FAIL "):
			t.Error(line)
		}
	}
	require.Equal(t, 25, checks, "erl output:\n%s", out)
	require.Equal(t, []etf.Atom{"godep", "goapp"}, apps.Running(), "erpc started goapp again")
}

// TestGoControlsErlApplications: Go starts, stops and lists OTP
// applications on a real erl node with each start type, and gets OTP's
// error answers as typed errors.
func TestGoControlsErlApplications(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "epmd")[0]
	port := erltest.StartEPMD(t)
	cookie := "appsgo" + strconv.FormatInt(seq.Add(1), 10)
	erlName := etf.Atom("erlapps_" + cookie + "@127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", string(erlName), "-setcookie", cookie,
		"-eval", `io:format("ready~n")`)
	cmd.Env = erltest.EnvWithEPMD(port)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
	}
	require.NoError(t, sc.Err())
	go func() { // keep draining what erl prints (progress reports)
		for sc.Scan() {
		}
	}()
	n, _, _ := distServices(t, port, cookie)

	err = StartApplication(ctx, n, erlName, "ssh", actors.AppTemporary)
	var ae *AppError
	require.ErrorIs(t, err, ErrNotStarted)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("crypto"), ae.App, "start/2 does not start dependencies")

	started, err := EnsureAllStarted(ctx, n, erlName, "ssl", actors.AppTransient)
	require.NoError(t, err)
	require.Equal(t, []etf.Atom{"crypto", "asn1", "public_key", "ssl"}, started)
	started, err = EnsureAllStarted(ctx, n, erlName, "ssl", actors.AppTransient)
	require.NoError(t, err)
	require.Empty(t, started)
	require.NoError(t, StartApplication(ctx, n, erlName, "sasl", actors.AppPermanent))

	err = StartApplication(ctx, n, erlName, "ssl", actors.AppTemporary)
	require.ErrorIs(t, err, ErrAlreadyStarted)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("ssl"), ae.App)

	_, err = EnsureAllStarted(ctx, n, erlName, "nosuchapp", actors.AppTemporary)
	require.ErrorIs(t, err, ErrAppFailed)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("nosuchapp"), ae.App)

	which, err := WhichApplications(ctx, n, erlName)
	require.NoError(t, err)
	names := make([]etf.Atom, len(which))
	for i, a := range which {
		names[i] = a.Name
	}
	require.Equal(t, []etf.Atom{"sasl", "ssl", "public_key", "asn1", "crypto", "stdlib", "kernel"}, names)
	require.Equal(t, "Erlang/OTP SSL application", which[1].Description)
	require.NotEmpty(t, which[1].Version)

	// The start types arrived as given: application:info() lists them.
	info, err := RPC(ctx, n, erlName, "application", "info", nil)
	require.NoError(t, err)
	types := startedTypes(t, info)
	require.Equal(t, etf.Atom("transient"), types["ssl"])
	require.Equal(t, etf.Atom("transient"), types["crypto"])
	require.Equal(t, etf.Atom("permanent"), types["sasl"])

	require.NoError(t, StopApplication(ctx, n, erlName, "ssl"))
	err = StopApplication(ctx, n, erlName, "ssl")
	require.ErrorIs(t, err, ErrNotStarted)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, etf.Atom("ssl"), ae.App)
	which, err = WhichApplications(ctx, n, erlName)
	require.NoError(t, err)
	require.False(t, slices.ContainsFunc(which, func(a AppInfo) bool { return a.Name == "ssl" }))
}

// startedTypes reads {started, [{App, Type}]} from application:info().
func startedTypes(t *testing.T, info etf.Term) map[etf.Atom]etf.Term {
	t.Helper()
	l, ok := etf.AsList(info)
	require.True(t, ok, "%s", etf.Format(info))
	for _, e := range l {
		if kv, ok := e.(etf.Tuple); ok && len(kv) == 2 && kv[0] == etf.Atom("started") {
			out := map[etf.Atom]etf.Term{}
			apps, _ := etf.AsList(kv[1])
			for _, a := range apps {
				if p, ok := a.(etf.Tuple); ok && len(p) == 2 {
					out[p[0].(etf.Atom)] = p[1]
				}
			}
			return out
		}
	}
	t.Fatalf("no started list in %s", etf.Format(info))
	return nil
}
